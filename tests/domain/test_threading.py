"""Per-channel threading of replies, and sanitizing of hostile community text."""

from __future__ import annotations

from sqlalchemy import select

from communitydesk.mentions.models import Mention
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor
from tests.factories import ingest, mention


def _ticket_ids(desk: Desk, source: str) -> dict[str, int | None]:
    with desk.sessions() as session:
        rows = session.execute(select(Mention.external_id, Mention.ticket_id).where(Mention.source == source))
        return {external_id: ticket_id for external_id, ticket_id in rows}


def _links(desk: Desk, ticket_id: int) -> list[tuple[str, int | None]]:
    with desk.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        return [
            (link.kind, link.target_ticket_id)
            for link in tickets.links_of(session, ticket)
            if link.ticket_id == ticket_id
        ]


def test_x_reply_joins_its_conversation_ticket(desk: Desk) -> None:
    ingest(desk, mention("twitter", "1", root_id="1"))
    ingest(
        desk,
        mention("twitter", "2", parent_id="1", root_id="1"),
        mention("twitter", "3", parent_id="2", root_id="1"),
    )
    ids = _ticket_ids(desk, "x")
    assert ids["1"] == ids["2"] == ids["3"]


def test_x_reply_reopens_a_solved_conversation_but_a_closed_one_gets_a_follow_up(desk: Desk) -> None:
    ingest(desk, mention("twitter", "1", root_id="1"))
    first = _ticket_ids(desk, "x")["1"]
    with desk.sessions() as session, session.begin():
        ticket = session.get(Ticket, first)
        assert ticket is not None
        tickets.set_status(session, ticket, "solved", actor=Actor("t"))
    ingest(desk, mention("twitter", "2", parent_id="1", root_id="1"))
    with desk.sessions() as session:
        assert session.get(Ticket, first).status == "open"  # type: ignore[union-attr]
    with desk.sessions() as session, session.begin():
        ticket = session.get(Ticket, first)
        assert ticket is not None
        tickets.set_status(session, ticket, "closed", actor=Actor("t"))
    ingest(desk, mention("twitter", "3", parent_id="2", root_id="1"))
    follow_up = _ticket_ids(desk, "x")["3"]
    assert follow_up != first
    assert ("follow_up_of", first) in _links(desk, follow_up)  # type: ignore[arg-type]


def test_blog_comment_reply_is_a_new_unlinked_ticket(desk: Desk) -> None:
    ingest(
        desk,
        mention("blog_comment", "c1", root_id="post"),
        mention("blog_comment", "c2", parent_id="c1", root_id="post"),
    )
    ids = _ticket_ids(desk, "disqus")
    assert ids["c1"] != ids["c2"]
    assert _links(desk, ids["c2"]) == []  # type: ignore[arg-type]


def test_hn_reply_is_a_new_ticket_related_to_the_threads_ticket(desk: Desk) -> None:
    ingest(desk, mention("hackernews", "100", root_id="100", title="Show HN: a CI thing"))
    ingest(desk, mention("hackernews", "101", parent_id="100", root_id="100"))
    ingest(desk, mention("hackernews", "102", parent_id="101", root_id="100"))
    ids = _ticket_ids(desk, "hackernews")
    assert len({ids["100"], ids["101"], ids["102"]}) == 3
    assert _links(desk, ids["101"]) == [("in_thread_of", ids["100"])]  # type: ignore[arg-type]
    # A reply relates to the ticket of the message it answers.
    assert _links(desk, ids["102"]) == [("in_thread_of", ids["101"])]  # type: ignore[arg-type]


def test_reddit_reply_in_an_untracked_thread_is_a_plain_new_ticket(desk: Desk) -> None:
    ingest(desk, mention("reddit", "t1_c", parent_id="t3_s", root_id="t3_s"))
    ids = _ticket_ids(desk, "reddit")
    assert _links(desk, ids["t1_c"]) == []  # type: ignore[arg-type]


def test_hostile_html_is_stored_as_safe_text_with_links_kept(desk: Desk) -> None:
    hostile = (
        '<p>Help &amp; thanks!<script>alert("x")</script> <img src=x onerror="alert(1)">'
        '<a href="javascript:alert(2)">click</a> <a href="https://docs.example.com/ci">docs</a></p>'
    )
    ingest(desk, mention("hackernews", "h1", hostile))
    with desk.sessions() as session:
        text = session.scalar(select(Mention.text).where(Mention.external_id == "h1"))
    assert text is not None
    assert (
        "<script" not in text and "alert" not in text and "onerror" not in text and "javascript:" not in text
    )
    assert "Help & thanks!" in text
    assert "[docs](https://docs.example.com/ci)" in text


def test_names_company_is_detected_as_a_word(desk: Desk) -> None:
    ingest(
        desk,
        mention("reddit", "a", "We moved to #GitLab last year"),
        mention("reddit", "b", "mygitlabby setup"),
        mention("reddit", "c", "no company here", title="GitLab runners"),
        # A reply's story title is context, not the reply's own words.
        mention("reddit", "d", "Try a bigger runner.", title="GitLab runners", parent_id="c", root_id="c"),
    )
    with desk.sessions() as session:
        flags = {
            row.external_id: row.names_company
            for row in session.execute(select(Mention.external_id, Mention.names_company))
        }
    assert flags == {"a": True, "b": False, "c": True, "d": False}


def test_nul_characters_are_refused_in_identifiers_and_dropped_from_text(desk: Desk) -> None:
    report = ingest(
        desk,
        mention("forum", "ok\x00id"),
        mention("forum", "f2", "hello\x00 world"),
    )
    assert (report.new, report.rejected) == (1, 1)
    assert "external_id: Value error, contains a NUL character" in report.errors[0]
    with desk.sessions() as session:
        assert session.scalar(select(Mention.text)) == "hello world"


def test_a_savepoint_that_opens_the_transaction_does_not_commit_it(desk: Desk) -> None:
    """pysqlite commits when a SAVEPOINT is released unless the engine emits BEGIN itself."""
    ingest(desk, mention("forum", "f1"))
    with desk.sessions() as session:
        ticket = session.scalars(select(Ticket)).one()
        session.commit()
        with session.begin_nested():
            tickets.add_tags(session, ticket, ["half-done"], actor=Actor("t"))
        session.rollback()
    with desk.sessions() as session:
        assert session.scalars(select(Ticket)).one().tags == []


def test_plain_text_keeps_its_paragraphs_and_entities_are_decoded(desk: Desk) -> None:
    ingest(desk, mention("forum", "p1", "line one\n\nline two &amp; *more*"))
    with desk.sessions() as session:
        assert session.scalar(select(Mention.text)) == "line one\n\nline two & *more*"
