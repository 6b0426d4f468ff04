"""`desk docs index` and `desk docs suggest`, through the CLI runner, with the batch JSON Lines contract."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.config import Settings
from tests.docs.conftest import BASE

CONTRACT_KEYS = {"path", "url", "title", "section", "stage", "group", "score"}


def _index(cli: CliRunner, docs_tree: Path) -> None:
    result = cli.invoke(app, ["docs", "index", str(docs_tree), "--url-base", BASE])
    assert result.exit_code == 0, result.output
    assert "5 added" in result.stdout and "4 pages" in result.stdout


def test_index_then_suggest_a_batch(
    cli: CliRunner, settings: Settings, docs_tree: Path, tmp_path: Path
) -> None:
    _index(cli, docs_tree)
    assert settings.resolved_docs_index_path.is_file()
    rows = [
        {"id": "q1", "text": "protect a CI/CD variable on protected branches"},
        {"id": 2, "text": "register a runner with a template config"},
        {"id": "noise", "text": "???"},
    ]
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")

    result = cli.invoke(app, ["docs", "suggest", "--batch", str(batch), "--top", "2"])

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["q1", 2, "noise"]
    for line in lines:
        assert set(line) == {"id", "confidence", "suggestions"}
        assert 0.0 <= line["confidence"] <= 1.0
        assert len(line["suggestions"]) <= 2
        for suggestion in line["suggestions"]:
            assert set(suggestion) == CONTRACT_KEYS
    first = lines[0]["suggestions"][0]
    assert first["path"] == "ci/variables.md"
    assert first["url"] == "https://docs.example.com/ci/variables/#protect-a-cicd-variable"
    assert (first["title"], first["section"], first["stage"]) == (
        "CI/CD variables",
        "Protect a CI/CD variable",
        "Verify",
    )
    assert lines[1]["suggestions"][0]["path"] == "runners/register.md"
    assert lines[2] == {"id": "noise", "confidence": 0.0, "suggestions": []}


def test_a_bad_batch_row_is_named_and_the_others_answered(
    cli: CliRunner, settings: Settings, docs_tree: Path, tmp_path: Path
) -> None:
    _index(cli, docs_tree)
    batch = tmp_path / "in.jsonl"
    batch.write_text('{"id": 1, "text": "protected variable"}\nnot json\n{"id": 3}\n', encoding="utf-8")

    result = cli.invoke(app, ["docs", "suggest", "--batch", str(batch)])

    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0]["suggestions"]
    assert lines[1]["error"].startswith("not JSON") and lines[2]["id"] == 3 and "text" in lines[2]["error"]


def test_suggest_one_text_prints_a_table(cli: CliRunner, settings: Settings, docs_tree: Path) -> None:
    _index(cli, docs_tree)
    result = cli.invoke(app, ["docs", "suggest", "Error: variable not found"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "confidence" in result.stdout
    assert "https://docs.example.com/ci/variables/#error-variable-not-found" in result.stdout


def test_index_again_touches_nothing_and_rebuild_starts_over(
    cli: CliRunner, settings: Settings, docs_tree: Path
) -> None:
    _index(cli, docs_tree)
    again = cli.invoke(app, ["docs", "index", str(docs_tree), "--url-base", BASE])
    assert "0 added, 0 updated, 0 removed, 5 unchanged" in " ".join(again.stdout.split())
    rebuilt = cli.invoke(app, ["docs", "index", str(docs_tree), "--url-base", BASE, "--rebuild"])
    assert "5 added" in rebuilt.stdout


def test_suggest_needs_an_index(cli: CliRunner, settings: Settings) -> None:
    result = cli.invoke(app, ["docs", "suggest", "anything"])
    assert result.exit_code == 1
    assert "desk docs index" in result.output


def test_index_refuses_a_missing_folder(cli: CliRunner, settings: Settings, tmp_path: Path) -> None:
    result = cli.invoke(app, ["docs", "index", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "is not a folder" in " ".join(result.output.split())
