"""The work a community team would already have done on the demo tickets, so the desk looks lived in.

Routing fields, outreach to experts and one expert response, done with the same macros and rules the
desk offers; each step only touches tickets of mentions the current load stored (`fresh`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from communitydesk.macros.schemas import Macro
from communitydesk.macros.service import apply_macro
from communitydesk.mentions.models import Mention
from communitydesk.outreach.responses import (
    EXPERT_RESPONDED,
    EXPERT_RESPONSE,
    ExpertAnswer,
    apply_expert_response,
)
from communitydesk.taxonomy import service as taxonomy
from communitydesk.taxonomy.models import Stage
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor
from communitydesk.users import service as users

MentionKey = tuple[str, str]
REACHED_OUT = "Reached out to expert"
FALLBACK_CHANNEL = "#questions"  # the involving-experts page: ask there when unsure
DEMO_ACTOR = Actor("demo")
WORKING_ADVOCATE = "advocate@example.com"


@dataclass(frozen=True)
class Routing:
    mention: MentionKey
    group: str
    category: str | None = None


@dataclass(frozen=True)
class Outreach:
    mention: MentionKey
    expert: str
    group: str | None
    slack_message: str


@dataclass(frozen=True)
class Answer:
    original: MentionKey
    answer: MentionKey
    expert: str


# Group and category keys exist in the demo directory and in GitLab's real one, so both show routing.
ROUTING = (
    Routing(("x", "demo-x-1001"), "runner", "runner"),
    Routing(("x", "demo-x-1003"), "code_review", "code_review"),
    Routing(
        ("disqus", "demo-disqus-3001"), "authentication_and_authorization", "authentication_and_authorization"
    ),
    Routing(("reddit", "demo-reddit-t3_r5003"), "container_registry", "container_registry"),
    Routing(("discourse", "demo-discourse-601-1"), "runner", "runner"),
    Routing(("zendesk", "demo-zendesk-7001"), "authentication_and_authorization", "user_management"),
)
OUTREACH = (
    Outreach(("x", "demo-x-1003"), "Dana Whitfield", "code_review", "CDEMO0001/p1769441100000100"),
    Outreach(
        ("disqus", "demo-disqus-3001"),
        "Hannah Brooks",
        "authentication_and_authorization",
        "CDEMO0002/p1769081400000200",
    ),
    # Self-hosting sizing has no owning group: the fallback channel.
    Outreach(("hackernews", "demo-hn-4001"), "Kwame Mensah", None, "CDEMO0003/p1769608800000300"),
)
ANSWERS = (Answer(("x", "demo-x-1003"), ("x", "demo-x-1004"), "Dana Whitfield"),)
ASSIGNMENTS = ((("discourse", "demo-discourse-601-1"), WORKING_ADVOCATE),)
SLACK_ARCHIVE = "https://demo-workspace.slack.example/archives/"


def _mention(session: Session, key: MentionKey) -> Mention | None:
    return session.scalar(select(Mention).where(Mention.source == key[0], Mention.external_id == key[1]))


def _ticket_of(session: Session, key: MentionKey) -> Ticket | None:
    mention = _mention(session, key)
    return tickets.get(session, mention.ticket_id) if mention and mention.ticket_id is not None else None


def _actor(session: Session) -> Actor:
    advocate = users.get_by_email(session, WORKING_ADVOCATE)
    return Actor(label=advocate.name, user_id=advocate.id) if advocate is not None else DEMO_ACTOR


def do_demo_work(session: Session, macros: Mapping[str, Macro], *, fresh: set[MentionKey]) -> int:
    """Route, assign, reach out and record an expert answer on fresh demo tickets; return how many."""
    actor = _actor(session)
    worked: set[int] = set()
    for routing in ROUTING:
        ticket = _ticket_of(session, routing.mention) if routing.mention in fresh else None
        group = taxonomy.get_group_by_key(session, routing.group) if ticket is not None else None
        if ticket is None or group is None:
            continue
        stage = session.get(Stage, group.stage_id)
        if stage is None:
            continue
        tickets.set_field(session, ticket, "stage", stage.key, actor=actor)
        tickets.set_field(session, ticket, "group_name", group.key, actor=actor)
        if routing.category and taxonomy.get_category_by_key(session, routing.category) is not None:
            tickets.set_field(session, ticket, "category", routing.category, actor=actor)
        worked.add(ticket.id)
    for mention_key, email in ASSIGNMENTS:
        ticket = _ticket_of(session, mention_key) if mention_key in fresh else None
        assignee = users.get_by_email(session, email)
        if ticket is not None and assignee is not None:
            tickets.set_assignee(session, ticket, assignee.id, actor=actor)
            tickets.set_status(session, ticket, "open", actor=actor)
            worked.add(ticket.id)
    for outreach in OUTREACH:
        ticket = _ticket_of(session, outreach.mention) if outreach.mention in fresh else None
        if ticket is None or REACHED_OUT not in macros:
            continue
        group = taxonomy.get_group_by_key(session, outreach.group) if outreach.group else None
        variables = {
            "expert": outreach.expert,
            "slack_channel": (group.slack_channel if group else None) or FALLBACK_CHANNEL,
            "slack_permalink": SLACK_ARCHIVE + outreach.slack_message,
        }
        apply_macro(session, ticket, macros[REACHED_OUT], actor=actor, variables=variables)
        worked.add(ticket.id)
    for answer in ANSWERS:
        if answer.original not in fresh or answer.answer not in fresh:
            continue
        if EXPERT_RESPONDED not in macros or EXPERT_RESPONSE not in macros:
            continue
        original = _ticket_of(session, answer.original)
        reply = _mention(session, answer.answer)
        response = tickets.get(session, reply.ticket_id) if reply and reply.ticket_id is not None else None
        if original is None or reply is None or response is None:
            continue
        expert_answer = ExpertAnswer(
            expert_name=answer.expert,
            url=reply.url,
            names_company=reply.names_company,
            response_ticket=response,
        )
        apply_expert_response(session, original, expert_answer, macros=macros, actor=actor)
        worked.add(original.id)
    return len(worked)
