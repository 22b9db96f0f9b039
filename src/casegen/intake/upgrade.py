"""`casegen upgrade FORM.xlsx`: a form of an older layout rewritten onto today's, every value kept as typed.

Any form casegen can read is carried across, errors included: the reader's values, unchecked
(`read_cells`), are written into a new form by the form writer (`write_form_values`), so a value the
model refuses ("Autumn-ish" for a date) stays in its cell for the lead to correct. The new form is
read back and compared before anything is replaced: the old form is kept beside it as
FORM.backup-YYYYMMDD-HHMMSS.xlsx and the new one takes its place in one step (through a symbolic link, the
file it points at is upgraded and the link kept). What moved, what is new
and what the form still needs (its errors, checked as `validate` checks them) are listed by the
labels a lead sees.
"""
from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from casegen.config import Programme
from casegen.errors import CasegenError, IntakeError, Problem, counted
from casegen.fileio import atomic_path, os_error_message, part_prefix, remove_plain, sweep_parts
from casegen.intake import labels, spec
from casegen.intake.form import write_form_values
from casegen.intake.reader import read_cells, read_intake
from casegen.models import KINDS

NEW = " (a field new in today's layout: the old form had no place for it)"
# What the reader names but does not read: only the backup keeps it.
NOT_READ = ("cell-outside", "table-unknown-column", "cell-merged", "cell-formula-no-value", "cell-error-value")


class NotAForm(IntakeError):
    """The file is not a form casegen can read, so there is nothing to upgrade: exit 1, as every command
    exits on an unreadable input (2 is for mistakes in the command line itself)."""


@dataclass
class Upgraded:
    form: Path
    backup: Path | None  # None: the form had today's layout already, and was left as it was
    real: Path | None = None  # the file upgraded, where `form` is a symbolic link to it
    moved: list[str] = field(default_factory=list)  # "'Department and Team' from Project!B12 to Project!B13"
    added: list[str] = field(default_factory=list)  # "'Budget code' at Project!B9"
    left: list[str] = field(default_factory=list)  # what the old form held that casegen does not read
    needs: list[Problem] = field(default_factory=list)  # the new form's errors

    @property
    def ok(self) -> bool:
        return not self.needs

    def lines(self) -> list[str]:
        if self.backup is None:
            out = [f"{self.form} already has today's layout: nothing to upgrade, and nothing was written"]
            if self.needs:
                out.append(f"it needs {counted(len(self.needs), 'fix', 'fixes')} before it can be built:")
            return out + [str(p) for p in self.needs]
        through = f" (a link: the file upgraded is {self.real})" if self.real else ""
        out = [f"upgraded {self.form}{through} to today's layout; the old form is kept as {self.backup}"]
        out += [f"  moved {m}" for m in self.moved] + [f"  added {a}" for a in self.added]
        if not self.moved and not self.added:
            out.append("  nothing moved and nothing was added: the form already had today's layout")
        out += [f"  not carried across (only the backup has it): {what}" for what in self.left]
        if self.needs:
            n = len(self.needs)
            out.append(f"the form still needs {counted(n, 'fix', 'fixes')} before it can be built:")
            out += [str(p) for p in self.needs]
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


def _keep(path: Path, backup: Path) -> None:
    """A byte-for-byte copy of the form at `backup`; "x" mode, so an existing file is never overwritten."""
    with open(path, "rb") as src, open(backup, "xb") as dst:
        shutil.copyfileobj(src, dst)
    shutil.copystat(path, backup)


def _blocks(places: dict) -> dict[tuple, str]:
    """Where each field and table is: path -> "Sheet!B4" (rows of tables left out)."""
    return {path: f"{sheet}!{cell}" for path, (sheet, cell, _) in places.items()
            if sheet and not any(isinstance(p, int) for p in path)}


def _read(path: Path, programme: Programme):
    try:
        return read_cells(path, programme)
    except IntakeError as exc:
        raise NotAForm(exc.problems) from None


def upgrade_form(path: str | Path, programme: Programme) -> Upgraded:
    """Rewrite the form at `path` onto today's layout, keeping every value as typed; NotAForm if it is not one."""
    given = Path(path)
    path = given.resolve() if given.is_symlink() else given  # write through the link: the link stays a link
    old, kind, data = _read(path, programme)
    _sweep(path)  # what a killed upgrade left half-written beside the form
    if str(old.version) == spec.form_version(KINDS[kind]) and not old.lost:  # today's layout: leave it be
        return Upgraded(given, None, needs=read_intake(path, programme).errors)
    backup = backup_path(path)
    result = Upgraded(given, backup, real=path if path != given else None)
    try:
        new = _replace(path, backup, kind, programme, data)
    except OSError as exc:  # the new form is written beside the old and renamed over it: the old is untouched
        raise CasegenError(f"{os_error_message(exc)}; {given} is left as it was") from None
    before, after = _blocks(old.places), _blocks(new.places)
    fresh = set()
    for key, where in after.items():
        name = labels.label(KINDS[kind], key) or ".".join(key)  # as validate names it
        if key not in before:
            result.added.append(f"'{name}' at {where}")
            fresh.add(where)
        elif before[key] != where:
            result.moved.append(f"'{name}' from {before[key]} to {where}")
    result.left = _left(old)
    errors = read_intake(path, programme).errors
    result.needs = [replace(p, message=p.message + NEW) if f"{p.sheet}!{p.cell}" in fresh else p for p in errors]
    return result


def _sweep(path: Path) -> None:
    """Remove the temporary files a killed upgrade left: the new form's (`.FORM.X.part`), and the one its writer
    makes beside that (`..FORM.X.part.Y.part`), by their exact shape only (tempfile's 8 characters)."""
    sweep_parts(path)
    nested = re.compile(re.escape("." + part_prefix(path)) + r"[a-z0-9_]{8}\.part\.[a-z0-9_]{8}\.part")
    for name in [n for n in _names(path.parent) if nested.fullmatch(n)]:
        remove_plain(path.parent / name)  # a regular file only: never a link or a folder of that name


def _names(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in folder.iterdir()]
    except OSError:
        return []


def _replace(path: Path, backup: Path, kind: str, programme: Programme, data: dict):
    """Write the form anew beside `path`, check it holds `data`, keep the old at `backup`, then rename the new
    over the old; the new form's reading."""
    with atomic_path(path) as tmp:
        write_form_values(kind, tmp, programme, data)
        new, _, again = read_cells(tmp, programme)
        if again != data:
            raise CasegenError(f"{path}: the rewritten form would not hold the same values, so the form is left "
                               "as it was and nothing was written (please report this)")
        _keep(path, backup)  # the new form replaces the old only once the backup is safe
    return new


def _left(old) -> list[str]:
    """What the old form held that the new one does not: cells casegen does not read, sheets of the lead's own."""
    left = [f"{p.sheet}!{p.cell}: {p.message}" for p in old.problems if p.code in NOT_READ]
    ours = {spec.GUIDE_SHEET, spec.LISTS_SHEET, spec.CONTROL_SHEET} | {s.title for s in spec.sheets(old.model)}
    left += [f"the sheet '{title}'" for title in old.inspection.sheets if title not in ours]
    return left
