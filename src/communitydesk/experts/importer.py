"""Read the people file and the routes file (formats in docs/experts.md) and check them.

Stage, group and category names in either file may be directory keys, directory names or aliases (any
time's names); they are stored as directory keys. Errors name the file and the entry.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from communitydesk.experts.schemas import (
    PLATFORM_NAMES,
    ROUTE_KINDS,
    PersonSpec,
    RouteKind,
    RouteSpec,
)
from communitydesk.taxonomy.aliases import Resolver
from communitydesk.taxonomy.directory_format import slack_channel
from communitydesk.taxonomy.yaml_files import TaxonomyError, read_yaml

_SLUG = re.compile(r"[^a-z0-9]+")
_HANDLE_PREFIXES = ("@", "u/", "/u/")
MAX_TERMS = 200


class ExpertsFileError(TaxonomyError):
    """A people or routes file that cannot be imported, with where and why."""


def slug(name: str) -> str:
    """Return a key made from a name: lower-case letters and digits joined by dashes."""
    return _SLUG.sub("-", name.lower()).strip("-")[:100]


def normalize_handle(handle: str) -> str:
    """Return a handle as mentions are matched against it: no @ or u/ prefix, lower case."""
    value = handle.strip()
    for prefix in _HANDLE_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
    return value.strip().lower()


def _text(value: Any, where: str, *, required: bool = False, limit: int = 200) -> str | None:
    if value is None or value == "":
        if required:
            raise ExpertsFileError(f"{where}: required")
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ExpertsFileError(f"{where}: expected text, got {type(value).__name__}")
    text = str(value).strip()
    if len(text) > limit:
        raise ExpertsFileError(f"{where}: longer than {limit} characters")
    return text


def _list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str | int) for item in value):
        raise ExpertsFileError(f"{where}: expected a list of names")
    return [str(item).strip() for item in value if str(item).strip()]


def _expertise(
    value: Any, where: str, resolver: Resolver, categories: set[str], warnings: list[str]
) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ExpertsFileError(f"{where}: expected a mapping with stages, groups and categories")
    unknown = set(value) - {"stages", "groups", "categories"}
    if unknown:
        raise ExpertsFileError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    result: dict[str, list[str]] = {}
    for kind in ("stages", "groups", "categories"):
        keys: list[str] = []
        for name in _list(value.get(kind), f"{where}.{kind}"):
            if kind == "stages":
                key = resolver.stage(name)
            elif kind == "groups":
                key = resolver.group(name)
            else:
                key = name if name in categories else None
            if key is None:
                warnings.append(f"{where}.{kind}: {name!r} is not in the directory; ignored")
            elif key not in keys:
                keys.append(key)
        if keys:
            result[kind] = keys
    return result


def parse_people(
    data: Any, source: str, resolver: Resolver, categories: set[str]
) -> tuple[list[PersonSpec], list[str]]:
    """Return the people of a people file's data, and warnings about names not in the directory."""
    if not isinstance(data, dict) or not isinstance(data.get("people"), list):
        raise ExpertsFileError(f"{source}: expected a mapping with a 'people' list")
    people: list[PersonSpec] = []
    warnings: list[str] = []
    keys: set[str] = set()
    owners: dict[tuple[str, str], str] = {}
    for index, entry in enumerate(data["people"]):
        where = f"{source}: people[{index}]"
        if not isinstance(entry, dict):
            raise ExpertsFileError(f"{where}: expected a mapping of person fields")
        name = _text(entry.get("name"), f"{where}.name", required=True) or ""
        key = _text(entry.get("key"), f"{where}.key", limit=100) or slug(name)
        if not key:
            raise ExpertsFileError(f"{where}.key: cannot make a key from name {name!r}; give one")
        if key in keys:
            raise ExpertsFileError(f"{where}.key: {key!r} is used by another person")
        keys.add(key)
        handles_data = entry.get("handles") or {}
        if not isinstance(handles_data, dict):
            raise ExpertsFileError(f"{where}.handles: expected a mapping of platform to handle")
        handles: dict[str, str] = {}
        for raw_platform, raw_handle in handles_data.items():
            platform = PLATFORM_NAMES.get(str(raw_platform).strip().lower())
            if platform is None:
                known = ", ".join(sorted(PLATFORM_NAMES))
                raise ExpertsFileError(f"{where}.handles.{raw_platform}: unknown platform (known: {known})")
            handle = _text(raw_handle, f"{where}.handles.{raw_platform}", required=True) or ""
            normalized = normalize_handle(handle)
            if not normalized:
                raise ExpertsFileError(f"{where}.handles.{raw_platform}: empty handle")
            claimed = owners.get((platform, normalized))
            if claimed is not None and claimed != key:
                raise ExpertsFileError(
                    f"{where}.handles.{raw_platform}: {handle!r} is already {claimed!r}'s handle"
                )
            owners[(platform, normalized)] = key
            handles[platform] = handle
        team_member = entry.get("team_member", True)
        if not isinstance(team_member, bool):
            raise ExpertsFileError(f"{where}.team_member: expected true or false")
        people.append(
            PersonSpec(
                key=key,
                name=name,
                role=_text(entry.get("role"), f"{where}.role"),
                slack_user_id=_text(entry.get("slack"), f"{where}.slack", limit=40),
                team_member=team_member,
                handles=handles,
                expertise=_expertise(
                    entry.get("expertise"), f"{where}.expertise", resolver, categories, warnings
                ),
            )
        )
    return people, warnings


def parse_routes(data: Any, source: str, resolver: Resolver) -> tuple[list[RouteSpec], list[str]]:
    """Return the routes of a routes file's data (see docs/experts.md), and warnings."""
    if not isinstance(data, dict) or not isinstance(data.get("routes"), dict):
        raise ExpertsFileError(f"{source}: expected a mapping with a 'routes' mapping")
    routes: list[RouteSpec] = []
    warnings: list[str] = []
    for raw_key, entry in data["routes"].items():
        key = str(raw_key).strip()
        where = f"{source}: routes.{key}"
        if not isinstance(entry, dict):
            raise ExpertsFileError(f"{where}: expected a mapping of route fields")
        kind = entry.get("kind", "topic")
        if kind not in ROUTE_KINDS:
            raise ExpertsFileError(f"{where}.kind: expected one of {', '.join(ROUTE_KINDS)}, got {kind!r}")
        terms = _list(entry.get("terms"), f"{where}.terms")
        if len(terms) > MAX_TERMS:
            raise ExpertsFileError(f"{where}.terms: more than {MAX_TERMS} terms")
        attributes: dict[str, Any] = {}
        if kind == "blog_author":
            posts = entry.get("posts") or {}
            if not isinstance(posts, dict):
                raise ExpertsFileError(f"{where}.posts: expected a mapping of post URL to person key")
            attributes["posts"] = {str(url).strip(): str(person).strip() for url, person in posts.items()}
        if kind == "support":
            stages = entry.get("stages") or {}
            if not isinstance(stages, dict):
                raise ExpertsFileError(f"{where}.stages: expected a mapping of stage to person keys")
            by_stage: dict[str, list[str]] = {}
            for stage_name, people in stages.items():
                stage = resolver.stage(str(stage_name))
                if stage is None:
                    warnings.append(f"{where}.stages: {stage_name!r} is not a directory stage; ignored")
                    continue
                by_stage[stage] = _list(people, f"{where}.stages.{stage_name}")
            attributes["stages"] = by_stage
        routes.append(
            RouteSpec(
                key=key[:60],
                kind=_kind(kind),
                topic=_text(entry.get("topic"), f"{where}.topic", limit=300) or key,
                channel=slack_channel(entry.get("channel")),
                slack_mention=_text(entry.get("slack_mention"), f"{where}.slack_mention", limit=100),
                people=_list(entry.get("people"), f"{where}.people"),
                terms=terms,
                attributes=attributes,
            )
        )
    if sum(route.kind == "fallback" for route in routes) > 1:
        raise ExpertsFileError(f"{source}: routes: only one route may be the fallback")
    return routes, warnings


def _kind(value: str) -> RouteKind:
    for kind in ROUTE_KINDS:
        if kind == value:
            return kind
    raise ExpertsFileError(f"unknown route kind {value!r}")


def read_people(path: Path, resolver: Resolver, categories: set[str]) -> tuple[list[PersonSpec], list[str]]:
    """Read and check a people file."""
    return parse_people(read_yaml(path), str(path), resolver, categories)


def read_routes(path: Path, resolver: Resolver) -> tuple[list[RouteSpec], list[str]]:
    """Read and check a routes file."""
    return parse_routes(read_yaml(path), str(path), resolver)
