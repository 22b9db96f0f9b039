"""Which files under a folder are intake forms, and which look like forms saved in another format.
Kept free of heavy imports: a build with nothing to do calls it without loading the reader."""
from __future__ import annotations

import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from casegen.errors import Problem, Severity
from casegen.office import MAX_DIRECTORY, MAX_FILE, directory_size

FORM_SUFFIXES = (".xlsx", ".xlsm")  # compared without case: A.XLSX and B.Xlsx are forms too
LOCK_PREFIX = "~$"  # Office's lock file beside an open workbook
CHECKED_SUFFIX = ".checked.xlsx"  # the annotated copies `casegen validate --annotate` writes
CHECKED = re.compile(r"\.checked(-\d+)?\.xlsx$", re.I)  # NAME.checked.xlsx, NAME.checked-2.xlsx
BACKUP = re.compile(r"\.backup-\d{8}-\d{6}(-\d+)?\.xls[xm]$", re.I)  # the copies `casegen upgrade` keeps of a form
# The title and author `casegen portfolio` gives its workbook, in its document properties.
TRACKER = (re.compile(rb"<dc:title\b[^>]*>Portfolio tracker"), re.compile(rb"<dc:creator\b[^>]*>casegen\b"))
NOT_A_FILE = "is not a file that can be read as a workbook"
# A form saved in another format, and how to bring it back in the program that saved it.
OTHER_FORMATS = {
    ".ods": "a LibreOffice Calc spreadsheet (.ods); open it in LibreOffice Calc and use File › Save As › "
            "Excel 2007-365 (.xlsx), then check the new file",
    ".xls": "an old-style Excel 97-2003 workbook (.xls); open it in Excel and use File › Save As › Excel Workbook "
            "(.xlsx) (in LibreOffice Calc: File › Save As › Excel 2007-365 (.xlsx)), then check the new file",
    ".xlsb": "an Excel binary workbook (.xlsb); open it in Excel and use File › Save As › Excel Workbook (.xlsx), "
             "then check the new file",
    ".csv": "a CSV file, which holds one sheet and no form; if it was saved from a form, open the form itself "
            "(the .xlsx) instead, or start again from `casegen new`; in LibreOffice Calc: File › Save As › "
            "Excel 2007-365 (.xlsx)",
}


def _named_as_form(name: str) -> bool:
    """Not Office's lock file, nor a copy casegen made (annotated, or kept by `upgrade`)."""
    return not name.startswith(LOCK_PREFIX) and not CHECKED.search(name) and not BACKUP.search(name)


def _special(path: Path) -> bool:
    """A pipe, socket or device: opening one could wait for ever, so nothing opens it."""
    try:
        mode = path.stat().st_mode  # one look, not three: a build with nothing to do asks it of every form
    except OSError:  # not there (or a link to nothing): nothing to open
        return False
    return not stat.S_ISDIR(mode) and not stat.S_ISREG(mode)


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def _name_suffix(name: str) -> str:
    """Path(name).suffix.lower(), without a Path."""
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def _entries(top: Path) -> Iterator[os.DirEntry]:
    """Every entry under the folder `top`, as Path.rglob("*") finds them (never into a link to a folder; a folder
    that cannot be listed is passed over), but not inside hidden folders (.git, .venv…), where no form is taken."""
    folders = [str(top)]
    while folders:
        try:
            with os.scandir(folders.pop()) as listing:
                entries = list(listing)
        except PermissionError:
            continue
        for entry in entries:
            yield entry
            try:
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                    folders.append(entry.path)
            except OSError:
                pass


class Scan:
    """What one look through the paths found: the workbooks that may be forms (with their `os.stat`, None where
    it failed; a workbook under a folder yet to be told apart from a portfolio tracker: `forms`), and the files
    of `not_forms`."""

    def __init__(self, paths) -> None:
        self.candidates: list[tuple[Path, os.stat_result | None, bool]] = []  # (path, stat, named itself)
        self.others: list[Path] = []
        self.walked: dict[Path, bool] = {}  # each workbook found under a folder: whether it is a symbolic link
        for path in map(Path, paths):
            if path.is_dir():
                self._folder(path)
            elif _suffix(path) in OTHER_FORMATS or _special(path):
                self.others.append(path)
            else:
                self.candidates.append((path, None, True))
        self.others = list(dict.fromkeys(self.others))

    def _folder(self, top: Path) -> None:
        candidates, others = [], []
        for entry in _entries(top):
            suffix = _name_suffix(entry.name)
            if suffix not in FORM_SUFFIXES and suffix not in OTHER_FORMATS or not _named_as_form(entry.name):
                continue
            try:  # through a link, as Path.stat: one look a file (Windows' listing has no inode, and may lag a write)
                info: os.stat_result | None = entry.stat() if os.name != "nt" else os.stat(entry.path)
            except OSError:  # not there (or a link to nothing): nothing to open; the reader says so
                info = None
            regular, folder = (stat.S_ISREG(info.st_mode), stat.S_ISDIR(info.st_mode)) if info else (False, False)
            if suffix in FORM_SUFFIXES and (info is None or regular):
                candidates.append((Path(entry.path), info))
                self.walked[candidates[-1][0]] = entry.is_symlink()  # known from the listing: no look of its own
            elif info is not None and not folder and (suffix in OTHER_FORMATS or not regular):
                others.append(Path(entry.path))  # another format, or a pipe or device named like a form
        self.candidates += [(path, info, False) for path, info in sorted(candidates, key=lambda c: c[0])]
        self.others += sorted(others)

    def forms(self, known: Callable[[Path, os.stat_result | None], bool] | None = None) -> list[Path]:
        """find_forms' list: a workbook under a folder is opened to rule out a tracker unless `known` says it is
        a form, unchanged since it was last read as one (it is given the workbook's stat)."""
        return list(dict.fromkeys(path for path, info, named in self.candidates
                                  if named or known is not None and known(path, info) or not is_tracker(path)))


def is_tracker(path: Path) -> bool:
    """Whether the workbook at `path` is casegen's own portfolio tracker (from its document properties)."""
    try:
        if path.stat().st_size > MAX_FILE or directory_size(path)[1] > MAX_DIRECTORY:
            return False  # too large for a tracker, and for the reader, which says so
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > 2**16:  # a tracker's is a few hundred bytes
                return False
            with zf.open(info) as fh:
                core = fh.read(2**16)
    except Exception:  # not a zip, damaged, no properties: not a tracker; the reader says what it is
        return False
    return all(mark.search(core) for mark in TRACKER)


def find_forms(paths, known: Callable[[Path, os.stat_result | None], bool] | None = None) -> list[Path]:
    """The workbooks named, and every .xlsx and .xlsm (any case) under the folders named, each once, in a
    stable order.

    Under a folder, hidden folders, Office's lock files and casegen's own outputs (annotated copies,
    the backups `casegen upgrade` keeps, portfolio trackers) are left out; so are files in the formats
    of `not_forms`, and pipes or devices, which `not_forms` names. A file `known` says is a form, unchanged
    since it was last read as one, is not opened again to rule out a tracker.
    """
    return Scan(paths).forms(known)


def not_forms(paths) -> list[Path]:
    """The .ods, .xls, .xlsb and .csv files, and the pipes or devices named like forms, named or under the
    folders named: never skipped without a word."""
    return Scan(paths).others


def not_a_form(path: Path) -> Problem:
    """Why casegen does not read `path`, and how to save it as a form it reads: an error, unless the
    .xlsx of the same name beside it (read in its place) shows it has been saved as a form already."""
    path = Path(path)
    if _special(path):
        return Problem(str(path), NOT_A_FILE, code="form-unreadable")
    twin = path.with_suffix(".xlsx")
    if twin.exists():
        return Problem(str(path), f"is not read; {twin.name} beside it is (if {path.name} has changes "
                       f"since, save it again as {twin.name})", severity=Severity.WARNING, code="form-not-xlsx")
    return Problem(str(path), f"is not read: it is {OTHER_FORMATS[_suffix(path)]}", code="form-not-xlsx")
