"""A local Slack workspace speaking the Web API the desk uses, plus signed Events API requests.

Methods: chat.postMessage, chat.getPermalink, conversations.history, conversations.replies,
conversations.list, users.info. Like Slack, parameters come as a form body, a JSON body or the query
string; the bot token is checked (`not_authed` without one, `invalid_auth` for a wrong one); errors are
`{"ok": false, "error": ...}` envelopes with HTTP 200; a 429 carries Retry-After. Tests can make Slack
unavailable (503) or make it store a message and lose the answer (500 after the write), the case that
makes "never post twice" hard.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from communitydesk.config import Settings

JSON_TYPE = "application/json; charset=utf-8"
TEAM_ID = "T0DESKTEST"
BOT_USER = "U0DESKBOT1"
BOT_ID = "B0DESKBOT1"
APP_ID = "A0DESKAPP1"
TOKEN = "xoxb-1111111111-2222222222-fakeworkspacetoken"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def slack_user(user_id: str, name: str, display_name: str, real_name: str) -> dict[str, Any]:
    """Return a user shaped like users.info's `user`."""
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "deleted": False,
        "real_name": real_name,
        "tz": "Europe/Amsterdam",
        "is_admin": False,
        "is_bot": False,
        "updated": 1700000000,
        "profile": {
            "title": "",
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": display_name,
            "display_name_normalized": display_name,
            "image_48": f"https://avatars.example/{user_id}_48.png",
            "team": TEAM_ID,
        },
    }


@dataclass
class FakeSlack:
    server: HTTPServer
    token: str = TOKEN
    channels: dict[str, str] = field(
        default_factory=lambda: {"C0GXYZ0001": "g_xyz", "C0QUEST001": "questions", "C0SPLAN001": "s_plan"}
    )
    users: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            "U0EXPERT01": slack_user("U0EXPERT01", "sam", "Sam the Runner Expert", "Sam Rivera"),
        }
    )
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Retry-After values: each call of the method (key) answers 429 with the next one, while any are left.
    throttle: dict[str, deque[int]] = field(default_factory=dict)
    # How many coming requests (any method) answer 503 without doing anything: Slack is down.
    down: int = 0
    # Methods whose next call does its work and then answers 500: the response is lost.
    lose_answer: set[str] = field(default_factory=set)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _clock: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> FakeSlack:
        self.server.expect_request(re.compile(r"^/api/[A-Za-z.]+$")).respond_with_handler(self._handle)
        return self

    @property
    def base_url(self) -> str:
        return self.server.url_for("/api/")

    def posted(self, channel_id: str) -> list[dict[str, Any]]:
        """Every message in a channel, threads included, oldest first."""
        return list(self.messages.get(channel_id, []))

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    # -- plumbing -------------------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        method = request.path.removeprefix("/api/")
        params = _params(request)
        with self._lock:
            self.calls.append((method, params))
            if self.down > 0:
                self.down -= 1
                return Response("<html><body>Service Unavailable</body></html>", status=503)
            waits = self.throttle.get(method)
            if waits:
                return Response(
                    json.dumps({"ok": False, "error": "ratelimited"}),
                    status=429,
                    headers={"Retry-After": str(waits.popleft())},
                    content_type=JSON_TYPE,
                )
            auth = request.headers.get("Authorization", "")
            given = (
                auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else params.get("token")
            )
            if not given:
                return _error("not_authed")
            if given != self.token:
                return _error("invalid_auth")
            handler = getattr(self, "_" + method.replace(".", "_"), None)
            if handler is None:
                return _error("unknown_method", status=404)
            answer: Response = handler(params)
            if method in self.lose_answer:
                self.lose_answer.discard(method)
                return Response(json.dumps({"ok": False, "error": "internal_error"}), status=500)
            return answer

    def _next_ts(self) -> str:
        self._clock += 1
        return f"{int(time.time())}.{self._clock:06d}"

    def _channel_id(self, value: Any) -> str | None:
        name = str(value or "").removeprefix("#")
        if name in self.channels:
            return name
        return next((cid for cid, cname in self.channels.items() if cname == name), None)

    # -- methods ----------------------------------------------------------------------------------------

    def _chat_postMessage(self, params: dict[str, Any]) -> Response:
        channel = self._channel_id(params.get("channel"))
        if channel is None:
            return _error("channel_not_found")
        text = params.get("text")
        if not text:
            return _error("no_text")
        message: dict[str, Any] = {
            "user": BOT_USER,
            "type": "message",
            "ts": self._next_ts(),
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "text": text,
            "team": TEAM_ID,
            "bot_profile": {"id": BOT_ID, "app_id": APP_ID, "name": "Community Desk", "team_id": TEAM_ID},
        }
        if params.get("thread_ts"):
            message["thread_ts"] = str(params["thread_ts"])
            message["parent_user_id"] = BOT_USER
        metadata = params.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if isinstance(metadata, dict):
            message["metadata"] = {
                "event_type": metadata.get("event_type"),
                "event_payload": metadata.get("event_payload", {}),
            }
        self.messages.setdefault(channel, []).append(message)
        return _ok({"channel": channel, "ts": message["ts"], "message": message})

    def _chat_getPermalink(self, params: dict[str, Any]) -> Response:
        channel = self._channel_id(params.get("channel"))
        if channel is None:
            return _error("channel_not_found")
        ts = str(params.get("message_ts", ""))
        if not any(message["ts"] == ts for message in self.messages.get(channel, [])):
            return _error("message_not_found")
        return _ok(
            {
                "channel": channel,
                "permalink": f"https://desk-test.slack.com/archives/{channel}/p{ts.replace('.', '')}",
            }
        )

    def _visible(self, message: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        if _truthy(params.get("include_all_metadata")):
            return message
        return {key: value for key, value in message.items() if key != "metadata"}

    def _page(self, rows: list[dict[str, Any]], params: dict[str, Any], extra: dict[str, Any]) -> Response:
        limit = min(int(params.get("limit") or 100), 999)
        start = int(params.get("cursor") or 0)
        chunk = rows[start : start + limit]
        more = start + limit < len(rows)
        return _ok(
            {
                "messages": [self._visible(message, params) for message in chunk],
                "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""},
                **extra,
            }
        )

    def _conversations_history(self, params: dict[str, Any]) -> Response:
        channel = params.get("channel")
        if channel not in self.channels:  # history takes ids only, like Slack
            return _error("channel_not_found")
        oldest = float(params.get("oldest") or 0)
        rows = [
            message
            for message in reversed(self.messages.get(channel, []))
            if message.get("thread_ts") in (None, message["ts"]) and float(message["ts"]) > oldest
        ]
        return self._page(rows, params, {"pin_count": 0})

    def _conversations_replies(self, params: dict[str, Any]) -> Response:
        channel = params.get("channel")
        if channel not in self.channels:
            return _error("channel_not_found")
        parent_ts = str(params.get("ts", ""))
        thread = [
            message
            for message in self.messages.get(channel, [])
            if message["ts"] == parent_ts or message.get("thread_ts") == parent_ts
        ]
        if not thread:
            return _error("thread_not_found")
        return self._page(thread, params, {})

    def _conversations_list(self, params: dict[str, Any]) -> Response:
        channels = [
            {
                "id": cid,
                "name": name,
                "is_channel": True,
                "is_group": False,
                "is_im": False,
                "is_private": False,
                "is_archived": False,
                "is_member": True,
                "created": 1600000000,
                "num_members": 12,
            }
            for cid, name in self.channels.items()
        ]
        return _ok({"channels": channels, "response_metadata": {"next_cursor": ""}})

    def _users_info(self, params: dict[str, Any]) -> Response:
        user = self.users.get(str(params.get("user", "")))
        if user is None:
            return _error("user_not_found")
        return _ok({"user": user})

    # -- Events API (Slack calling the desk) -----------------------------------------------------------

    def thread_reply(
        self, channel_id: str, thread_ts: str, text: str, *, user: str = "U0EXPERT01"
    ) -> dict[str, Any]:
        """Add a person's reply to a thread and return the event_callback Slack would deliver for it."""
        with self._lock:
            ts = self._next_ts()
            message = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts,
                "thread_ts": thread_ts,
                "parent_user_id": BOT_USER,
                "team": TEAM_ID,
            }
            self.messages.setdefault(channel_id, []).append(message)
        return event_callback({**message, "channel": channel_id, "event_ts": ts, "channel_type": "channel"})


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """Wrap an event the way the Events API delivers it."""
    return {
        "token": "verification-token-unused",
        "team_id": TEAM_ID,
        "context_team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{abs(hash((event.get('ts'), event.get('type')))) % 10**10:010d}",
        "event_time": int(float(event.get("event_ts", time.time()))),
        "authorizations": [
            {"team_id": TEAM_ID, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
    }


def signed(
    payload: dict[str, Any], *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """Return the body and headers of an Events API request signed like Slack signs it (v0)."""
    body = json.dumps(payload).encode()
    return body, signature_headers(body, secret=secret, timestamp=timestamp)


def signature_headers(
    body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Return Slack's signing headers for exactly these bytes."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = {key: value for key, value in request.args.items()}
    content_type = request.headers.get("Content-Type", "")
    raw = request.get_data()
    if raw and content_type.startswith("application/json"):
        body = json.loads(raw)
        if isinstance(body, dict):
            params.update(body)
    elif raw:
        params.update({key: values[-1] for key, values in parse_qs(raw.decode()).items()})
    return params


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "true"}


def _ok(body: dict[str, Any]) -> Response:
    return Response(json.dumps({"ok": True, **body}), content_type=JSON_TYPE)


def _error(code: str, *, status: int = 200) -> Response:
    return Response(json.dumps({"ok": False, "error": code}), status=status, content_type=JSON_TYPE)


def settings_for(slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings (and the environment CLI commands read) pointed at this fake Slack."""
    monkeypatch.setenv("DESK_SLACK__BASE_URL", slack.base_url)
    monkeypatch.setenv("DESK_SLACK__BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DESK_SLACK__SIGNING_SECRET", SIGNING_SECRET)
    return Settings()
