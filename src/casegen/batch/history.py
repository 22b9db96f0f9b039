"""What a build remembers of each document, to say what changed at the next one.

In the output folder, `.casegen/` keeps per document the case it was built from (`cases/NAME.json`,
its checked values) and the document it replaced (`previous/NAME.docx`), and a log of every change
found (`changes.jsonl`, one JSON object a line: date, form, field, old, new). All of it is written
only for documents that are rebuilt, through the journal (batch.journal), once the build is done: a
build killed on the way leaves the history of the last complete build, and the next build reports
every change since that one. A build that changes no document's text leaves the last redlines and
`last-build` (what `casegen changes` shows) as they were.
"""
from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from casegen.batch.changes import TEMPLATE, Change, diff_cases
from casegen.batch.journal import (LAST, LOG, REDLINES, STATE, commit, is_plain, journal, read_last, read_log,
                                   read_plain, recover, set_aside, state, sync_dir)
from casegen.fileio import remove_plain

__all__ = ["STATE", "LOG", "LAST", "REDLINES", "History", "last_build", "read_log", "shown_date"]


def case_path(out_dir: Path, name: str) -> Path:
    return state(out_dir, "cases", f"{name}.json")


def previous_path(out_dir: Path, name: str) -> Path:
    return state(out_dir, "previous", f"{name}.docx")


class History:
    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        # To the microsecond: it names the build in the log, and two builds can start in one second.
        self.date = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.changes: list[Change] = []
        self.cases: dict[str, dict] = {}  # name -> the case each document rebuilt was built from
        self.notes: list[str] = []
        self.redlined = False  # a redline was written: some document's text changed

    def recover(self) -> None:
        """Finish what a killed build left (batch.journal); set damaged history aside."""
        try:
            self.notes += recover(self.out_dir)
        except OSError as exc:  # the build goes on; settle() says so if the history cannot be written either
            self.notes.append(f"{state(self.out_dir)}: cannot mend the build history ({exc.strerror or exc})")

    def keep_previous(self, targets: list[Path]) -> list[Path | None]:
        """Set aside each document about to be replaced (a hard link: no copy), as the document of the
        last complete build; one a killed build already set aside is the older, and is kept."""
        kept = [self._keep(target) for target in targets]
        if any(kept):
            sync_dir(journal(self.out_dir, "base"))
        return kept

    def _keep(self, target: Path) -> Path | None:
        base = journal(self.out_dir, "base", f"{target.stem}.docx")
        try:
            if is_plain(base):
                return base
            if base.exists() or base.is_symlink():
                set_aside(base)
            if not is_plain(target):  # none yet, or a link planted in the folder: never read through it
                return None
            base.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(target, base)
            except OSError:  # a file system without hard links
                shutil.copyfile(target, base, follow_symlinks=False)
            return base
        except OSError as exc:  # history, never a reason to stop the build
            self.notes.append(f"{base}: cannot keep the document it replaces ({exc.strerror or exc}); "
                              "it gets no redline at this build")
            return None

    def remember(self, target: Path, kind: str, values: dict, template: str) -> None:
        """Keep the case a document was just built from; note how it differs from the one before."""
        name = target.stem
        old = self.snapshot(name)
        if old is not None:
            try:
                found = diff_cases(name, kind, old, values)
            except (TypeError, AttributeError, ValueError, KeyError):  # a snapshot of the wrong shape
                self.damaged(case_path(self.out_dir, name), "not a case casegen saved")
                found = []
            self.changes += [Change(**{**c.as_dict(), "date": self.date}) for c in found]
        if template and not any(c.what == TEMPLATE and c.kind == kind for c in self.changes):
            self.changes.append(Change("", f"template {template}", what=TEMPLATE, kind=kind, date=self.date))
        self.cases[name] = values

    def snapshot(self, name: str) -> dict | None:
        """The case of the last complete build of `name`; None if there is none, or it was damaged."""
        path = case_path(self.out_dir, name)
        if not (path.exists() or path.is_symlink()):
            return None
        try:
            old = json.loads(read_plain(path))
        except (OSError, ValueError):
            old = None
        if not isinstance(old, dict):
            self.damaged(path, "cut off or not a case")
            return None
        return old

    def damaged(self, path: Path, what: str) -> None:
        try:
            aside = f"set aside as {set_aside(path).name}"
        except OSError as exc:
            aside = f"cannot set it aside ({exc.strerror or exc})"
        self.notes.append(f"{path}: {what}; {aside}, so the changes of {path.stem} at this build cannot be listed")

    def redlines(self, jobs, workers) -> list[Path]:
        """A tracked-changes copy of each rebuilt document whose text changed. When some text changed, an
        older redline of a document whose text did not is removed; when none did, every redline stays."""
        # Imported here: only a --redline build needs it, and a build with nothing to do must not load lxml
        # (6 ms with it, python -X importtime).
        from casegen.batch.redline import write_redline

        done = [job for job in jobs if job.kept is not None and not job.failing and job.target.stem in self.cases]
        tasks = [(str(job.kept), str(job.target), str(self.out_dir / REDLINES / job.target.name), shown_date(self.date))
                 for job in done]
        written, same = [], []
        for i, (changed, trouble) in workers.each(write_redline, tasks):
            target = Path(tasks[i][2])
            if trouble:
                self.notes.append(f"{done[i].target}: no redline: {trouble}")
            (written if changed else same).append(target)
        if written:
            for target in same:
                if target.is_symlink() or target.is_file():
                    target.unlink()
        self.redlined = bool(written)
        return sorted(written)

    def forget(self, target: Path) -> None:
        """What is kept of a document that is pruned (its log lines stay: they are history)."""
        for path in (case_path(self.out_dir, target.stem), previous_path(self.out_dir, target.stem),
                     journal(self.out_dir, "base", f"{target.stem}.docx"), self.out_dir / REDLINES / target.name):
            remove_plain(path)  # only casegen's own kind of file: a link planted there is left, never followed

    def settle(self) -> None:
        """Commit what this build found: the cases of the documents rebuilt, their previous documents, the
        changes; `last-build` moves only when some text changed (or on the first build)."""
        if not self.cases:
            return
        changed = bool(self.changes) or self.redlined or read_last(self.out_dir) is None
        lines = [json.dumps(change.as_dict(), ensure_ascii=False) for change in self.changes]
        commit(self.out_dir, self.date, self.cases, lines, changed)


def shown_date(date: str) -> str:
    """A build's date to the second, as Word shows a tracked change's."""
    return date[:19] + "Z"


def last_build(out_dir: Path) -> str | None:
    """The date of the last build into `out_dir` that changed a document; None if it has no history
    (a damaged `last-build` gives way to the log's last date)."""
    return read_last(out_dir) or max((c.date for c in read_log(out_dir)), default=None)
