"""Apply a macro to a ticket: one audited transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateError, Undefined, meta
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.orm import Session

from communitydesk.macros.schemas import (
    AddNote,
    AddTags,
    Link,
    Macro,
    RemoveTags,
    SetField,
    SetStatus,
)
from communitydesk.mentions.models import Mention
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor

# Macro templates are configuration, not community text, but they still run sandboxed.
_env = SandboxedEnvironment(autoescape=False, undefined=Undefined, keep_trailing_newline=False)
_strict_env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


class MacroError(ValueError):
    """A macro that cannot be applied, with a message fit for the user."""


def template_variables(macro: Macro) -> set[str]:
    """Return the variables a macro's templates use, to ask for them before applying."""
    names: set[str] = set()
    for action in macro.actions:
        sources: list[str] = []
        if isinstance(action, AddNote):
            sources.append(action.add_note)
        elif isinstance(action, Link):
            sources.extend(value for value in (action.link.ticket, action.link.url) if value)
        for source in sources:
            names |= meta.find_undeclared_variables(_env.parse(source))
    return names


def _context(session: Session, ticket: Ticket, variables: Mapping[str, str]) -> dict[str, Any]:
    first_url = session.scalar(
        select(Mention.url).where(Mention.ticket_id == ticket.id).order_by(Mention.created_at).limit(1)
    )
    context: dict[str, Any] = {
        "ticket": {
            "id": ticket.id,
            "subject": ticket.subject,
            "channel": ticket.channel,
            "url": first_url,
            "requester": ticket.requester_handle,
        },
        "link": first_url,
        "platform": ticket.channel,
    }
    context.update({key: value for key, value in variables.items() if value not in (None, "")})
    return context


def _render(template: str, context: Mapping[str, Any], *, strict: bool = False) -> str:
    try:
        return (_strict_env if strict else _env).from_string(template).render(context).strip()
    except TemplateError as exc:
        raise MacroError(f"template error: {exc}") from exc


def apply_macro(
    session: Session,
    ticket: Ticket,
    macro: Macro,
    *,
    actor: Actor,
    variables: Mapping[str, str] | None = None,
) -> None:
    """Apply every action of a macro, all or nothing, each change audited under the macro's name."""
    context = _context(session, ticket, variables or {})
    with session.begin_nested():
        tickets.record(session, ticket, actor=actor, action="macro_applied", new=macro.name, macro=macro.name)
        for action in macro.actions:
            _apply_action(session, ticket, action, actor=actor, macro=macro.name, context=context)


def _apply_action(
    session: Session, ticket: Ticket, action: object, *, actor: Actor, macro: str, context: Mapping[str, Any]
) -> None:
    if isinstance(action, SetStatus):
        tickets.set_status(session, ticket, action.set_status, actor=actor, macro=macro)
    elif isinstance(action, AddTags):
        tickets.add_tags(session, ticket, action.add_tags, actor=actor, macro=macro)
    elif isinstance(action, RemoveTags):
        tickets.remove_tags(session, ticket, action.remove_tags, actor=actor, macro=macro)
    elif isinstance(action, AddNote):
        tickets.add_note(session, ticket, _render(action.add_note, context), actor=actor, macro=macro)
    elif isinstance(action, SetField):
        for field, template in action.set_field.items():
            tickets.set_field(session, ticket, field, _render(template, context), actor=actor, macro=macro)
    elif isinstance(action, Link):
        spec = action.link
        if spec.url is not None:
            url = _render(spec.url, context, strict=True)
            tickets.link(session, ticket, kind=spec.kind, url=url, actor=actor, macro=macro)
        else:
            raw_id = _render(spec.ticket or "", context, strict=True)
            target = tickets.get(session, int(raw_id)) if raw_id.isdigit() else None
            if target is None:
                raise MacroError(f"macro {macro!r}: no ticket {raw_id!r} to link to")
            tickets.link(session, ticket, kind=spec.kind, target=target, actor=actor, macro=macro)
    else:  # pragma: no cover - the schema admits no other action
        raise MacroError(f"unknown action {action!r}")
