"""Shared pieces of the fake provider servers."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Serve the fakes on 127.0.0.1 (never 'localhost', which may resolve to ::1) on a free port."""
    return ("127.0.0.1", 0)


class Sleeps(list[float]):
    """An injected sleeper that records the waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
