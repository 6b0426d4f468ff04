"""Reads and writes of people, their handles, special routes and tracked outreach."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from communitydesk.db.base import utcnow
from communitydesk.experts.importer import normalize_handle
from communitydesk.experts.models import ExpertRoute, Person, PersonHandle, TrackedOutreach
from communitydesk.experts.schemas import ExpertsImport, PersonSpec, RouteSpec


def upsert_people(session: Session, people: Sequence[PersonSpec], result: ExpertsImport) -> None:
    """Store people by key; each person's handles become exactly the file's."""
    existing = {
        person.key: person for person in session.scalars(select(Person).options(selectinload(Person.handles)))
    }
    # Handles move between people within one import: clear every re-listed person's handles first.
    for spec in people:
        person = existing.get(spec.key)
        if person is not None:
            person.handles.clear()
    session.flush()
    for spec in people:
        values: dict[str, Any] = {
            "name": spec.name,
            "role": spec.role,
            "slack_user_id": spec.slack_user_id,
            "team_member": spec.team_member,
            "expertise": spec.expertise,
        }
        person = existing.get(spec.key)
        if person is None:
            person = Person(key=spec.key, **values)
            session.add(person)
            result.people_created += 1
        else:
            changed = {name: value for name, value in values.items() if getattr(person, name) != value}
            for name, value in changed.items():
                setattr(person, name, value)
            result.people_updated += 1
        person.updated_at = utcnow()
        for platform, handle in spec.handles.items():
            person.handles.append(
                PersonHandle(platform=platform, handle=normalize_handle(handle), display=handle[:200])
            )
            result.handles += 1
    session.flush()


def upsert_routes(session: Session, routes: Sequence[RouteSpec], result: ExpertsImport) -> None:
    """Store routes by key; warn about people the routes name that the directory does not know."""
    existing = {route.key: route for route in session.scalars(select(ExpertRoute))}
    known = set(session.scalars(select(Person.key)))
    for spec in routes:
        named = set(spec.people)
        for people in spec.attributes.get("stages", {}).values():
            named.update(people)
        named.update(spec.attributes.get("posts", {}).values())
        for key in sorted(named - known):
            result.warnings.append(f"route {spec.key!r} names person {key!r}, who is not in the people file")
        values: dict[str, Any] = {
            "kind": spec.kind,
            "topic": spec.topic,
            "channel": spec.channel,
            "slack_mention": spec.slack_mention,
            "people": spec.people,
            "terms": spec.terms,
            "attributes": spec.attributes,
        }
        route = existing.get(spec.key)
        if route is None:
            session.add(ExpertRoute(key=spec.key, **values))
            result.routes_created += 1
        else:
            for name, value in values.items():
                setattr(route, name, value)
            result.routes_updated += 1
    session.flush()


def get_people(
    session: Session,
    *,
    stage: str | None = None,
    group: str | None = None,
    category: str | None = None,
    platform: str | None = None,
    team_members_only: bool = False,
) -> list[Person]:
    """Return people by name, optionally only those with expertise in a stage/group/category key."""
    query = select(Person).options(selectinload(Person.handles)).order_by(Person.name, Person.key)
    if team_members_only:
        query = query.where(Person.team_member.is_(True))
    people = list(session.scalars(query))
    wanted = {"stages": stage, "groups": group, "categories": category}
    for kind, key in wanted.items():
        if key:
            people = [person for person in people if key in person.expertise.get(kind, [])]
    if platform:
        people = [person for person in people if any(h.platform == platform for h in person.handles)]
    return people


def people_by_keys(session: Session, keys: Iterable[str]) -> dict[str, Person]:
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    return {person.key: person for person in session.scalars(select(Person).where(Person.key.in_(wanted)))}


def people_by_names(session: Session, names: Iterable[str]) -> dict[str, Person]:
    """Return people whose name is one of the names (the directory file names people, not keys)."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return {}
    return {person.name: person for person in session.scalars(select(Person).where(Person.name.in_(wanted)))}


def handle_owners(session: Session, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Person]:
    """Return the person behind each (platform, handle) pair that belongs to someone."""
    wanted = {(platform, normalize_handle(handle)) for platform, handle in pairs if handle}
    if not wanted:
        return {}
    rows = session.execute(
        select(PersonHandle.platform, PersonHandle.handle, Person)
        .join(Person, PersonHandle.person_id == Person.id)
        .where(PersonHandle.handle.in_(sorted({handle for _, handle in wanted})))
    )
    return {(platform, handle): person for platform, handle, person in rows if (platform, handle) in wanted}


def get_routes(session: Session) -> list[ExpertRoute]:
    return list(session.scalars(select(ExpertRoute).order_by(ExpertRoute.key)))


def record_tracked_outreach(
    session: Session,
    *,
    platform: str,
    channel: str,
    url: str | None,
    person: Person,
    mention_id: int | None,
    created_at: datetime | None = None,
) -> TrackedOutreach:
    """Keep an expert's public post that no outreach ticket was waiting for."""
    row = TrackedOutreach(
        platform=platform,
        channel=channel,
        url=url,
        person_id=person.id,
        expert_name=person.name,
        mention_id=mention_id,
        created_at=created_at or utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def count_tracked_outreach(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    platform: str | None = None,
    channel: str | None = None,
    person_key: str | None = None,
    expert_name: str | None = None,
) -> int:
    """Return how many expert posts were tracked without an outreach ticket in [start, end)."""
    query = select(func.count(TrackedOutreach.id)).where(
        TrackedOutreach.created_at >= start, TrackedOutreach.created_at < end
    )
    if platform:
        query = query.where(TrackedOutreach.platform == platform)
    if channel:
        query = query.where(TrackedOutreach.channel == channel)
    if person_key:
        query = query.join(Person, TrackedOutreach.person_id == Person.id).where(Person.key == person_key)
    if expert_name:
        query = query.where(func.lower(TrackedOutreach.expert_name) == expert_name.strip().lower())
    return session.scalar(query) or 0


def get_tracked_outreach(session: Session, *, limit: int = 100) -> Sequence[TrackedOutreach]:
    return session.scalars(select(TrackedOutreach).order_by(TrackedOutreach.id.desc()).limit(limit)).all()
