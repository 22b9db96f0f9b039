"""`casegen changes` as one library call: a build killed as it wrote its history finished first, then the
changes of the last build that changed a document (or of every build), from the folder's change log."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from casegen.batch.changes import Change, when_for_people
from casegen.batch.history import last_build, read_log
from casegen.batch.journal import COMMIT, damaged_lines, journal, recover
from casegen.batch.lock import BuildLock
from casegen.errors import BuildError, CasegenError, Problem, Severity, counted


@dataclass
class ChangesReport:
    out_dir: Path
    last: str  # the date of the last build that changed a document
    changes: list[Change]
    everything: bool = False  # every build's changes, not only the last's
    notes: list[str] = field(default_factory=list)  # damaged history left out or set aside, one line each

    @property
    def problems(self) -> list[Problem]:
        """The notes, as the problems of `--json`."""
        return [Problem(str(self.out_dir), note, severity=Severity.WARNING, code="history-damaged")
                for note in self.notes]

    def lines(self) -> list[str]:
        """The changes, build by build, in the form's words."""
        if not self.changes:
            return ["nothing changed yet" if self.everything
                    else f"nothing changed at the last build ({when_for_people(self.last)})"]
        out = []
        for date, group in groupby(self.changes, key=lambda c: c.date):
            out.append(f"build of {when_for_people(date)}:")
            out += [f"  {change.line()}" for change in group]
        return out

    def as_dict(self) -> dict:
        """The report's own fields for `--json` (its problems go beside them: cli/common.envelope)."""
        return {"last_build": self.last, "changes": [c.as_dict() for c in self.changes]}


def what_changed(out_dir: Path, everything: bool = False) -> ChangesReport:
    """The changes recorded in `out_dir`; CasegenError if it has no build history. Never prints."""
    if journal(out_dir, COMMIT).exists():  # a build killed as it wrote its history: finish it first
        try:
            with BuildLock(out_dir):
                recover(out_dir)
        except BuildError:  # a build is running: it finishes it
            pass
    last = last_build(out_dir)
    if last is None:
        raise CasegenError(f"{out_dir} has no build history; build into it first: casegen build FORMS -o {out_dir}")
    damaged = damaged_lines(out_dir)
    note = f"{out_dir}: {counted(damaged, 'damaged line')} of the change log left out (the next build sets them aside)"
    notes = [note] if damaged else []
    found = [c for c in read_log(out_dir) if everything or c.date == last]
    return ChangesReport(out_dir, last, found, everything, notes)
