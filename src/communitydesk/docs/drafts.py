"""Text the desk drafts from docs suggestions: a docs-first reply, and a docs issue for a gap or a wrong page.

Templates are plain text with `$placeholders` (`string.Template`): no code runs, and an unknown placeholder
is an error that names the file. Community text only ever enters an issue body inside a code fence, so
GitLab renders no HTML from it, resolves no @mentions or references and runs no /quick actions.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from communitydesk.docs.schemas import Suggestion
from communitydesk.settings.docs import DocsFirstSettings

IssueKind = Literal["gap", "wrong"]
ISSUE_KINDS: tuple[IssueKind, ...] = ("gap", "wrong")

BUILTIN_TEMPLATES = Path(__file__).with_name("templates")
TITLE_MAX = 255  # GitLab refuses longer issue titles
QUESTION_MAX = 4000  # characters of the question quoted in an issue
REPLY_FIELDS = frozenset({"requester", "link_text", "title", "section", "url"})
ISSUE_REPLY_FIELDS = frozenset({"requester", "issue_url", "docs_url"})
ISSUE_FIELDS = frozenset(
    {"question", "thread_url", "ticket", "channel", "confidence", "suggestions", "stage", "group", "docs_url"}
)
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


class TemplateError(ValueError):
    """A template file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Question:
    """What a ticket asks, and where it was asked."""

    text: str
    thread_url: str | None
    requester: str | None
    channel: str
    ticket_id: int


@dataclass(frozen=True)
class IssueDraft:
    """A docs issue ready to file (the advocate may edit title, description and labels first)."""

    kind: IssueKind
    title: str
    description: str
    labels: tuple[str, ...]
    docs_url: str | None = None

    def edited(
        self, *, title: str | None = None, description: str | None = None, labels: Iterable[str] | None = None
    ) -> IssueDraft:
        """Return the draft with the advocate's edits; None keeps the drafted value."""
        return replace(
            self,
            title=self.title if title is None else title,
            description=self.description if description is None else description,
            labels=self.labels if labels is None else tuple(x.strip() for x in labels if x.strip()),
        )


def load_template(path: Path | None, builtin: str, allowed: frozenset[str]) -> string.Template:
    """Return a template from a file (or the built-in one), refusing unknown or malformed placeholders."""
    path = path or BUILTIN_TEMPLATES / builtin
    try:
        changed = path.stat().st_mtime_ns  # an edited file is read again
    except OSError as exc:
        raise TemplateError(f"cannot read template {path}: {exc.strerror}") from exc
    return _load_template(path, changed, allowed)


@lru_cache(maxsize=32)
def _load_template(path: Path, _changed: int, allowed: frozenset[str]) -> string.Template:
    try:
        template = string.Template(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read template {path}: {exc}") from exc
    if not template.is_valid():
        raise TemplateError(f"template {path} has a malformed placeholder: write $name, ${{name}} or $$")
    unknown = sorted(set(template.get_identifiers()) - allowed)
    if unknown:
        raise TemplateError(
            f"template {path} uses unknown placeholder(s) {', '.join('$' + n for n in unknown)}; "
            f"use {', '.join('$' + n for n in sorted(allowed))}"
        )
    return template


def one_line(text: str, limit: int) -> str:
    """Return text as one clean line (no control or direction-override characters), at most `limit` long."""
    line = " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", text)).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def markdown_text(text: str, limit: int = 300) -> str:
    """Return one line of text that Markdown shows as written: no HTML, links or emphasis come from it."""
    line = html.escape(one_line(text, limit), quote=False)
    return re.sub(r"([\\`*_\[\]()#!|~])", r"\\\1", line)


def safe_url(url: str | None) -> str | None:
    """Return an http(s) URL with spaces and quotes percent-encoded, or None for anything else."""
    if not url:
        return None
    url = _INVISIBLE.sub("", url.strip())
    if not url.lower().startswith(("http://", "https://")):
        return None
    return quote(url, safe=_URL_SAFE)


def quote_block(text: str, limit: int = QUESTION_MAX) -> str:
    """Return community text as an inert fenced code block: a fence longer than any backtick run inside."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n")).strip()
    if len(text) > limit:
        text = text[:limit].rstrip() + "\n[… truncated]"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def scoped_label(scope: str, value: str | None) -> str | None:
    """Return GitLab's scoped label for a stage or group (`devops::verify`, `group::pipeline authoring`).

    GitLab derives these from the keys in stages.yml, with `_` as a space; docs front matter says `none`
    or `unassigned` (or "None - Facilitated functionality...") when nobody owns a page.
    """
    if not value:
        return None
    key = " ".join(value.replace("_", " ").replace(",", " ").lower().split())
    if not key or key.split(" ")[0] in {"none", "unassigned", "-"}:
        return None
    return f"{scope}::{key}"


def issue_labels(base: Iterable[str], stage: str | None, group: str | None) -> tuple[str, ...]:
    """Return the labels of a docs issue: the configured ones plus the owning stage and group."""
    labels = [label.strip() for label in base if label.strip()]
    labels += [label for label in (scoped_label("devops", stage), scoped_label("group", group)) if label]
    return tuple(dict.fromkeys(label.replace(",", " ") for label in labels))


def link_text(title: str, section: str | None) -> str:
    """Return how a reply names a docs page: its title, and the section when there is one."""
    return f"{title} > {section}" if section and section != title else title


def reply_text(
    settings: DocsFirstSettings, *, requester: str | None, title: str, section: str | None, url: str
) -> str:
    """Render the docs-first reply for one docs link."""
    template = load_template(settings.reply_template, "reply.txt", REPLY_FIELDS)
    return template.substitute(
        requester=one_line(requester or "there", 100),
        link_text=one_line(link_text(title, section), 300),
        title=one_line(title, 300),
        section=one_line(section or "", 300),
        url=url,
    ).strip()


def issue_reply_text(
    settings: DocsFirstSettings, *, requester: str | None, issue_url: str, docs_url: str | None
) -> str:
    """Render the reply that links a filed docs issue."""
    template = load_template(settings.issue_reply_template, "issue_reply.txt", ISSUE_REPLY_FIELDS)
    return template.substitute(
        requester=one_line(requester or "there", 100), issue_url=issue_url, docs_url=docs_url or ""
    ).strip()


def issue_draft(
    settings: DocsFirstSettings,
    question: Question,
    *,
    kind: IssueKind,
    suggestions: Sequence[Suggestion],
    confidence: float,
    stage: str | None,
    group: str | None,
    docs_url: str | None = None,
) -> IssueDraft:
    """Draft a docs issue for a question no page answers (gap) or about a page that is wrong."""
    if kind == "wrong":
        template = load_template(settings.wrong_issue_template, "wrong_issue.md", ISSUE_FIELDS)
        prefix, base_labels = settings.wrong_title_prefix, settings.wrong_labels
    else:
        template = load_template(settings.gap_issue_template, "gap_issue.md", ISSUE_FIELDS)
        prefix, base_labels = settings.gap_title_prefix, settings.gap_labels
    summary = one_line(question.text.split("\n\n", 1)[0], TITLE_MAX) or f"ticket #{question.ticket_id}"
    description = template.substitute(
        question=quote_block(question.text) if question.text.strip() else "(the ticket has no text)",
        thread_url=safe_url(question.thread_url) or "(no public link)",
        ticket=f"Community Desk ticket #{question.ticket_id}",
        channel=question.channel,
        confidence=f"{confidence:.2f}",
        suggestions=_suggestion_list(suggestions),
        stage=markdown_text(stage or "unknown", 100),
        group=markdown_text(group or "unknown", 100),
        docs_url=safe_url(docs_url) or "",
    )
    return IssueDraft(
        kind=kind,
        title=one_line(prefix + summary, TITLE_MAX),
        description=description.strip() + "\n",
        labels=issue_labels(base_labels, stage, group),
        docs_url=safe_url(docs_url),
    )


def _suggestion_list(suggestions: Sequence[Suggestion]) -> str:
    if not suggestions:
        return "None found."
    lines = []
    for s in suggestions:
        name = markdown_text(link_text(s.title, s.section))
        owner = " / ".join(part for part in (s.stage, s.group) if part)
        url = safe_url(s.url) or ""
        lines.append(f"- [{name}]({url})" + (f" ({markdown_text(owner, 200)})" if owner else ""))
    return "\n".join(lines)
