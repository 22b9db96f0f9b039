"""What a build remembers of each document, to say what changed at the next one.

In the output folder, `.casegen/` keeps per document the case it was built from (`cases/NAME.json`,
its checked values) and the document it replaced (`previous/NAME.docx`), and a log of every change
found (`changes.jsonl`, one JSON object a line: date, form, field, old, new). All of it is written
only for documents that are rebuilt: a build with nothing to do writes nothing.
"""
from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from casegen.batch.changes import TEMPLATE, Change, diff_cases
from casegen.fileio import write_bytes_atomic

STATE = ".casegen"
LOG = "changes.jsonl"
LAST = "last-build"  # the date of the last build that rebuilt a document
REDLINES = "redlines"


def case_path(out_dir: Path, name: str) -> Path:
    return Path(out_dir) / STATE / "cases" / f"{name}.json"


def previous_path(out_dir: Path, name: str) -> Path:
    return Path(out_dir) / STATE / "previous" / f"{name}.docx"


class History:
    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        # To the microsecond: it names the build in the log, and two builds can start in one second.
        self.date = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.changes: list[Change] = []

    def keep_previous(self, target: Path) -> Path | None:
        """Set the document about to be replaced aside (a hard link: no copy), until the build settles."""
        if not target.exists():
            return None
        kept = previous_path(self.out_dir, target.stem).with_suffix(".docx.part")
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.unlink(missing_ok=True)
        try:
            os.link(target, kept)
        except OSError:  # a file system without hard links
            shutil.copy2(target, kept)
        return kept

    def remember(self, target: Path, kind: str, values: dict, template: str) -> None:
        """Keep the case a document was just built from; note how it differs from the one before."""
        path = case_path(self.out_dir, target.stem)
        old = _read_json(path)
        if old is not None:
            found = diff_cases(target.stem, kind, old, values)
            self.changes += [Change(**{**c.as_dict(), "date": self.date}) for c in found]
        if template and not any(c.what == TEMPLATE and c.kind == kind for c in self.changes):
            self.changes.append(Change("", f"template {template}", what=TEMPLATE, kind=kind, date=self.date))
        text = json.dumps(values, ensure_ascii=False, indent=1).encode("utf-8")
        if old is None or old != values:
            write_bytes_atomic(path, text)

    def redlines(self, jobs, workers) -> list[Path]:
        """A tracked-changes copy of each rebuilt document whose text changed; an older one of a
        document whose text did not change is removed, so every redline in the folder is current."""
        # Imported here: only a --redline build needs it, and a build with nothing to do must not load lxml
        # (6 ms with it, python -X importtime).
        from casegen.batch.redline import write_redline

        done = [job for job in jobs if job.kept is not None and not job.failing]
        tasks = [(str(job.kept), str(job.target), str(self.out_dir / REDLINES / job.target.name), shown_date(self.date))
                 for job in done]
        written = []
        for i, changed in workers.each(write_redline, tasks):
            target = Path(tasks[i][2])
            if changed:
                written.append(target)
            else:
                target.unlink(missing_ok=True)
        return sorted(written)

    def forget(self, target: Path) -> None:
        """What is kept of a document that is pruned (its log lines stay: they are history)."""
        for path in (case_path(self.out_dir, target.stem), previous_path(self.out_dir, target.stem),
                     self.out_dir / REDLINES / target.name):
            path.unlink(missing_ok=True)

    def settle(self, jobs) -> None:
        """The documents set aside become the previous ones of those rebuilt; the changes join the log."""
        if any(not job.failing for job in jobs):
            write_bytes_atomic(self.out_dir / STATE / LAST, self.date.encode())
        for job in jobs:
            if job.kept is None:
                continue
            if job.failing:
                job.kept.unlink(missing_ok=True)
            else:
                os.replace(job.kept, previous_path(self.out_dir, job.target.stem))
        if self.changes:
            with open(self.out_dir / STATE / LOG, "a", encoding="utf-8") as log:
                for change in self.changes:
                    log.write(json.dumps(change.as_dict(), ensure_ascii=False) + "\n")


def shown_date(date: str) -> str:
    """A build's date to the second, as Word shows a tracked change's."""
    return date[:19] + "Z"


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def last_build(out_dir: Path) -> str | None:
    """The date of the last build into `out_dir` that rebuilt a document; None if it has no history."""
    try:
        return (Path(out_dir) / STATE / LAST).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def read_log(out_dir: Path) -> list[Change]:
    """Every change the builds into `out_dir` have logged, oldest first (lines that cannot be read are skipped)."""
    changes = []
    try:
        lines = (Path(out_dir) / STATE / LOG).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            changes.append(Change(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    return changes
