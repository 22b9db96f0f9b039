"""The build manifest: for each document in an output folder, a stamp of everything it was made from.

A document is up to date while its intake file, its template, the programme configuration and
casegen's version are all as stamped, and the document itself is still there. The manifest is
JSON, written atomically; one that cannot be read means every document is rebuilt. It is data, never an
instruction: an entry naming anything but a document of the folder (`../x.docx`, a path, a form) is set
aside with a note, and nothing it names is touched.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from casegen.bounded import Unreadable, read_bounded
from casegen.errors import BuildError
from casegen.fileio import write_bytes_atomic
from casegen.facts import Fact
from casegen.office import MAX_FILE

MANIFEST_NAME = ".casegen-manifest.json"
FORMAT = 2  # 2: the facts of the rules across forms, in place of a tracker ref


def document_name_ok(name) -> bool:
    """Whether `name` is one a build writes: NAME.docx, directly in the output folder, not a hidden file."""
    return (isinstance(name, str) and name.endswith(".docx") and len(name) > len(".docx")
            and not name.startswith(".") and not any(c in name for c in "/\\\0"))


def file_digest(path: str | os.PathLike) -> str | None:
    """sha256 of a file's bytes, or None if it cannot be read (the reader then says why)."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def template_digest(path: str | os.PathLike) -> str | None:
    """The template's stamp, the same as render.CompiledTemplate's `.digest`, without compiling it."""
    try:  # a pipe or /dev/zero named as a template is never read: the renderer then says why
        return hashlib.sha256(read_bounded(path, MAX_FILE, "template")).hexdigest()[:16]
    except (OSError, Unreadable):
        return None


@dataclass(frozen=True)
class Stamp:
    """Everything a document depends on."""

    source_sha256: str
    template_sha256: str
    config: str
    casegen: str


@dataclass(frozen=True)
class Entry:
    """One document: where it came from, its stamp, and what later builds need without reading its form
    again (the facts the rules across forms need; whether it had warnings, for --strict)."""

    source: str  # the intake file, relative to the output folder
    kind: str
    source_sha256: str
    template_sha256: str
    config: str
    casegen: str
    facts: dict = field(default_factory=dict)  # name -> [value, sheet, cell, field]
    warnings: int = 0

    @property
    def stamp(self) -> Stamp:
        return Stamp(self.source_sha256, self.template_sha256, self.config, self.casegen)

    def known_facts(self) -> dict[str, Fact]:
        return {name: Fact.from_json(fact) for name, fact in self.facts.items()}

    @classmethod
    def make(cls, source: str, kind: str, stamp: Stamp, **known) -> Entry:
        return cls(source, kind, **asdict(stamp), **known)

    @classmethod
    def from_json(cls, data: dict) -> Entry:
        if not isinstance(data, dict) or not set(data) <= {f.name for f in fields(cls)}:
            raise ValueError(f"unexpected entry {data!r:.80}")
        entry = cls(**data)
        if not isinstance(entry.facts, dict):
            raise ValueError(f"unexpected facts {entry.facts!r:.80}")
        entry.known_facts()  # raises ValueError if one cannot be used
        texts = [getattr(entry, f.name) for f in fields(cls) if f.name not in ("facts", "warnings")]
        if not all(isinstance(t, str) for t in texts) or type(entry.warnings) is not int:
            raise ValueError(f"unexpected entry {data!r:.80}")
        return entry


@dataclass
class Manifest:
    folder: Path
    entries: dict[str, Entry]  # by document file name, e.g. "my-case.docx"
    trouble: str = ""  # why an existing manifest could not be used
    loaded: dict[str, Entry] | None = None  # the entries as read, so an unchanged manifest is not rewritten

    @property
    def path(self) -> Path:
        return self.folder / MANIFEST_NAME

    @classmethod
    def load(cls, folder: str | os.PathLike) -> Manifest:
        """The folder's manifest; an empty one (everything stale) if it is missing or cannot be read."""
        folder = Path(folder)
        path = folder / MANIFEST_NAME
        if not path.exists():
            return cls(folder, {})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
            entries = {name: Entry.from_json(e) for name, e in data["documents"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            return cls(folder, {}, f"{path} cannot be used ({type(exc).__name__}: {exc}"[:200] + "); rebuilding all")
        odd = [name for name in entries if not document_name_ok(name)]
        if odd:  # set aside, and the manifest written again without them
            more = f" and {len(odd) - 3} more" if len(odd) > 3 else ""
            shown = ", ".join(repr(name)[:80] for name in odd[:3]) + more
            entries = {name: e for name, e in entries.items() if name not in odd}
            return cls(folder, entries, f"{path}: {shown} {'is' if len(odd) == 1 else 'are'} not the name of a "
                                        "document in the folder; left out of the manifest, and nothing of that "
                                        "name was touched", loaded=dict(entries))
        return cls(folder, entries, loaded=dict(entries))

    def save(self) -> None:
        if self.entries == self.loaded and not self.trouble:
            return
        # One line a document, so a diff of two manifests reads document by document.
        lines = [f" {json.dumps(name, ensure_ascii=False)}: {json.dumps(asdict(self.entries[name]), ensure_ascii=False)}"
                 for name in sorted(self.entries)]
        text = f'{{"format": {FORMAT}, "documents": {{\n' + ",\n".join(lines) + "\n}}\n"
        try:
            write_bytes_atomic(self.path, text.encode("utf-8"))
        except OSError as exc:
            raise BuildError(f"{self.path}: cannot write the build manifest ({exc.strerror or exc}); the documents "
                             "made are complete, and the next build will make them again") from None

    def source_path(self, entry: Entry) -> Path:
        return Path(os.path.normpath(self.folder / entry.source))

    def relative(self, source: Path) -> str:
        """How an entry names its intake file: relative to the output folder, so both can move together."""
        try:
            return os.path.relpath(Path(source).resolve(), self.folder.resolve())
        except ValueError:  # another drive, on Windows
            return str(Path(source).resolve())
