"""Settings of docs-first answers on tickets and of the GitLab project that receives docs issues."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from communitydesk.settings.section import Section


class DocsFirstSettings(Section):
    """Docs-first answers on tickets: reply drafts, the low-confidence threshold, docs issue drafts."""

    top: int = Field(5, ge=1, le=20, description="How many docs pages a ticket's suggestions panel shows.")
    low_confidence: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Below this suggestion confidence the desk says no page answers well "
        "and offers a docs issue.",
    )
    reply_template: Path | None = Field(
        None,
        description="Text file of the docs-first reply ($requester, $link_text, $title, $section, $url); "
        "unset uses the built-in one.",
    )
    issue_reply_template: Path | None = Field(
        None,
        description="Text file of the reply that links a filed docs issue "
        "($requester, $issue_url, $docs_url); unset uses the built-in one.",
    )
    gap_issue_template: Path | None = Field(
        None,
        description="Markdown file of a docs-gap issue body ($question, $thread_url, $ticket, $suggestions, "
        "...); unset uses the built-in one.",
    )
    wrong_issue_template: Path | None = Field(
        None,
        description="Markdown file of a 'the docs are wrong' issue body (also $docs_url); unset uses the "
        "built-in one.",
    )
    gap_title_prefix: str = Field("Docs gap: ", description="Title prefix of a docs-gap issue.")
    wrong_title_prefix: str = Field(
        "Docs feedback: ", description="Title prefix of a 'the docs are wrong' issue."
    )
    gap_labels: list[str] = Field(
        default_factory=lambda: ["documentation", "type::maintenance", "docs::new"],
        description="Labels of every docs-gap issue; devops::<stage> and group::<group> are added.",
    )
    wrong_labels: list[str] = Field(
        default_factory=lambda: ["documentation", "type::maintenance", "docs::fix"],
        description="Labels of every 'the docs are wrong' issue; "
        "devops::<stage> and group::<group> are added.",
    )


class GitLabSettings(Section):
    """The GitLab project where docs issues are filed (python-gitlab, REST API v4)."""

    base_url: str = Field("https://gitlab.com", description="GitLab instance URL (no /api/v4).")
    token: SecretStr = Field(
        SecretStr(""), description="Access token with the api scope (sent as PRIVATE-TOKEN)."
    )
    project: str = Field(
        "", description="Project that receives docs issues: numeric id or path, e.g. gitlab-org/gitlab."
    )
    timeout_seconds: float = Field(20.0, description="Timeout of one request to GitLab, in seconds.")
