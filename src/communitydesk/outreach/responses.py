"""The seed's per-channel rules for closing a ticket once an expert has answered in public.

`plan_expert_response` is the whole rule book as one pure function of (channel, whether the answer names
the company, whether the answer arrived as its own ticket); `apply_expert_response` carries a plan out.

| channel               | names company | own ticket | original ticket          | response ticket |
|-----------------------|---------------|------------|--------------------------|-----------------|
| twitter/forum/zendesk | any           | any        | Responded + Response     | (threaded in)   |
| blog/docs comments    | any           | yes        | Responded                | Response        |
| hackernews/reddit     | yes           | yes        | Responded                | Response        |
| hackernews/reddit     | no            | any        | Responded + Response (*) | solved, linked  |
| any of the above      | any           | no         | Responded + Response (*) | -               |

Responded/Response are the `Expert Responded`/`Expert Response` macros; (*) also links the answer's URL.

An HN/Reddit answer that does not name the company would not have become a ticket in the seed's Zendesk;
when the desk tracked it anyway, it is solved as part of the original (linked, no macro) so the
expert-response count is not doubled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from communitydesk.macros.schemas import Macro
from communitydesk.macros.service import apply_macro
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor

EXPERT_RESPONDED = "Expert Responded"
EXPERT_RESPONSE = "Expert Response"
RESPONSE_LINK = "expert_response_of"
THREADED_CHANNELS = frozenset({"twitter", "forum", "zendesk"})
COMPANY_GATED_CHANNELS = frozenset({"hackernews", "reddit"})

ResponseTicketAction = Literal["none", "macro", "solve_as_part_of_original"]


@dataclass(frozen=True)
class ResponsePlan:
    """What to do to each ticket when an expert's answer is seen."""

    original_macros: tuple[str, ...]
    response_ticket: ResponseTicketAction
    link_original_to_answer_url: bool


def plan_expert_response(*, channel: str, names_company: bool, own_ticket: bool) -> ResponsePlan:
    """Return the seed's rule for an expert's answer on a channel."""
    if channel in THREADED_CHANNELS:
        return ResponsePlan((EXPERT_RESPONDED, EXPERT_RESPONSE), "none", False)
    if channel in COMPANY_GATED_CHANNELS and not names_company:
        return ResponsePlan(
            (EXPERT_RESPONDED, EXPERT_RESPONSE),
            "solve_as_part_of_original" if own_ticket else "none",
            True,
        )
    if own_ticket:
        return ResponsePlan((EXPERT_RESPONDED,), "macro", False)
    return ResponsePlan((EXPERT_RESPONDED, EXPERT_RESPONSE), "none", True)


@dataclass(frozen=True)
class ExpertAnswer:
    """An expert's public answer to a ticket's mention."""

    expert_name: str
    url: str | None
    names_company: bool
    response_ticket: Ticket | None = None


def apply_expert_response(
    session: Session,
    original: Ticket,
    answer: ExpertAnswer,
    *,
    macros: Mapping[str, Macro],
    actor: Actor,
) -> ResponsePlan:
    """Apply the seed's rule for this answer: solve, tag, link and note the expert, in one transaction."""
    own_ticket = answer.response_ticket is not None and answer.response_ticket.id != original.id
    plan = plan_expert_response(
        channel=original.channel, names_company=answer.names_company, own_ticket=own_ticket
    )
    by_name = macros
    where = f" ({answer.url})" if answer.url else ""
    with session.begin_nested():
        tickets.add_note(session, original, f"Expert response by {answer.expert_name}{where}.", actor=actor)
        if plan.link_original_to_answer_url and answer.url:
            tickets.link(session, original, kind="expert_response", url=answer.url, actor=actor)
        for name in plan.original_macros:
            apply_macro(
                session, original, by_name[name], actor=actor, variables={"expert": answer.expert_name}
            )
        response = answer.response_ticket
        if response is not None and own_ticket:
            tickets.link(session, response, kind=RESPONSE_LINK, target=original, actor=actor)
            if plan.response_ticket == "macro":
                tickets.add_note(session, response, f"Answer by expert {answer.expert_name}.", actor=actor)
                apply_macro(
                    session,
                    response,
                    by_name[EXPERT_RESPONSE],
                    actor=actor,
                    variables={"expert": answer.expert_name},
                )
            elif plan.response_ticket == "solve_as_part_of_original":
                tickets.add_note(
                    session,
                    response,
                    f"Answer by expert {answer.expert_name}; counted on #{original.id}.",
                    actor=actor,
                )
                tickets.set_status(session, response, "solved", actor=actor)
    return plan
