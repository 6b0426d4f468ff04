"""Community HTML becomes safe Markdown text: the shapes HN, Disqus, Discourse and Reddit send."""

from __future__ import annotations

import pytest

from communitydesk.mentions.sanitize import html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        # HN comment_text: the first paragraph is bare, later ones open with an unclosed <p>.
        ("First &amp; one<p>Second <i>two</i><p>Third", "First & one\n\nSecond *two*\n\nThird"),
        (
            '<p>Is <a href="https://gitlab.com/x">GitLab&#x27;s</a> runner &gt; Jenkins?</p>',
            "Is [GitLab's](https://gitlab.com/x) runner > Jenkins?",
        ),
        ('see <a href="https://e.com/a_b">https://e.com/a_b</a> ok', "see https://e.com/a_b ok"),
        ("<p>Use <code>cache:key:files</code>.</p>", "Use `cache:key:files`."),
        ("<p>a <code>x`y</code></p>", "a ``x`y``"),
        ("<pre><code>job:\n  script: make\n</code></pre>", "```\njob:\n  script: make\n```"),
        (
            "<ul><li>one <b>bold</b></li><li>two<ul><li>nested</li></ul></li></ul>",
            "- one **bold**\n- two\n  - nested",
        ),
        ("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"),
        ("<blockquote><p>quoted</p><p>two</p></blockquote><p>after</p>", "> quoted\n>\n> two\n\nafter"),
        ("<h2>Title <i>x</i></h2>text<br>line two", "## Title *x*\n\ntext\nline two"),
        ("<p><em> spaced </em>word</p>", "*spaced* word"),
        ("<p>  lots   of\n\n  space </p>", "lots of space"),
    ],
)
def test_html_becomes_markdown(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_hostile_markup_is_dropped_but_words_and_safe_links_stay() -> None:
    text = html_to_text(
        '<p onclick="x()">Hi<script>alert(1)</script><style>p{}</style> <img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">click</a> <a href="https://ok.example/">ok</a>'
        "<iframe src='https://evil.example'></iframe></p>"
    )
    assert text == "Hi click [ok](https://ok.example/)"


def test_plain_text_keeps_its_lines_and_markdown() -> None:
    assert html_to_text("a **b**\n\n\n\nc &lt;d&gt;") == "a **b**\n\nc <d>"


def test_empty_and_markup_only_fragments() -> None:
    assert html_to_text("<p></p><br>") == ""
    assert html_to_text("<script>alert(1)</script>") == ""
