"""Read one Markdown docs page: front matter, redirect stubs, sections at headings, searchable text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_CUSTOM_ANCHOR = re.compile(r"[ \t]*\{#([\w-]+)\}[ \t]*$")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1")
_ANCHOR_DROP = re.compile(r"[^\w\- ]", re.UNICODE)
# An inline link that is not an image: [text](target "optional title"); the target has no spaces.
_LINK_TARGET = re.compile(r"(?<!!)\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
_INLINE_CODE = re.compile(r"`+[^`\n]*`+")

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present

# Front-matter ownership values that mean "nobody in particular" (they come in many spellings:
# "none", "None", "None - Facilitated functionality, see https://…", "Shared responsibility based on …").
_NO_OWNER = re.compile(r"^(?:none|unassigned|n/?a|tbd|shared responsibility)\b|^-*$", re.IGNORECASE)


@dataclass(frozen=True)
class Section:
    """A part of a page: the text under one heading (or before the first heading, `heading` None)."""

    heading: str | None
    level: int
    anchor: str | None
    trail: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Link:
    """A link in a page's text: what it says and where it points (as written: relative path or URL)."""

    text: str
    target: str


@dataclass(frozen=True)
class ParsedPage:
    """What the index keeps of a Markdown page."""

    title: str
    description: str | None
    stage: str | None
    group: str | None
    redirect_to: str | None
    sections: tuple[Section, ...] = field(default=())
    links: tuple[Link, ...] = field(default=())

    @property
    def headings(self) -> list[str]:
        return [section.heading for section in self.sections if section.heading]


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML front matter from the body; bad or missing front matter gives an empty mapping."""
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        return {}, text
    body = text.lstrip("\ufeff")[match.end() :]
    try:
        data = yaml.load(match.group(1), Loader=_Loader)  # noqa: S506 - a safe loader, see _Loader
    except yaml.YAMLError:
        return {}, body
    return (data if isinstance(data, dict) else {}), body


def normalise_owner(value: object) -> str | None:
    """Return a stage or group name from front matter, or None when it names no owner."""
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    if _NO_OWNER.match(cleaned) or "http" in cleaned.lower() or "[" in cleaned:
        return None
    return cleaned


def heading_anchor(heading: str) -> str:
    """Return a heading's GitLab-docs (GitHub-style) anchor: lowercase, no punctuation, - for spaces."""
    text = plain_inline(heading).lower()
    return _ANCHOR_DROP.sub("", text).strip().replace(" ", "-")


def plain_inline(text: str) -> str:
    """Turn inline Markdown into plain text: links to their text, no code ticks, emphasis or tags."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = text.replace("`", "")
    return _EMPHASIS.sub(r"\2", text)


def searchable_text(markdown: str) -> str:
    """Return the text of a Markdown fragment to index: no comments, shortcodes, link targets or tags."""
    text = _HTML_COMMENT.sub(" ", markdown)
    text = _SHORTCODE.sub(" ", text)
    text = _LINK_DEFINITION.sub(" ", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _HTML_TAG.sub(" ", text)
    lines = (line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def parse_page(text: str, *, fallback_title: str) -> ParsedPage:
    """Parse a page's front matter and split its body into sections at headings (not inside code)."""
    meta, body = split_front_matter(text)
    redirect = meta.get("redirect_to")
    title = _text_value(meta.get("title"))
    sections, prose = _split_sections(body)
    if title is None:
        first = next((s.heading for s in sections if s.heading and s.level == 1), None)
        title = first or fallback_title
    return ParsedPage(
        title=title,
        description=_text_value(meta.get("description")),
        stage=normalise_owner(meta.get("stage")),
        group=normalise_owner(meta.get("group")),
        redirect_to=redirect.strip() if isinstance(redirect, str) and redirect.strip() else None,
        sections=tuple(sections),
        links=tuple(_links(prose)),
    )


def _text_value(value: object) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(str(value).split())
    return cleaned or None


def _links(prose: str) -> list[Link]:
    """Return the links of the text outside code; their text is what other pages call the target."""
    found = []
    for match in _LINK_TARGET.finditer(_INLINE_CODE.sub(" ", _SHORTCODE.sub(" ", prose))):
        text = " ".join(plain_inline(match.group(1)).split())
        if text:
            found.append(Link(text, match.group(2)))
    return found


def _split_sections(body: str) -> tuple[list[Section], str]:
    """Split the body at headings (not inside code); also return the lines outside code blocks."""
    sections: list[Section] = []
    prose: list[str] = []
    anchors_seen: dict[str, int] = {}
    trail: list[tuple[int, str]] = []
    heading: str | None = None
    level = 0
    anchor: str | None = None
    lines: list[str] = []
    fence: str | None = None

    def close() -> None:
        content = searchable_text("\n".join(lines))
        if heading is not None or content:
            parents = tuple(text for lvl, text in trail if lvl < level) if heading else ()
            sections.append(Section(heading, level, anchor, parents, content))

    for line in _HTML_COMMENT.sub(_keep_newlines, body).splitlines():
        fence_match = _FENCE.match(line)
        if fence is not None:
            if (
                fence_match
                and fence_match.group(1)[0] == fence[0]
                and len(fence_match.group(1)) >= len(fence)
            ):
                fence = None
            lines.append(line)
            continue
        if fence_match:
            fence = fence_match.group(1)
            lines.append(line)
            continue
        match = _ATX_HEADING.match(line)
        prose.append(line)
        if not match:
            lines.append(line)
            continue
        close()
        raw = match.group(2)
        custom = _CUSTOM_ANCHOR.search(raw)
        if custom:
            raw = raw[: custom.start()]
        level = len(match.group(1))
        heading = plain_inline(raw).strip() or raw.strip()
        anchor = custom.group(1) if custom else _unique(heading_anchor(raw), anchors_seen)
        trail = [(lvl, text) for lvl, text in trail if lvl < level]
        trail.append((level, heading))
        lines = []
    close()
    return sections, "\n".join(prose)


def _keep_newlines(match: re.Match[str]) -> str:
    return "\n" * match.group(0).count("\n")


def _unique(anchor: str, seen: dict[str, int]) -> str:
    count = seen.get(anchor, 0)
    seen[anchor] = count + 1
    return anchor if count == 0 else f"{anchor}-{count}"
