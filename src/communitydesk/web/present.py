"""How desk data reads on a page: labels, macro inputs, and audit events in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from communitydesk.macros.schemas import AddNote, AddTags, Link, Macro, RemoveTags, SetField, SetStatus
from communitydesk.macros.service import template_variables
from communitydesk.tickets.models import AuditEvent

CHANNEL_LABELS = {
    "twitter": "X / Twitter",
    "blog_comment": "Blog comment",
    "docs_comment": "Docs comment",
    "hackernews": "Hacker News",
    "reddit": "Reddit",
    "forum": "Forum",
    "zendesk": "Zendesk",
    "other": "Other",
}
FIELD_LABELS = {"stage": "Stage", "group_name": "Group", "category": "Category", "intent": "Intent"}
# Filled in from the ticket when a macro runs, so nobody is asked for them.
CONTEXT_VARIABLES = frozenset({"ticket", "link", "platform"})
MAX_VARIABLE_LENGTH = 2000


@dataclass(frozen=True)
class MacroInput:
    name: str
    label: str
    placeholder: str


_INPUT_HINTS = {
    "expert": ("Expert", "@sam or Sam Lee"),
    "slack_channel": ("Slack channel", "#s_verify"),
    "slack_permalink": ("Slack message link", "https://example.slack.com/archives/C01/p123"),
    "linked_ticket": ("Linked ticket id", "123"),
}


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def macro_inputs(macro: Macro) -> list[MacroInput]:
    """Return the inputs to ask for before applying a macro: its template variables, minus known ones."""
    names = sorted(template_variables(macro) - CONTEXT_VARIABLES)
    return [
        MacroInput(name, *_INPUT_HINTS.get(name, (name.replace("_", " ").capitalize(), ""))) for name in names
    ]


def macro_variables(macro: Macro, submitted: Mapping[str, str]) -> dict[str, str]:
    """Keep the submitted values of the variables this macro asks for."""
    return {
        item.name: submitted.get(item.name, "").strip()[:MAX_VARIABLE_LENGTH] for item in macro_inputs(macro)
    }


def describe_actions(macro: Macro) -> list[str]:
    """Say what a macro will do, one line per action."""
    lines: list[str] = []
    for action in macro.actions:
        if isinstance(action, SetStatus):
            lines.append(f"set status to {action.set_status}")
        elif isinstance(action, AddTags):
            lines.append(f"add tags {', '.join(action.add_tags)}")
        elif isinstance(action, RemoveTags):
            lines.append(f"remove tags {', '.join(action.remove_tags)}")
        elif isinstance(action, AddNote):
            lines.append("add an internal note")
        elif isinstance(action, SetField):
            lines += [f"set {field_label(field)}" for field in action.set_field]
        elif isinstance(action, Link):
            lines.append(f"link as {action.link.kind.replace('_', ' ')}")
    return lines


OUTREACH_EVENTS = {
    "outreach_requested": "asked for an expert in {new}",
    "outreach_sent": "posted the expert request in Slack",
    "outreach_queued": "outreach waits for Slack: {new}",
    "outreach_failed": "Slack refused the outreach: {new}",
    "outreach_reminder": "posted a reminder in the Slack thread",
    "outreach_escalation": "escalated to the group's PM/EM in the Slack thread",
    "slack_reply": "an expert replied in the Slack thread",
    "expert_draft": "an expert handed over a draft reply in Slack",
    "public_reply": "recorded a public reply from the company account",
}


def describe_event(event: AuditEvent, user_names: Mapping[int, str]) -> str:
    """Say what one audit event changed."""
    old, new = event.old_value, event.new_value
    if event.action == "created":
        return "created the ticket"
    if event.action == "status":
        return f"changed status from {old} to {new}"
    if event.action == "field":
        label = field_label(event.field or "")
        return f"set {label} to {new}" if new else f"cleared {label} (was {old})"
    if event.action == "assignee":
        return f"assigned to {_user(new, user_names)}" if new else f"unassigned {_user(old, user_names)}"
    if event.action == "tag_added":
        return f"added tag {new}"
    if event.action == "tag_removed":
        return f"removed tag {old}"
    if event.action == "note_added":
        return "added an internal note"
    if event.action == "link_added":
        return f"linked {(event.field or 'related').replace('_', ' ')} {new}"
    if event.action == "macro_applied":
        return f"applied macro {new}"
    if event.action == "mention_added":
        return f"added a mention ({new})"
    if event.action == "docs_reply_drafted":
        return f"drafted a docs-first reply with {new}"
    if event.action == "docs_issue_filed":
        about = f"the docs are wrong: {old}" if event.field == "wrong" else "docs gap"
        return f"filed docs issue {new} ({about})"
    if event.action in OUTREACH_EVENTS:
        return OUTREACH_EVENTS[event.action].format(new=new or "")
    change = " to ".join(value for value in (old, new) if value)
    return " ".join(part for part in (event.action.replace("_", " "), event.field, change) if part)


def _user(value: str | None, user_names: Mapping[int, str]) -> str:
    if value and value.isdigit():
        return user_names.get(int(value), f"user #{value}")
    return value or "nobody"
