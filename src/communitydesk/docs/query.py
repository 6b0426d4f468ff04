"""Turn community text into search terms: drop code noise, URLs, stack traces and stopwords.

Community text is hostile: nothing in it may reach the search engine's query syntax. The output here is
plain tokens (letters and digits only); the backend quotes them itself.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

_FENCED = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.DOTALL | re.MULTILINE)
_HTML_BLOCK_CODE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.DOTALL | re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"\b(?:https?|ftp|file)://\S+|\bwww\.\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_ERRORISH = re.compile(
    r"error|exception|fatal|fail|denied|refused|invalid|not found|unable|cannot|can't|couldn't|"
    r"undefined|timed? ?out|panic|warning|forbidden|unauthori[sz]ed|rejected|missing|no such",
    re.IGNORECASE,
)
_TRACE_LINE = re.compile(
    r"""^\s*(?:
        at\s+[\w$.<>/\\]+[(:].*                     # Java, JavaScript, .NET
      | File\s+".*",\s+line\s+\d+.*                 # Python
      | (?:from\s+)?\S+\.(?:rb|go|py|js|ts|java|c|cc|cpp|rs):\d+(?::\d+)?(?::in\b.*)?  # Ruby, Go, ...
      | \#\d+\s+0x[0-9a-f]+.*                       # gdb, native
      | goroutine\s+\d+.*
      | \.\.\.\s*\d+\s+more.*
      | Traceback\s+\(most\s+recent\s+call\s+last\):?
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_NOISE_TOKEN = re.compile(
    r"""^(?:
        [0-9a-f]{7,}                                 # hashes, addresses
      | [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}   # UUIDs
      | 0x[0-9a-f]+
      | \d+(?:[.:/-]\d+)+[a-z]*                      # versions, dates, times, IPs
      | \d{6,}                                       # ids, timestamps
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_CONTRACTION = re.compile(r"['\u2019](?:s|t|re|ve|ll|d|m)\b", re.IGNORECASE)
_CHUNK = re.compile(r"[\w][\w.:/@+-]*[\w]|[\w]")
_TOKEN = re.compile(r"[^\W_]+")
_HYPHENATED = re.compile(r"^[^\W_]+(?:-[^\W_]+)+$")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")

_STOPWORDS_TEXT = """
    a about above after again against all also am an and any anyone anything are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn doing don down
    during each else etc even ever every few for from further get gets getting got had hadn has hasn have
    haven having he her here hers herself him himself his how however i if in into is isn it its itself just
    ll let like may me might more most much must mustn my myself need needs no nor not now of off on once
    one only or other our ours ourselves out over own per please re really same say says see seems shall
    shan she should shouldn since so some something still such sure than thank thanks that the their theirs
    them themselves then there these they thing things this those though through thus to too try trying
    tried under until up upon us use used uses using very via want wants was wasn way we well were weren
    what when where whether which while who whom why will with without won would wouldn yes yet you your
    yours yourself yourselves hi hello hey folks guys everyone somebody someone anybody lot lots maybe
    actually basically currently already always never seem seemed know knew think thought tell told help
    helps question questions answer issue issues problem problems work works worked working e g eg ie im ive
    id youre theyre thats whats dont doesnt didnt cant wont isnt arent wasnt
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@dataclass(frozen=True)
class Term:
    """One search term: a word, or a phrase of tokens for an identifier (CI_JOB_TOKEN -> ci job token)."""

    tokens: tuple[str, ...]
    count: int

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def clean_text(text: str) -> str:
    """Remove what does not describe the problem: markup, URLs, code except error lines, stack frames."""
    text = _HTML_BLOCK_CODE.sub(lambda m: "\n```\n" + m.group(1) + "\n```\n", text)
    text = _HTML_TAG.sub(" ", text)
    text = html.unescape(text)
    text = _FENCED.sub(lambda m: "\n".join(_error_lines(m.group(2))) + "\n", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    lines = [line for line in text.splitlines() if not _TRACE_LINE.match(line)]
    return "\n".join(lines)


def _error_lines(code: str) -> list[str]:
    return [line for line in code.splitlines() if _ERRORISH.search(line) and not _TRACE_LINE.match(line)]


def extract_terms(text: str) -> list[Term]:
    """Return the distinct terms of a text, most frequent first, after cleaning and stopword removal."""
    counts: Counter[tuple[str, ...]] = Counter()
    for chunk in _CHUNK.findall(_CONTRACTION.sub("", clean_text(text))):
        for tokens in _chunk_terms(chunk):
            counts[tokens] += 1
    return [Term(tokens, count) for tokens, count in counts.most_common()]


def _chunk_terms(chunk: str) -> list[tuple[str, ...]]:
    if _NOISE_TOKEN.match(chunk):
        return []
    parts = _TOKEN.findall(chunk)
    if len(parts) == 1 and parts[0][0].islower() and not parts[0].islower():
        camel = _CAMEL.findall(parts[0])  # lowerCamelCase identifiers are written apart in prose
        if len(camel) > 1:
            parts = camel
    tokens = [token.lower() for token in parts if not _NOISE_TOKEN.match(token)]
    strong: list[tuple[str, ...]] = [(token,) for token in tokens if not _is_weak(token)]
    if len(strong) < 2 or len(tokens) > 4 or _HYPHENATED.match(chunk):
        return strong  # hyphenated words (self-managed) are prose, not identifiers
    # An identifier: the phrase, plus its distinctive parts so a partial mention still matches.
    return [tuple(tokens), *strong]


def _is_weak(token: str) -> bool:
    if token in STOPWORDS:
        return True
    if token.isdigit():
        return not 3 <= len(token) <= 5  # keep HTTP statuses, exit codes and ports
    return len(token) < 2
