"""Fill a desk with demo data: a small product directory, mentions on every channel, users and some work.

Everything goes through the same seams real data uses (the taxonomy importer, `ingest_rows`, macros and
the expert-response rules), and loading twice adds nothing: mentions are deduplicated by intake, users
that exist are left alone, and the demo work is only done on tickets this call created.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from communitydesk.db.base import utcnow
from communitydesk.db.engine import transaction
from communitydesk.demo import work
from communitydesk.docs import service as docs
from communitydesk.experts import service as experts
from communitydesk.experts.answers import ExpertWatch
from communitydesk.experts.flows import import_directory
from communitydesk.mentions.intake import ingest_rows
from communitydesk.mentions.models import Mention
from communitydesk.runtime import Desk
from communitydesk.taxonomy import importer
from communitydesk.taxonomy import service as taxonomy
from communitydesk.users import service as users

DEMO_DIR = Path(__file__).parent
DEMO_TAXONOMY = DEMO_DIR / "taxonomy"
DEMO_MENTIONS = DEMO_DIR / "mentions.jsonl"
DEMO_DOCS = DEMO_DIR / "docs"
DEMO_DOCS_URL_BASE = "https://docs.example.com/"
DEMO_PEOPLE = DEMO_DIR / "experts" / "people.yml"
DEMO_ROUTES = DEMO_DIR / "experts" / "routes.yml"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - published on purpose; never created in production
DEMO_USERS = (
    ("admin@example.com", "Demo Admin", "admin"),
    ("advocate@example.com", "Demo Advocate", "advocate"),
    ("viewer@example.com", "Demo Viewer", "viewer"),
)
DEMO_USER_ENVIRONMENTS = frozenset({"development", "test"})


@dataclass
class DemoSummary:
    """What one call of `load_demo` found and added."""

    taxonomy_source: str
    stages: int = 0
    groups: int = 0
    categories: int = 0
    taxonomy_changed: bool = False
    mentions_new: int = 0
    mentions_duplicate: int = 0
    mentions_rejected: int = 0
    rejects: list[str] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    users_skipped: list[str] = field(default_factory=list)
    demo_logins: list[tuple[str, str]] = field(default_factory=list)
    users_refused_reason: str | None = None
    tickets_worked: int = 0
    docs_source: str = "built-in demo docs"
    docs_pages: int = 0
    people_loaded: str | None = None

    def describe(self) -> str:
        """Return a few lines for the console, with the demo logins."""
        lines = [
            f"Taxonomy ({self.taxonomy_source}): {self.stages} stages, {self.groups} groups, "
            f"{self.categories} categories" + (" (updated)" if self.taxonomy_changed else ", unchanged"),
            f"Demo mentions: {self.mentions_new} new, {self.mentions_duplicate} already loaded"
            + (f", {self.mentions_rejected} rejected" if self.mentions_rejected else ""),
        ]
        lines.extend(f"  rejected {reason}" for reason in self.rejects)
        lines.append(f"Docs index ({self.docs_source}): {self.docs_pages} pages")
        if self.people_loaded:
            lines.append(f"Example experts (fictional): {self.people_loaded}")
        if self.tickets_worked:
            lines.append(
                f"Demo work (outreach, an expert response, assignments) on {self.tickets_worked} tickets"
            )
        if self.users_refused_reason:
            lines.append(self.users_refused_reason)
        else:
            lines.append(
                f"Demo users: {len(self.users_created)} created, {len(self.users_skipped)} already present"
            )
        lines.extend(f"Log in as {email} / {DEMO_PASSWORD} ({role})" for email, role in self.demo_logins)
        return "\n".join(lines)


def load_demo(desk: Desk, gitlab_taxonomy: Path | None = None, *, now: datetime | None = None) -> DemoSummary:
    """Load the demo directory (or GitLab's real one from a folder), mentions, users and ticket work."""
    if gitlab_taxonomy is not None:
        folder = gitlab_taxonomy.expanduser()
        summary = DemoSummary(taxonomy_source=f"GitLab files in {folder}")
        summary.taxonomy_changed = importer.import_folder(desk.sessions, folder).changed
    else:
        summary = DemoSummary(taxonomy_source="built-in demo directory")
        with desk.sessions() as session:
            keep_existing = _has_real_directory(session)
        if keep_existing:
            summary.taxonomy_source = "existing directory kept"
        else:
            summary.taxonomy_changed = importer.import_folder(desk.sessions, DEMO_TAXONOMY).changed
    with desk.sessions() as session:
        summary.stages, summary.groups, summary.categories = taxonomy.counts(session)
        has_people = bool(experts.get_people(session))
    if not has_people:  # a real people directory is never overwritten by the examples
        loaded = import_directory(desk.sessions, desk.settings, people=DEMO_PEOPLE, routes=DEMO_ROUTES)
        summary.people_loaded = loaded.experts.describe()

    _load_users(desk, summary)
    _index_demo_docs(desk, summary)

    rows = demo_mention_rows(desk.settings.company_names, now=now or utcnow())
    keys = [(row["source"], row["external_id"]) for _, row in rows]
    with desk.sessions() as session:
        already = _stored_keys(session, keys)
    report = ingest_rows(
        desk.sessions,
        rows,
        source="demo",
        company_names=desk.settings.company_names,
        watch=ExpertWatch.of(desk.settings, desk.macros),
    )
    summary.mentions_new = report.new
    summary.mentions_duplicate = report.duplicate
    summary.mentions_rejected = report.rejected
    summary.rejects = list(report.errors)

    fresh = {key for key in keys if key not in already}
    with transaction(desk.sessions) as session:
        summary.tickets_worked = work.do_demo_work(session, desk.macros, fresh=fresh)
    return summary


def _index_demo_docs(desk: Desk, summary: DemoSummary) -> None:
    """Index the demo docs tree, unless the docs index already holds other docs (kept as they are)."""
    index = docs.open_index(desk.settings)
    try:
        roots = {page.root for page in index.pages()}
        if roots - {str(DEMO_DOCS.resolve())}:
            summary.docs_source = "existing index kept"
        else:
            trees = docs.trees_from([DEMO_DOCS], [DEMO_DOCS_URL_BASE], "directory")
            docs.index(index, trees, exclude=[*desk.settings.docs_exclude, "README.md"])
        summary.docs_pages = index.counts()["pages"]
    finally:
        index.close()


def _has_real_directory(session: Session) -> bool:
    """Return whether stages not from the demo are stored; the demo directory must not overwrite them."""
    return any(stage.attributes.get("demo") is not True for stage in taxonomy.get_stages(session))


def _load_users(desk: Desk, summary: DemoSummary) -> None:
    if desk.settings.environment not in DEMO_USER_ENVIRONMENTS:
        summary.users_refused_reason = (
            f"Demo users are not created when environment={desk.settings.environment}; "
            "add users with `desk user create`."
        )
        return
    with transaction(desk.sessions) as session:
        for email, name, role in DEMO_USERS:
            if users.get_by_email(session, email) is not None:
                summary.users_skipped.append(email)
                continue
            users.create(session, email=email, name=name, role=role, password=DEMO_PASSWORD)
            summary.users_created.append(email)
    with desk.sessions() as session:
        # Only advertise logins that work: someone may have changed a demo user's password.
        for email, _, role in DEMO_USERS:
            if users.authenticate(session, email=email, password=DEMO_PASSWORD) is not None:
                summary.demo_logins.append((email, role))
        session.rollback()


def _stored_keys(session: Session, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    rows = session.execute(
        select(Mention.source, Mention.external_id).where(
            tuple_(Mention.source, Mention.external_id).in_(keys)
        )
    )
    return {(source, external_id) for source, external_id in rows}


def company_handle(company: str) -> str:
    """Return the social handle the demo uses for a company name (`GitLab` -> `gitlab`)."""
    return re.sub(r"[^a-z0-9_]", "", company.lower()) or "company"


def demo_mention_rows(company_names: list[str], *, now: datetime) -> list[tuple[str, dict[str, Any]]]:
    """Return the demo mentions as (location, row), named for the company, the newest made at `now`.

    The file's dates are fixed; shifting them by whole minutes keeps the demo looking current while the
    spacing between mentions stays as written.
    """
    company = company_names[0] if company_names else "GitLab"
    handle = company_handle(company)
    parsed: list[tuple[str, dict[str, Any]]] = []
    with DEMO_MENTIONS.open(encoding="utf-8") as handle_file:
        for number, line in enumerate(handle_file, start=1):
            if line.strip():
                parsed.append((f"{DEMO_MENTIONS.name}:{number}", json.loads(line)))
    newest = max(datetime.fromisoformat(row["created_at"]) for _, row in parsed)
    shift = now.replace(second=0, microsecond=0) - newest
    shift = timedelta(minutes=shift // timedelta(minutes=1))
    for _, row in parsed:
        for name in ("text", "title"):
            if isinstance(row.get(name), str):
                row[name] = row[name].replace("{company_handle}", handle).replace("{company}", company)
        row["created_at"] = (datetime.fromisoformat(row["created_at"]) + shift).isoformat()
    return parsed
