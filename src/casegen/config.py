"""The programme's vocabulary: themes, stages, gates, categories, years, departments.

A plain dataclass rather than a Pydantic model: every command loads it, and a build with nothing
to do should not pay for importing Pydantic.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from casegen.errors import ConfigError


@dataclass(frozen=True)
class Programme:
    programme: str
    themes: list[str]
    stages: list[str]
    gates: list[str]
    benefit_categories: list[str]
    financial_years: list[str]
    savings_categories: list[str]
    date_words: list[str]
    departments: list[str]
    involvement_levels: list[str]
    attributions: list[str]
    council: str = ""
    source: str = "default"

    @classmethod
    def vocabularies(cls) -> list[str]:
        """The names of the lists a form offers as dropdowns."""
        return [f.name for f in dataclasses.fields(cls) if f.type == "list[str]"]

    def digest(self) -> str:
        """A stamp of the vocabulary, for the build manifest."""
        body = {k: v for k, v in dataclasses.asdict(self).items() if k != "source"}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]

    def stage_number(self, stage: str) -> int | None:
        try:
            return self.stages.index(stage)
        except ValueError:
            return None


def _check(data: dict, where: str) -> Programme:
    fields = {f.name: f for f in dataclasses.fields(Programme)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"{where}: unknown setting {unknown[0]!r}; the settings are {', '.join(fields)}")
    for name, f in fields.items():
        if name not in data:
            if f.default is dataclasses.MISSING:
                raise ConfigError(f"{where}: {name}: missing; add it (see src/casegen/programme.toml)")
            continue
        value = data[name]
        if f.type == "list[str]":
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
                raise ConfigError(f"{where}: {name}: must be a list of one or more names, got {value!r}")
        elif not isinstance(value, str):
            raise ConfigError(f"{where}: {name}: must be text, got {value!r}")
    return Programme(**data)


def default_text() -> str:
    return resources.files("casegen").joinpath("programme.toml").read_text(encoding="utf-8")


def load(path: str | os.PathLike | None = None) -> Programme:
    """The configuration at `path`, else $CASEGEN_CONFIG, else the built-in programme."""
    path = path or os.environ.get("CASEGEN_CONFIG")
    if not path:
        return _check(tomllib.loads(default_text()), "programme.toml")
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return _check({**data, "source": str(path)}, str(path))
