"""Settings of the expert directory, routing, and asking experts in Slack."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from communitydesk.settings.section import Section


class ExpertsSettings(Section):
    """The people directory and what the desk does when an expert posts in public."""

    people_file: Path | None = Field(
        None, description="People file `desk experts import` reads when --people is not given."
    )
    routes_file: Path | None = Field(
        None, description="Routes file `desk experts import` reads when --routes is not given."
    )
    community_relations_channel: str = Field(
        "#community-relations",
        description="Where an expert's public post that no outreach ticket waited for is tracked.",
    )
    close_loop: bool = Field(
        True,
        description="Apply the expert-response rules when a known expert answers in an outreach "
        "ticket's thread.",
    )


class RoutingSettings(Section):
    """How a text is routed to a stage, group, category, people and Slack channel."""

    aliases_file: Path | None = Field(
        None, description="Extra stage/group name aliases (same shape as taxonomy/aliases.yml)."
    )
    confidence_threshold: float = Field(
        0.35, ge=0.0, le=1.0, description="Below this confidence the fallback channel is recommended."
    )
    fallback_channel: str = Field(
        "#questions", description="Channel to ask when unsure (a fallback route in the routes file wins)."
    )
    docs_pages: int = Field(
        10, ge=0, le=50, description="How many best-matching docs pages vote with their owning stage/group."
    )
    max_experts: int = Field(5, ge=1, le=20, description="How many people a routing suggests at most.")


class SlackSettings(Section):
    """The Slack workspace where advocates ask experts: Web API for posting, Events API for replies."""

    base_url: str = Field(
        "https://slack.com/api/", description="Slack Web API base URL; point it at a local fake in tests."
    )
    bot_token: SecretStr = Field(
        SecretStr(""), description="Bot token (xoxb-...) with chat:write, channels:history, users:read."
    )
    signing_secret: SecretStr = Field(
        SecretStr(""), description="Signing secret of the Slack app; unset refuses every Events API request."
    )
    timeout_seconds: float = Field(10.0, description="Timeout of one Slack API request, in seconds.")
    rate_limit_retries: int = Field(
        3, ge=0, description="Retries of one request after a 429, each after the Retry-After it names."
    )
    max_wait_seconds: float = Field(
        60.0, description="Longest Retry-After waited in place; a longer one queues the message for later."
    )


class OutreachSettings(Section):
    """Asking experts in Slack: the template, the queue, reminders and the interim reply."""

    template_file: Path | None = Field(
        None,
        description="Jinja template file of the expert request; unset uses the seed's template.",
    )
    retry_backoff_minutes: float = Field(
        2.0, description="Wait before the first retry of a queued outreach; doubles per attempt."
    )
    max_backoff_minutes: float = Field(
        360.0, description="Longest wait between retries of a queued outreach (it is never dropped)."
    )
    interval_minutes: int = Field(
        5, ge=1, description="How often `desk worker` retries queued outreach and sends due reminders."
    )
    reminder_after_hours: float = Field(
        24.0, description="Hours without an expert reply in the thread before a reminder is posted there."
    )
    escalate_after_hours: float = Field(
        72.0, description="Hours without an expert reply before the group's PM/EM are asked in the thread."
    )
    draft_marker: str = Field(
        "draft:", description="A thread reply starting with this is an expert's draft for the advocate."
    )
    interim_reply: str = Field(
        "Thanks for raising this! We have asked our experts and will get back to you here soon.",
        description="Default text of the public holding reply while an expert is asked (Jinja: ticket, "
        "company, requester).",
    )
