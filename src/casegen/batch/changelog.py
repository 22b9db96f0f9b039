"""`casegen changes` as one library call: a folder of an earlier casegen carried into the store first, then the
changes of the last build that changed a document (or of every build), from the folder's store."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from casegen.batch.carry import carry_over
from casegen.batch.changes import Change, when_for_people
from casegen.batch.store import FILE, FOLDER, Store
from casegen.errors import BuildError, CasegenError, Problem, Severity


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
    """The changes recorded in `out_dir`'s store; CasegenError if it has no build history. Never prints.

    A folder of an earlier casegen is carried into the store first; while a build runs, the store is read as
    it is (the build finishes what it is writing)."""
    if not os.path.lexists(out_dir / FOLDER / FILE) and not os.path.lexists(out_dir / ".casegen-manifest.json"):
        raise CasegenError(f"{out_dir} has no build history; build into it first: casegen build FORMS -o {out_dir}")
    try:
        store = Store.open(out_dir).__enter__()
    except BuildError:
        store = Store.open(out_dir, locked=False).__enter__()
    try:
        if store.locked:
            carry_over(store)
        last, log, notes = store.last_build(), store.read_log(), list(store.notes)
    finally:
        store.__exit__()
    if last is None:
        raise CasegenError(f"{out_dir} has no build history; build into it first: casegen build FORMS -o {out_dir}")
    found = [c for c in log if everything or c.date == last]
    return ChangesReport(out_dir, last, found, everything, notes)
