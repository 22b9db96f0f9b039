"""The programme's vocabulary: themes, stages, gates, categories, years, departments, targets.

A Pydantic model, like the cases: the same checks, and every problem named by its file and key.
"""
from __future__ import annotations

import hashlib
import os
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from casegen.bounded import Unreadable, read_bounded
from casegen.errors import ConfigError

MAX_CONFIG = 1 * 2**20  # bytes; a programme's configuration is a few kB

Name = Annotated[str, Field(min_length=1, pattern=r"\S")]
LANGUAGE = "en-GB"  # of the documents' text, when the configuration names none
Names = Annotated[list[Name], Field(min_length=1)]


class Programme(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    programme: Name
    themes: Names
    stages: Names
    gates: Names
    benefit_categories: Names
    financial_years: Names
    savings_categories: Names
    date_words: Names
    departments: Names
    involvement_levels: Names
    attributions: Names
    council: str = ""
    # The language of the documents' text (a BCP 47 tag: en-GB, cy-GB): Word's speller and screen readers follow it.
    language: Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = LANGUAGE
    # The folder of the Word templates, relative to the configuration file; the package's own if not set.
    templates: Path | None = None
    # Net savings each theme is to deliver in each financial year: [targets."Theme"] "24/25" = 150000
    targets: dict[str, dict[str, Decimal]] = Field(default_factory=dict)
    source: str = "default"

    @field_validator("targets")
    @classmethod
    def _known_themes_and_years(cls, targets, info):
        themes, years = info.data.get("themes") or [], info.data.get("financial_years") or []
        for theme, by_year in targets.items():
            if theme not in themes:
                raise ValueError(f"{theme!r} is not one of the themes ({'; '.join(themes)})")
            unknown = [y for y in by_year if y not in years]
            if unknown:
                raise ValueError(f"{theme}: {unknown[0]!r} is not one of the financial years ({'; '.join(years)})")
        return targets

    @model_validator(mode="after")
    def _templates_beside_the_file(self):
        if self.templates is not None and not self.templates.is_absolute() and self.source != "default":
            object.__setattr__(self, "templates", Path(self.source).parent / self.templates)
        return self

    @classmethod
    def vocabularies(cls) -> list[str]:
        """The names of the lists a form offers as dropdowns."""
        return [name for name, f in cls.model_fields.items() if get_origin(f.annotation) is list]

    def digest(self) -> str:
        """A stamp of the vocabulary, for the build manifest."""
        body = self.model_dump_json(exclude={"source"})
        return hashlib.sha256(body.encode()).hexdigest()[:16]

    def stage_number(self, stage: str) -> int | None:
        try:
            return self.stages.index(stage)
        except ValueError:
            return None


def _message(err: ErrorDetails) -> str:
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"unknown setting {key!r}; the settings are {', '.join(Programme.model_fields)}"
    if err["type"] == "missing":
        return f"{key}: missing; add it (see src/casegen/programme.toml)"
    if err["loc"] and err["loc"][0] in Programme.vocabularies() and len(err["loc"]) == 1:
        return f"{key}: must be a list of one or more names, got {err['input']!r}"
    return f"{key}: {err['msg'].removeprefix('Value error, ')}, got {err['input']!r}"


def _check(data: dict, where: str) -> Programme:
    try:
        return Programme.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(f"{where}: {_message(e)}" for e in exc.errors())) from None


def default_text() -> str:
    return resources.files("casegen").joinpath("programme.toml").read_text(encoding="utf-8")


def load(path: str | os.PathLike | None = None) -> Programme:
    """The configuration at `path`, else $CASEGEN_CONFIG, else the built-in programme."""
    path = path or os.environ.get("CASEGEN_CONFIG")
    if not path:
        return _check(tomllib.loads(default_text()), "programme.toml")
    path = Path(path)
    try:
        data = tomllib.loads(read_bounded(path, MAX_CONFIG, "configuration").decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror}") from None
    except Unreadable as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return _check({**data, "source": str(path)}, str(path))
