"""Community text is hostile: it is shown escaped everywhere and never becomes markup or a script link."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from communitydesk.mentions.models import Mention
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.schemas import Actor
from tests.web.helpers import make_ticket

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(document.cookie)>"


def _hostile_ticket(desk: Desk) -> int:
    # Entities survive intake's HTML sanitizing as literal text, which is what the pages must escape.
    ticket_id = make_ticket(
        desk,
        text="&lt;script&gt;alert(1)&lt;/script&gt; GitLab &lt;img src=x onerror=alert(document.cookie)&gt;",
        author_handle=IMG,
        author_name='"><svg onload=alert(2)>',
        title="Title &lt;script&gt;alert(1)&lt;/script&gt;",
    )
    with desk.sessions() as session, session.begin():
        # Stored before URLs were validated, or written by another tool: must still not become a link.
        session.execute(update(Mention).values(url="javascript:alert(3)"))
        ticket = tickets.get(session, ticket_id)
        assert ticket is not None
        tickets.link(session, ticket, kind="docs", url="JavaScript:alert(4)", actor=Actor("rule"))
        tickets.add_note(
            session, ticket, f'{SCRIPT} see https://ok.example/"onmouseover=alert(5)', actor=Actor("Ada")
        )
    return ticket_id


def _assert_inert(html: str) -> None:
    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert "<svg" not in html
    assert 'href="javascript:' not in html.lower()
    assert '"onmouseover' not in html
    assert "<script>" not in html.replace('<script src="/static/htmx.min.js?v=2.0.7" defer></script>', "")


def test_hostile_text_is_escaped_on_the_queue(advocate_client: tuple[TestClient, str], desk: Desk) -> None:
    client, _ = advocate_client
    _hostile_ticket(desk)
    html = client.get("/tickets").text
    _assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(document.cookie)&gt;" in html


def test_hostile_text_is_escaped_on_the_ticket_page(
    advocate_client: tuple[TestClient, str], desk: Desk
) -> None:
    client, _ = advocate_client
    ticket_id = _hostile_ticket(desk)
    response = client.get(f"/tickets/{ticket_id}")
    html = response.text
    _assert_inert(html)
    assert '<div class="mention-text">&lt;script&gt;alert(1)&lt;/script&gt; GitLab' in html
    assert "&#34;&gt;&lt;svg onload=alert(2)&gt;" in html
    assert 'title="not an http(s) link">javascript:alert(3)</span>' in html
    assert "<span>JavaScript:alert(4)</span>" in html
    assert '<a href="https://ok.example/" rel="noopener noreferrer nofollow" target="_blank">' in html
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp


def test_hostile_search_text_is_escaped(advocate_client: tuple[TestClient, str], desk: Desk) -> None:
    client, _ = advocate_client
    html = client.get("/tickets", params={"q": '"><script>alert(1)</script>', "tag": "x\"'><b>"}).text
    _assert_inert(html)
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_macro_variables_are_stored_as_text(advocate_client: tuple[TestClient, str], desk: Desk) -> None:
    client, token = advocate_client
    ticket_id = make_ticket(desk)
    client.post(
        f"/tickets/{ticket_id}/macro",
        data={"macro": "Reached out to expert", "var_expert": SCRIPT, "csrf_token": token},
    )
    html = client.get(f"/tickets/{ticket_id}").text
    _assert_inert(html)
    assert "Reached out to &lt;script&gt;alert(1)&lt;/script&gt;" in html
