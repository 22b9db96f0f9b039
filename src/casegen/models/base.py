"""The base of every model: form metadata on fields, required text, choices from the programme."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from casegen.models.values import FormKind, Level, ListText, choose, line_breaks, shown, unmarked


def field(label: str, help: str = "", default: Any = ..., **form: Any) -> Any:
    """A model field with the label the document prints and the help the form shows.

    `form` carries layout hints for the intake form: `sheet` (top-level sections), `prefill`
    (a vocabulary whose items fill a table's first column), `rows` (blank rows to offer).
    """
    extra = {k: v for k, v in form.items() if v is not None}
    if isinstance(default, list) or default is list:
        return Field(default_factory=_empty, title=label, description=help, json_schema_extra=extra)
    return Field(default, title=label, description=help, json_schema_extra=extra)


def _empty() -> list:
    """A list field's default. Not `list` itself: pydantic reads a default factory's signature, and a builtin's is
    parsed from its text with the tokenizer (8 ms of a one-form build, compiling the tokenizer's pattern)."""
    return []


def form_kind(info) -> FormKind | None:
    for item in info.metadata:
        if isinstance(item, FormKind):
            return item
    return None


def amounts(model: BaseModel, path: tuple = ()):
    """(path, amount) of every money field of `model` and of the models inside it that holds a number."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        kind = form_kind(info)
        if kind and kind.kind == "money" and isinstance(value, Decimal):
            yield path + (name,), value
        elif isinstance(value, BaseModel):
            yield from amounts(value, path + (name,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from amounts(item, path + (name, i))


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=False)

    @field_validator("*", mode="after")
    @classmethod
    def _required_and_choices(cls, value: Any, info: ValidationInfo) -> Any:
        spec = cls.model_fields[str(info.field_name)]
        if value == "" and spec.is_required():
            raise ValueError("is required; fill it in")
        if value == "" and isinstance(spec.default, str) and spec.default:
            return spec.default  # a blank cell reads as the default (TBC): data given as "" must mean the same
        kind = form_kind(spec)
        if kind and kind.choices and value and info.context and info.context.get("programme"):
            allowed = getattr(info.context["programme"], kind.choices)
            chosen = choose(str(value), allowed)
            if chosen is None:
                raise ValueError(f"must be one of: {'; '.join(allowed)}; got {shown(value)}")
            return chosen
        return value


class Bullet(Model):
    """A bullet point; level 2 sits under the level-1 bullet above it."""

    level: Level = field("Level", "1 for a bullet, 2 for a bullet under the one above", default=1)
    text: ListText = field("Text", "The bullet's text")

    @model_validator(mode="before")
    @classmethod
    def _typed_level(cls, data: Any) -> Any:
        """A nested marker typed before the text ("  - sub item", "o sub item") makes a level-2 bullet."""
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            _, nested = unmarked(line_breaks(data["text"]).lstrip("\n"))
            if nested and str(data.get("level") or "1").strip() in ("1", "1.0"):
                data = {**data, "level": 2}
        return data
