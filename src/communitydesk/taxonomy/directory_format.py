"""Check a product directory given in GitLab's `stages.yml` + `categories.yml` format and return it.

`stages.yml` holds `stages: {stage_key: {display_name, pm, em, slack: {channel}, groups: {group_key:
{name, pm, backend_engineering_manager, support, tech_writer, slack: {channel}, categories: [keys]}}}}`;
`categories.yml` maps each category key to `{name, stage, description, ...}`. Every field is kept as the
file gives it in the rows' `attributes`; the ones the desk routes with get their own columns.
An optional `features.yml` beside them (`features: [{title, description, link, category: [keys]}]`, the
file behind GitLab's feature comparison pages) adds each category's features, in the words users use, to
its `attributes["features"]` as `{title, description, link}`.

A wrong shape raises TaxonomyError naming the file and the entry; what can still be stored (a category
listed by several groups, or naming a stage that does not exist) is stored, with a warning saying how.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from communitydesk.taxonomy.schemas import CategorySpec, Directory, GroupSpec, StageSpec
from communitydesk.taxonomy.yaml_files import TaxonomyError

STAGES_FILE = "stages.yml"
CATEGORIES_FILE = "categories.yml"
FEATURES_FILE = "features.yml"
# The attribute a category's features from features.yml are stored under (categories.yml has no such key).
FEATURES_ATTRIBUTE = "features"
MAX_FEATURE_TEXT = 1000
MAX_KEY_LENGTH = 100
MAX_NAME_LENGTH = 200
MAX_CHANNEL_LENGTH = 100
# Values the real files use for "nobody decided yet"; they are not channels.
_PLACEHOLDERS = frozenset({"", "tbd", "n/a", "none", "-"})


def _json_safe(value: Any) -> Any:
    """Return the value with YAML-only types (dates, sets, non-text keys) made JSON-storable."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(_json_safe(item) for item in value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _mapping(value: Any, where: str, what: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise TaxonomyError(f"{where}: expected {what}, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


def _key(raw: Any, where: str) -> str:
    key = str(raw).strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise TaxonomyError(f"{where}: a key needs 1 to {MAX_KEY_LENGTH} characters, got {key!r}")
    return key


def _name(entry: dict[Any, Any], fields: tuple[str, ...], default: str, where: str) -> str:
    for name_field in fields:
        value = entry.get(name_field)
        if value is None or value == "":
            continue
        if not isinstance(value, str | int | float):
            raise TaxonomyError(f"{where}.{name_field}: expected text, got {_kind(value)}")
        name = str(value).strip()
        if len(name) > MAX_NAME_LENGTH:
            raise TaxonomyError(f"{where}.{name_field}: longer than {MAX_NAME_LENGTH} characters")
        if name:
            return name
    return default


def slack_channel(value: Any) -> str | None:
    """Return `#channel` from a `slack:` entry ({channel: name} or a name); None for placeholders."""
    if isinstance(value, dict):
        value = value.get("channel")
    if not isinstance(value, str) or value.strip().lower() in _PLACEHOLDERS:
        return None
    channel = value.strip()
    channel = channel if channel.startswith("#") else f"#{channel}"
    return channel[:MAX_CHANNEL_LENGTH]


def parse_stages(data: Any, source: str) -> tuple[list[StageSpec], list[GroupSpec], dict[str, list[str]]]:
    """Return stages, groups, and each group's listed category keys from stages.yml data."""
    top = _mapping(data, source, f"a mapping with a top-level 'stages' key (GitLab's {STAGES_FILE})")
    if "stages" not in top:
        raise TaxonomyError(f"{source}: missing top-level key 'stages' (GitLab's {STAGES_FILE} format)")
    stages_data = _mapping(top["stages"], f"{source}: stages", "a mapping of stage key to stage")
    stages: list[StageSpec] = []
    groups: list[GroupSpec] = []
    listed: dict[str, list[str]] = {}
    group_stage: dict[str, str] = {}
    for raw_key, raw_stage in stages_data.items():
        key = _key(raw_key, f"{source}: stages")
        where = f"{source}: stages.{key}"
        entry = _mapping(raw_stage, where, "a mapping of stage fields")
        attributes = {str(k): _json_safe(v) for k, v in entry.items() if k != "groups"}
        # The involving-experts page: stage experts are in the `#s_<stage>` Slack channel.
        channel = slack_channel(entry.get("slack")) or f"#s_{key}"[:MAX_CHANNEL_LENGTH]
        name = _name(entry, ("display_name", "name"), key, where)
        stages.append(StageSpec(key=key, name=name, slack_channel=channel, attributes=attributes))
        groups_data = entry.get("groups")
        if groups_data is None:
            continue
        groups_data = _mapping(groups_data, f"{where}.groups", "a mapping of group key to group")
        for raw_group_key, raw_group in groups_data.items():
            group_key = _key(raw_group_key, f"{where}.groups")
            group_where = f"{where}.groups.{group_key}"
            group = _mapping(raw_group, group_where, "a mapping of group fields")
            if group_key in group_stage:
                raise TaxonomyError(
                    f"{group_where}: group key {group_key!r} is also used under stage "
                    f"{group_stage[group_key]!r}; group keys must be unique across stages"
                )
            group_stage[group_key] = key
            categories = group.get("categories")
            if categories is None:
                categories = []
            if not isinstance(categories, list) or not all(
                isinstance(item, str | int) for item in categories
            ):
                raise TaxonomyError(f"{group_where}.categories: expected a list of category keys")
            listed[group_key] = [str(item).strip() for item in categories]
            groups.append(
                GroupSpec(
                    key=group_key,
                    name=_name(group, ("name", "display_name"), group_key, group_where),
                    stage_key=key,
                    slack_channel=slack_channel(group.get("slack")),
                    attributes=_json_safe(group),
                )
            )
    return stages, groups, listed


def _feature_text(entry: dict[Any, Any], name: str, where: str) -> str | None:
    value = entry.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str | int | float):
        raise TaxonomyError(f"{where}.{name}: expected text, got {_kind(value)}")
    return " ".join(str(value).split())[:MAX_FEATURE_TEXT] or None


def parse_features(
    data: Any, source: str, category_keys: set[str]
) -> tuple[dict[str, list[dict[str, str | None]]], list[str]]:
    """Return each category's features ({title, description, link}) from features.yml data, and warnings.

    Features of no known category (GitLab's file says `unknown` for some) or without a name are left out
    and counted; a wrong shape raises TaxonomyError naming the file and the feature's position.
    """
    top = _mapping(data, source, f"a mapping with a top-level 'features' list (GitLab's {FEATURES_FILE})")
    entries = top.get("features")
    if not isinstance(entries, list):
        raise TaxonomyError(f"{source}: features: expected a list of features, got {_kind(entries)}")
    by_category: dict[str, list[dict[str, str | None]]] = {}
    unplaced = untitled = 0
    for number, raw in enumerate(entries):
        where = f"{source}: features[{number}]"
        entry = _mapping(raw, where, "a mapping of feature fields")
        # GitLab's file has a few blank titles; their link text names the feature as well.
        title = _feature_text(entry, "title", where) or _feature_text(entry, "link_description", where)
        if title is None:
            untitled += 1
            continue
        categories = entry.get("category")
        categories = [categories] if isinstance(categories, str) else categories or []
        if not isinstance(categories, list) or not all(isinstance(key, str) for key in categories):
            raise TaxonomyError(f"{where}.category: expected a category key or a list of them")
        feature = {
            "title": title,
            "description": _feature_text(entry, "description", where),
            "link": _feature_text(entry, "link", where),
        }
        known = [key.strip() for key in categories if key.strip() in category_keys]
        for key in dict.fromkeys(known):
            by_category.setdefault(key, []).append(feature)
        unplaced += not known
    warnings = []
    if unplaced:
        warnings.append(f"{source}: {unplaced} features name no known category; left out")
    if untitled:
        warnings.append(
            f"{source}: {untitled} features have neither a title nor a link_description; left out"
        )
    return by_category, warnings


def parse_directory(
    stages_data: Any,
    categories_data: Any,
    *,
    stages_source: str,
    categories_source: str,
    features_data: Any = None,
    features_source: str | None = None,
) -> Directory:
    """Return the directory described by stages.yml and categories.yml (and features.yml) data."""
    stages, groups, listed = parse_stages(stages_data, stages_source)
    directory = Directory(stages=stages, groups=groups)
    stage_keys = {stage.key for stage in stages}
    group_by_key = {group.key: group for group in groups}
    categories_top = _mapping(
        categories_data,
        categories_source,
        f"a mapping of category key to category (GitLab's {CATEGORIES_FILE})",
    )
    features: dict[str, list[dict[str, str | None]]] = {}
    if features_source is not None:
        known = {str(key).strip() for key in categories_top}
        features, warnings = parse_features(features_data, features_source, known)
        directory.warnings.extend(warnings)
    listing_groups: dict[str, list[str]] = {}
    for group_key, category_keys in listed.items():
        for category_key in category_keys:
            if category_key not in categories_top:
                directory.warnings.append(
                    f"{stages_source}: group {group_key!r} lists category {category_key!r}, "
                    f"which {categories_source} does not define; ignored"
                )
            listing_groups.setdefault(category_key, []).append(group_key)
    for raw_key, raw_category in categories_top.items():
        key = _key(raw_key, categories_source)
        where = f"{categories_source}: {key}"
        entry = _mapping(raw_category, where, "a mapping of category fields")
        stage_key = entry.get("stage")
        if stage_key is not None and not isinstance(stage_key, str):
            raise TaxonomyError(f"{where}.stage: expected a stage key, got {_kind(stage_key)}")
        owner = _owning_group(key, listing_groups.get(key, []), directory.warnings, stages_source)
        if owner is not None:
            owner_stage = group_by_key[owner].stage_key
            if stage_key and stage_key != owner_stage:
                directory.warnings.append(
                    f"{categories_source}: category {key!r} says stage {stage_key!r} but its group "
                    f"{owner!r} is in stage {owner_stage!r}; stored under {owner_stage!r}"
                )
            stage_key = owner_stage
        elif stage_key and stage_key not in stage_keys:
            directory.warnings.append(
                f"{categories_source}: category {key!r} names stage {stage_key!r}, "
                f"which {stages_source} does not define; stored without a stage"
            )
            stage_key = None
        description = entry.get("description")
        attributes = _json_safe(entry)
        if key in features:
            attributes[FEATURES_ATTRIBUTE] = features[key]
        directory.categories.append(
            CategorySpec(
                key=key,
                name=_name(entry, ("name",), key, where),
                stage_key=stage_key or None,
                group_key=owner,
                description=str(description).strip() if description not in (None, "") else None,
                attributes=attributes,
            )
        )
    return directory


def _owning_group(category_key: str, groups: list[str], warnings: list[str], source: str) -> str | None:
    """Return the group a category belongs to: the only one, the one of the same key, else the first."""
    if len(groups) <= 1:
        return groups[0] if groups else None
    chosen = category_key if category_key in groups else groups[0]
    warnings.append(
        f"{source}: category {category_key!r} is listed by groups {', '.join(groups)}; "
        f"stored under {chosen!r}"
    )
    return chosen
