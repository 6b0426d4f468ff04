"""Turn hostile community HTML into safe Markdown text, keeping links and code."""

from __future__ import annotations

import html
import re

import nh3

from communitydesk.mentions import html_markdown

_ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "pre",
    "code",
    "em",
    "strong",
    "i",
    "b",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}
_TAG_HINT = re.compile(r"<[a-zA-Z/!][^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(value: str) -> str:
    """Return Markdown text for an HTML or plain-text fragment; scripts, styles and handlers are dropped."""
    value = _CONTROL.sub("", value)
    if not _TAG_HINT.search(value):
        # Plain text (perhaps with entities): keep its line breaks and Markdown as written.
        return _BLANK_LINES.sub("\n\n", html.unescape(value)).strip()
    # nh3 removes script/style with their contents and every attribute but safe link targets;
    # html_markdown then turns what is left into text with [links](...) and code fences.
    cleaned = nh3.clean(
        value,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    text = html_markdown.render(cleaned)
    return _BLANK_LINES.sub("\n\n", text).strip()


def names_company(text: str, company_names: list[str]) -> bool:
    """Return whether the text names the company as a word (GitLab, @gitlab, #GitLab)."""
    for name in company_names:
        if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text, flags=re.IGNORECASE):
            return True
    return False
