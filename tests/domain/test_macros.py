"""Macros: the built-in ones, configuration from YAML, and all-or-nothing audited application."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from communitydesk.macros.loader import MacroConfigError, load_macros
from communitydesk.macros.service import MacroError, apply_macro, template_variables
from communitydesk.mentions.models import Mention
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor
from tests.factories import ingest, mention

ADA = Actor("Ada", None)


def _only_ticket(desk: Desk) -> int:
    with desk.sessions() as session:
        ticket_id = session.scalar(select(Mention.ticket_id))
    assert ticket_id is not None
    return ticket_id


def test_builtin_macros_exist_with_their_variables() -> None:
    macros = load_macros()
    assert {"Reached out to expert", "Expert Responded", "Expert Response"} <= set(macros)
    assert {"expert", "slack_permalink", "slack_channel", "link"} <= template_variables(
        macros["Reached out to expert"]
    )


def test_reached_out_to_expert_tags_opens_and_notes_the_slack_link_in_one_audited_change(desk: Desk) -> None:
    ingest(desk, mention("reddit", "r1"))
    ticket_id = _only_ticket(desk)
    with desk.sessions() as session, session.begin():
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        apply_macro(
            session,
            ticket,
            desk.macros["Reached out to expert"],
            actor=ADA,
            variables={
                "expert": "@sam",
                "slack_channel": "#s_verify",
                "slack_permalink": "https://slack.example/p/1",
            },
        )
    with desk.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        assert ticket.status == "open"
        assert ticket.tags == ["reached-out-to-expert"]
        (note,) = tickets.notes_of(session, ticket)
        assert "@sam" in note.body and "#s_verify" in note.body and "https://slack.example/p/1" in note.body
        assert "https://example.com/reddit/r1" in note.body
        audit = [(e.action, e.macro, e.actor_label) for e in tickets.audit_of(session, ticket) if e.macro]
    assert audit == [
        ("macro_applied", "Reached out to expert", "Ada"),
        ("tag_added", "Reached out to expert", "Ada"),
        ("status", "Reached out to expert", "Ada"),
        ("note_added", "Reached out to expert", "Ada"),
    ]


def test_a_macro_that_fails_midway_changes_nothing(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "macros.yaml"
    path.write_text(
        "macros:\n"
        "  - name: Broken link\n"
        "    actions:\n"
        "      - add_tags: [half-done]\n"
        "      - link: {kind: duplicate_of, ticket: '{{ other }}'}\n",
        encoding="utf-8",
    )
    macro = load_macros(path)["Broken link"]
    ingest(desk, mention("forum", "f1"))
    ticket_id = _only_ticket(desk)
    with desk.sessions() as session, session.begin():
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        with pytest.raises(MacroError, match="other"):
            apply_macro(session, ticket, macro, actor=ADA, variables={})
    with desk.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        assert ticket.tags == []
        assert [e.action for e in tickets.audit_of(session, ticket)] == ["created"]


def test_a_configured_macro_links_tickets_and_sets_fields(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "macros.yaml"
    path.write_text(
        "macros:\n"
        "  - name: Duplicate\n"
        "    actions:\n"
        "      - link: {kind: duplicate_of, ticket: '{{ other }}'}\n"
        "      - set_field: {intent: duplicate}\n"
        "      - set_status: solved\n",
        encoding="utf-8",
    )
    macro = load_macros(path)["Duplicate"]
    ingest(desk, mention("forum", "f1"), mention("forum", "f2"))
    with desk.sessions() as session, session.begin():
        first, second = session.scalars(select(Ticket).order_by(Ticket.id)).all()
        apply_macro(session, second, macro, actor=ADA, variables={"other": str(first.id)})
    with desk.sessions() as session:
        second = session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
        assert second is not None
        assert (second.status, second.intent) == ("solved", "duplicate")
        assert [link.kind for link in tickets.links_of(session, second)] == ["duplicate_of"]


def test_override_file_replaces_a_builtin_macro(tmp_path: Path) -> None:
    path = tmp_path / "macros.yaml"
    path.write_text(
        "macros:\n  - name: Expert Responded\n    actions:\n      - set_status: pending\n", encoding="utf-8"
    )
    assert load_macros(path)["Expert Responded"].actions[0].set_status == "pending"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "content,expected",
    [
        ("macros:\n  - name: X\n    actions: [\n", r"macros.yaml:\d+:\d+: invalid YAML"),
        (
            "macros:\n  - name: X\n    actions:\n      - set_status: sleeping\n",
            r"macros.yaml: macros.0.actions.0",
        ),
        (
            "macros:\n  - name: X\n    actions: []\n",
            r"macros.yaml: macros.0.actions: List should have at least 1",
        ),
        ("nothing: here\n", r"macros.yaml: macros: Field required"),
    ],
)
def test_bad_macro_files_say_where_and_why(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "macros.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MacroConfigError, match=expected):
        load_macros(path)


def test_closed_tickets_do_not_change_status(desk: Desk) -> None:
    ingest(desk, mention("forum", "f1"))
    ticket_id = _only_ticket(desk)
    with desk.sessions() as session, session.begin():
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        tickets.set_status(session, ticket, "closed", actor=ADA)
        with pytest.raises(tickets.TicketError, match="closed"):
            tickets.set_status(session, ticket, "open", actor=ADA)
