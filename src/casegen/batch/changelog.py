"""`casegen changes` as one library call: a build killed as it wrote its history finished first, then the
changes of the last build that changed a document (or of every build), from the folder's change log."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from casegen.batch.changes import Change
from casegen.batch.history import last_build, read_log, shown_date
from casegen.batch.journal import COMMIT, LOG, damaged_lines, journal, recover, state
from casegen.batch.lock import BuildLock
from casegen.errors import BuildError, CasegenError, Problem, Severity, counted


@dataclass
class ChangesReport:
    out_dir: Path
    last: str  # the date of the last build that changed a document
    changes: list[Change]
    everything: bool = False  # every build's changes, not only the last's
    damaged: int = 0  # lines of the change log that could not be read, left out

    @property
    def problems(self) -> list[Problem]:
        if not self.damaged:
            return []
        return [Problem(str(state(self.out_dir, LOG)), f"{counted(self.damaged, 'damaged line')} of the change log "
                        "left out (the next build sets them aside)", severity=Severity.WARNING, code="history-damaged")]

    def notes(self) -> list[str]:
        """What the terminal is told beside the changes."""
        return [f"{self.out_dir}: {counted(self.damaged, 'damaged line')} of the change log left out "
                "(the next build sets them aside)"] if self.damaged else []

    def lines(self) -> list[str]:
        """The changes, build by build, in the form's words."""
        if not self.changes:
            return ["nothing changed yet" if self.everything else f"nothing changed at the last build ({shown_date(self.last)})"]
        out = []
        for date, group in groupby(self.changes, key=lambda c: c.date):
            out.append(f"build of {shown_date(date)}:")
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
    found = [c for c in read_log(out_dir) if everything or c.date == last]
    return ChangesReport(out_dir, last, found, everything, damaged)
