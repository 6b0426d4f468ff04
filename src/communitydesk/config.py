"""One typed settings object, read from environment variables and an optional TOML file.

Every setting has a description; `tests/test_settings.py` fails when one is missing from docs/settings.md.
Settings are built once at the edge (CLI, app factory) and passed in, never read from module globals.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - refused outside development
CONFIG_FILE_ENV = "DESK_CONFIG"


class Settings(BaseSettings):
    """Settings of one Community Desk deployment."""

    model_config = SettingsConfigDict(env_prefix="DESK_", env_nested_delimiter="__", extra="forbid")

    environment: Literal["development", "test", "production"] = Field(
        "development", description="Deployment kind; outside development a real secret key is required."
    )
    data_dir: Path = Field(Path("data"), description="Folder for the SQLite database and other local state.")
    database_url: str | None = Field(
        None, description="SQLAlchemy database URL; defaults to a SQLite file desk.db in the data folder."
    )
    secret_key: SecretStr = Field(
        SecretStr(DEFAULT_SECRET), description="Key that signs login sessions and CSRF tokens."
    )
    company_names: list[str] = Field(
        default_factory=lambda: ["GitLab"],
        description="Names whose appearance in a mention means it names the company (case-insensitive).",
    )
    macros_file: Path | None = Field(
        None, description="Optional YAML file with extra macros or overrides of the built-in ones."
    )
    session_max_age_seconds: int = Field(
        14 * 24 * 3600, description="How long a web login stays valid, in seconds."
    )
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, description="Port the web server listens on.")

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key.get_secret_value() == DEFAULT_SECRET:
            raise ValueError("DESK_SECRET_KEY must be set to a real secret when DESK_ENVIRONMENT=production")
        return self

    @property
    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'desk.db').resolve()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get(CONFIG_FILE_ENV)
        if config_file:
            path = Path(config_file)
            if not path.is_file():
                raise FileNotFoundError(f"{CONFIG_FILE_ENV} points to {path}, which is not a file")
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, the optional TOML file and explicit overrides."""
    return Settings(**overrides)
