"""Render an HTML fragment that nh3 has already cleaned as Markdown text.

The input holds only the tags `sanitize._ALLOWED_TAGS` lets through, with `href` as the only attribute,
so this walker stays small. It runs on lexbor (selectolax) instead of BeautifulSoup + markdownify: intake
converts every mention, and that pair was two thirds of the time spent storing a page of HN comments.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

_BLOCKS = frozenset({"p", "pre", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"})
_SPACE = re.compile(r"[ \t\r\n\f]+")
_HEADING_LEVEL = {f"h{level}": level for level in range(1, 7)}


def render(cleaned_html: str) -> str:
    body = LexborHTMLParser(cleaned_html).body
    if body is None:
        return ""
    return "\n\n".join(_blocks(body))


def _blocks(container: LexborNode) -> list[str]:
    """Render a container's children as Markdown blocks; loose inline content becomes a paragraph."""
    blocks: list[str] = []
    inline: list[str] = []

    def flush() -> None:
        paragraph = _tidy("".join(inline))
        if paragraph:
            blocks.append(paragraph)
        inline.clear()

    for child in container.iter(include_text=True):
        if child.tag in _BLOCKS:
            flush()
            block = _block(child)
            if block:
                blocks.append(block)
        else:
            inline.append(_inline(child))
    flush()
    return blocks


def _block(node: LexborNode) -> str:
    tag = node.tag
    if tag == "pre":
        code = (node.text(deep=True) or "").strip("\n")
        fence = "~~~" if "```" in code else "```"
        return f"{fence}\n{code}\n{fence}"
    if tag in ("ul", "ol"):
        return _list(node, ordered=tag == "ol")
    if tag == "blockquote":
        quoted = "\n\n".join(_blocks(node))
        return "\n".join(f"> {line}" if line else ">" for line in quoted.splitlines())
    if tag in _HEADING_LEVEL:
        heading = _tidy(_inline_children(node)).replace("\n", " ")
        return f"{'#' * _HEADING_LEVEL[tag]} {heading}" if heading else ""
    # p, and an li outside of any list.
    return "\n\n".join(_blocks(node))


def _list(node: LexborNode, *, ordered: bool) -> str:
    items: list[str] = []
    for child in node.iter(include_text=False):
        # Items stay tight: a nested list or a second paragraph follows its item's first line directly.
        content = "\n".join(_blocks(child)) if child.tag == "li" else _tidy(_inline(child))
        if not content:
            continue
        marker = f"{len(items) + 1}. " if ordered else "- "
        indent = " " * len(marker)
        lines = content.splitlines()
        items.append("\n".join([marker + lines[0], *(indent + line if line else "" for line in lines[1:])]))
    return "\n".join(items)


def _inline(node: LexborNode) -> str:
    tag = node.tag
    if tag == "-text":
        return _SPACE.sub(" ", node.text_content or "")
    if tag == "br":
        return "\n"
    if tag == "code":
        code = node.text(deep=True) or ""
        if not code.strip():
            return code
        ticks = "``" if "`" in code else "`"
        return f"{ticks}{code}{ticks}"
    content = _inline_children(node)
    if tag == "a":
        href = (node.attributes.get("href") or "").strip()
        label = _tidy(content).replace("\n", " ")
        if not href:
            return content
        if not label or label == href:
            return href
        return f"[{label}]({href})"
    if tag in ("em", "i"):
        return _wrap(content, "*")
    if tag in ("strong", "b"):
        return _wrap(content, "**")
    return content


def _inline_children(node: LexborNode) -> str:
    return "".join(_inline(child) for child in node.iter(include_text=True))


def _wrap(content: str, mark: str) -> str:
    """Emphasis markers must touch the words: keep the outer spaces outside them."""
    stripped = content.strip()
    if not stripped:
        return content
    lead = " " if content[0].isspace() else ""
    trail = " " if content[-1].isspace() else ""
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _tidy(text: str) -> str:
    """Trim each line of a paragraph (a <br> leaves a space beside its newline)."""
    return "\n".join(line.strip() for line in text.strip().split("\n")).strip()
