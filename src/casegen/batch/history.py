"""What a build remembers of each document, to say what changed at the next one, and whose a document is.

The store (batch.store) keeps per document the case it was last built from and the document as casegen
wrote it; a build compares each rebuilt form's case with the one kept (`casegen changes`) and, with --redline,
the new document with the one kept. A document a person has edited since casegen wrote it (its bytes are
not those recorded, or Word names a person as its last author) is never replaced silently: it is kept under
a dated name beside the new build, and the change log says so.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from casegen.batch.changes import EDITED, PRUNED, REBUILT, TEMPLATE, Change, diff_cases
from casegen.batch.store import FOLDER, MAX_VALUE, Store
from casegen.bounded import read_plain
from casegen.fileio import document_properties, keep_edited, plain_file, remove_plain, set_aside, written_by_casegen

REDLINES, TMP = "redlines", "tmp"  # .casegen/tmp: the documents a redline compares with, for the build's length
# What a killed casegen leaves half-written, by exact shape (fileio.atomic_path's and tempfile's names).
PART = re.compile(r"\..+\.(docx|pdf)\.[a-z0-9_]{8}\.part")
PDF_WORK = re.compile(r"\.casegen-pdf-[a-z0-9_]{8}")


class History:
    def __init__(self, store: Store):
        self.store = store
        # To the microsecond: it names the build in the log, and two builds can start in one second.
        self.date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.changes: list[Change] = []
        self.built: set[str] = set()  # the documents written, whose bytes and cases wait in the store
        self.notes: list[str] = []
        self.redlined = False  # a redline was written: some document's text changed
        self.pending = store.pending()

    def owned(self, target: Path, sha256: str | None) -> bool:
        """Whether the document at `target` is as casegen wrote it (by its recorded bytes; one a stopped build was
        writing, by its author), so it may be replaced."""
        if sha256 and file_sha256(target) == sha256:
            return True
        return (not sha256 or target.name in self.pending) and written_by_casegen(target, "document")

    def keep_edited(self, target: Path) -> Path:
        """Rename a document a person edited to NAME.edited-YYYYMMDD-HHMMSS.docx, and log it at once."""
        by = document_properties(target).get("lastModifiedBy", "")
        aside = keep_edited(target)
        self.notes.append(f"{target}: edited since casegen built it{f' (last saved by {by})' if by else ''}; kept "
                          f"as {aside}, and the new build written in its place")
        self.store.log([Change(target.stem, "", new=aside.name, what=EDITED, date=self.date)])
        return aside

    def remember(self, target: Path, kind: str, values: dict, template: str, reason: str) -> str:
        """Keep the document just built and its case (in the store, until `settle`); note how the case differs
        from the one before. Returns the document's sha256 ("" if it cannot be read back)."""
        old = self.store.case(target.name)
        try:
            found = diff_cases(target.stem, kind, old, values) if old is not None else []
        except (TypeError, AttributeError, ValueError, KeyError):  # a case of the wrong shape
            self.notes.append(f"{self.store.path}: the case {target.name} was built from is not one casegen saved, "
                              "so its changes at this build cannot be listed")
            found = []
        self.changes += [Change(**{**c.as_dict(), "date": self.date}) for c in found]
        if template and not any(c.what == TEMPLATE and c.kind == kind for c in self.changes):
            self.changes.append(Change("", f"template {template}", what=TEMPLATE, kind=kind, date=self.date))
        self.changes.append(Change(target.stem, "", new=reason, what=REBUILT, date=self.date))
        try:
            body: bytes | None = read_plain(target, MAX_VALUE)
        except OSError:  # no redline of it next time, nothing worse
            body = None
        self.store.built(target.name, body, values)
        self.built.add(target.name)
        return hashlib.sha256(body).hexdigest() if body is not None else ""

    def pruned(self, target: Path, source: str) -> None:
        """A document removed because its form (`source`, as its record names it) is gone: its redline goes too, and
        the change log says so at this build (its earlier lines stay: they are history)."""
        remove_plain(target.parent / REDLINES / target.name)  # only a plain file: a link there is left
        self.changes.append(Change(target.stem, "", old=Path(source).name, what=PRUNED, date=self.date))

    def settle(self, records) -> None:
        """Save this build in one transaction; `last_build` moves only when some text changed (or at the first)."""
        texts = [c for c in self.changes if c.what != REBUILT]
        changed = bool(texts) or self.redlined or self.store.last_build() is None
        self.store.save_build(self.date, records, self.changes, changed)


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(read_plain(path, MAX_VALUE)).hexdigest()
    except OSError:
        return None


def sweep_leftovers(folder: Path) -> None:
    """Remove what a killed build left half-written: only names casegen makes, by their exact shape."""
    for place in (folder, folder / REDLINES):
        try:
            names = os.listdir(place) if plain_file(place) in ("", "a folder") else []
        except OSError:
            continue
        for name in names:
            if PART.fullmatch(name):
                remove_plain(place / name)
            elif place == folder and PDF_WORK.fullmatch(name) and plain_file(place / name) == "a folder":
                shutil.rmtree(place / name, ignore_errors=True)
    tmp = folder / FOLDER / TMP
    if plain_file(tmp) == "a folder":
        shutil.rmtree(tmp, ignore_errors=True)
    elif os.path.lexists(tmp):
        set_aside(tmp)
