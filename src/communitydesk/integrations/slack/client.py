"""The desk's view of the Slack Web API, through slack_sdk's WebClient.

Every failure becomes a `SlackError` that says whether trying again later can help (`retryable`): Slack
being down, a network error, a 5xx or a 429 whose Retry-After is too long to wait in place are retryable;
a refusal about the request itself (channel_not_found, not_in_channel, msg_too_long) is not. A 429 with a
short Retry-After is retried in place by `HonourRetryAfter`, sleeping exactly what Slack asked.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from communitydesk.settings.experts import SlackSettings

Sleeper = Callable[[float], None]

# Errors that say nothing is wrong with the request: Slack or the desk's set-up will recover.
_TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
        # A revoked or wrong token is the deployment's problem, fixed by an admin: keep the message.
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
    }
)
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
_HISTORY_PAGES = 25  # of 200 messages: how much history a retry reads to find an earlier attempt
_LIST_PAGES = 100  # of 1000 channels


class SlackError(Exception):
    """A Slack call that failed; `retryable` says whether the same call can succeed later."""

    def __init__(
        self, message: str, *, retryable: bool, code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code
        self.retry_after = retry_after


class SlackNotConfigured(SlackError):
    """No bot token: nothing can be posted until an admin sets one."""

    def __init__(self) -> None:
        super().__init__(
            "Slack is not set up: set DESK_SLACK__BOT_TOKEN to the app's bot token (xoxb-...)",
            retryable=False,
            code="not_configured",
        )


@dataclass(frozen=True)
class PostedMessage:
    channel_id: str
    ts: str


@dataclass(frozen=True)
class MessageMark:
    """Message metadata that names the desk's record a message belongs to, to find it again."""

    event_type: str
    payload: Mapping[str, str | int]

    def as_metadata(self) -> dict[str, Any]:
        return {"event_type": self.event_type, "event_payload": dict(self.payload)}

    def matches(self, message: Mapping[str, Any]) -> bool:
        metadata = message.get("metadata")
        if not isinstance(metadata, Mapping) or metadata.get("event_type") != self.event_type:
            return False
        payload = metadata.get("event_payload")
        return isinstance(payload, Mapping) and all(
            str(payload.get(key)) == str(value) for key, value in self.payload.items()
        )


class HonourRetryAfter(RetryHandler):
    """Retry a 429 after exactly the Retry-After Slack sent, unless that is longer than we may wait."""

    def __init__(self, *, max_retry_count: int, max_wait_seconds: float, sleep: Sleeper) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_seconds = max_wait_seconds
        self.sleep = sleep

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        return retry_after_seconds(response.headers) <= self.max_wait_seconds

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        self.sleep(retry_after_seconds(response.headers if response is not None else {}))
        state.increment_current_attempt()


def retry_after_seconds(headers: Mapping[str, Any]) -> float:
    """Return the Retry-After of a response in seconds (1 when missing or unreadable)."""
    for key, value in headers.items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return 1.0
    return 1.0


class SlackClient:
    """The Slack Web API calls the desk makes."""

    def __init__(self, settings: SlackSettings, *, sleep: Sleeper = time.sleep) -> None:
        token = settings.bot_token.get_secret_value()
        if not token:
            raise SlackNotConfigured
        base_url = settings.base_url if settings.base_url.endswith("/") else settings.base_url + "/"
        self._web = WebClient(
            token=token,
            base_url=base_url,
            timeout=max(1, round(settings.timeout_seconds)),
            # No retry on connection errors or 5xx here: whether a post got through is then unknown,
            # and the outreach flow checks Slack before posting again (see outreach/flows.py).
            retry_handlers=[
                HonourRetryAfter(
                    max_retry_count=settings.rate_limit_retries,
                    max_wait_seconds=settings.max_wait_seconds,
                    sleep=sleep,
                )
            ],
        )

    def _call(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a write method with a JSON body (chat.postMessage takes metadata as an object)."""
        return self._request(method, json=params)

    def _form(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a read method with form parameters (history and users methods take no JSON body)."""
        present = {key: value for key, value in params.items() if value not in (None, "")}
        return self._request(method, params=present)

    def _request(self, method: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._web.api_call(method, **kwargs)
        except SlackApiError as exc:
            raise _as_slack_error(method, exc) from exc
        except (SlackClientError, OSError, ValueError) as exc:
            # urllib's URLError, timeouts and refused connections are OSErrors.
            raise SlackError(f"Slack {method}: cannot reach Slack: {exc}", retryable=True) from exc
        data = response.data
        if not isinstance(data, dict):
            raise SlackError(f"Slack {method}: unexpected answer", retryable=True)
        return data

    def post_message(
        self, channel: str, text: str, *, thread_ts: str | None = None, mark: MessageMark | None = None
    ) -> PostedMessage:
        """Post a message (in a thread when thread_ts is given); return where it landed."""
        params: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
        if thread_ts:
            params["thread_ts"] = thread_ts
        if mark is not None:
            params["metadata"] = mark.as_metadata()
        data = self._call("chat.postMessage", **params)
        ts = data.get("ts")
        if not isinstance(ts, str) or not ts:  # it may be posted all the same: retry looks first
            raise SlackError("Slack chat.postMessage: answer without ts", retryable=True)
        return PostedMessage(channel_id=str(data.get("channel") or channel), ts=ts)

    def permalink(self, channel_id: str, ts: str) -> str:
        data = self._form("chat.getPermalink", channel=channel_id, message_ts=ts)
        link = data.get("permalink")
        if not isinstance(link, str) or not link:
            raise SlackError("Slack chat.getPermalink: answer without permalink", retryable=True)
        return link

    def channel_id(self, channel: str) -> str:
        """Return the id of a channel given as an id or a #name (history calls need the id)."""
        name = channel.removeprefix("#")
        if _CHANNEL_ID.match(name):
            return name
        cursor = ""
        for _ in range(_LIST_PAGES):
            data = self._form(
                "conversations.list",
                types="public_channel,private_channel",
                exclude_archived="true",
                limit=1000,
                cursor=cursor,
            )
            for found in data.get("channels", []):
                if found.get("name") == name:
                    return str(found["id"])
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                break
        raise SlackError(
            f"Slack has no channel {channel} the app can see", retryable=False, code="channel_not_found"
        )

    def find_marked(
        self, channel_id: str, mark: MessageMark, *, oldest: str, thread_ts: str | None = None
    ) -> str | None:
        """Return the ts of a message carrying this mark, posted since `oldest`, or None."""
        for message in self._messages(channel_id, oldest=oldest, thread_ts=thread_ts):
            if mark.matches(message):
                return str(message["ts"])
        return None

    def _messages(self, channel_id: str, *, oldest: str, thread_ts: str | None) -> Iterator[dict[str, Any]]:
        method = "conversations.replies" if thread_ts else "conversations.history"
        params: dict[str, Any] = {"channel": channel_id, "oldest": oldest, "include_all_metadata": "true"}
        if thread_ts:
            params["ts"] = thread_ts
        cursor = ""
        for _ in range(_HISTORY_PAGES):
            data = self._form(method, limit=200, cursor=cursor, **params)
            yield from data.get("messages", [])
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                return
        # Not found in what was read, but not all was read: posting now might post twice. The request stays
        # queued with this error, for a person to look in Slack. (Retries search only from the last attempt
        # that may have posted, see OutreachRequest.history_checked_at: hours of one channel's messages.)
        raise SlackError(
            f"Slack {method}: more than {_HISTORY_PAGES * 200} messages to search for an earlier attempt",
            retryable=True,
            code="history_too_long",
        )

    def user_name(self, user_id: str) -> str | None:
        """Return a person's display name (or real name), or None when Slack cannot tell."""
        try:
            data = self._form("users.info", user=user_id)
        except SlackError:
            return None
        user = data.get("user") or {}
        profile = user.get("profile") or {}
        for name in (profile.get("display_name"), profile.get("real_name"), user.get("real_name")):
            if isinstance(name, str) and name.strip():
                return name.strip()
        return str(user["name"]) if user.get("name") else None


def _as_slack_error(method: str, exc: SlackApiError) -> SlackError:
    status = exc.response.status_code
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    code = str(data.get("error") or f"http_{status}")
    if status == 429:
        wait = retry_after_seconds(exc.response.headers)
        return SlackError(
            f"Slack {method}: rate limited for {wait:g}s", retryable=True, code=code, retry_after=wait
        )
    if status >= 500:
        return SlackError(
            f"Slack {method}: Slack answered HTTP {status}", retryable=True, code=f"http_{status}"
        )
    retryable = code in _TRANSIENT_ERRORS
    hint = " (check DESK_SLACK__BOT_TOKEN)" if code in {"invalid_auth", "not_authed", "token_revoked"} else ""
    return SlackError(f"Slack {method} refused: {code}{hint}", retryable=retryable, code=code)
