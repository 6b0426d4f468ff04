"""Settings of intake: what to watch for, each polled source, and the worker that polls them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from communitydesk.settings.section import Section


class WatchSettings(Section):
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


class SourceSettings(Section):
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


class WorkerSettings(Section):
    """The background worker that runs the polls."""

    backend: Literal["sqlite", "redis", "postgres"] = Field(
        "sqlite", description="Queue storage: a SQLite file in the data folder, Redis, or PostgreSQL."
    )
    url: str | None = Field(
        None, description="Redis or PostgreSQL URL of the queue (the SQLite file needs none)."
    )
    workers: int = Field(2, ge=1, description="Worker threads.")
