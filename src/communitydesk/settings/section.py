"""The base of every settings section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A nested group of settings (DESK_<SECTION>__<NAME>); an unknown name is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")
