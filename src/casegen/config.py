"""The programme's vocabulary: themes, stages, gates, categories, years, departments, targets.

A plain frozen dataclass, checked here: every problem named by its file and key, every one at once. Not a
Pydantic model, though the cases are: the configuration is read by every command, `--version` and a build
with nothing to do included, and Pydantic's import and a model's schema were most of their start-up (87 of
140 ms measured, issue 27).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

from casegen.bounded import Unreadable, read_bounded
from casegen.errors import ConfigError

if TYPE_CHECKING:  # imported where a target is read: most configurations set none
    from decimal import Decimal

MAX_CONFIG = 1 * 2**20  # bytes; a programme's configuration is a few kB
LANGUAGE = "en-GB"  # of the documents' text, when the configuration names none
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")  # BCP 47, as Word and screen readers read it
# The lists a form offers as dropdowns, in the order of the form's Lists sheet.
VOCABULARIES = ("themes", "stages", "gates", "benefit_categories", "financial_years", "savings_categories",
                "date_words", "departments", "involvement_levels", "attributions")


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
    # The language of the documents' text (a BCP 47 tag: en-GB, cy-GB): Word's speller and screen readers follow it.
    language: str = LANGUAGE
    # The folder of the Word templates, relative to the configuration file; the package's own if not set.
    templates: Path | None = None
    # Net savings each theme is to deliver in each financial year: [targets."Theme"] "24/25" = 150000
    targets: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    source: str = "default"

    @classmethod
    def vocabularies(cls) -> list[str]:
        """The names of the lists a form offers as dropdowns."""
        return list(VOCABULARIES)

    @classmethod
    def settings(cls) -> list[str]:
        """The keys a configuration file may set."""
        return [f.name for f in fields(cls) if f.name != "source"]

    def as_dict(self, exclude=()) -> dict:
        """The settings as plain values (a path as text, an amount as a Decimal), in their declared order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in exclude}

    def as_json(self, exclude=()) -> str:
        """The settings as compact JSON, the text the stamps are taken of: the same text the Pydantic model of
        casegen 0.1 wrote, so a folder built before is not rebuilt for a new spelling of the same settings."""
        return json.dumps(self.as_dict(exclude), ensure_ascii=False, separators=(",", ":"),
                          default=lambda value: str(value))  # a Path, a Decimal: as text

    def digest(self) -> str:
        """A stamp of the vocabulary, for the build manifest."""
        return hashlib.sha256(self.as_json(exclude={"source"}).encode()).hexdigest()[:16]

    def stage_number(self, stage: str) -> int | None:
        try:
            return self.stages.index(stage)
        except ValueError:
            return None


def _name(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _amount(value) -> Decimal | None:
    """A target's figure as TOML gives it (an integer, a decimal, or a number typed as text), else None."""
    from decimal import Decimal, InvalidOperation

    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _targets(value, themes: list, years: list, problems: list[str]) -> dict[str, dict[str, Decimal]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        problems.append(f"targets: must be tables of [targets.\"Theme\"] \"year\" = amount, got {value!r}")
        return {}
    targets: dict[str, dict[str, Decimal]] = {}
    for theme, by_year in value.items():
        if theme not in themes:
            problems.append(f"targets: {theme!r} is not one of the themes ({'; '.join(map(str, themes))})")
            continue
        unknown = [y for y in by_year if y not in years]
        if unknown:
            problems.append(f"targets: {theme}: {unknown[0]!r} is not one of the financial years "
                            f"({'; '.join(map(str, years))})")
            continue
        targets[theme] = {}
        for year, figure in by_year.items():
            amount = _amount(figure)
            if amount is None:
                problems.append(f"targets.{theme}.{year}: must be an amount in pounds (150000), got {figure!r}")
            else:
                targets[theme][year] = amount
    return targets


def _checked(data: dict) -> tuple[dict, list[str]]:
    """The settings of `data` as Programme takes them, and a problem (key: what is wrong) for each that is not."""
    problems: list[str] = []
    settings = Programme.settings()
    for key in data:
        if key not in (*settings, "source"):
            problems.append(f"unknown setting {key!r}; the settings are {', '.join(settings)}")
    values: dict = {}
    for key in ("programme", *VOCABULARIES):
        if key not in data:
            problems.append(f"{key}: missing; add it (see src/casegen/programme.toml)")
        elif key == "programme":
            if not _name(data[key]):
                problems.append(f"programme: must be a name (text, not blank), got {data[key]!r}")
            values[key] = data[key]
        elif not isinstance(data[key], list) or not data[key]:
            problems.append(f"{key}: must be a list of one or more names, got {data[key]!r}")
        else:
            problems += [f"{key}.{i}: must be a name (text, not blank), got {item!r}"
                         for i, item in enumerate(data[key]) if not _name(item)]
            values[key] = list(data[key])
    if "council" in data:
        if not isinstance(data["council"], str):
            problems.append(f"council: must be text, got {data['council']!r}")
        values["council"] = data["council"]
    if "language" in data:
        language = data["language"]
        if not isinstance(language, str) or not _LANGUAGE_TAG.fullmatch(language):
            problems.append(f"language: must be a language tag such as en-GB or cy-GB, got {language!r}")
        values["language"] = language
    if data.get("templates") is not None:
        if not isinstance(data["templates"], str) or not data["templates"].strip() or "\0" in data["templates"]:
            problems.append(f"templates: must be the path of a folder, got {data['templates']!r}")
        else:
            values["templates"] = Path(data["templates"])
    if "targets" in data:
        values["targets"] = _targets(data["targets"], values.get("themes") or [],
                                     values.get("financial_years") or [], problems)
    return values, problems


def _check(data: dict, where: str) -> Programme:
    values, problems = _checked(data)
    if problems:
        raise ConfigError("\n".join(f"{where}: {p}" for p in problems))
    source = data.get("source", "default")
    templates = values.get("templates")
    if templates is not None and not templates.is_absolute() and source != "default":
        values["templates"] = Path(source).parent / templates  # beside the configuration file
    return Programme(**values, source=source)


def default_text() -> str:
    # beside this module, in the package (as importlib.resources finds it, without importing it: 9 ms)
    return Path(__file__).with_name("programme.toml").read_text(encoding="utf-8")


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
