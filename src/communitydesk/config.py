"""One typed settings object, read from environment variables and an optional TOML file.

Every setting has a description; `tests/test_settings.py` fails when one is missing from docs/settings.md.
Settings are built once at the edge (CLI, app factory) and passed in, never read from module globals.
The nested sections (DESK_<SECTION>__<NAME>) are defined in `communitydesk.settings`, by what they configure.
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

from communitydesk.settings.docs import DocsFirstSettings, GitLabSettings
from communitydesk.settings.experts import ExpertsSettings, OutreachSettings, RoutingSettings, SlackSettings
from communitydesk.settings.intake import (
    DiscourseSettings,
    DisqusSettings,
    HackerNewsSettings,
    RedditSettings,
    SourceSettings,
    WatchSettings,
    WorkerSettings,
    XSettings,
    ZendeskSettings,
)
from communitydesk.settings.metrics import MetricsSettings

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
    login_max_failures: int = Field(
        5,
        ge=0,
        description="Failed web logins per email, and per client address, before logins for it pause "
        "(0 turns the limit off).",
    )
    login_window_minutes: int = Field(
        15, ge=1, description="Window in which failed logins are counted, and the longest pause, in minutes."
    )
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, description="Port the web server listens on.")
    docs_index_path: Path | None = Field(
        None,
        description="SQLite file of the docs search index; defaults to docs_index.sqlite in the data folder.",
    )
    docs_url_base: str = Field(
        "/", description="Public URL of the root of an indexed docs tree, when `desk docs index` gets none."
    )
    docs_url_style: Literal["directory", "html", "markdown"] = Field(
        "directory", description="How a docs page path becomes a URL: a/b.md -> a/b/, a/b.html or a/b.md."
    )
    docs_exclude: list[str] = Field(
        default_factory=lambda: ["AGENTS.md", "CLAUDE.md"],
        description="Glob patterns (path or file name) of Markdown files in docs trees that are not pages.",
    )
    docs_first: DocsFirstSettings = Field(
        default_factory=DocsFirstSettings,
        description="Docs-first answers on tickets: reply and docs issue templates, confidence threshold.",
    )
    gitlab: GitLabSettings = Field(
        default_factory=GitLabSettings, description="GitLab project and token for filing docs issues."
    )
    docs_semantic: bool = Field(
        False,
        description="Use the semantic extra: fuse page vectors made by `desk docs embed` with BM25 (RRF).",
    )
    watch: WatchSettings = Field(
        default_factory=WatchSettings, description="Keywords and exclusions every source watches for."
    )
    hackernews: HackerNewsSettings = Field(
        default_factory=HackerNewsSettings, description="Hacker News source (Algolia + Firebase)."
    )
    reddit: RedditSettings = Field(default_factory=RedditSettings, description="Reddit source (OAuth).")
    discourse: DiscourseSettings = Field(
        default_factory=DiscourseSettings, description="Discourse forum source (webhooks + API)."
    )
    disqus: DisqusSettings = Field(
        default_factory=DisqusSettings, description="Disqus source for blog and docs comments."
    )
    x: XSettings = Field(default_factory=XSettings, description="X/Twitter API v2 source (paid).")
    zendesk: ZendeskSettings = Field(
        default_factory=ZendeskSettings, description="Zendesk ticket import (incremental export)."
    )
    worker: WorkerSettings = Field(
        default_factory=WorkerSettings, description="Background worker (`desk worker`) queue."
    )
    experts: ExpertsSettings = Field(
        default_factory=ExpertsSettings, description="People directory and closing the loop."
    )
    routing: RoutingSettings = Field(
        default_factory=RoutingSettings, description="Routing texts to stages, groups, people, channels."
    )
    slack: SlackSettings = Field(
        default_factory=SlackSettings, description="Slack Web API and Events API (expert outreach)."
    )
    outreach: OutreachSettings = Field(
        default_factory=OutreachSettings, description="Expert outreach: template, queue, reminders."
    )
    metrics: MetricsSettings = Field(
        default_factory=MetricsSettings, description="Metrics and the monthly report."
    )

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

    def watch_keywords(self, source: SourceSettings) -> list[str]:
        """Return the keywords a source watches: its own, else the global ones, else the company names."""
        return list(source.keywords or self.watch.keywords or self.company_names)

    def watch_exclusions(self, source: SourceSettings) -> list[str]:
        """Return the exclusions of a source: the global ones plus its own."""
        return [*self.watch.exclude, *source.exclude]

    @property
    def resolved_docs_url_bases(self) -> list[str]:
        """Return the docs URL prefixes metrics look for: the metrics setting, else an absolute docs base."""
        if self.metrics.docs_url_bases:
            return list(self.metrics.docs_url_bases)
        base = self.docs_url_base
        return [base] if base.lower().startswith(("http://", "https://")) else []

    @property
    def resolved_docs_index_path(self) -> Path:
        """Return the docs index file, defaulting to docs_index.sqlite in the data folder."""
        return self.docs_index_path or self.data_dir / "docs_index.sqlite"

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
