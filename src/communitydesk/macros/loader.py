"""Load macros from the built-in YAML and an optional override file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import ValidationError

from communitydesk.macros.schemas import Macro, MacroFile

BUILTIN_FILE = Path(__file__).with_name("builtin.yaml")


class MacroConfigError(ValueError):
    """A macro file that cannot be used, with where and why."""


def _read(path: Path) -> list[Macro]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise MacroConfigError(f"{where}: invalid YAML: {exc.problem}") from exc
    except OSError as exc:
        raise MacroConfigError(f"{path}: cannot read macro file: {exc.strerror}") from exc
    try:
        return MacroFile.model_validate(data).macros
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MacroConfigError(f"{path}: {where}: {first['msg']}") from exc


def load_macros(extra_file: Path | None = None) -> Mapping[str, Macro]:
    """Return macros by name: the built-in ones, replaced or extended by the extra file."""
    macros = {macro.name: macro for macro in _read(BUILTIN_FILE)}
    if extra_file is not None:
        macros.update({macro.name: macro for macro in _read(extra_file)})
    return macros
