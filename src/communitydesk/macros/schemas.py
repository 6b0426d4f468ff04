"""Macro definitions as they are written in YAML."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from communitydesk.tickets.schemas import CUSTOM_FIELDS, Status


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SetStatus(_Action):
    set_status: Status


class AddTags(_Action):
    add_tags: list[str]


class RemoveTags(_Action):
    remove_tags: list[str]


class AddNote(_Action):
    add_note: str = Field(description="A Jinja template for the note's text.")


class SetField(_Action):
    set_field: dict[str, str]

    @model_validator(mode="after")
    def _known_fields(self) -> SetField:
        unknown = set(self.set_field) - set(CUSTOM_FIELDS)
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}; expected {list(CUSTOM_FIELDS)}")
        return self


class LinkSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    ticket: str | None = Field(None, description="Template that gives the target ticket id.")
    url: str | None = Field(None, description="Template that gives the target URL.")

    @model_validator(mode="after")
    def _one_target(self) -> LinkSpec:
        if (self.ticket is None) == (self.url is None):
            raise ValueError("a link needs exactly one of 'ticket' or 'url'")
        return self


class Link(_Action):
    link: LinkSpec


MacroAction = Annotated[
    SetStatus | AddTags | RemoveTags | AddNote | SetField | Link, Field(union_mode="left_to_right")
]


class Macro(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    actions: list[MacroAction] = Field(min_length=1)


class MacroFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    macros: list[Macro]


class ApplyMacroIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    macro: str
    variables: dict[str, str] = Field(default_factory=dict)
