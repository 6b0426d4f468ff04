"""Suggestions: the right page and section, highlighted snippets, hostile text, honest confidence."""

from __future__ import annotations

import pytest

from communitydesk.docs import service
from communitydesk.docs.query import clean_text, extract_terms
from communitydesk.docs.schemas import MARK_END, MARK_START
from communitydesk.docs.sqlite_backend import SqliteDocsIndex


def test_finds_the_page_and_section_with_highlighted_terms(indexed: SqliteDocsIndex) -> None:
    result = service.suggest(indexed, "How can I protect a variable so it only reaches protected branches?")

    best = result.suggestions[0]
    assert (best.path, best.section) == ("ci/variables.md", "Protect a CI/CD variable")
    assert best.url == "https://docs.example.com/ci/variables/#protect-a-cicd-variable"
    assert best.page_url == "https://docs.example.com/ci/variables/"
    assert (best.title, best.stage, best.group) == ("CI/CD variables", "Verify", "Pipeline Authoring")
    assert f"{MARK_START}protected{MARK_END}" in best.snippet.marked
    assert "<mark>protected</mark>" in best.snippet.html()
    assert MARK_START not in best.snippet.text
    assert "```" not in best.snippet.text and "shell" not in best.snippet.text  # the fence after the section
    assert best.score > 0


def test_an_error_string_finds_its_troubleshooting_section(indexed: SqliteDocsIndex) -> None:
    text = (
        "Pipeline broke:\n```\n$ ./deploy.sh\nERROR: variable not found\n  at Deploy.run(Deploy.java:12)\n```"
    )
    best = service.suggest(indexed, text).suggestions[0]
    assert best.section == "Error: variable not found"
    assert best.url.endswith("#error-variable-not-found")


def test_the_redirect_stub_is_never_suggested(indexed: SqliteDocsIndex) -> None:
    result = service.suggest(indexed, "This document was moved to another location", top=10)
    assert all(s.path != "ci/old_variables.md" for s in result.suggestions)


@pytest.mark.parametrize(
    "text",
    [
        'variable" OR "x',
        "(protected AND (branch",
        "NEAR(protected variable, 2)",
        "protect* variab*",
        '"""',
        "AND OR NOT",
        "{title}: protected ^variable -branch +tag",
        "col:protected NEAR/3 variable",
        "'; DROP TABLE pages; --",
        "\x00\ue000\ue001 protected \u202e",
        "ü ß 漢字 🚀 protected",
        "a" * 10_000,
    ],
)
def test_hostile_text_never_breaks_the_query(indexed: SqliteDocsIndex, text: str) -> None:
    result = service.suggest(indexed, text)
    assert 0.0 <= result.confidence <= 1.0
    assert indexed.counts()["pages"] == 4


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "!!! ??? ...",
        "thanks!!",
        "the and of to is it",
        "https://example.com/a?b=c",
        "deadbeefcafe 1.2.3",
    ],
)
def test_empty_or_noise_text_gets_nothing_and_low_confidence(indexed: SqliteDocsIndex, text: str) -> None:
    result = service.suggest(indexed, text)
    assert result.suggestions == ()
    assert result.confidence == 0.0
    assert result.level == "low"


def test_unrelated_text_gets_low_confidence(indexed: SqliteDocsIndex) -> None:
    result = service.suggest(
        indexed, "Best pizza dough recipe: flour, water, salt and a slow rise overnight."
    )
    assert result.level == "low"


def test_query_cleaning_keeps_errors_and_identifiers_and_drops_noise() -> None:
    text = """Hi all, my `CI_JOB_TOKEN` fails (see https://gitlab.example.com/a/b/-/jobs/123456789):
```
$ git push
remote: ERROR: You are not allowed to push code to this project.
Traceback (most recent call last):
  File "push.py", line 12, in <module>
```
Commit 3f2a9bc1d0e4 on GitLab 16.2.1, getUserName returned nothing."""
    cleaned = clean_text(text)
    assert "https://" not in cleaned and "git push" not in cleaned and "push.py" not in cleaned
    assert "ERROR: You are not allowed to push code" in cleaned
    terms = {term.text for term in extract_terms(text)}
    assert {"ci job token", "token", "error", "allowed", "push", "get user name", "gitlab"} <= terms
    assert not terms & {"hi", "all", "my", "3f2a9bc1d0e4", "16", "123456789", "git lab"}
