"""Closing the loop end to end: mention -> ticket -> `Reached out to expert` -> the expert's public reply
arrives through intake (POST /api/v1/mentions) -> the right tickets solved with the right macros, linked,
with the expert named; an expert's post nobody waited for is tracked outreach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.experts.answers import ExpertWatch
from communitydesk.experts.service import count_tracked_outreach
from communitydesk.mentions.intake import ingest_rows
from communitydesk.mentions.models import Mention
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from tests.conftest import People, bearer

DEMO = Path(__file__).parents[2] / "src" / "communitydesk" / "demo"
START = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
SOURCES = {
    "twitter": "x",
    "forum": "discourse",
    "zendesk": "zendesk",
    "blog_comment": "disqus",
    "docs_comment": "disqus",
    "hackernews": "hackernews",
    "reddit": "reddit",
}
# The example people file's handles: Dana Whitfield on X, the forum, Disqus and HN; Elif Demir on Reddit;
# Aiko Sato answers in Zendesk.
EXPERT_HANDLE = {
    "twitter": ("@Dana_Ships", "Dana Whitfield"),
    "forum": ("dana", "Dana Whitfield"),
    "zendesk": ("aiko.sato@example.com", "Aiko Sato"),
    "blog_comment": ("danawhitfield", "Dana Whitfield"),
    "docs_comment": ("danawhitfield", "Dana Whitfield"),
    "hackernews": ("dwhitfield", "Dana Whitfield"),
    "reddit": ("elif_runs", "Elif Demir"),
}


@pytest.fixture
def loop(desk: Desk, cli: CliRunner, app_client: TestClient, people: People) -> Loop:
    imported = cli.invoke(
        app,
        [
            "experts",
            "import",
            "--taxonomy",
            str(DEMO / "taxonomy"),
            "--people",
            str(DEMO / "experts" / "people.yml"),
        ],
    )
    assert imported.exit_code == 0, imported.output
    return Loop(desk, app_client, bearer(people.advocate_token))


class Loop:
    def __init__(self, desk: Desk, client: TestClient, headers: dict[str, str]) -> None:
        self.desk, self.client, self.headers = desk, client, headers
        self.minutes = 0

    def post(self, channel: str, external_id: str, text: str, author: str = "someone", **extra: Any) -> int:
        """Send a mention through the public intake API; return its ticket id."""
        self.minutes += 5
        row = {
            "source": SOURCES[channel],
            "channel": channel,
            "external_id": external_id,
            "url": f"https://example.com/{channel}/{external_id}",
            "author_handle": author,
            "text": text,
            "created_at": (START + timedelta(minutes=self.minutes)).isoformat(),
            **extra,
        }
        response = self.client.post("/api/v1/mentions", headers=self.headers, json=row)
        assert response.status_code == 200, response.text
        assert response.json()["new"] == 1
        with self.desk.sessions() as session:
            ticket_id = session.scalar(
                select(Mention.ticket_id).where(
                    Mention.source == SOURCES[channel], Mention.external_id == external_id
                )
            )
        assert ticket_id is not None
        return ticket_id

    def reach_out(self, ticket_id: int) -> None:
        response = self.client.post(
            f"/api/v1/tickets/{ticket_id}/macros",
            headers=self.headers,
            json={"macro": "Reached out to expert", "variables": {"expert": "@dana"}},
        )
        assert response.status_code == 200, response.text
        assert self.status(ticket_id) == "open"

    def status(self, ticket_id: int) -> str:
        response = self.client.get(f"/api/v1/tickets/{ticket_id}", headers=self.headers)
        assert response.status_code == 200
        return str(response.json()["status"])

    def state(self, ticket_id: int) -> dict[str, Any]:
        with self.desk.sessions() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            audit = tickets.audit_of(session, ticket)
            return {
                "status": ticket.status,
                "tags": set(ticket.tags),
                "notes": " | ".join(note.body for note in tickets.notes_of(session, ticket)),
                "links": {
                    (link.kind, link.target_ticket_id, link.target_url)
                    for link in tickets.links_of(session, ticket)
                    if link.ticket_id == ticket_id
                },
                "macros_by_watch": {
                    event.macro
                    for event in audit
                    if event.actor_label == "expert answer watch" and event.macro
                },
            }


@pytest.mark.parametrize("channel", ["twitter", "forum", "zendesk"])
def test_threaded_channels_solve_the_original_with_both_macros(loop: Loop, channel: str) -> None:
    handle, expert = EXPERT_HANDLE[channel]
    original = loop.post(channel, "c1", "Does GitLab cache CI dependencies between pipelines?", root_id="c1")
    loop.reach_out(original)

    answer = loop.post(
        channel, "c2", "Yes: use cache:key with your lockfile.", handle, parent_id="c1", root_id="c1"
    )

    assert answer == original  # the answer threads into the conversation's ticket
    state = loop.state(original)
    assert state["status"] == "solved"
    assert {"expert-responded", "expert-response", "reached-out-to-expert"} <= state["tags"]
    assert f"Expert response by {expert}" in state["notes"]
    assert state["macros_by_watch"] == {"Expert Responded", "Expert Response"}  # the audit trail shows it


@pytest.mark.parametrize("channel", ["blog_comment", "docs_comment"])
def test_comment_answers_solve_both_tickets_and_link_them(loop: Loop, channel: str) -> None:
    handle, expert = EXPERT_HANDLE[channel]
    original = loop.post(
        channel, "k1", "Is this GitLab feature available on the free tier?", root_id="post-9"
    )
    loop.reach_out(original)

    answer = loop.post(channel, "k2", "It is in Free since 16.0.", handle, parent_id="k1", root_id="post-9")

    assert answer != original
    first, response = loop.state(original), loop.state(answer)
    assert first["status"] == "solved" and "expert-responded" in first["tags"]
    assert "expert-response" not in first["tags"]
    assert f"Expert response by {expert}" in first["notes"]
    assert response["status"] == "solved" and "expert-response" in response["tags"]
    assert ("expert_response_of", original, None) in response["links"]
    assert f"Answer by expert {expert}" in response["notes"]


@pytest.mark.parametrize("channel", ["hackernews", "reddit"])
def test_company_gated_answer_that_names_the_company_is_its_own_response(loop: Loop, channel: str) -> None:
    handle, expert = EXPERT_HANDLE[channel]
    original = loop.post(channel, "h1", "GitLab runners keep timing out for me", parent_id="h0", root_id="h0")
    loop.reach_out(original)

    answer = loop.post(
        channel, "h2", "GitLab runners time out after 1h by default.", handle, parent_id="h1", root_id="h0"
    )

    first, response = loop.state(original), loop.state(answer)
    assert first["status"] == "solved" and first["macros_by_watch"] == {"Expert Responded"}
    assert response["status"] == "solved" and response["macros_by_watch"] == {"Expert Response"}
    assert ("expert_response_of", original, None) in response["links"]
    assert f"Expert response by {expert}" in first["notes"]


@pytest.mark.parametrize("channel", ["hackernews", "reddit"])
def test_company_gated_answer_without_the_company_is_counted_on_the_original(
    loop: Loop, channel: str
) -> None:
    handle, expert = EXPERT_HANDLE[channel]
    original = loop.post(channel, "h1", "GitLab runners keep timing out for me", parent_id="h0", root_id="h0")
    loop.reach_out(original)

    # A reply deeper in the chain (to someone else's reply) still answers the outreach ticket.
    loop.post(channel, "h2", "same here", parent_id="h1", root_id="h0")
    answer = loop.post(
        channel, "h3", "The default job timeout is one hour.", handle, parent_id="h2", root_id="h0"
    )

    first, response = loop.state(original), loop.state(answer)
    assert first["status"] == "solved"
    assert first["macros_by_watch"] == {"Expert Responded", "Expert Response"}
    assert ("expert_response", None, f"https://example.com/{channel}/h3") in first["links"]
    assert f"Expert response by {expert}" in first["notes"]
    assert response["status"] == "solved" and not response["macros_by_watch"]  # counted once, on the original
    assert f"counted on #{original}" in response["notes"]
    assert loop.state(loop.post(channel, "h4", "thanks!", parent_id="h3", root_id="h0"))["status"] == "new"


def test_expert_post_nobody_waited_for_is_tracked_outreach(loop: Loop) -> None:
    # An open thread with no outreach, and an outreach ticket that is already solved.
    loop.post("hackernews", "n1", "Thoughts on GitLab vs the rest?", parent_id="n0", root_id="n0")
    solved = loop.post("hackernews", "s1", "GitLab pages question", parent_id="s0", root_id="s0")
    loop.reach_out(solved)
    loop.client.patch(f"/api/v1/tickets/{solved}", headers=loop.headers, json={"status": "solved"})

    own = loop.post(
        "hackernews",
        "n2",
        "I work on this at GitLab, happy to help.",
        "dwhitfield",
        parent_id="n1",
        root_id="n0",
    )
    loop.post(
        "hackernews", "s2", "Pages supports custom domains.", "DWhitfield", parent_id="s1", root_id="s0"
    )

    day = (START, START + timedelta(days=1))
    assert count_tracked_outreach(loop.desk.sessions(), *day) == 2
    assert (
        count_tracked_outreach(loop.desk.sessions(), *day, platform="hackernews", person_key="dana-whitfield")
        == 2
    )
    assert count_tracked_outreach(loop.desk.sessions(), *day, platform="reddit") == 0
    state = loop.state(own)
    assert "tracked for #community-relations" in state["notes"] and state["status"] == "new"
    assert loop.state(solved)["tags"] == {"reached-out-to-expert"}  # nothing re-applied


def test_an_accepted_answer_routes_similar_texts_to_the_expert(loop: Loop, cli: CliRunner) -> None:
    text = "Our self-hosted runner loses its cache volume on every autoscaling restart"
    original = loop.post("reddit", "r1", f"GitLab question: {text}", parent_id="r0", root_id="r0")
    before = cli.invoke(app, ["route", text])
    assert before.exit_code == 0, before.output
    assert "answered a similar ticket" not in before.output
    loop.reach_out(original)
    loop.post(
        "reddit", "r2", "Mount the cache as a named volume.", "u/Elif_Runs", parent_id="r1", root_id="r0"
    )

    after = cli.invoke(app, ["route", "runner cache volume lost after autoscaling restart on self-hosted"])

    assert after.exit_code == 0, after.output
    assert f"Elif Demir answered a similar ticket #{original}" in " ".join(after.output.split())


def test_a_failure_to_close_the_loop_never_loses_the_mention(
    loop: Loop, caplog: pytest.LogCaptureFixture
) -> None:
    original = loop.post("twitter", "f1", "Does GitLab cache CI dependencies?", root_id="f1")
    loop.reach_out(original)
    broken = ExpertWatch.of(loop.desk.settings, macros={})  # e.g. a macros file without the seed's macros
    reply = {
        "source": "x",
        "channel": "twitter",
        "external_id": "f2",
        "author_handle": "dana_ships",
        "text": "Yes, with cache:key.",
        "created_at": (START + timedelta(hours=1)).isoformat(),
        "parent_id": "f1",
        "root_id": "f1",
    }

    report = ingest_rows(
        loop.desk.sessions, [("row", reply)], source="test", company_names=["GitLab"], watch=broken
    )

    assert report.new == 1
    assert loop.state(original)["status"] == "open"
    assert "closing the loop failed" in caplog.text
