"""Ranking choices of docs suggestions: which terms to search, how pages and sections combine, confidence.

Everything here is independent of where the index lives; the numbers are defaults tuned on the GitLab docs
with methods that do not depend on particular questions (see bench/docs_eval.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from communitydesk.docs.postings import fts5_idf
from communitydesk.docs.schemas import PageHit, QueryTerm, SectionHit, TitleMatch


@dataclass(frozen=True)
class RankingOptions:
    """How text becomes a query and page and section matches become a ranking."""

    # FTS5's BM25 costs per matched page and query term: more terms than this rank no better, only slower
    # (measured: 12 -> 16 terms gained 0.03 Recall@5 on long texts; 20 and 24 gained nothing more).
    max_terms: int = 16
    # Terms found in more than this share of pages say little about which page is meant (and cost most).
    max_page_share: float = 0.5
    # A term repeated in the text counts up to this many times.
    max_repeat: int = 2
    page_pool: int = 30
    # The first `fused_pages` pages are re-ranked by their score plus a share of their best section's score.
    fused_pages: int = 15
    section_weight: float = 0.5
    # Sections are scored with the most telling terms only: common terms cost most over many small rows.
    section_terms: int = 6
    # A page whose title the text names gets a bonus: title_bonus * coverage² * the named title terms' idf.
    title_bonus: float = 2.0
    # A rare term (in at most `rare_share` of pages: an identifier, an error string) named by a section
    # heading gives that page heading_bonus * its idf: long reference pages otherwise lose on length.
    rare_share: float = 0.005
    heading_bonus: float = 3.0
    # The title bonus, the link-text bonus and the link prior have full weight from `full_weight_terms` query
    # terms on, and less below. A short question names its page's own words (an error, a heading): with
    # few words these must decide. A long text matches many pages a little, and there the page others name
    # and link to is the better bet; BM25 scores of short queries are also smaller to add a bonus to.
    full_weight_terms: int = 8
    link_scale_power: float = 3.0
    # The texts of links to a page are how other pages name it: each page gets anchor_bonus * the BM25 score
    # of its link texts (of the `anchor_scored` best), and the `anchor_pages` best join the candidates.
    anchor_bonus: float = 1.0
    anchor_scored: int = 1000
    anchor_pages: int = 30
    # Pages many others link to are the ones people are sent to: a page's score is multiplied by
    # 1 + link_prior * ln(1 + pages linking to it). An overview beats a developer note of the same words.
    link_prior: float = 0.1
    snippets: bool = True
    # With the semantic extra: the lexical ranking and the `semantic_pages` pages closest in meaning are fused
    # by reciprocal rank fusion, each page scoring sum(weight / (rrf_k + rank)) over the two rankings.
    semantic_pages: int = 30
    semantic_weight: float = 1.0
    rrf_k: float = 60.0


DEFAULT_OPTIONS = RankingOptions()

# Logistic model of "a good page exists", fitted by bench/fit_confidence.py on GitLab troubleshooting
# headings and deprecation notices (each answered by a page) against off-topic r/netsec and Hacker News
# posts (answered by none). Inputs: how much of the query's BM25 weight the best page matched, and how much
# weight the query has (more telling words, more evidence).
_BIAS, _MATCHED, _WEIGHT = -23.88, 5.24, 4.30
_FITTED_PAGES = 2674  # the GitLab docs trees the model was fitted on
# ... with queries of at most 12 terms: its query weight counts the 12 most telling terms of longer ones.
CONFIDENCE_TERMS = 12
_FITTED_RAREST = math.log(1 + (_FITTED_PAGES - 0.5) / 1.5)  # idf of a term in one page of them


def select_terms(terms: Sequence[QueryTerm], options: RankingOptions = DEFAULT_OPTIONS) -> list[QueryTerm]:
    """Keep the most telling terms, best first: drop very common ones, cap repeats, keep `max_terms`."""
    telling = [t for t in terms if t.document_frequency <= options.max_page_share * t.documents]
    if not telling:  # only common words: better a weak query than none
        telling = sorted(terms, key=lambda t: t.idf, reverse=True)[:3]
    ranked = sorted(telling, key=lambda t: t.idf * (1 + math.log(t.count)), reverse=True)
    return [replace(t, count=min(t.count, options.max_repeat)) for t in ranked[: options.max_terms]]


def title_bonus(
    match: TitleMatch | None, terms: Sequence[QueryTerm], options: RankingOptions = DEFAULT_OPTIONS
) -> float:
    """Return the bonus of a page whose title the text names: a text naming "Gitaly" is about Gitaly's page.

    Squared coverage: a title named in full counts far more than one named in part (a title word alone is
    often a common word). Weighted by idf: naming a rare title ("Praefect") says more than a common one.
    """
    if match is None:
        return 0.0
    return options.title_bonus * evidence_scale(terms, options) * match.coverage**2 * match.weight


def evidence_scale(terms: Sequence[QueryTerm], options: RankingOptions = DEFAULT_OPTIONS) -> float:
    """Return 0..1: how much the title bonus counts for a query of these terms."""
    return min(1.0, len(terms) / options.full_weight_terms)


def link_scale(terms: Sequence[QueryTerm], options: RankingOptions = DEFAULT_OPTIONS) -> float:
    """Return 0..1: how much the link-text bonus and the link prior count for a query of these terms.

    Squared: what other pages call a page, and how many link to it, say little about which page a short
    question (four words of an error or a heading) is about: measured, at full weight they cost a third of
    the right first pages of the troubleshooting-headings set (see bench/README.md)."""
    return float(evidence_scale(terms, options) ** options.link_scale_power)


def rank_pages(
    pages: Sequence[PageHit], sections: dict[int, list[SectionHit]], options: RankingOptions = DEFAULT_OPTIONS
) -> list[tuple[float, PageHit]]:
    """Order pages by their own score plus a share of their best section's score."""
    ranked = [(section_score(page, sections, options), page) for page in pages]
    ranked.sort(key=lambda pair: pair[0], reverse=True)
    return ranked


def section_score(
    page: PageHit, sections: dict[int, list[SectionHit]], options: RankingOptions = DEFAULT_OPTIONS
) -> float:
    """Return a page's score plus a share of its best section's score."""
    best = sections.get(page.page_id)
    return page.score + options.section_weight * (best[0].score if best else 0.0)


def link_factor(page: PageHit, scale: float, options: RankingOptions = DEFAULT_OPTIONS) -> float:
    """Return how much a page's links from other pages raise its score (1: none), at `evidence_scale`."""
    return 1.0 + scale * options.link_prior * math.log1p(page.inlinks)


def with_link_prior(
    ranked: Sequence[tuple[float, PageHit]], scale: float, options: RankingOptions = DEFAULT_OPTIONS
) -> list[tuple[float, PageHit]]:
    """Re-rank scored pages with the link prior (see `RankingOptions.link_prior`)."""
    priored = [(score * link_factor(page, scale, options), page) for score, page in ranked]
    priored.sort(key=lambda pair: pair[0], reverse=True)
    return priored


def reciprocal_rank_fusion(
    lexical: Sequence[int], semantic: Sequence[int], options: RankingOptions = DEFAULT_OPTIONS
) -> list[tuple[int, float]]:
    """Fuse two rankings of page ids (best first) by reciprocal rank: ranks count, not score scales."""
    fused: dict[int, float] = {}
    for ranking, weight in ((lexical, 1.0), (semantic, options.semantic_weight)):
        for rank, page_id in enumerate(ranking, start=1):
            fused[page_id] = fused.get(page_id, 0.0) + weight / (options.rrf_k + rank)
    return sorted(fused.items(), key=lambda pair: pair[1], reverse=True)


def _corpus_scale(documents: int) -> float:
    """How much smaller idf runs in this corpus than in the one the model was fitted on.

    A rare term's idf grows with the log of the corpus size, so the same question carries less query
    weight over a docs tree of 50 pages than over GitLab's 2,700; without this a small tree never reaches
    a confident answer, however well its first page matches.
    """
    rarest = math.log(1 + (max(documents, 2) - 0.5) / 1.5)
    return max(1.0, _FITTED_RAREST / rarest)


def _bm25_idf(term: QueryTerm) -> float:
    """The idf BM25 scores a term with: the share of the query a page matched is measured in the score's
    own units. A term in a third of a small tree's pages scores next to nothing, while `QueryTerm.idf` still
    gives it weight: the share would collapse on any tree of a few pages."""
    return fts5_idf(term.document_frequency, term.documents)


def confidence(terms: Sequence[QueryTerm], best_score: float | None) -> float:
    """Return 0..1: how likely a good page exists, judged by the first one (below 0.4: probably none)."""
    weight = sum(t.idf for t in terms)
    if best_score is None or weight <= 0 or best_score <= 0:
        return 0.0
    evidence = weight * _corpus_scale(terms[0].documents)
    matched = best_score / sum(_bm25_idf(t) for t in terms)
    z = _BIAS + _MATCHED * min(matched, 4.0) + _WEIGHT * math.log1p(evidence)
    return 1 / (1 + math.exp(-z))
