"""Slack request signatures (v0): `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:<ts>:<raw body>")>`.

Checked over the raw bytes before anything is parsed; a request older (or newer) than five minutes is
refused so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

VERSION = "v0"
REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the X-Slack-Signature value Slack sends for this timestamp and body."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def check(
    secret: str, body: bytes, timestamp: str | None, header: str | None, *, now: float | None = None
) -> str | None:
    """Return why the request is not Slack's (None when it is): missing, stale or wrong signature."""
    if not secret:
        return "Slack events are off: set DESK_SLACK__SIGNING_SECRET"
    if not timestamp or not header:
        return "missing X-Slack-Request-Timestamp or X-Slack-Signature"
    if not timestamp.isdigit():
        return "X-Slack-Request-Timestamp is not a Unix time"
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return "request timestamp is outside the 5-minute window"
    if not hmac.compare_digest(sign(secret, timestamp, body), header.strip()):
        return "wrong X-Slack-Signature"
    return None
