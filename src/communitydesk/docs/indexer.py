"""Index Markdown docs trees: walk, detect changed files, parse them, hand them to the backend."""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from communitydesk.docs.backend import SearchBackend
from communitydesk.docs.links import link_records
from communitydesk.docs.markdown import ParsedPage, Section, parse_page
from communitydesk.docs.schemas import (
    FileChange,
    FileState,
    IndexReport,
    PageRecord,
    RootState,
    SectionRecord,
)
from communitydesk.docs.urls import UrlRule, resolve_relative, section_url

log = logging.getLogger(__name__)

BATCH = 200
# A rebuild this large leaves the full-text index fragmented: merge it afterwards.
OPTIMISE_AFTER = 500

Progress = Callable[[int, int], None]
"""Called as files are checked: (files done, files in all trees)."""


@dataclass(frozen=True)
class DocsTree:
    """A folder of Markdown pages and the rule that gives them public URLs."""

    path: Path
    rule: UrlRule


def index_trees(
    backend: SearchBackend,
    trees: Sequence[DocsTree],
    *,
    exclude: Sequence[str] = (),
    progress: Progress | None = None,
) -> IndexReport:
    """Bring the index up to date with the trees; only new, changed and removed files are touched."""
    started = time.perf_counter()
    report = IndexReport(roots=len(trees))
    listings = [(tree, sorted(_markdown_files(tree.path, exclude))) for tree in trees]
    total = sum(len(files) for _, files in listings)
    done = 0
    for tree, files in listings:
        root = backend.open_root(str(tree.path.resolve()), tree.rule)
        pending: list[FileChange] = []
        for relative in files:
            change = _check_file(tree, root, relative, report)
            if change is not None:
                pending.append(change)
            if len(pending) >= BATCH:
                backend.apply(root, pending)
                pending = []
            done += 1
            if progress is not None:
                progress(done, total)
        seen = set(files)
        for gone in sorted(set(root.files) - seen):
            pending.append(FileChange(gone, None))
            report.removed += 1
            report.changed_paths.append(gone)
        backend.apply(root, pending)
    if report.touched:
        backend.refresh_anchors()
    if report.touched >= OPTIMISE_AFTER:
        backend.optimise()
    if report.touched:  # after optimise: reading the postings of one merged b-tree is faster
        backend.refresh_postings()
    report.seconds = time.perf_counter() - started
    return report


def _markdown_files(root: Path, exclude: Sequence[str]) -> Iterator[str]:
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a folder")
    for folder, dirs, names in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in names:
            if not name.endswith(".md"):
                continue
            relative = Path(folder, name).relative_to(root).as_posix()
            if not _excluded(relative, exclude):
                yield relative


def _excluded(relative: str, patterns: Sequence[str]) -> bool:
    name = PurePosixPath(relative).name
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) for p in patterns)


def _check_file(tree: DocsTree, root: RootState, relative: str, report: IndexReport) -> FileChange | None:
    path = tree.path / relative
    try:
        stat = path.stat()
    except OSError as exc:  # gone or unreadable since the walk: the next run sees it again
        log.warning("skipping %s: %s", path, exc)
        report.skipped += 1
        return None
    known = root.files.get(relative)
    if known and not root.rule_changed and (known.mtime_ns, known.size) == (stat.st_mtime_ns, stat.st_size):
        report.unchanged += 1
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.warning("skipping %s: %s", path, exc)
        report.skipped += 1
        return None
    state = FileState(stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest())
    if known and not root.rule_changed and known.sha256 == state.sha256:
        report.unchanged += 1
        return FileChange(relative, state, content_changed=False)  # touched, same content
    text = data.decode("utf-8", errors="replace")
    parsed = parse_page(text, fallback_title=_title_from_name(relative))
    if known:
        report.updated += 1
    else:
        report.added += 1
    report.changed_paths.append(relative)
    if parsed.redirect_to:
        report.redirects += 1
        target = resolve_relative(relative, parsed.redirect_to) or parsed.redirect_to
        return FileChange(relative, state, redirect_to=target)
    return FileChange(relative, state, page=page_record(relative, parsed, tree.rule))


def page_record(relative: str, parsed: ParsedPage, rule: UrlRule) -> PageRecord:
    """Return what the index stores of a parsed page: its URL and its sections with theirs."""
    url = rule.page_url(relative)
    sections = list(parsed.sections)
    if parsed.description:
        if sections and sections[0].heading is None:
            first = sections[0]
            sections[0] = Section(None, 0, None, (), f"{parsed.description}\n\n{first.text}")
        else:
            sections.insert(0, Section(None, 0, None, (), parsed.description))
    if not sections:
        sections = [Section(None, 0, None, (), "")]
    return PageRecord(
        path=relative,
        url=url,
        title=parsed.title,
        description=parsed.description,
        stage=parsed.stage,
        group=parsed.group,
        sections=tuple(
            SectionRecord(s.heading, s.level, s.anchor, section_url(url, s.anchor), s.trail, s.text)
            for s in sections
        ),
        links=link_records(relative, parsed.links, rule),
    )


def _title_from_name(relative: str) -> str:
    path = PurePosixPath(relative)
    stem = path.parent.name if path.stem in ("_index", "index") and path.parent.name else path.stem
    return stem.replace("_", " ").replace("-", " ").strip().capitalize() or relative
