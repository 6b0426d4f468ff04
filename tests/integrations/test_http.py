"""Retries and waits of the shared JSON client, through httpx.MockTransport (no sleeping)."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from communitydesk.integrations.base import CredentialsError, ProviderError, RateLimitedError
from communitydesk.integrations.http import JsonApi, RetryPolicy
from tests.fakes.server import Sleeps

JSON = {"Content-Type": "application/json; charset=utf-8"}


def api(responses: list[httpx.Response], sleeps: Sleeps, **policy: float) -> JsonApi:
    queue: Iterator[httpx.Response] = iter(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        return next(queue)

    client = httpx.Client(base_url="https://api.example.com", transport=httpx.MockTransport(handler))
    return JsonApi(client, provider="example", retry=RetryPolicy(**policy), sleep=sleeps)  # type: ignore[arg-type]


def ok() -> httpx.Response:
    return httpx.Response(200, json={"ok": True}, headers=JSON)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (lambda: {"Retry-After": "3"}, lambda wait: wait == 3.0),
        (
            lambda: {"Retry-After": email.utils.formatdate(time.time() + 30, usegmt=True)},
            lambda wait: 28 <= wait <= 30,
        ),
        (lambda: {"X-Ratelimit-Reset": "7"}, lambda wait: wait == 7.0),
        (lambda: {"x-rate-limit-reset": str(int(time.time()) + 12)}, lambda wait: 10 <= wait <= 12),
        (lambda: {}, lambda wait: 0.5 <= wait <= 1.0),  # backoff with jitter
    ],
    ids=["retry-after-seconds", "retry-after-date", "reddit-reset", "x-reset-epoch", "backoff"],
)
def test_429_waits_as_the_provider_asks(
    headers: Callable[[], dict[str, str]], expected: Callable[[float], bool]
) -> None:
    sleeps = Sleeps()
    client = api([httpx.Response(429, headers=headers()), ok()], sleeps)

    assert client.get("/thing") == {"ok": True}
    assert len(sleeps) == 1 and expected(sleeps[0]), sleeps


def test_server_errors_back_off_and_then_give_up() -> None:
    sleeps = Sleeps()
    client = api([httpx.Response(503)] * 4, sleeps, max_retries=3)

    with pytest.raises(ProviderError, match="HTTP 503 after 3 retries"):
        client.get("/thing")
    assert len(sleeps) == 3 and sleeps[0] < sleeps[2]


def test_a_wait_longer_than_allowed_ends_the_run() -> None:
    client = api([httpx.Response(429, headers={"Retry-After": "3600"})], Sleeps(), max_wait=900)
    with pytest.raises(RateLimitedError, match="asks to wait 3600s"):
        client.get("/thing")


def test_an_exhausted_quota_waits_before_the_next_request() -> None:
    sleeps = Sleeps()
    exhausted = httpx.Response(
        200, json={}, headers={**JSON, "X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "9"}
    )
    client = api([exhausted, ok()], sleeps)

    client.get("/first")
    assert sleeps == []
    client.get("/second")
    assert sleeps == [9.0]


def test_refused_credentials_and_non_json_are_clear_errors() -> None:
    with pytest.raises(CredentialsError, match=r"refused the credentials \(HTTP 401\) on /private"):
        api([httpx.Response(401)], Sleeps()).get("/private")
    html = httpx.Response(200, text="<html>login</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(ProviderError, match="expected JSON from /page, got text/html"):
        api([html], Sleeps()).get("/page")


def test_a_refused_connection_is_retried_then_named() -> None:
    sleeps = Sleeps()
    client = JsonApi(
        httpx.Client(base_url="http://127.0.0.1:9"),
        provider="example",
        retry=RetryPolicy(max_retries=2),
        sleep=sleeps,
    )
    with pytest.raises(ProviderError, match=r"cannot reach http://127.0.0.1:9: ConnectError"):
        client.get("/x")
    assert len(sleeps) == 2
