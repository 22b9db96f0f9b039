"""casegen's exceptions, and the located problem that every intake check reports."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import click


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, where it is, and how bad it is."""

    file: str
    message: str
    sheet: str = ""
    cell: str = ""
    field: str = ""
    severity: str = "error"  # or "warning"
    code: str = ""

    @property
    def where(self) -> str:
        place = f"{self.sheet}!{self.cell}" if self.sheet and self.cell else self.sheet
        return f"{self.file}: {place}" if place else self.file

    def __str__(self) -> str:
        label = "" if self.severity == "error" else f"{self.severity}: "
        field = f"{self.field}: " if self.field else ""
        # A value problem's message already says what is expected; its code is for JSON and annotations.
        code = f" [{self.code}]" if self.code and not self.code.startswith("value-") else ""
        return f"{self.where}: {label}{field}{self.message}{code}"

    def as_dict(self) -> dict:
        return asdict(self)


class CasegenError(click.ClickException):
    """Root of casegen's errors: one line for the user, exit code 1."""

    exit_code = 1


class ConfigError(CasegenError):
    """The programme configuration cannot be used."""


class IntakeError(CasegenError):
    """An intake workbook has errors; `problems` lists every one, located."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TemplateProblem(CasegenError):
    """A template cannot be rendered: names the template and shows the text around the bad tag."""


class BuildError(CasegenError):
    """A build as a whole cannot go ahead (for example, another build holds the output folder)."""
