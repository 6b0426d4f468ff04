"""Settings: documented, typed, read from environment and TOML, and safe outside development."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from communitydesk.config import Settings

DOCS = Path(__file__).parents[1] / "docs" / "settings.md"


def test_every_setting_is_described_and_documented() -> None:
    documented = DOCS.read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert f"`DESK_{name.upper()}`" in documented, f"setting {name} is missing from docs/settings.md"


def test_default_secret_is_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DESK_SECRET_KEY", raising=False)
    monkeypatch.setenv("DESK_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="DESK_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("DESK_SECRET_KEY", "a-real-secret-from-the-vault")
    assert Settings().environment == "production"


def test_toml_file_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DESK_DATABASE_URL", "DESK_DATA_DIR", "DESK_ENVIRONMENT", "DESK_PORT"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "desk.toml"
    config.write_text(
        'data_dir = "/srv/desk"\nport = 9000\ncompany_names = ["Acme", "AcmeCorp"]\n', encoding="utf-8"
    )
    monkeypatch.setenv("DESK_CONFIG", str(config))
    monkeypatch.setenv("DESK_PORT", "9100")  # the environment wins over the file
    settings = Settings()
    assert settings.port == 9100
    assert settings.company_names == ["Acme", "AcmeCorp"]
    assert settings.resolved_database_url == "sqlite:////srv/desk/desk.db"


def test_unknown_settings_in_the_file_are_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "desk.toml"
    config.write_text("prot = 9000\n", encoding="utf-8")
    monkeypatch.setenv("DESK_CONFIG", str(config))
    with pytest.raises(ValidationError, match="prot"):
        Settings()
