"""`store_mentions` (one batch) leaves exactly what `store_mention` one by one leaves: same tickets,
same threading, same audit trail and links, on every channel's rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text

from communitydesk.db.engine import transaction
from communitydesk.db.models import AuditEvent, Base, Mention, Ticket, TicketLink
from communitydesk.mentions.schemas import MentionIn
from communitydesk.mentions.storing import INTAKE, store_mention, store_mentions
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from tests.factories import BASE_TIME, mention


def row(channel: str, external_id: str, minutes: int, **extra: Any) -> MentionIn:
    values = mention(channel, external_id, text=f"GitLab question {external_id}", **extra)
    values["created_at"] = (BASE_TIME + timedelta(minutes=minutes)).isoformat()
    return MentionIn.model_validate(values)


BEFORE = [
    row("twitter", "t-closed", 0),
    row("twitter", "t-solved", 1),
    row("twitter", "t-pending", 2),
    row("hackernews", "hn-1", 3, root_id="hn-story", parent_id="hn-story"),
    row("forum", "f-1", 4, root_id="topic-9"),
    row("reddit", "r-1", 5, root_id="t3_a", parent_id="t3_a"),
]
STATUS = {"t-closed": "closed", "t-solved": "solved", "t-pending": "pending"}
BATCH = [
    row("twitter", "t-2", 10, root_id="t-closed", parent_id="t-closed"),  # follow-up of a closed ticket
    row("twitter", "t-3", 11, root_id="t-solved", parent_id="t-solved"),  # reopens the solved ticket
    row("twitter", "t-4", 12, root_id="t-pending", parent_id="t-pending"),
    row("twitter", "t-5", 13, root_id="t-solved", parent_id="t-3"),  # replies to a reply in this batch
    row("twitter", "c-reply", 14, root_id="c-root", parent_id="c-root"),  # reply before its root
    row("twitter", "c-root", 9, root_id="c-root"),  # the root names its conversation too
    row("hackernews", "hn-2", 15, root_id="hn-story", parent_id="hn-1"),
    row("hackernews", "hn-3", 16, root_id="hn-story", parent_id="hn-2"),
    row("hackernews", "hn-4", 2, root_id="hn-story", parent_id="hn-story"),  # older than hn-1
    row("hackernews", "hn-new-1", 17, root_id="hn-other", parent_id="hn-other"),
    row("hackernews", "hn-new-2", 18, root_id="hn-other", parent_id="hn-new-1"),
    row("forum", "f-2", 19, root_id="topic-9"),
    row("forum", "f-3", 20, root_id="topic-10"),
    row("forum", "f-4", 21, root_id="topic-10"),
    row("reddit", "r-2", 22, root_id="t3_a", parent_id="r-1"),
    row("blog_comment", "b-1", 23, root_id="thread-1"),
    row("blog_comment", "b-2", 24, root_id="thread-1", parent_id="b-1"),
    row("docs_comment", "d-1", 25),
    row("hackernews", "hn-1", 3, root_id="hn-story", parent_id="hn-story"),  # stored before
    row("forum", "f-3", 20, root_id="topic-10"),  # twice in the batch
    row("zendesk", "z-1", 26),
]


def _clear(desk: Desk) -> None:
    with desk.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(table.name for table in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


def _arrange(desk: Desk) -> None:
    with transaction(desk.sessions) as session:
        for item in BEFORE:
            store_mention(session, item, company_names=["GitLab"])
        for external_id, status in STATUS.items():
            found = session.scalars(select(Mention).where(Mention.external_id == external_id)).one()
            ticket = session.get(Ticket, found.ticket_id)
            assert ticket is not None
            tickets.set_status(session, ticket, status, actor=INTAKE)


def _snapshot(desk: Desk) -> dict[str, Any]:
    """Describe the stored state without ids: tickets are named by their mentions."""
    with desk.sessions() as session:
        all_mentions = session.scalars(select(Mention).order_by(Mention.source, Mention.external_id)).all()
        names: dict[int, str] = {}
        for item in all_mentions:
            if item.ticket_id is not None:
                names[item.ticket_id] = "+".join(
                    sorted({*names.get(item.ticket_id, "").split("+"), item.external_id} - {""})
                )

        def name(ticket_id: int | None) -> str:
            return names.get(ticket_id or -1, f"?{ticket_id}")

        def shown(value: str | None) -> str | None:
            if value and value.startswith("#") and value[1:].isdigit():
                return "#" + name(int(value[1:]))
            return value

        state: dict[str, Any] = {"mentions": {}, "tickets": {}, "links": []}
        for item in all_mentions:
            state["mentions"][item.external_id] = (item.channel, name(item.ticket_id), item.text)
        for ticket in session.scalars(select(Ticket)):
            events = session.scalars(
                select(AuditEvent).where(AuditEvent.ticket_id == ticket.id).order_by(AuditEvent.id)
            ).all()
            state["tickets"][name(ticket.id)] = {
                "subject": ticket.subject,
                "status": ticket.status,
                "channel": ticket.channel,
                "requester": ticket.requester_handle,
                "created_at": ticket.created_at,
                "audit": [
                    (e.action, e.field, e.old_value, shown(e.new_value), e.actor_label) for e in events
                ],
            }
        for link in session.scalars(select(TicketLink)):
            state["links"].append((name(link.ticket_id), link.kind, name(link.target_ticket_id)))
        state["links"].sort()
    return state


def _run(desk: Desk, store: Callable[[Any], list[bool]]) -> tuple[list[bool], dict[str, Any]]:
    _clear(desk)
    _arrange(desk)
    with transaction(desk.sessions) as session:
        results = store(session)
    return results, _snapshot(desk)


def test_a_batch_stores_exactly_what_one_by_one_stores(desk: Desk) -> None:
    def one_by_one(session: Any) -> list[bool]:
        return [store_mention(session, item, company_names=["GitLab"]) for item in BATCH]

    def batched(session: Any) -> list[bool]:
        return store_mentions(session, BATCH, company_names=["GitLab"])

    expected_results, expected = _run(desk, one_by_one)
    results, actual = _run(desk, batched)

    assert results == expected_results
    assert results.count(False) == 2
    assert actual["mentions"] == expected["mentions"]
    assert actual["links"] == expected["links"]
    assert actual["tickets"].keys() == expected["tickets"].keys()
    for key, ticket in expected["tickets"].items():
        assert actual["tickets"][key] == ticket, key
    # The cases this test is about did happen:
    assert expected["tickets"]["t-3+t-5+t-solved"]["status"] == "open"
    assert ("t-2", "follow_up_of", "t-closed") in expected["links"]
    assert expected["mentions"]["c-reply"][1] == expected["mentions"]["c-root"][1]


def test_a_batch_of_duplicates_only_changes_nothing(desk: Desk) -> None:
    _arrange(desk)
    before = _snapshot(desk)
    with transaction(desk.sessions) as session:
        assert store_mentions(session, BEFORE, company_names=["GitLab"]) == [False] * len(BEFORE)
    assert _snapshot(desk) == before
