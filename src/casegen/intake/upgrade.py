"""`casegen upgrade FORM.xlsx`: a form of an older layout rewritten onto today's, every value kept.

The form is read as the reader reads any form (an older layout by what it has), written again by
the form writer from the case it holds, read back and compared before anything is replaced: the
old form is kept beside it as FORM.backup-YYYYMMDD-HHMMSS.xlsx and the new one takes its place in
one step. What moved and what was added is listed, by the labels a lead sees.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from casegen.config import Programme
from casegen.errors import CasegenError, IntakeError, Problem
from casegen.fileio import atomic_path
from casegen.intake import spec
from casegen.intake.form import write_form
from casegen.intake.reader import Intake, read_intake
from casegen.models import KINDS


@dataclass
class Upgraded:
    form: Path
    backup: Path
    moved: list[str] = field(default_factory=list)  # "'Department and Team' from Project!B12 to Project!B13"
    added: list[str] = field(default_factory=list)  # "'Budget code' at Project!B9"
    warnings: list[Problem] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"upgraded {self.form} to today's layout; the old form is kept as {self.backup}"]
        out += [f"  moved {m}" for m in self.moved] + [f"  added {a}" for a in self.added]
        if not self.moved and not self.added:
            out.append("  nothing moved and nothing was added: the form already had today's layout")
        return out


def backup_path(path: Path, now: float | None = None) -> Path:
    """FORM.backup-YYYYMMDD-HHMMSS.xlsx beside the form; never one that exists."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    candidate = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.backup-{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def _blocks(intake: Intake) -> dict[tuple, str]:
    """Where each field and table is: path -> "Sheet!B4" (rows of tables left out)."""
    return {path: f"{sheet}!{cell}" for path, (sheet, cell, _) in intake.places.items()
            if sheet and not any(isinstance(p, int) for p in path)}


def upgrade_form(path: str | Path, programme: Programme) -> Upgraded:
    """Rewrite the form at `path` onto today's layout; raises IntakeError if it has errors to fix first."""
    path = Path(path)
    old = read_intake(path, programme)
    if old.errors:
        raise IntakeError(old.problems + [Problem(str(path), "fix the errors above first (casegen validate shows "
                                                             "them in the form's words), then upgrade the form")])
    result = Upgraded(path, backup_path(path), warnings=[p for p in old.problems if p.code == "form-old-layout"])
    with atomic_path(path) as tmp:
        write_form(old.kind, tmp, programme, old.case)
        new = read_intake(tmp, programme)
        if new.case is None or new.case.model_dump() != old.case.model_dump():
            raise CasegenError(f"{path}: the rewritten form would not hold the same values; the form is left as "
                               "it was (please report this)")
        shutil.copy2(path, result.backup)  # the new form replaces the old only once the backup is safe
    before, after, labels = _blocks(old), _blocks(new), _labels(old.kind)
    for key, where in after.items():
        name = labels.get(key, ".".join(key))
        if key not in before:
            result.added.append(f"'{name}' at {where}")
        elif before[key] != where:
            result.moved.append(f"'{name}' from {before[key]} to {where}")
    return result


def _labels(kind: str) -> dict[tuple, str]:
    """The label a lead sees on the form, by field path."""
    blocks = [b for s in spec.sheets(KINDS[kind]) for b in s.blocks if not isinstance(b, str)]
    return {b.path: b.label if isinstance(b, spec.Table) else b.column.label for b in blocks}
