"""Every source setting is described and documented in docs/settings.md with its env var name."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from communitydesk.config import Settings
from communitydesk.settings.intake import SourceSettings

DOCS = Path(__file__).parents[2] / "docs" / "settings.md"


def test_every_nested_setting_is_described_and_documented() -> None:
    documented = DOCS.read_text(encoding="utf-8")
    for section, field in Settings.model_fields.items():
        model = field.annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        for name, nested in model.model_fields.items():
            assert nested.description, f"{section}.{name} has no description"
            specific = f"`DESK_{section.upper()}__{name.upper()}`"
            common = f"`DESK_<SOURCE>__{name.upper()}`"
            shared = issubclass(model, SourceSettings) and name in SourceSettings.model_fields
            assert specific in documented or (shared and common in documented), (
                f"{specific} is not documented"
            )


def test_nested_settings_come_from_the_environment_and_secrets_stay_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DESK_HACKERNEWS__HITS_PER_PAGE", "50")
    monkeypatch.setenv("DESK_REDDIT__CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("DESK_WATCH__KEYWORDS", '["GitLab", "GitLab CI"]')

    settings = Settings()

    assert settings.hackernews.hits_per_page == 50
    assert settings.watch_keywords(settings.hackernews) == ["GitLab", "GitLab CI"]
    assert settings.reddit.client_secret.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings.model_dump())
