"""The seed's four expert-response variants, end to end from intake to solved, tagged, linked tickets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from communitydesk.mentions.models import Mention
from communitydesk.outreach.responses import ExpertAnswer, apply_expert_response, plan_expert_response
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor
from tests.factories import ingest, mention

ADVOCATE = Actor("Ada Advocate", None)


def _ticket_of(desk: Desk, source: str, external_id: str) -> int:
    with desk.sessions() as session:
        ticket_id = session.scalar(
            select(Mention.ticket_id).where(Mention.source == source, Mention.external_id == external_id)
        )
    assert ticket_id is not None
    return ticket_id


def _reach_out(desk: Desk, ticket_id: int) -> None:
    with desk.sessions() as session, session.begin():
        from communitydesk.macros.service import apply_macro

        apply_macro(
            session,
            session.get(Ticket, ticket_id),  # type: ignore[arg-type]
            desk.macros["Reached out to expert"],
            actor=ADVOCATE,
            variables={"expert": "@erin", "slack_permalink": "https://slack.example/archives/C1/p1"},
        )


def _respond(desk: Desk, original_id: int, *, response_id: int | None, url: str, names_company: bool) -> None:
    with desk.sessions() as session, session.begin():
        original = session.get(Ticket, original_id)
        response = session.get(Ticket, response_id) if response_id else None
        assert original is not None
        apply_expert_response(
            session,
            original,
            ExpertAnswer(
                expert_name="Erin Expert", url=url, names_company=names_company, response_ticket=response
            ),
            macros=desk.macros,
            actor=ADVOCATE,
        )


def _state(
    desk: Desk, ticket_id: int
) -> tuple[str, list[str], list[str], list[tuple[str, int | None, str | None]]]:
    with desk.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        notes = [note.body for note in tickets.notes_of(session, ticket)]
        links = [
            (link.kind, link.target_ticket_id, link.target_url)
            for link in tickets.links_of(session, ticket)
            if link.ticket_id == ticket_id
        ]
        return ticket.status, ticket.tags, notes, links


def test_twitter_expert_reply_threads_into_the_same_ticket_solved_with_both_macros(desk: Desk) -> None:
    ingest(desk, mention("twitter", "t1", "@gitlab why is my pipeline stuck?", root_id="t1"))
    original = _ticket_of(desk, "x", "t1")
    _reach_out(desk, original)
    ingest(desk, mention("twitter", "t2", "Try clearing the runner cache.", parent_id="t1", root_id="t1"))
    assert _ticket_of(desk, "x", "t2") == original

    _respond(desk, original, response_id=original, url="https://x.com/erin/status/t2", names_company=False)

    status, tags, notes, _ = _state(desk, original)
    assert status == "solved"
    assert tags == ["expert-responded", "expert-response", "reached-out-to-expert"]
    assert any("Erin Expert" in note for note in notes)


@pytest.mark.parametrize("channel", ["blog_comment", "docs_comment"])
def test_blog_and_docs_comment_answer_arrives_as_new_ticket_solved_with_expert_response(
    desk: Desk, channel: str
) -> None:
    ingest(desk, mention(channel, "c1", "Does this work on GitLab self-managed?", root_id="thread-9"))
    original = _ticket_of(desk, "disqus", "c1")
    _reach_out(desk, original)
    ingest(desk, mention(channel, "c2", "Yes, from 16.0 on.", parent_id="c1", root_id="thread-9"))
    response = _ticket_of(desk, "disqus", "c2")
    assert response != original

    _respond(desk, original, response_id=response, url="https://blog.example/post#c2", names_company=False)

    status, tags, notes, _ = _state(desk, original)
    assert (status, tags) == ("solved", ["expert-responded", "reached-out-to-expert"])
    assert any("Erin Expert" in note for note in notes)
    status, tags, _, links = _state(desk, response)
    assert (status, tags) == ("solved", ["expert-response"])
    assert ("expert_response_of", original, None) in links


@pytest.mark.parametrize("channel,source", [("hackernews", "hackernews"), ("reddit", "reddit")])
def test_hn_reddit_answer_naming_the_company_is_its_own_ticket_solved_with_expert_response(
    desk: Desk, channel: str, source: str
) -> None:
    ingest(desk, mention(channel, "s1", "GitLab runners keep timing out", root_id="s1", title="Runner woes"))
    original = _ticket_of(desk, source, "s1")
    _reach_out(desk, original)
    ingest(desk, mention(channel, "r1", "GitLab PM here: fixed in 17.2.", parent_id="s1", root_id="s1"))
    response = _ticket_of(desk, source, "r1")
    assert response != original

    _respond(
        desk, original, response_id=response, url=f"https://example.com/{channel}/r1", names_company=True
    )

    status, tags, _, _ = _state(desk, original)
    assert (status, tags) == ("solved", ["expert-responded", "reached-out-to-expert"])
    status, tags, notes, links = _state(desk, response)
    assert (status, tags) == ("solved", ["expert-response"])
    assert ("expert_response_of", original, None) in links
    assert ("in_thread_of", original, None) in links
    assert any("Erin Expert" in note for note in notes)


@pytest.mark.parametrize("channel", ["hackernews", "reddit"])
def test_hn_reddit_answer_not_naming_the_company_links_the_original_and_solves_it_with_both(
    desk: Desk, channel: str
) -> None:
    ingest(desk, mention(channel, "s1", "GitLab runners keep timing out", root_id="s1"))
    original = _ticket_of(desk, "hackernews" if channel == "hackernews" else "reddit", "s1")
    _reach_out(desk, original)
    answer_url = f"https://example.com/{channel}/r9"

    _respond(desk, original, response_id=None, url=answer_url, names_company=False)

    status, tags, notes, links = _state(desk, original)
    assert status == "solved"
    assert tags == ["expert-responded", "expert-response", "reached-out-to-expert"]
    assert ("expert_response", None, answer_url) in links
    assert any("Erin Expert" in note for note in notes)


@pytest.mark.parametrize(
    "channel,names,own,original_macros,response_action,link_url",
    [
        ("twitter", False, False, ("Expert Responded", "Expert Response"), "none", False),
        ("twitter", True, True, ("Expert Responded", "Expert Response"), "none", False),
        ("blog_comment", False, True, ("Expert Responded",), "macro", False),
        ("docs_comment", True, True, ("Expert Responded",), "macro", False),
        ("blog_comment", False, False, ("Expert Responded", "Expert Response"), "none", True),
        ("hackernews", True, True, ("Expert Responded",), "macro", False),
        ("reddit", True, True, ("Expert Responded",), "macro", False),
        ("hackernews", False, False, ("Expert Responded", "Expert Response"), "none", True),
        ("reddit", False, True, ("Expert Responded", "Expert Response"), "solve_as_part_of_original", True),
        ("hackernews", True, False, ("Expert Responded", "Expert Response"), "none", True),
    ],
)
def test_rule_table(
    channel: str,
    names: bool,
    own: bool,
    original_macros: tuple[str, ...],
    response_action: str,
    link_url: bool,
) -> None:
    plan = plan_expert_response(channel=channel, names_company=names, own_ticket=own)
    assert plan.original_macros == original_macros
    assert plan.response_ticket == response_action
    assert plan.link_original_to_answer_url is link_url


def test_a_failing_rule_leaves_nothing_half_done(desk: Desk) -> None:
    ingest(desk, mention("hackernews", "s1", "GitLab question", root_id="s1"))
    original = _ticket_of(desk, "hackernews", "s1")
    before = _state(desk, original)
    with desk.sessions() as session, pytest.raises(KeyError), session.begin():
        ticket = session.get(Ticket, original)
        assert ticket is not None
        apply_expert_response(
            session,
            ticket,
            ExpertAnswer(expert_name="Erin", url="https://example.com/x", names_company=False),
            macros={},  # the macros are missing: the rule must fail as a whole
            actor=ADVOCATE,
        )
    assert _state(desk, original) == before
