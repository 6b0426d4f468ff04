"""One typed settings object, read from environment variables and an optional TOML file.

Every setting has a description; `tests/test_settings.py` fails when one is missing from docs/settings.md.
Settings are built once at the edge (CLI, app factory) and passed in, never read from module globals.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - refused outside development
CONFIG_FILE_ENV = "DESK_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WatchSettings(_Section):
    """What to look for: keywords or phrases, and phrases that rule a match out."""

    keywords: list[str] = Field(
        default_factory=list,
        description="Keywords or phrases to watch for (whole words, case-insensitive); "
        "empty means the company names.",
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Phrases that drop a mention even when a keyword matched (e.g. 'gitlab.io').",
    )


class SourceSettings(_Section):
    """What every polled source has: on/off, HTTP behaviour and its own watch rules."""

    enabled: bool = Field(True, description="Poll this source in `desk worker` and allow `desk ingest`.")
    base_url: str = Field("", description="API base URL; point it at a local fake server in tests.")
    timeout_seconds: float = Field(20.0, description="Timeout of one HTTP request, in seconds.")
    max_retries: int = Field(5, description="Retries of one request after 429, 5xx or a network error.")
    max_wait_seconds: float = Field(
        900.0, description="Longest wait for a rate limit to reset; a longer one ends the run (resumable)."
    )
    poll_interval_minutes: int = Field(5, description="How often `desk worker` polls this source.")
    backfill_hours: int = Field(
        24, description="How far back the first poll reaches when there is no cursor."
    )
    keywords: list[str] | None = Field(
        None, description="Keywords for this source only; unset means the global DESK_WATCH__KEYWORDS."
    )
    exclude: list[str] = Field(
        default_factory=list, description="Exclusions for this source, added to DESK_WATCH__EXCLUDE."
    )


class HackerNewsSettings(SourceSettings):
    """Hacker News through the Algolia search API, with the Firebase API for thread context."""

    base_url: str = Field("https://hn.algolia.com/api/v1", description="Algolia HN Search API base URL.")
    firebase_url: str = Field(
        "https://hacker-news.firebaseio.com/v0", description="HN Firebase API base URL (thread context)."
    )
    tags: list[str] = Field(
        default_factory=lambda: ["story", "comment"], description="Algolia item types to search (ORed)."
    )
    hits_per_page: int = Field(100, ge=1, le=1000, description="Hits per Algolia page (at most 1000).")
    settle_seconds: int = Field(
        120, description="Leave the newest seconds for the next poll, so late-indexed items are not missed."
    )
    check_dead: bool = Field(
        True, description="Ask the Firebase API about each hit and skip dead or deleted items."
    )


class RedditSettings(SourceSettings):
    """Reddit through its OAuth API (script app); off until credentials are set."""

    enabled: bool = Field(False, description="Reddit needs approved API credentials; off by default.")
    base_url: str = Field("https://oauth.reddit.com", description="Reddit OAuth API base URL.")
    token_url: str = Field(
        "https://www.reddit.com/api/v1/access_token", description="Reddit OAuth token endpoint."
    )
    client_id: str = Field("", description="Client id of the script app.")
    client_secret: SecretStr = Field(SecretStr(""), description="Secret of the script app.")
    username: str = Field("", description="Reddit account the script app acts as.")
    password: SecretStr = Field(SecretStr(""), description="Password of that Reddit account.")
    user_agent: str = Field(
        "server:communitydesk:0.1 (by /u/unknown)",
        description="User-Agent Reddit requires: <platform>:<app id>:<version> (by /u/<user>).",
    )
    subreddits: list[str] = Field(
        default_factory=list, description="Subreddits whose new posts and comments are read and filtered."
    )
    search: bool = Field(True, description="Also run a site-wide submission search per keyword.")
    page_size: int = Field(100, ge=1, le=100, description="Items per listing page (at most 100).")

    @property
    def has_credentials(self) -> bool:
        """Return whether every credential is set."""
        return bool(
            self.client_id
            and self.client_secret.get_secret_value()
            and self.username
            and self.password.get_secret_value()
        )


class DiscourseSettings(SourceSettings):
    """A Discourse forum: signed webhooks first, API polling for backfill."""

    enabled: bool = Field(False, description="Poll the forum's API (webhooks work whenever a secret is set).")
    base_url: str = Field("", description="Forum URL, e.g. https://forum.example.com.")
    api_key: SecretStr = Field(SecretStr(""), description="Admin API key (Api-Key header).")
    api_username: str = Field("system", description="User the API key acts as (Api-Username header).")
    webhook_secret: SecretStr = Field(
        SecretStr(""), description="Secret of the forum's webhook; unset refuses every webhook."
    )
    max_pages: int = Field(20, description="Pages of /posts.json read per backfill run.")


class DisqusSettings(SourceSettings):
    """Blog and docs comments through the Disqus API."""

    enabled: bool = Field(False, description="Poll Disqus; needs an API key and forums.")
    base_url: str = Field("https://disqus.com/api/3.0", description="Disqus API base URL.")
    api_key: SecretStr = Field(SecretStr(""), description="Public API key of the Disqus application.")
    forums: list[str] = Field(default_factory=list, description="Forum short names to read.")
    docs_forums: list[str] = Field(
        default_factory=list, description="Forums whose comments are docs comments (the rest are blog)."
    )
    docs_url_prefixes: list[str] = Field(
        default_factory=list,
        description="Thread URL prefixes that mark docs comments, e.g. https://docs.example.com/.",
    )


class XSettings(SourceSettings):
    """X/Twitter API v2 recent search; a paid API, so it has a monthly read budget."""

    enabled: bool = Field(False, description="Poll X; needs a bearer token.")
    base_url: str = Field("https://api.x.com/2", description="X API v2 base URL.")
    bearer_token: SecretStr = Field(SecretStr(""), description="App-only bearer token.")
    monthly_read_budget: int = Field(
        10_000, description="Posts read per calendar month (UTC); polling stops before exceeding it."
    )
    max_results: int = Field(100, ge=10, le=100, description="Posts per page (10 to 100).")
    extra_query: str = Field(
        "-is:retweet", description="Operators added to every query, e.g. '-is:retweet lang:en'."
    )


class ZendeskSettings(SourceSettings):
    """Zendesk tickets imported through the incremental export."""

    enabled: bool = Field(False, description="Import Zendesk tickets; needs a subdomain URL and a token.")
    base_url: str = Field("", description="API base URL, e.g. https://acme.zendesk.com/api/v2.")
    email: str = Field("", description="Agent email of the API token.")
    api_token: SecretStr = Field(SecretStr(""), description="Zendesk API token.")
    poll_interval_minutes: int = Field(10, description="The export allows 10 requests a minute.")
    import_tags: bool = Field(True, description="Copy Zendesk tags onto the desk ticket.")


class WorkerSettings(_Section):
    """The background worker that runs the polls."""

    backend: Literal["sqlite", "redis", "postgres"] = Field(
        "sqlite", description="Queue storage: a SQLite file in the data folder, Redis, or PostgreSQL."
    )
    url: str | None = Field(
        None, description="Redis or PostgreSQL URL of the queue (the SQLite file needs none)."
    )
    workers: int = Field(2, ge=1, description="Worker threads.")


class DocsFirstSettings(_Section):
    """Docs-first answers on tickets: reply drafts, the low-confidence threshold, docs issue drafts."""

    top: int = Field(5, ge=1, le=20, description="How many docs pages a ticket's suggestions panel shows.")
    low_confidence: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Below this suggestion confidence the desk says no page answers well "
        "and offers a docs issue.",
    )
    reply_template: Path | None = Field(
        None,
        description="Text file of the docs-first reply ($requester, $link_text, $title, $section, $url); "
        "unset uses the built-in one.",
    )
    issue_reply_template: Path | None = Field(
        None,
        description="Text file of the reply that links a filed docs issue "
        "($requester, $issue_url, $docs_url); unset uses the built-in one.",
    )
    gap_issue_template: Path | None = Field(
        None,
        description="Markdown file of a docs-gap issue body ($question, $thread_url, $ticket, $suggestions, "
        "...); unset uses the built-in one.",
    )
    wrong_issue_template: Path | None = Field(
        None,
        description="Markdown file of a 'the docs are wrong' issue body (also $docs_url); unset uses the "
        "built-in one.",
    )
    gap_title_prefix: str = Field("Docs gap: ", description="Title prefix of a docs-gap issue.")
    wrong_title_prefix: str = Field(
        "Docs feedback: ", description="Title prefix of a 'the docs are wrong' issue."
    )
    gap_labels: list[str] = Field(
        default_factory=lambda: ["documentation", "type::maintenance", "docs::new"],
        description="Labels of every docs-gap issue; devops::<stage> and group::<group> are added.",
    )
    wrong_labels: list[str] = Field(
        default_factory=lambda: ["documentation", "type::maintenance", "docs::fix"],
        description="Labels of every 'the docs are wrong' issue; "
        "devops::<stage> and group::<group> are added.",
    )


class GitLabSettings(_Section):
    """The GitLab project where docs issues are filed (python-gitlab, REST API v4)."""

    base_url: str = Field("https://gitlab.com", description="GitLab instance URL (no /api/v4).")
    token: SecretStr = Field(
        SecretStr(""), description="Access token with the api scope (sent as PRIVATE-TOKEN)."
    )
    project: str = Field(
        "", description="Project that receives docs issues: numeric id or path, e.g. gitlab-org/gitlab."
    )
    timeout_seconds: float = Field(20.0, description="Timeout of one request to GitLab, in seconds.")


class ExpertsSettings(_Section):
    """The people directory and what the desk does when an expert posts in public."""

    people_file: Path | None = Field(
        None, description="People file `desk experts import` reads when --people is not given."
    )
    routes_file: Path | None = Field(
        None, description="Routes file `desk experts import` reads when --routes is not given."
    )
    community_relations_channel: str = Field(
        "#community-relations",
        description="Where an expert's public post that no outreach ticket waited for is tracked.",
    )
    close_loop: bool = Field(
        True,
        description="Apply the expert-response rules when a known expert answers in an outreach "
        "ticket's thread.",
    )


class RoutingSettings(_Section):
    """How a text is routed to a stage, group, category, people and Slack channel."""

    aliases_file: Path | None = Field(
        None, description="Extra stage/group name aliases (same shape as taxonomy/aliases.yml)."
    )
    confidence_threshold: float = Field(
        0.35, ge=0.0, le=1.0, description="Below this confidence the fallback channel is recommended."
    )
    fallback_channel: str = Field(
        "#questions", description="Channel to ask when unsure (a fallback route in the routes file wins)."
    )
    docs_pages: int = Field(
        10, ge=0, le=50, description="How many best-matching docs pages vote with their owning stage/group."
    )
    max_experts: int = Field(5, ge=1, le=20, description="How many people a routing suggests at most.")


class SlackSettings(_Section):
    """The Slack workspace where advocates ask experts: Web API for posting, Events API for replies."""

    base_url: str = Field(
        "https://slack.com/api/", description="Slack Web API base URL; point it at a local fake in tests."
    )
    bot_token: SecretStr = Field(
        SecretStr(""), description="Bot token (xoxb-...) with chat:write, channels:history, users:read."
    )
    signing_secret: SecretStr = Field(
        SecretStr(""), description="Signing secret of the Slack app; unset refuses every Events API request."
    )
    timeout_seconds: float = Field(10.0, description="Timeout of one Slack API request, in seconds.")
    rate_limit_retries: int = Field(
        3, ge=0, description="Retries of one request after a 429, each after the Retry-After it names."
    )
    max_wait_seconds: float = Field(
        60.0, description="Longest Retry-After waited in place; a longer one queues the message for later."
    )


class OutreachSettings(_Section):
    """Asking experts in Slack: the template, the queue, reminders and the interim reply."""

    template_file: Path | None = Field(
        None,
        description="Jinja template file of the expert request; unset uses the seed's template.",
    )
    retry_backoff_minutes: float = Field(
        2.0, description="Wait before the first retry of a queued outreach; doubles per attempt."
    )
    max_backoff_minutes: float = Field(
        360.0, description="Longest wait between retries of a queued outreach (it is never dropped)."
    )
    interval_minutes: int = Field(
        5, ge=1, description="How often `desk worker` retries queued outreach and sends due reminders."
    )
    reminder_after_hours: float = Field(
        24.0, description="Hours without an expert reply in the thread before a reminder is posted there."
    )
    escalate_after_hours: float = Field(
        72.0, description="Hours without an expert reply before the group's PM/EM are asked in the thread."
    )
    draft_marker: str = Field(
        "draft:", description="A thread reply starting with this is an expert's draft for the advocate."
    )
    interim_reply: str = Field(
        "Thanks for raising this! We have asked our experts and will get back to you here soon.",
        description="Default text of the public holding reply while an expert is asked (Jinja: ticket, "
        "company, requester).",
    )


class MetricsSettings(_Section):
    """Definitions behind the metrics and the monthly report (docs/metrics.md)."""

    docs_url_bases: list[str] = Field(
        default_factory=list,
        description="URL prefixes of the docs (e.g. https://docs.gitlab.com/); a solved ticket whose notes "
        "or links hold one is a docs-first answer. Empty: DESK_DOCS_URL_BASE when it is an http(s) URL.",
    )
    rising_tags_days: int = Field(
        30,
        ge=1,
        le=366,
        description="Length of the two windows compared for tags with rising usage, in days.",
    )
    rising_tags_min_volume: int = Field(
        3, ge=1, description="A tag is listed when it was used at least this often in either window."
    )
    series_months: int = Field(
        12, ge=1, le=60, description="Months in the monthly series, the report's month last."
    )


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
