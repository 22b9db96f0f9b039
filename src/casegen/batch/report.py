"""What a build did, document by document: the library's answer, for the CLI to print."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from casegen.errors import Problem, Severity, counted
from casegen.rules.crossform import CROSSFORM_RULES

if TYPE_CHECKING:  # a build without --pdf loads none of batch.pdf (subprocess, threads)
    from casegen.batch.pdf import PdfResult


class Status(StrEnum):
    """What became of a document in a build (a StrEnum: it prints, and goes into JSON, as its words)."""

    BUILT = "built"
    UP_TO_DATE = "up to date"
    FAILED = "failed"
    GONE = "gone"  # its form no longer exists; --prune removes it
    PRUNED = "pruned"


BUILT, UP_TO_DATE, FAILED, GONE, PRUNED = Status  # the names the build has always used


@dataclass(slots=True)
class Outcome:
    """One document: what became of it, and every problem its form has (errors and warnings)."""

    source: str  # the intake file, as found
    target: Path  # the document
    status: Status
    problems: list[Problem] = field(default_factory=list)
    reason: str = ""  # why a document was built again: "new", "form changed", "template changed", ...

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != Severity.ERROR]

    def as_dict(self) -> dict:
        """For --json: the document, what became of it and why ("reason": new, form changed, ...), its problems."""
        return {"source": self.source, "document": str(self.target), "status": self.status, "reason": self.reason,
                "problems": [p.as_dict() for p in self.problems]}

    def line(self) -> str:
        """One plain line, for logs."""
        if self.status == FAILED:
            return f"failed      {self.source}"
        if self.status == GONE:
            return f"gone        {self.target}: its intake file {self.source} no longer exists (--prune removes it)"
        if self.status == PRUNED:
            return f"pruned      {self.target}: its intake file {self.source} no longer exists"
        return f"{self.status:<11} {self.target}" + (f" ({self.reason})" if self.reason else "")


@dataclass
class Tick:
    """Progress: `done` of `total` steps (reading a form is one, writing its document another);
    `outcome` is set when a document's fate is settled."""

    done: int
    total: int
    outcome: Outcome | None = None


@dataclass
class BuildReport:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # e.g. why everything was rebuilt
    # what fails the build beyond its forms (the manifest unwritten)
    trouble: list[Problem] = field(default_factory=list)
    pdf: PdfResult | None = None
    redlines: list[Path] = field(default_factory=list)  # the tracked-changes copies written
    html: list[Path] = field(default_factory=list)  # the web pages written (build --html)

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == FAILED]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.trouble and (self.pdf is None or self.pdf.ok)

    @property
    def problems(self) -> list[Problem]:
        """Every problem of the build: each form's (the warnings of the documents made too), then the build's own."""
        return [p for o in self.outcomes for p in o.problems] + self.trouble

    def as_dict(self) -> dict:
        """The report's own fields for `--json` (its problems go beside them: cli/common.envelope)."""
        pdf = None if self.pdf is None else {"made": [str(p) for p in self.pdf.made],
                                             "failed": [str(p) for p in self.pdf.failed], "message": self.pdf.message}
        return {"summary": self.summary(), "seconds": round(self.seconds, 3), "notes": self.notes,
                "documents": [o.as_dict() for o in self.outcomes], "redlines": [str(p) for p in self.redlines],
                "html": [str(p) for p in self.html],
                "pdf": pdf}

    def summary(self) -> str:
        """`12 built, 288 up to date, 1 failed (2.3 s)`."""
        parts = [f"{self.count(BUILT)} built", f"{self.count(UP_TO_DATE)} up to date", f"{self.count(FAILED)} failed"]
        for status in (GONE, PRUNED):
            if self.count(status):
                parts.append(f"{self.count(status)} {status}")
        if self.redlines:
            named = ", ".join(map(str, self.redlines)) if len(self.redlines) <= 3 else f"in {self.redlines[0].parent}"
            parts.append(f"{counted(len(self.redlines), 'redline')} ({named})")
        if self.html:
            parts.append(f"{counted(len(self.html), 'web page')} written")
        if self.pdf is not None:
            parts.append(f"{len(self.pdf.made)} PDF made"
                         + ("" if self.pdf.ok else f", {len(self.pdf.failed)} PDF failed"))
        return f"{', '.join(parts)} ({self.seconds:.1f} s)"

    def details(self) -> list[str]:
        """What the summary line does not say: notes, documents whose form is gone, warnings of the
        documents made, each failed form with its located errors, and what went wrong with the PDFs."""
        return list(self.notes) + [o.line() for o in self.outcomes if o.status == PRUNED] + self.problem_lines()

    def problem_lines(self) -> list[str]:
        """The details that are problems (all that `build -q` prints): documents whose form is gone, warnings of
        the documents made, each failed form with its located errors, what went wrong with the PDFs."""
        lines = [o.line() for o in self.outcomes if o.status == GONE]
        lines += [str(w) for o in self.outcomes if o.status == BUILT for w in o.warnings]
        across, stated = {r.code for r in CROSSFORM_RULES}, set()
        for o in sorted(self.failed, key=lambda o: o.source):  # a finding across forms: stated once, as validate does
            lines.append(f"failed {o.source}:")
            for p in o.problems:
                again = p.code in across and (p.code, p.message) in stated
                stated.add((p.code, p.message))
                lines.append(f"  {p.where}: the finding above [{p.code}]" if again else f"  {p}")
        lines += [str(p) for p in self.trouble]
        if self.pdf is not None and not self.pdf.ok:
            lines.append(f"PDF: {self.pdf.message}" + (f" ({', '.join(d.name for d in self.pdf.failed)})"
                                                       if self.pdf.failed and self.pdf.made else ""))
        return lines
