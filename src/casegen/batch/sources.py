"""Which intake workbooks a build takes, and the document each one makes."""
from __future__ import annotations

import hashlib
import os
import re
import stat
import time
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path, PurePath
from typing import TYPE_CHECKING
from urllib.parse import quote

from casegen.codes import WARNING
from casegen.errors import Problem
from casegen.intake.files import Scan

if TYPE_CHECKING:  # batch.store imports this module
    from casegen.batch.store import Record

MAX_INPUT = 64 * 2**20  # bytes of a form or a template stamped: casegen's are well under 1 MB


def document_name_ok(name) -> bool:
    """Whether `name` is one a build writes: NAME.docx, directly in the output folder, not a hidden file."""
    return (isinstance(name, str) and name.endswith(".docx") and len(name) > len(".docx")
            and not name.startswith(".") and not any(c in name for c in "/\\\0"))


def file_digest(path: str | os.PathLike, length: int = 64) -> str | None:
    """sha256 of a regular file's bytes (cut to `length` hex digits), or None if it is not one, or is larger
    than a form or template could be: a pipe or /dev/zero is never read (the reader then says why)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with open(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_INPUT:
            return None
        digest, left = hashlib.sha256(), MAX_INPUT + 1  # in pieces: read(MAX_INPUT) would allocate 64 MB a call
        while left > 0 and (piece := file.read(min(left, 2**20))):
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()[:length]


def seen(path: str | os.PathLike, info: os.stat_result | None = None) -> str:
    """What says a file is unchanged without reading it (its size, times and inode, as git's index keeps), or ""
    if it changed too lately to be trusted: a form saved again within the clock's step keeps its time. `info`:
    the file's os.stat, where the caller has it."""
    if info is None:
        try:
            info = os.stat(path)
        except OSError:
            return ""
    racy = time.time_ns() - info.st_mtime_ns < 2_000_000_000
    return "" if racy else f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def template_digest(path: str | os.PathLike) -> str | None:
    """The template's stamp, the same as render.CompiledTemplate's `.digest`, without compiling it."""
    return file_digest(path, 16)


@lru_cache(maxsize=4096)  # asked of each form several times a build
def document_name(source: Path) -> str:
    """NAME.docx for inputs/NAME.xlsx, in Unicode's composed spelling (NFC): a name typed on a Mac (decomposed,
    NFD) and the same name typed elsewhere are one document, not two files that look alike."""
    stem = source.stem if isinstance(source, PurePath) else Path(source).stem
    return unicodedata.normalize("NFC", stem) + ".docx"


def output_path(source: Path, out_dir: Path) -> Path:
    """inputs/NAME.xlsx -> OUT_DIR/NAME.docx"""
    return (out_dir if isinstance(out_dir, Path) else Path(out_dir)) / document_name(source)


# Names Windows cannot create, whatever the folder is built on: a folder built on Linux must open on a
# council desktop. Reserved device names (with any extension), characters Windows refuses, a trailing dot or
# space (Windows drops it, so the name would be another file's).
_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[1-9\u00b9\u00b2\u00b3]|LPT[1-9\u00b9\u00b2\u00b3])", re.IGNORECASE)
_REFUSED = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
WINDOWS_PATH = 259  # characters of a path where Windows' long paths are not turned on (MAX_PATH, 260, with its end)


def windows_trouble(name: str) -> str:
    """Why Windows cannot create a file named `name` ("" if it can)."""
    if _RESERVED.fullmatch(name.split(".")[0].rstrip(" ")):
        return f"{name.split('.')[0].rstrip(' ').upper()} is a name Windows keeps for a device"
    bad = sorted(set(_REFUSED.findall(name)))
    if bad:
        return "Windows does not allow " + " ".join(c if c.isprintable() else repr(c) for c in bad) \
            + " in a file name"
    if name.endswith((".", " ")):
        return "Windows drops a dot or space at the end of a file name"
    return ""


class Looks:
    """What finding the forms learnt of each, kept for the build, which would otherwise ask the system again:
    the one look through the paths (intake.files.Scan), a form's `seen` (where its record's is compared), its
    real path, each folder's real path."""

    def __init__(self, scan: Scan | None = None) -> None:
        self.scan = scan
        self.seen: dict[Path, str] = {}
        self.real: dict[Path, str] = {}
        self.folders: dict[str, str] = {}


def find_sources(paths, out_dir: Path | None = None, records: Mapping[str, Record] | None = None,
                 looks: Looks | None = None) -> tuple[list[Path], list[Problem]]:
    """The workbooks named and those under the folders named, each once, in a stable order; and a located
    problem for each form whose document name an earlier form's document already has, or Windows cannot
    create (it is left out, never built over the other); a warning where the document's path (in `out_dir`)
    is longer than Windows opens.

    A form of the size, times and inode its document's record (in `records`) was made from is not opened to
    rule out a portfolio tracker: it is the file read as a form then, unchanged (half a no-op build's time
    a form was opening every workbook's zip, issue 27)."""
    looks = looks or Looks()
    scan = looks.scan or Scan(paths)
    taken, sources = set(), []
    for form in scan.forms(_unchanged(records, looks.seen) if records else None):
        key = looks.real[form] = real_path(form, looks.folders, scan.walked.get(form))
        if key not in taken:
            taken.add(key)
            sources.append(form)
    kept, problems = _take_names(sources)
    unsafe = [(s, why) for s in kept if (why := windows_trouble(document_name(s)))]
    problems += [Problem(str(s), f"would make {document_name(s)!r}, a name Windows cannot create ({why}), so "
                                 "the folder would not open on a Windows desktop: rename the form",
                         code="build-name-windows") for s, why in unsafe]
    kept = [s for s in kept if s not in dict(unsafe)]
    if out_dir is not None:
        folder = os.path.join(os.path.abspath(out_dir), "")  # the documents' paths: this, then their names
        problems += [Problem(str(s), f"its document's path is {n} characters, longer than the {WINDOWS_PATH} a "
                                     "Windows desktop opens: build into a folder with a shorter path, or shorten the "
                                     "form's name",
                             severity=WARNING, code="build-path-long")
                     for s in kept if (n := len(folder) + len(document_name(s))) > WINDOWS_PATH]
    return kept, problems


def _unchanged(records: Mapping[str, Record], looked: dict[Path, str]
               ) -> Callable[[Path, os.stat_result | None], bool]:
    """Whether a form is the one its document's record was made from, unchanged since (sources.seen, of the stat
    the search for forms took); what `seen` said of it is kept in `looked`."""
    def unchanged(form: Path, info: os.stat_result | None) -> bool:
        record = records.get(document_name(form))
        if record is None or not record.seen or info is None:
            return False
        now = looked[form] = seen(form, info)
        return now == record.seen
    return unchanged


def document_link(doc: Path, folder: Path) -> str | None:
    """A hyperlink from a file in `folder` to the document `doc` casegen wrote: relative and percent-encoded, so
    that no name (`\\\\host\\share\\x`, `http:x`, `a#b`) becomes a network share, a web address or a fragment;
    None where there is no relative path (another drive) or Windows could not open the name."""
    if windows_trouble(doc.name):
        return None
    try:
        relative = os.path.relpath(os.path.abspath(doc), os.path.abspath(folder))
    except ValueError:  # another drive, on Windows
        return None
    return quote(Path(relative).as_posix(), safe="/")


def real_path(path: str | os.PathLike, folders: dict[str, str], link: bool | None = None) -> str:
    """The file's real path (as os.path.realpath, Path.resolve): its folder's, resolved once for all the forms in
    it (`folders`, kept by the caller for one search or build), and its name (followed where it is a link; `link`:
    whether it is one, where the caller knows)."""
    if os.path.islink(path) if link is None else link:
        return os.path.realpath(path)
    folder, name = os.path.split(os.fspath(path))
    if folder not in folders:
        folders[folder] = os.path.realpath(folder)
    return os.path.join(folders[folder], name)


def _take_names(sources: list[Path]) -> tuple[list[Path], list[Problem]]:
    # Compared without case too: on Windows and macOS A.docx and a.docx are one file.
    first: dict[str, Path] = {}
    kept, clashes = [], []
    for source in sources:
        key = document_name(source).casefold()
        if key in first:
            clashes.append(Problem(str(source), f"would make {document_name(source)}, the document of "
                                                f"{first[key]} (names are compared without case or accents' "
                                                "spelling), so it is not built: rename one of the two forms, or "
                                                "build them into different folders with -o",
                                   code="build-name-clash"))
        else:
            first[key] = source
            kept.append(source)
    return kept, clashes
