"""casegen's exceptions, and the located problem that every intake check reports."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import click

from casegen.codes import Severity, lookup


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, where it is, how bad it is and how to fix it.

    The one kind of problem: a form's cell (file, sheet, cell, field: the label the lead sees), a
    rule across a case or across forms, a template's tag (file, part, tag, near) and a build's
    failure are all reported as a Problem, printed by `__str__` and given to tools by `as_dict`.
    """

    file: str  # the form, template or document
    message: str  # what is wrong (and what was found)
    sheet: str = ""
    cell: str = ""
    field: str = ""  # the field, in the form's own words where there is a label
    severity: Severity = Severity.ERROR
    code: str = ""  # stable, for tools and `casegen rules`
    fix: str = ""  # how to put it right, where the message does not already say
    part: str = ""  # a template's part (word/document.xml)
    tag: str = ""  # a template's tag, as the office shows it
    near: str = ""  # the template's text around the tag

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))  # a misspelt severity fails here
        if self.code:
            lookup(self.code)  # a code casegen prints is one `casegen rules` explains

    @property
    def where(self) -> str:
        if self.part:
            place = f"{self.file} ({self.part})"
            return f"{place}: {self.tag}" if self.tag else place
        place = f"{self.sheet}!{self.cell}" if self.sheet and self.cell else self.sheet
        return f"{self.file}: {place}" if place else self.file

    def __str__(self) -> str:
        label = "" if self.severity == Severity.ERROR else f"{self.severity}: "
        field = f"{self.field}: " if self.field else ""
        fix = f"; {self.fix}" if self.fix else ""
        near = f" — near: {self.near}" if self.near else ""
        code = f" [{self.code}]" if self.code else ""  # to look up in `casegen rules`, or to search for
        return f"{self.where}: {label}{field}{self.message}{fix}{near}{code}"

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v or k in ("file", "message", "severity")}



def counted(n: int, noun: str, nouns: str | None = None) -> str:
    """`1 form`, `2 forms`, `0 fixes`: a count in words, never `form(s)`."""
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"

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
