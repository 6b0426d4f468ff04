"""The semantic extra: pinned model files, `desk docs embed`, fusion with BM25 (skipped without it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.config import Settings
from communitydesk.docs import semantic, service
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from tests.docs.conftest import BASE

needs_extra = pytest.mark.skipif(not semantic.available(), reason="the semantic extra is not installed")
# No word in common with the runner page ("Register a runner"): only meaning can find it.
PARAPHRASE = "how do I enroll a new build agent machine"


@needs_extra
def test_a_model_file_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    real = semantic.model_dir()
    (tmp_path / "model.safetensors").symlink_to(real / "model.safetensors")
    tampered = (real / "tokenizer.json").read_bytes().replace(b'"[UNK]"', b'"[UNK ]"', 1)
    (tmp_path / "tokenizer.json").write_bytes(tampered)

    with pytest.raises(semantic.SemanticUnavailable, match=r"tokenizer\.json has SHA-256 .* refusing"):
        semantic.Encoder(tmp_path)
    semantic.verify(real)  # the installed files are the pinned ones


@needs_extra
def test_embed_then_fused_suggestions_find_a_paraphrase(
    cli: CliRunner, settings: Settings, docs_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.invoke(app, ["docs", "index", str(docs_tree), "--url-base", BASE]).exit_code == 0
    lexical = service.open_index(settings)
    assert lexical.semantic is None  # off by default
    assert all(s.path != "runners/register.md" for s in service.suggest(lexical, PARAPHRASE).suggestions)
    lexical.close()

    first = cli.invoke(app, ["docs", "embed", "--threads", "1"])
    again = cli.invoke(app, ["docs", "embed", "--threads", "1"])
    assert first.exit_code == 0, first.output
    assert "4 pages embedded" in first.stdout
    assert "0 pages embedded" in again.stdout  # only pages without a vector

    monkeypatch.setenv("DESK_DOCS_SEMANTIC", "true")
    fused = service.open_index(Settings())
    try:
        assert fused.semantic is not None
        paths = [s.path for s in service.suggest(fused, PARAPHRASE).suggestions]
        assert "runners/register.md" in paths
    finally:
        fused.close()


@needs_extra
def test_vectors_of_a_changed_page_are_dropped_with_it(indexed: SqliteDocsIndex, docs_tree: Path) -> None:
    assert service.embed(indexed) == 4
    (docs_tree / "runners" / "register.md").write_text(
        "---\ntitle: Runners\n---\n\nChanged.\n", encoding="utf-8"
    )
    service.index(indexed, [service.DocsTree(docs_tree, service.UrlRule(BASE))], exclude=("AGENTS.md",))
    assert [text for _, text in indexed.pages_to_embed(semantic.MODEL_ID)] == ["Runners"]
