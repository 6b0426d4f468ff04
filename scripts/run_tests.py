"""Run the test suite on SQLite, then again on PostgreSQL when a server is reachable.

In CI (CI=true) an unreachable PostgreSQL is a failure, not a skip. The PostgreSQL URL comes from
DESK_TEST_POSTGRES_URL (default: the local server's `test` database).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_reachable(url: str) -> str | None:
    """Return None when the server answers, else the reason it does not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


def run_pytest(label: str, env: dict[str, str], extra: list[str]) -> int:
    print(f"\n=== test suite on {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *extra], env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args, extra = parser.parse_known_args()
    failures = 0
    if args.only in (None, "sqlite"):
        env = {k: v for k, v in os.environ.items() if k != "DESK_TEST_DATABASE_URL"}
        failures += run_pytest("SQLite", env, extra) != 0
    if args.only in (None, "postgres"):
        url = os.environ.get("DESK_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        reason = postgres_reachable(url)
        if reason is None:
            failures += (
                run_pytest(f"PostgreSQL ({url})", {**os.environ, "DESK_TEST_DATABASE_URL": url}, extra) != 0
            )
        elif os.environ.get("CI") == "true" or args.only == "postgres":
            print(f"PostgreSQL at {url} is not reachable: {reason}", file=sys.stderr)
            failures += 1
        else:
            print(f"\nPostgreSQL suite skipped: {url} is not reachable ({reason})", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
