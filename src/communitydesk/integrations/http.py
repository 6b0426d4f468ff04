"""JSON over HTTP with the retries every provider needs: 429 and 5xx, Retry-After and rate-limit headers.

The sleeper is injected, so tests check the waits without sleeping.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from communitydesk.integrations.base import CredentialsError, ProviderError, RateLimitedError
from communitydesk.settings.intake import SourceSettings

logger = logging.getLogger(__name__)

Sleeper = Callable[[float], None]
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Reset headers hold either seconds from now (Reddit) or a Unix time (X, GitHub); above this it's a time.
_EPOCH_THRESHOLD = 10**9


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry one request."""

    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_wait: float = 900.0

    @classmethod
    def from_settings(cls, settings: SourceSettings) -> RetryPolicy:
        return cls(max_retries=settings.max_retries, max_wait=settings.max_wait_seconds)


def make_client(
    settings: SourceSettings,
    *,
    base_url: str | None = None,
    headers: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """Return an httpx client for a provider, with its base URL and timeout from settings."""
    return httpx.Client(
        base_url=base_url if base_url is not None else settings.base_url,
        timeout=httpx.Timeout(settings.timeout_seconds),
        headers={"User-Agent": "communitydesk/0.1", "Accept": "application/json", **(headers or {})},
        transport=transport,
        follow_redirects=False,
    )


def retry_after_seconds(response: httpx.Response, *, now: float | None = None) -> float | None:
    """Return how long the provider asks us to wait, from Retry-After or rate-limit reset headers."""
    value = response.headers.get("Retry-After")
    now = time.time() if now is None else now
    if value:
        value = value.strip()
        if value.replace(".", "", 1).isdigit():
            return float(value)
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return max(0.0, moment.timestamp() - now)
    for name in ("X-Ratelimit-Reset", "X-Rate-Limit-Reset", "RateLimit-Reset"):
        reset = response.headers.get(name)
        if reset:
            try:
                seconds = float(reset)
            except ValueError:
                continue
            return max(0.0, seconds - now) if seconds > _EPOCH_THRESHOLD else seconds
    return None


def _remaining(response: httpx.Response) -> float | None:
    for name in ("X-Ratelimit-Remaining", "X-Rate-Limit-Remaining", "RateLimit-Remaining"):
        value = response.headers.get(name)
        if value is not None:
            try:
                return float(value)
            except ValueError:
                return None
    return None


class JsonApi:
    """Send requests through an httpx client, retry what is worth retrying, and return parsed JSON."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        provider: str,
        retry: RetryPolicy | None = None,
        sleep: Sleeper = time.sleep,
        credentials_hint: str = "",
    ) -> None:
        self.client = client
        self.provider = provider
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.credentials_hint = credentials_hint
        self.requests = 0
        self._wait_before_next = 0.0

    def get(self, url: str, *, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """GET a JSON document."""
        return self.request("GET", url, params=params, **kwargs)

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send one request with retries and return its JSON body."""
        response = self.send(method, url, **kwargs)
        return self.parse(response)

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request with retries; return the first non-retryable response."""
        if self._wait_before_next:
            self._wait(self._wait_before_next, reason="rate limit exhausted")
            self._wait_before_next = 0.0
        attempt = 0
        while True:
            attempt += 1
            try:
                self.requests += 1
                response = self.client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if attempt > self.retry.max_retries:
                    reason = f"{exc.__class__.__name__}: {exc}"
                    raise ProviderError(
                        f"{self.provider}: cannot reach {self.client.base_url}: {reason}"
                    ) from exc
                self._wait(self._backoff(attempt), reason=f"{exc.__class__.__name__}")
                continue
            if response.status_code in (401, 403):
                raise CredentialsError(
                    f"{self.provider} refused the credentials (HTTP {response.status_code}) on "
                    f"{response.request.url.path}{self.credentials_hint}"
                )
            if response.status_code in RETRY_STATUSES:
                if attempt > self.retry.max_retries:
                    if response.status_code == 429:
                        raise RateLimitedError(
                            f"{self.provider}: still rate limited after {self.retry.max_retries} retries"
                        )
                    raise ProviderError(
                        f"{self.provider}: HTTP {response.status_code} after {self.retry.max_retries} retries"
                    )
                asked = retry_after_seconds(response)
                delay = asked if asked is not None else self._backoff(attempt)
                self._wait(delay, reason=f"HTTP {response.status_code}")
                continue
            remaining = _remaining(response)
            if remaining is not None and remaining <= 0:
                self._wait_before_next = retry_after_seconds(response) or 0.0
            return response

    def parse(self, response: httpx.Response) -> Any:
        """Return the JSON body of a successful response, or raise ProviderError saying what came."""
        if response.status_code >= 400:
            raise ProviderError(
                f"{self.provider}: HTTP {response.status_code} on {response.request.url.path}: "
                f"{response.text[:200]}"
            )
        content_type = response.headers.get("Content-Type", "")
        if "json" not in content_type.lower():
            got = content_type or "no content type"
            raise ProviderError(f"{self.provider}: expected JSON from {response.request.url.path}, got {got}")
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderError(f"{self.provider}: invalid JSON from {response.request.url.path}") from exc

    def _backoff(self, attempt: int) -> float:
        delay: float = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not security

    def _wait(self, seconds: float, *, reason: str) -> None:
        if seconds > self.retry.max_wait:
            raise RateLimitedError(
                f"{self.provider} asks to wait {seconds:.0f}s ({reason}), more than the allowed "
                f"{self.retry.max_wait:.0f}s; the next run resumes from the stored cursor"
            )
        logger.info("%s: waiting %.1fs (%s)", self.provider, seconds, reason)
        self.sleep(seconds)


def utc_from_timestamp(value: float) -> datetime:
    """Return an aware UTC datetime for a Unix time."""
    return datetime.fromtimestamp(value, UTC)
