"""Importing a product directory in GitLab's stages.yml + categories.yml format."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from communitydesk.demo.loader import DEMO_TAXONOMY
from communitydesk.runtime import Desk
from communitydesk.taxonomy import service as taxonomy
from communitydesk.taxonomy.importer import import_folder
from communitydesk.taxonomy.yaml_files import TaxonomyError

REPO = Path(__file__).parents[2]
GITLAB_2022 = REPO / ".." / "shared" / "data" / "taxonomy" / "www-gitlab-com_2022-11"
needs_gitlab_files = pytest.mark.skipif(
    not (GITLAB_2022 / "stages.yml").is_file(),
    reason=f"GitLab's real taxonomy files are not in {GITLAB_2022.resolve()}",
)


def _write(folder: Path, stages: str, categories: str = "{}\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stages.yml").write_text(stages, encoding="utf-8")
    (folder / "categories.yml").write_text(categories, encoding="utf-8")
    return folder


def test_demo_directory_imports_with_people_and_channels(desk: Desk) -> None:
    result = import_folder(desk.sessions, DEMO_TAXONOMY)

    assert (result.stages.created, result.groups.created, result.categories.created) == (4, 8, 13)
    with desk.sessions() as session:
        assert taxonomy.counts(session) == (4, 8, 13)
        create = taxonomy.get_stage_by_key(session, "create")
        verify = taxonomy.get_stage_by_key(session, "verify")
        review = taxonomy.get_group_by_key(session, "code_review")
        packages = taxonomy.get_group_by_key(session, "package_registry")
        category = taxonomy.get_category_by_key(session, "code_review")
        orphan = taxonomy.get_category_by_key(session, "release_evidence")
        assert create and verify and review and packages and category and orphan
        assert create.slack_channel == "#s_create"  # no slack entry: the #s_<stage> convention
        assert verify.slack_channel == "#s_verify"
        assert review.slack_channel == "#g_code-review"
        assert packages.slack_channel is None  # "TBD" is not a channel
        assert review.stage_id == create.id
        assert review.attributes["pm"] == "Dana Whitfield"
        assert review.attributes["support"] == ["Aiko Sato"]
        assert review.attributes["tech_writer"] == "Jonah Fischer"
        assert "groups" not in create.attributes
        assert (category.group_id, category.stage_id) == (review.id, create.id)
        assert category.description and "approval rules" in category.description
        assert orphan.group_id is None and orphan.stage_id is not None


def test_reimport_changes_nothing(desk: Desk) -> None:
    import_folder(desk.sessions, DEMO_TAXONOMY)
    with desk.sessions() as session:
        before = {group.key: (group.id, group.attributes) for group in taxonomy.get_groups(session)}

    again = import_folder(desk.sessions, DEMO_TAXONOMY)

    assert not again.changed
    assert (again.stages.unchanged, again.groups.unchanged, again.categories.unchanged) == (4, 8, 13)
    with desk.sessions() as session:
        assert {group.key: (group.id, group.attributes) for group in taxonomy.get_groups(session)} == before


def test_reimport_updates_changed_rows_and_prunes_on_request(desk: Desk, tmp_path: Path) -> None:
    folder = tmp_path / "directory"
    shutil.copytree(DEMO_TAXONOMY, folder)
    import_folder(desk.sessions, folder)
    stages = yaml.safe_load((folder / "stages.yml").read_text(encoding="utf-8"))
    stages["stages"]["create"]["groups"]["code_review"]["name"] = "Code Review & Approvals"
    # The runner group moves to the create stage; the package stage goes away.
    stages["stages"]["create"]["groups"]["runner"] = stages["stages"]["verify"]["groups"].pop("runner")
    del stages["stages"]["package"]
    (folder / "stages.yml").write_text(yaml.safe_dump(stages, allow_unicode=True), encoding="utf-8")

    kept = import_folder(desk.sessions, folder)
    assert (kept.groups.updated, kept.groups.removed) == (2, 0)  # renamed + moved; nothing pruned
    pruned = import_folder(desk.sessions, folder, prune=True)

    assert (pruned.stages.removed, pruned.groups.removed) == (1, 2)
    with desk.sessions() as session:
        create = taxonomy.get_stage_by_key(session, "create")
        review = taxonomy.get_group_by_key(session, "code_review")
        runner = taxonomy.get_group_by_key(session, "runner")
        registry = taxonomy.get_category_by_key(session, "container_registry")
        assert create and review and runner and registry
        assert review.name == "Code Review & Approvals"
        assert runner.stage_id == create.id
        assert taxonomy.get_stage_by_key(session, "package") is None
        # Its categories are still in categories.yml: kept, without a group.
        assert registry.group_id is None


@needs_gitlab_files
def test_real_gitlab_directory_counts(desk: Desk) -> None:
    result = import_folder(desk.sessions, GITLAB_2022)

    assert (result.stages.total, result.groups.total, result.categories.total) == (20, 60, 139)
    with desk.sessions() as session:
        assert taxonomy.counts(session) == (20, 60, 139)
        manage = taxonomy.get_stage_by_key(session, "manage")
        package = taxonomy.get_stage_by_key(session, "package")
        registry = taxonomy.get_group_by_key(session, "container_registry")
        subgroups = taxonomy.get_category_by_key(session, "subgroups")
        assert manage and package and registry and subgroups
        assert manage.slack_channel == "#s_manage"
        assert package.slack_channel == "#s_package"
        assert registry.slack_channel == "#g_container-registry"
        assert registry.attributes["slack"]["channel"] == "g_container-registry"
        assert "tech_writer" in registry.attributes and "support" in registry.attributes
        assert subgroups.attributes["available"] == "2017-03-22"  # YAML dates stored as ISO text
        # features.yml beside them: each category's features, in users' words.
        access = taxonomy.get_category_by_key(session, "system_access")
        assert access is not None
        assert "Restrict access by IP address" in [f["title"] for f in access.attributes["features"]]
    # The 2022 files disagree with themselves in three places; the import says how it resolved them.
    assert any("value_stream_management" in warning for warning in result.warnings)
    assert any("'gitaly'" in warning for warning in result.warnings)
    assert not import_folder(desk.sessions, GITLAB_2022).changed


def test_malformed_yaml_names_file_line_and_column(desk: Desk, tmp_path: Path) -> None:
    folder = _write(tmp_path, "stages:\n  plan:\n\tdisplay_name: Plan\n")

    with pytest.raises(TaxonomyError, match=r"stages\.yml:3:1: invalid YAML: found character '\\t'"):
        import_folder(desk.sessions, folder)


def test_duplicate_keys_are_refused_with_their_location(desk: Desk, tmp_path: Path) -> None:
    folder = _write(tmp_path, "stages:\n  plan:\n    display_name: Plan\n  plan:\n    display_name: Again\n")

    with pytest.raises(TaxonomyError, match=r"stages\.yml:4:3: invalid YAML: found duplicate key 'plan'"):
        import_folder(desk.sessions, folder)


@pytest.mark.parametrize(
    ("stages", "categories", "message"),
    [
        ("plan:\n  display_name: Plan\n", "{}\n", r"stages\.yml: missing top-level key 'stages'"),
        ("stages: [plan, create]\n", "{}\n", r"stages\.yml: stages: expected a mapping .*got a list"),
        (
            "stages:\n  plan:\n    groups:\n      - project_management\n",
            "{}\n",
            r"stages\.yml: stages\.plan\.groups: expected a mapping of group key to group, got a list",
        ),
        (
            "stages:\n  plan:\n    groups:\n      pm:\n        categories: wiki\n",
            "{}\n",
            r"stages\.plan\.groups\.pm\.categories: expected a list of category keys",
        ),
        ("stages: {}\n", "- wiki\n", r"categories\.yml: expected a mapping of category key to category"),
        ("stages: {}\n", "", r"categories\.yml: expected a mapping .*got nothing"),
    ],
)
def test_structurally_wrong_files_name_the_file_and_path(
    desk: Desk, tmp_path: Path, stages: str, categories: str, message: str
) -> None:
    with pytest.raises(TaxonomyError, match=message):
        import_folder(desk.sessions, _write(tmp_path, stages, categories))
    with desk.sessions() as session:
        assert taxonomy.counts(session) == (0, 0, 0)


def test_group_keys_must_be_unique_across_stages(desk: Desk, tmp_path: Path) -> None:
    folder = _write(
        tmp_path,
        "stages:\n  plan:\n    groups:\n      docs: {name: Docs}\n"
        "  create:\n    groups:\n      docs: {name: Docs too}\n",
    )

    with pytest.raises(TaxonomyError, match=r"stages\.create\.groups\.docs: .*also used under stage 'plan'"):
        import_folder(desk.sessions, folder)


def test_missing_files_are_named(desk: Desk, tmp_path: Path) -> None:
    (tmp_path / "stages.yml").write_text("stages: {}\n", encoding="utf-8")

    with pytest.raises(FileNotFoundError, match=r"missing categories\.yml"):
        import_folder(desk.sessions, tmp_path)
    with pytest.raises(FileNotFoundError, match=r"no such folder"):
        import_folder(desk.sessions, tmp_path / "nope")


def _with_features(tmp_path: Path, features: str) -> Path:
    folder = tmp_path / "directory"
    shutil.copytree(DEMO_TAXONOMY, folder)
    (folder / "features.yml").write_text(features, encoding="utf-8")
    return folder


def test_features_file_adds_each_categorys_features(desk: Desk, tmp_path: Path) -> None:
    folder = _with_features(
        tmp_path,
        "features:\n"
        "  - title: 'Suggested reviewers'\n"
        "    description: 'Reviewers   proposed from the\n    files a merge request changes.'\n"
        "    link: https://docs.example.com/user/project/merge_requests/reviews/\n"
        "    category: [code_review, no_such_category]\n"
        "    gitlab_core: true\n"
        "  - title: ' '\n"
        "    link_description: 'Registry cleanup policies'\n"
        "    category: container_registry\n"
        "  - title: 'Community forum'\n"
        "    category: [unknown]\n"
        "  - title: ''\n"
        "    category: [runner]\n",
    )

    result = import_folder(desk.sessions, folder)

    with desk.sessions() as session:
        review = taxonomy.get_category_by_key(session, "code_review")
        registry = taxonomy.get_category_by_key(session, "container_registry")
        runner = taxonomy.get_category_by_key(session, "runner")
        assert review and registry and runner
        assert review.attributes["features"] == [
            {
                "title": "Suggested reviewers",
                "description": "Reviewers proposed from the files a merge request changes.",
                "link": "https://docs.example.com/user/project/merge_requests/reviews/",
            }
        ]
        # A blank title: the link's text names the feature.
        assert [f["title"] for f in registry.attributes["features"]] == ["Registry cleanup policies"]
        assert "features" not in runner.attributes
    assert any("features.yml: 1 features name no known category" in w for w in result.warnings)
    assert any("1 features have neither a title nor a link_description" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ("- title: x\n", r"features\.yml: expected a mapping with a top-level 'features' list"),
        ("features: {title: x}\n", r"features\.yml: features: expected a list of features, got a mapping"),
        ("features:\n  - just text\n", r"features\.yml: features\[0\]: expected a mapping of feature fields"),
        (
            "features:\n  - title: ok\n    category: runner\n  - title: x\n    category: {a: b}\n",
            r"features\.yml: features\[1\]\.category: expected a category key or a list of them",
        ),
        ("features:\n  - title: [a, b]\n", r"features\[0\]\.title: expected text, got a list"),
    ],
)
def test_malformed_features_file_names_the_feature(
    desk: Desk, tmp_path: Path, features: str, message: str
) -> None:
    with pytest.raises(TaxonomyError, match=message):
        import_folder(desk.sessions, _with_features(tmp_path, features))
    with desk.sessions() as session:
        assert taxonomy.counts(session) == (0, 0, 0)
