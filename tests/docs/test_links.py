"""Links between docs pages: what other pages call a page (its anchors) and how many link to it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from communitydesk.docs import service
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.markdown import Link, parse_page
from communitydesk.docs.query import extract_terms
from communitydesk.docs.ranking import DEFAULT_OPTIONS
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.docs.urls import UrlRule
from tests.docs.conftest import page, write_tree

BASE = "https://docs.example.com/"
OTHER_BASE = "https://docs.example.com/runner/"
# Pages about something else, linking to each other as docs pages do: with only a handful of pages (or of
# linked pages) every word is common and BM25 sees nothing.
_UNRELATED = {
    f"other/{n}.md": page(
        {"title": f"Backup task {n}"},
        f"Back up the database to bucket {n} every night, after [task {n + 1}]({n + 1}.md).\n",
    )
    for n in range(30)
}


def _index(index: SqliteDocsIndex, *trees: tuple[Path, str]) -> None:
    service.index(index, [DocsTree(path, UrlRule(base)) for path, base in trees])


def _anchors(index: SqliteDocsIndex, text: str) -> dict[str, float]:
    urls = {hit.page_id: hit.url for hit in index.page_hits([p for p in range(1, 100)])}
    matches = index.anchor_matches(index.analyse(extract_terms(text)), limit=10)
    return {urls[page_id]: score for page_id, score in matches.items()}


def _inlinks(index: SqliteDocsIndex) -> dict[str, int]:
    return {hit.path: hit.inlinks for hit in index.page_hits(list(range(1, 100)))}


def test_links_are_read_from_prose_not_from_code_or_images() -> None:
    parsed = parse_page(
        '# Title\n\nSee [the *pipeline* editor](ci/editor.md#top "Editor") and ![a diagram](d.png).\n'
        "Inline `[not a link](x.md)` code.\n\n```markdown\n[in a block](y.md)\n```\n\n"
        "## Next\n\nRead [Gitaly](https://docs.example.com/gitaly/).\n",
        fallback_title="x",
    )
    assert parsed.links == (
        Link("the pipeline editor", "ci/editor.md#top"),
        Link("Gitaly", "https://docs.example.com/gitaly/"),
    )


def test_link_texts_name_the_page_they_point_to_through_redirects_and_across_trees(tmp_path: Path) -> None:
    docs = write_tree(
        tmp_path / "docs",
        {
            "_index.md": page({"title": "Home"}, "Start with [the pipeline editor](ci/editor.md).\n"),
            "ci/editor.md": page({"title": "Editor"}, "Edit the file. See [here](../_index.md).\n"),
            "ci/old_editor.md": page({"redirect_to": "editor.md"}, "Moved.\n"),
            "ci/jobs.md": page(
                {"title": "Jobs"},
                "Write jobs in [the YAML authoring tool](old_editor.md), also [itself](jobs.md).\n",
            ),
        },
    )
    runner = write_tree(
        tmp_path / "runner",
        {
            "_index.md": page(
                {"title": "Runner"},
                "Pipelines come from [CI editor](https://docs.example.com/ci/editor/#x).\n",
            )
        },
    )
    with SqliteDocsIndex(tmp_path / "index.sqlite") as index:
        _index(index, (docs, BASE), (runner, OTHER_BASE))

        assert set(_anchors(index, "YAML authoring tool")) == {"https://docs.example.com/ci/editor/"}
        assert set(_anchors(index, "pipeline editor")) == {"https://docs.example.com/ci/editor/"}
        # "here" names nothing; a page's link to itself says nothing about it
        assert _anchors(index, "here") == {} and _anchors(index, "itself") == {}
        assert _inlinks(index)["ci/editor.md"] == 3  # home, jobs (through the stub), the runner's home
        assert _inlinks(index)["_index.md"] == 0


def test_anchors_follow_changes_to_the_linking_pages(tmp_path: Path) -> None:
    pages = {
        "a.md": page({"title": "A"}, "Use [the release dashboard](b.md).\n"),
        "b.md": page({"title": "B"}, "Nothing here names itself.\n"),
        "c.md": page({"title": "C"}, "Also [release dashboard](b.md).\n"),
    }
    docs = write_tree(tmp_path / "docs", pages)
    with SqliteDocsIndex(tmp_path / "index.sqlite") as index:
        _index(index, (docs, BASE))
        assert set(_anchors(index, "dashboard")) == {"https://docs.example.com/b/"}
        assert _inlinks(index)["b.md"] == 2

        (docs / "a.md").write_text(page({"title": "A"}, "Use [the status board](c.md).\n"), encoding="utf-8")
        (docs / "c.md").unlink()
        _index(index, (docs, BASE))

        assert _anchors(index, "dashboard") == {}
        assert _anchors(index, "status board") == {}  # c.md is gone: the link points nowhere
        assert _inlinks(index) == {"a.md": 0, "b.md": 0}


def test_a_page_known_by_what_others_call_it_is_found_by_those_words(tmp_path: Path) -> None:
    filler = "Stages, jobs and runners each have their own settings page. " * 8
    pages = {
        "graph.md": page({"title": "Graph view"}, "Shows the stages of a run and their needs as a graph.\n"),
        "charts.md": page({"title": "Charts"}, "Charts: a visualization of durations and success rates.\n"),
        **{
            f"topic{n}.md": page(
                {"title": f"Topic {n}"}, f"{filler}See [pipeline visualization](graph.md).\n"
            )
            for n in range(4)
        },
        **_UNRELATED,
    }
    docs = write_tree(tmp_path / "docs", pages)
    question = "Where do I find the pipeline visualization?"
    with SqliteDocsIndex(tmp_path / "index.sqlite") as index:
        _index(index, (docs, BASE))
        # This small tree knows two of the question's words: weigh them as a long question's (eight terms).
        long_question = replace(DEFAULT_OPTIONS, full_weight_terms=2)

        assert service.suggest(index, question, options=long_question).suggestions[0].path == "graph.md"
        without = replace(long_question, anchor_bonus=0.0, link_prior=0.0)
        assert service.suggest(index, question, options=without).suggestions[0].path == "charts.md"
        # A short question is decided by the pages' own words: link texts barely count.
        assert service.suggest(index, question).suggestions[0].path == "charts.md"


def test_pages_many_others_link_to_come_first_among_equal_matches(tmp_path: Path) -> None:
    text = "Rotate the encryption keys of the instance.\n"
    pages = {
        "overview.md": page({"title": "Overview"}, text),
        "notes.md": page({"title": "Notes"}, text),
        **{f"p{n}.md": page({"title": f"P{n}"}, "Read [this overview](overview.md).\n") for n in range(3)},
        **_UNRELATED,
    }
    docs = write_tree(tmp_path / "docs", pages)
    with SqliteDocsIndex(tmp_path / "index.sqlite") as index:
        _index(index, (docs, BASE))
        long_question = replace(DEFAULT_OPTIONS, full_weight_terms=2)
        ranked = [s.path for s in service.suggest(index, text, options=long_question).suggestions]
        assert ranked[:2] == ["overview.md", "notes.md"]
        assert _inlinks(index)["overview.md"] == 3
