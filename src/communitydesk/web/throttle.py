"""Slow down password guessing on the login form.

Failures are counted per email and per client address inside a sliding window; once either reaches the
limit, logins for it are refused until the window has passed since the oldest counted failure. The
counts live in this process's memory: enough for the desk's single web process, and a restart only
forgets failures (it never locks anyone out).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class LoginThrottle:
    def __init__(
        self, *, max_failures: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_failures = max_failures
        self._window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, *, email: str, client: str) -> int:
        """Seconds until a login for this email from this client may be tried again; 0 when it may now."""
        if self._max_failures <= 0:
            return 0
        now = self._clock()
        with self._lock:
            waits = [self._wait(key, now) for key in self._keys(email, client)]
        return max(waits)

    def failed(self, *, email: str, client: str) -> None:
        now = self._clock()
        with self._lock:
            for key in self._keys(email, client):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, *, email: str) -> None:
        """A right password clears the email's count (not the address's: one client may try many emails)."""
        with self._lock:
            self._failures.pop(self._email_key(email), None)

    def _wait(self, key: str, now: float) -> int:
        times = self._failures.get(key)
        if not times:
            return 0
        while times and now - times[0] >= self._window:
            times.popleft()
        if not times:
            del self._failures[key]
            return 0
        if len(times) < self._max_failures:
            return 0
        # Blocked until enough old failures leave the window to bring the count below the limit.
        unblocking = times[len(times) - self._max_failures]
        return max(1, math.ceil(unblocking + self._window - now))

    def _keys(self, email: str, client: str) -> tuple[str, str]:
        return self._email_key(email), f"client:{client}"

    @staticmethod
    def _email_key(email: str) -> str:
        return f"email:{email.strip().lower()}"
