"""Docs-first answers: open the index, index docs trees, suggest the pages that answer a text."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from communitydesk.config import Settings
from communitydesk.docs import semantic
from communitydesk.docs.backend import SearchBackend
from communitydesk.docs.indexer import DocsTree, Progress, index_trees
from communitydesk.docs.query import Term, extract_terms
from communitydesk.docs.ranking import (
    CONFIDENCE_TERMS,
    DEFAULT_OPTIONS,
    RankingOptions,
    confidence,
    link_factor,
    link_scale,
    rank_pages,
    reciprocal_rank_fusion,
    select_terms,
    title_bonus,
    with_link_prior,
)
from communitydesk.docs.schemas import (
    IndexReport,
    PageHit,
    QueryTerm,
    SectionHit,
    Snippet,
    Suggestion,
    Suggestions,
)
from communitydesk.docs.semantic import SemanticRanker
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.docs.urls import UrlRule, UrlStyle

log = logging.getLogger(__name__)


def open_index(settings: Settings) -> SqliteDocsIndex:
    """Open (or create) the docs index file the settings name, with the semantic extra when turned on."""
    index = SqliteDocsIndex(settings.resolved_docs_index_path)
    if settings.docs_semantic:
        if semantic.available():
            index.semantic = SemanticRanker(index)
        else:
            log.warning("DESK_DOCS_SEMANTIC is on but the semantic extra is not installed: lexical only")
    return index


def embed(index: SearchBackend, progress: Progress | None = None, *, threads: int = 1) -> int:
    """Give every page without one a vector (the semantic extra); return how many pages were embedded."""
    options = semantic.EncoderOptions(threads=threads)
    return SemanticRanker(index, lambda: semantic.Encoder(options=options)).embed(progress)


def trees_from(paths: Sequence[Path], url_bases: Sequence[str], style: UrlStyle | str) -> list[DocsTree]:
    """Pair docs folders with URL bases: one base for all, or one per folder, in order."""
    if len(url_bases) not in (1, len(paths)):
        raise ValueError(f"give one URL base, or one per docs folder ({len(paths)}), not {len(url_bases)}")
    bases = list(url_bases) if len(url_bases) == len(paths) else list(url_bases) * len(paths)
    return [DocsTree(path, UrlRule(base, UrlStyle(style))) for path, base in zip(paths, bases, strict=True)]


def index(
    backend: SearchBackend,
    trees: Sequence[DocsTree],
    *,
    exclude: Sequence[str] = (),
    progress: Progress | None = None,
) -> IndexReport:
    """Bring the index up to date with the docs trees: only new, changed and removed files are touched."""
    return index_trees(backend, trees, exclude=exclude, progress=progress)


def suggest(
    index: SearchBackend, text: str, top: int = 5, *, options: RankingOptions = DEFAULT_OPTIONS
) -> Suggestions:
    """Return the docs pages that best answer a text, each with its best section, and a confidence."""
    extracted = extract_terms(text)
    terms = select_terms(index.analyse(extracted), options)
    if not terms or top <= 0:
        return Suggestions(confidence=0.0, terms=tuple(t.text for t in terms))
    pages = _with_bonuses(
        index, extracted, terms, index.search(terms, limit=max(options.page_pool, top)), options
    )
    section_terms = terms[: options.section_terms]
    sections = index.best_sections(
        [p.page_id for p, _ in pages[: max(options.fused_pages, top)]], section_terms
    )
    bonus = dict((p.page_id, b) for p, b in pages)
    fused = rank_pages([p for p, _ in pages[: options.fused_pages]], sections, options)
    scale = link_scale(terms, options)
    ranked = with_link_prior(
        fused + [(page.score, page) for page, _ in pages[options.fused_pages :]], scale, options
    )
    # The confidence model was fitted on the first page's BM25 score: bonuses and the link prior left out.
    # The first page may now owe its place to them; the best BM25 match among the first five says as well
    # whether a page matches the text.
    best = max(
        (score / link_factor(page, scale, options) - bonus[page.page_id] for score, page in ranked[:5]),
        default=None,
    )
    if index.semantic is not None:
        ranked = _fuse_semantic(index, index.semantic, text, ranked, options)
        missing = [page.page_id for _, page in ranked[:top] if page.page_id not in sections]
        sections.update(index.best_sections(missing, section_terms) if missing else {})
    suggestions = tuple(
        _suggestion(
            index, page, score, next(iter(sections.get(page.page_id, ())), None), section_terms, options
        )
        for score, page in ranked[:top]
    )
    return Suggestions(
        confidence=confidence(terms[:CONFIDENCE_TERMS], best),
        suggestions=suggestions,
        terms=tuple(t.text for t in terms),
    )


def _fuse_semantic(
    index: SearchBackend,
    semantic: SemanticRanker,
    text: str,
    ranked: list[tuple[float, PageHit]],
    options: RankingOptions,
) -> list[tuple[float, PageHit]]:
    """Fuse the lexical ranking with the pages closest in meaning; scores become fused scores."""
    close = semantic.rank(text, options.semantic_pages)
    pages = {page.page_id: page for _, page in ranked}
    pages.update((page.page_id, page) for page in index.page_hits([i for i in close if i not in pages]))
    fused = reciprocal_rank_fusion([page.page_id for _, page in ranked], close, options)
    return [(score, pages[page_id]) for page_id, score in fused if page_id in pages]


def _with_bonuses(
    index: SearchBackend,
    extracted: Sequence[Term],
    terms: Sequence[QueryTerm],
    pages: list[PageHit],
    options: RankingOptions,
) -> list[tuple[PageHit, float]]:
    """Add the pages the text names (by title, rare heading or link text), give each page its bonuses for
    those, best first."""
    tokens = [token for term in extracted for token in term.tokens]
    titles = index.title_matches(tokens, [page.page_id for page in pages])
    rare = [t for t in terms if t.document_frequency <= max(1.0, options.rare_share * t.documents)]
    headings = index.heading_matches(rare) if rare and options.heading_bonus else {}
    anchors = index.anchor_matches(terms, limit=options.anchor_scored) if options.anchor_bonus else {}
    found = {page.page_id for page in pages}
    linked = list(anchors)[: options.anchor_pages]  # best first
    named = [page_id for page_id in {*titles, *headings, *linked} if page_id not in found]
    if named:
        pages = pages + index.search(terms, limit=len(named), within=named)
        # A page may be named only by the links to it: its own words need not match at all.
        unmatched = set(named) - {page.page_id for page in pages}
        pages = pages + index.page_hits(sorted(unmatched))
    anchor_weight = options.anchor_bonus * link_scale(terms, options)
    with_bonus = []
    for page in pages:
        bonus = title_bonus(titles.get(page.page_id), terms, options)
        bonus += options.heading_bonus * headings.get(page.page_id, 0.0)
        bonus += anchor_weight * anchors.get(page.page_id, 0.0)
        with_bonus.append((page.with_score(page.score + bonus), bonus))
    with_bonus.sort(key=lambda pair: pair[0].score, reverse=True)
    return with_bonus


def _suggestion(
    index: SearchBackend,
    page: PageHit,
    score: float,
    section: SectionHit | None,
    terms: Sequence[QueryTerm],
    options: RankingOptions,
) -> Suggestion:
    snippet = Snippet("")
    if section is not None and options.snippets:
        snippet = index.snippet(section.section_id, terms)
    return Suggestion(
        root=page.root,
        path=page.path,
        page_url=page.url,
        url=section.url if section else page.url,
        title=page.title,
        section=section.heading if section else None,
        anchor=section.anchor if section else None,
        stage=page.stage,
        group=page.group,
        score=score,
        snippet=snippet,
    )
