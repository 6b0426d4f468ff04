"""Stage and group names across time: resolve any name to the directory's keys, and keys to other names.

The table is data (`aliases.yml` beside this module, documented there; extended by the file in
DESK_ROUTING__ALIASES_FILE). Names that are the same in the directory and elsewhere need no entry: a
directory key or name always resolves to itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from communitydesk.taxonomy.models import Group, Stage
from communitydesk.taxonomy.yaml_files import TaxonomyError, read_yaml

BUILTIN_ALIASES = Path(__file__).with_name("aliases.yml")
_SEPARATORS = re.compile(r"[\s_:\-]+")
# Front matter says "None - Facilitated functionality, see ..." or "unassigned": nobody owns the page.
_NOBODY = ("none", "unassigned", "n/a", "tbd")


def normalize(name: str) -> str:
    """Return a name as aliases compare it: lower case, `_-:` as spaces, `&` as "and"."""
    text = name.replace("&", " and ").strip().lower()
    return _SEPARATORS.sub(" ", text).strip()


def _means_nobody(normalized: str) -> bool:
    return not normalized or any(normalized == word or normalized.startswith(f"{word} ") for word in _NOBODY)


@dataclass
class AliasTable:
    """Other names of stages and groups, normalized, with the directory keys they stand for."""

    stages: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)  # "group" or "stage/group" -> group key
    ignore: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, extra: Sequence[Path] = ()) -> AliasTable:
        """Read the built-in table, then each extra file (later entries override earlier ones)."""
        table = cls()
        for path in (BUILTIN_ALIASES, *extra):
            table.merge(_file_data(path), str(path))
        return table

    def merge(self, data: Any, source: str) -> None:
        """Add a file's entries; a wrong shape raises TaxonomyError naming the file and key."""
        if data is None:
            return
        if not isinstance(data, dict):
            raise TaxonomyError(f"{source}: expected a mapping with 'stages', 'groups' and 'ignore'")
        unknown = set(data) - {"stages", "groups", "ignore"}
        if unknown:
            raise TaxonomyError(f"{source}: unknown keys {', '.join(sorted(map(str, unknown)))}")
        for section, target in (("stages", self.stages), ("groups", self.groups)):
            entries = data.get(section) or {}
            if not isinstance(entries, dict):
                raise TaxonomyError(f"{source}: {section}: expected a mapping of name to directory key")
            for name, key in entries.items():
                if not isinstance(key, str) or not key.strip():
                    raise TaxonomyError(f"{source}: {section}.{name}: expected a directory key, got {key!r}")
                stage, _, group = str(name).rpartition("/")
                alias = f"{normalize(stage)}/{normalize(group)}" if stage else normalize(group)
                target[alias] = key.strip()
        ignore = data.get("ignore") or []
        if not isinstance(ignore, list):
            raise TaxonomyError(f"{source}: ignore: expected a list of names")
        self.ignore.update(normalize(str(name)) for name in ignore)


@dataclass(frozen=True)
class Owner:
    """A stage and group as directory keys (either may be unknown)."""

    stage: str | None
    group: str | None


class Resolver:
    """Resolves names of any time to the directory's keys, and directory keys to their other names."""

    def __init__(
        self,
        table: AliasTable,
        stages: Mapping[str, str],
        groups: Mapping[str, tuple[str, str]],
    ) -> None:
        """`stages`: key -> name; `groups`: key -> (name, stage key), as the directory stores them."""
        self.table = table
        self.stage_names = dict(stages)
        self.groups = dict(groups)
        self._stage_by_name: dict[str, str] = {}
        for key, name in stages.items():
            self._stage_by_name.setdefault(normalize(name), key)
            self._stage_by_name[normalize(key)] = key
        self._group_by_name: dict[str, str] = {}
        for key, (name, _) in groups.items():
            self._group_by_name.setdefault(normalize(name), key)
            self._group_by_name[normalize(key)] = key

    @classmethod
    def from_session(cls, session: Session, table: AliasTable) -> Resolver:
        """Build a resolver for the directory stored in the database."""
        stages = {key: name for key, name in session.execute(select(Stage.key, Stage.name))}
        groups = {
            key: (name, stage_key)
            for key, name, stage_key in session.execute(
                select(Group.key, Group.name, Stage.key).join(Stage, Group.stage_id == Stage.id)
            )
        }
        return cls(table, stages, groups)

    def _ignored(self, normalized: str) -> bool:
        return _means_nobody(normalized) or normalized in self.table.ignore

    def stage(self, name: str | None) -> str | None:
        """Return the directory stage key a stage name means, or None."""
        normalized = normalize(name or "")
        if self._ignored(normalized):
            return None
        key = self._stage_by_name.get(normalized) or self.table.stages.get(normalized)
        return key if key in self.stage_names else None

    def group(self, name: str | None, stage: str | None = None) -> str | None:
        """Return the directory group key a group name (of a stage name, when given) means, or None."""
        normalized = normalize(name or "")
        if self._ignored(normalized):
            return None
        candidates = []
        if stage:
            candidates.append(self.table.groups.get(f"{normalize(stage)}/{normalized}"))
        candidates += [self._group_by_name.get(normalized), self.table.groups.get(normalized)]
        return next((key for key in candidates if key and key in self.groups), None)

    def owner(self, stage: str | None, group: str | None) -> Owner:
        """Return the directory stage and group of a (stage name, group name) pair from any source."""
        group_key = self.group(group, stage)
        if group_key is not None:
            return Owner(self.groups[group_key][1], group_key)
        return Owner(self.stage(stage), None)

    def other_stage_names(self, key: str) -> list[str]:
        """Return the other names (aliases) that mean a directory stage."""
        return sorted(name for name, target in self.table.stages.items() if target == key)

    def other_group_names(self, key: str) -> list[str]:
        """Return the other names (aliases) that mean a directory group."""
        return sorted(name for name, target in self.table.groups.items() if target == key)


def _file_data(path: Path) -> Any:
    """Return a file's parsed YAML, parsed again only when the file changes: every routing reads the
    aliases, and parsing the built-in table took a sixth of loading a router."""
    try:
        stat = path.stat()
    except OSError:
        return read_yaml(path)  # its error names the file
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _parsed(path: str, mtime_ns: int, size: int) -> Any:
    return read_yaml(Path(path))  # merge only reads the result, so one copy can serve every caller
