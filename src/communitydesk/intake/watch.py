"""Watch rules: which mentions a source keeps (keywords or phrases as whole words, minus exclusions)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from communitydesk.config import Settings
from communitydesk.mentions.schemas import MentionIn

# Sources that read broad feeds (search hits, whole subreddits) keep only what names a keyword; a forum,
# a blog's comments or a helpdesk are about the product already, so only exclusions apply there.
KEYWORD_FILTERED = frozenset({"hackernews", "reddit", "x"})
_TAGS = re.compile(r"<[^>]*>")


def _pattern(phrases: list[str]) -> re.Pattern[str] | None:
    words = [
        re.escape(" ".join(phrase.split())).replace(r"\ ", r"\s+") for phrase in phrases if phrase.strip()
    ]
    if not words:
        return None
    return re.compile(rf"(?<![\w])(?:{'|'.join(words)})(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class WatchRules:
    """Keywords a mention must contain (when required) and phrases that rule it out."""

    keywords: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    require_keyword: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keywords", _pattern(self.keywords))
        object.__setattr__(self, "_exclude", _pattern(self.exclude))

    def verdict(self, mention: MentionIn) -> str | None:
        """Return why the mention is not watched, or None when it is."""
        # Match what readers see, not markup: attribute values (link targets, classes) do not count.
        text = html.unescape(_TAGS.sub(" ", mention.text)) if "<" in mention.text else mention.text
        haystack = "\n".join(part for part in (mention.title, text) if part)
        excluded: re.Pattern[str] | None = getattr(self, "_exclude")  # noqa: B009 - set in __post_init__
        keywords: re.Pattern[str] | None = getattr(self, "_keywords")  # noqa: B009
        if excluded is not None and (hit := excluded.search(haystack)):
            return f"excluded by {hit.group(0)!r}"
        if self.require_keyword and keywords is not None and not keywords.search(haystack):
            return "no watched keyword"
        return None


def rules_for(settings: Settings, source: str) -> WatchRules:
    """Return the watch rules of a source from settings."""
    section = getattr(settings, source, None)
    if section is None:
        return WatchRules(settings.watch.keywords or settings.company_names, settings.watch.exclude)
    return WatchRules(
        settings.watch_keywords(section),
        settings.watch_exclusions(section),
        require_keyword=source in KEYWORD_FILTERED,
    )
