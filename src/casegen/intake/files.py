"""Which files under a folder are intake forms, and which look like forms saved in another format.
Kept free of heavy imports: a build with nothing to do calls it without loading the reader."""
from __future__ import annotations

import re
from pathlib import Path

from casegen.errors import Problem

LOCK_PREFIX = "~$"  # Office's lock file beside an open workbook
CHECKED_SUFFIX = ".checked.xlsx"  # the annotated copies `casegen validate --annotate` writes
BACKUP = re.compile(r"\.backup-\d{8}-\d{6}(-\d+)?\.xlsx$")  # the copies `casegen upgrade` keeps of a form
# A form saved in another format, and how to bring it back in the program that saved it.
OTHER_FORMATS = {
    ".ods": "a LibreOffice Calc spreadsheet (.ods); open it in LibreOffice Calc and use File › Save As › "
            "Excel 2007-365 (.xlsx), then check the new file",
    ".xls": "an old-style Excel 97-2003 workbook (.xls); open it in Excel and use File › Save As › Excel Workbook "
            "(.xlsx) (in LibreOffice Calc: File › Save As › Excel 2007-365 (.xlsx)), then check the new file",
    ".csv": "a CSV file, which holds one sheet and no form; if it was saved from a form, open the form itself "
            "(the .xlsx) instead, or start again from `casegen new`; in LibreOffice Calc: File › Save As › "
            "Excel 2007-365 (.xlsx)",
}


def _is_form(path: Path, top: Path) -> bool:
    hidden = any(part.startswith(".") for part in path.relative_to(top).parts[:-1])  # .venv, .git…
    return (not hidden and not path.name.startswith(LOCK_PREFIX) and not path.name.endswith(CHECKED_SUFFIX)
            and not BACKUP.search(path.name))


def find_forms(paths) -> list[Path]:
    """The workbooks named, and every .xlsx under the folders named, each once, in a stable order.

    Under a folder, hidden folders, Office's lock files, casegen's annotated copies and the backups
    `casegen upgrade` keeps are left out;
    so are files in the formats of `not_forms`, which names them.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(f for f in path.rglob("*.xlsx") if _is_form(f, path))
        elif path.suffix.lower() not in OTHER_FORMATS:
            found.append(path)
    return list(dict.fromkeys(found))


def not_forms(paths) -> list[Path]:
    """The .ods, .xls and .csv files named or under the folders named: never skipped without a word."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(f for f in path.rglob("*") if f.suffix.lower() in OTHER_FORMATS and f.is_file()
                            and _is_form(f, path))
        elif path.suffix.lower() in OTHER_FORMATS:
            found.append(path)
    return list(dict.fromkeys(found))


def not_a_form(path: Path) -> Problem:
    """Why casegen does not read `path`, and how to save it as a form it reads: an error, unless the
    .xlsx of the same name beside it (read in its place) shows it has been saved as a form already."""
    path = Path(path)
    twin = path.with_suffix(".xlsx")
    if twin.exists():
        return Problem(str(path), f"is not read; {twin.name} beside it is (if {path.name} has changes "
                       f"since, save it again as {twin.name})", severity="warning", code="form-not-xlsx")
    return Problem(str(path), f"is not read: it is {OTHER_FORMATS[path.suffix.lower()]}", code="form-not-xlsx")
