"""Which files under a folder are intake forms, and which look like forms saved in another format.
Kept free of heavy imports: a build with nothing to do calls it without loading the reader."""
from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

from casegen.errors import Problem, Severity
from casegen.office import MAX_DIRECTORY, MAX_FILE, directory_size, is_regular

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


def _is_form(path: Path, top: Path) -> bool:
    # path.relative_to(top).parts[:-1], without a new Path for each of hundreds of forms (rglob gives `top / ...`)
    hidden = any(part.startswith(".") for part in path.parent.parts[len(top.parts):])  # .venv, .git…
    return (not hidden and not path.name.startswith(LOCK_PREFIX) and not CHECKED.search(path.name)
            and not BACKUP.search(path.name))


def _special(path: Path) -> bool:
    """A pipe, socket or device: opening one could wait for ever, so nothing opens it."""
    try:
        mode = path.stat().st_mode  # one look, not three: a build with nothing to do asks it of every form
    except OSError:  # not there (or a link to nothing): nothing to open
        return False
    return not stat.S_ISDIR(mode) and not stat.S_ISREG(mode)


def _suffix(path: Path) -> str:
    return path.suffix.lower()


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


def find_forms(paths, known: Callable[[Path], bool] | None = None) -> list[Path]:
    """The workbooks named, and every .xlsx and .xlsm (any case) under the folders named, each once, in a
    stable order.

    Under a folder, hidden folders, Office's lock files and casegen's own outputs (annotated copies,
    the backups `casegen upgrade` keeps, portfolio trackers) are left out; so are files in the formats
    of `not_forms`, and pipes or devices, which `not_forms` names. A file `known` says is a form, unchanged
    since it was last read as one, is not opened again to rule out a tracker.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(f for f in path.rglob("*") if _suffix(f) in FORM_SUFFIXES and _is_form(f, path)
                            and not _special(f) and not f.is_dir() and (known is not None and known(f)
                                                                         or not is_tracker(f)))
        elif _suffix(path) not in OTHER_FORMATS and not _special(path):
            found.append(path)
    return list(dict.fromkeys(found))


def not_forms(paths) -> list[Path]:
    """The .ods, .xls, .xlsb and .csv files, and the pipes or devices named like forms, named or under the
    folders named: never skipped without a word."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            # the name's checks after the file's: a folder of forms holds none of these, and asking its hundreds
            # of workbooks the suffix and one stat is the cheaper way round
            found += sorted(f for f in path.rglob("*") if (
                _suffix(f) in OTHER_FORMATS and is_regular(f)
                or _suffix(f) in (*FORM_SUFFIXES, *OTHER_FORMATS) and _special(f)) and _is_form(f, path))
        elif _suffix(path) in OTHER_FORMATS or _special(path):
            found.append(path)
    return list(dict.fromkeys(found))


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
