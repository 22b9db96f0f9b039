"""The programme's vocabulary: themes, stages, gates, categories, years, departments."""
from __future__ import annotations

import hashlib
import os
import tomllib
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ValidationError

from casegen.errors import ConfigError


class Programme(BaseModel, frozen=True):
    programme: str
    council: str = ""
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
    source: str = "default"

    def digest(self) -> str:
        """A stamp of the vocabulary, for the build manifest."""
        body = self.model_dump_json(exclude={"source"})
        return hashlib.sha256(body.encode()).hexdigest()[:16]

    def stage_number(self, stage: str) -> int | None:
        try:
            return self.stages.index(stage)
        except ValueError:
            return None


def default_text() -> str:
    return resources.files("casegen").joinpath("programme.toml").read_text(encoding="utf-8")


def load(path: str | os.PathLike | None = None) -> Programme:
    """The configuration at `path`, else $CASEGEN_CONFIG, else the built-in programme."""
    path = path or os.environ.get("CASEGEN_CONFIG")
    if not path:
        return Programme(**tomllib.loads(default_text()))
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return Programme(**data, source=str(path))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {where}: {err['msg']}") from None
