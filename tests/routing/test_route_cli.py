"""`desk route`: the batch contract, reasons, aliases, special routes and the fallback channel."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.runtime import Desk
from tests.routing.conftest import DEMO

CONTRACT = {"id", "stage", "group", "category", "channel", "experts", "confidence", "reasons"}


def _batch(cli: CliRunner, tmp_path: Path, rows: list[dict[str, object]]) -> list[dict[str, object]]:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    result = cli.invoke(app, ["route", "--batch", str(path)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_batch_contract_ranks_owner_people_and_channel(
    routing_desk: Desk, cli: CliRunner, tmp_path: Path
) -> None:
    out = _batch(
        cli,
        tmp_path,
        [
            {"id": "runner", "text": "Our runner does not pick up jobs with tags after registering it"},
            {"id": 7, "text": "My personal access token expired and the API says 401 even with 2FA"},
            {"id": "registry", "text": "Container registry cleanup policy keeps old docker image tags"},
        ],
    )

    assert [row["id"] for row in out] == ["runner", 7, "registry"]
    assert all(set(row) == CONTRACT for row in out)
    runner, token, registry = out
    # "Runner Core" (2026 docs) is the directory's `runner` group; output uses the directory's names.
    assert (runner["stage"], runner["group"]) == ("verify", "runner")
    assert runner["channel"] == "#g_runner"  # the group's own channel from stages.yml
    assert runner["experts"][0]["name"] == "Elif Demir"  # the people file: expertise in "Runner Core"
    assert any(
        "Registering runners" in reason and "-> verify/runner" in reason for reason in runner["reasons"]
    )
    # "Software Supply Chain Security / Authentication" resolves to 2022's manage stage.
    assert (token["stage"], token["group"]) == ("manage", "authentication_and_authorization")
    assert (registry["stage"], registry["group"], registry["category"]) == (
        "package",
        "container_registry",
        "container_registry",
    )
    assert registry["channel"] == "#g_container-registry"
    assert any("matched category terms" in reason for reason in registry["reasons"])
    assert all(0 < row["confidence"] <= 1 for row in out)


def test_unsure_texts_go_to_the_fallback_or_a_special_route(
    routing_desk: Desk, cli: CliRunner, tmp_path: Path
) -> None:
    vague, evangelism = _batch(
        cli,
        tmp_path,
        [
            {"id": 1, "text": "Anyone going to the conference next week?"},
            {"id": 2, "text": "How does it compare to Jenkins and CircleCI, what are the industry trends?"},
        ],
    )

    assert vague["channel"] == "#questions" and vague["confidence"] < 0.35, json.dumps(vague)
    assert any("below" in reason and "#questions" in reason for reason in vague["reasons"])
    assert evangelism["experts"][0]["name"] == "Sam Okafor"
    assert any("@techevangelism" in reason for reason in evangelism["reasons"])


def test_direction_questions_suggest_the_groups_pm(
    routing_desk: Desk, cli: CliRunner, tmp_path: Path
) -> None:
    (row,) = _batch(
        cli,
        tmp_path,
        [{"id": 1, "text": "Is there a roadmap for merge request approval rules? When will it ship?"}],
    )

    assert (row["stage"], row["group"]) == ("create", "code_review")
    assert row["experts"][0] == {
        "name": "Dana Whitfield",
        "role": "Product Manager, Code Review",
        "slack_user_id": "U0DEMO0001",
        "key": "dana-whitfield",
        "why": "product manager of the group (a direction question)",
    }


def test_reasons_quote_the_words_as_the_text_wrote_them(
    routing_desk: Desk, cli: CliRunner, tmp_path: Path
) -> None:
    (row,) = _batch(cli, tmp_path, [{"id": 1, "text": "Which approvals do merge requests need?"}])

    matched = [reason for reason in row["reasons"] if reason.startswith("matched category terms")]
    assert matched and all("'approval'" not in reason for reason in matched), matched  # not the stems
    assert any("'approvals'" in reason for reason in matched), matched


def test_bad_rows_and_missing_directory(desk: Desk, cli: CliRunner, tmp_path: Path) -> None:
    empty = cli.invoke(app, ["route", "hello"])
    assert empty.exit_code == 1 and "directory is empty" in empty.output
    assert cli.invoke(app, ["route"]).exit_code == 1


def test_pretty_output_and_bad_batch_rows(routing_desk: Desk, cli: CliRunner, tmp_path: Path) -> None:
    pretty = cli.invoke(
        app,
        [
            "route",
            "Masked CI/CD variables: a protected variable is shown in the job log of pipelines on "
            "protected branches. Are masked variables passed to jobs?",
        ],
    )
    assert pretty.exit_code == 0, pretty.output
    assert "ask in #g_pipeline-execution" in pretty.output and "CI/CD variables" in pretty.output

    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    result = cli.invoke(app, ["route", "--batch", str(path)])
    assert result.exit_code == 2
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [row["channel"] for row in rows] == ["#questions", "#questions"]
    assert rows[0]["id"] == 1 and "text" in rows[0]["error"]


def test_feature_titles_from_features_yml_route_and_are_named(
    routing_desk: Desk, cli: CliRunner, tmp_path: Path
) -> None:
    text = {"id": "lock", "text": "How do I turn on lockfile verification? It rejects our installs."}
    # Neither the demo directory nor the docs tree knows these words: nothing to route with.
    (before,) = _batch(cli, tmp_path, [text])
    assert before["stage"] is None and before["group"] is None

    folder = tmp_path / "directory"
    shutil.copytree(DEMO / "taxonomy", folder)
    (folder / "features.yml").write_text(
        "features:\n"
        "  - title: Lockfile verification for installs\n"
        "    description: Checks every downloaded package against the lockfile.\n"
        "    category: [package_registry]\n"
        "  - title: Verification of signed commits\n"
        "    category: [source_code_management]\n",
        encoding="utf-8",
    )
    imported = cli.invoke(app, ["experts", "import", "--taxonomy", str(folder)])
    assert imported.exit_code == 0, imported.output

    (after,) = _batch(cli, tmp_path, [text])
    assert (after["stage"], after["group"], after["category"]) == (
        "package",
        "package_registry",
        "package_registry",
    )
    assert any(
        "matched category terms 'lockfile'" in reason
        and "Package Registry (package/package_registry), feature 'Lockfile verification for installs'"
        in reason
        for reason in after["reasons"]
    ), after["reasons"]


def test_a_docs_page_that_a_feature_links_to_names_the_category(
    routing_desk: Desk, cli: CliRunner, tmp_path: Path
) -> None:
    text = {"id": "pat", "text": "My personal access token expired and now the API answers 401"}
    (before,) = _batch(cli, tmp_path, [text])
    assert before["group"] == "authentication_and_authorization"
    assert before["category"] != "user_management", before["reasons"]

    folder = tmp_path / "directory"
    shutil.copytree(DEMO / "taxonomy", folder)
    (folder / "features.yml").write_text(
        "features:\n"
        "  - title: Service account lifecycle\n"
        "    link: https://docs.example.com/user/profile/personal_access_tokens/#expiry\n"
        "    category: [user_management]\n",
        encoding="utf-8",
    )
    assert cli.invoke(app, ["experts", "import", "--taxonomy", str(folder)]).exit_code == 0

    (after,) = _batch(cli, tmp_path, [text])
    assert (after["stage"], after["group"], after["category"]) == (
        "manage",
        "authentication_and_authorization",
        "user_management",
    )
