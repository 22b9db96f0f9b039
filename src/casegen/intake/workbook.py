"""Opening a workbook safely: a clear message for anything that is not an intake form."""
from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import load_workbook

from casegen.errors import IntakeError, Problem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx
MAX_UNPACKED = 200 * 1024 * 1024  # a real intake form is well under 1 MB unpacked


def _fail(path: Path, message: str):
    raise IntakeError([Problem(str(path), message)])


def open_workbook(path: Path):
    """The workbook at `path`, read-only as far as the user's file is concerned."""
    if not path.exists():
        _fail(path, "no such file")
    if path.is_dir():
        _fail(path, "is a folder, not a workbook")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        _fail(path, "is an old-style .xls file or a password-protected workbook; casegen reads .xlsx "
                    "forms without a password: remove the password, or save as .xlsx in Excel")
    if not zipfile.is_zipfile(path):
        _fail(path, "is not an Excel workbook (.xlsx); make a form with `casegen new bcl FILE.xlsx`")
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
            if unpacked > MAX_UNPACKED:
                _fail(path, f"unpacks to {unpacked // 2**20} MB, far more than any intake form; "
                            "it is not a form casegen will open")
            if "xl/workbook.xml" not in zf.namelist():
                _fail(path, "is a zip file but not an Excel workbook (.xlsx)")
            bad = zf.testzip()
            if bad:
                _fail(path, f"is damaged (part {bad} is corrupt); open it in Excel and save it again")
        return load_workbook(path, data_only=True)
    except IntakeError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        _fail(path, f"cannot be read as a workbook ({type(exc).__name__}: {exc}); "
                    "open it in Excel and save it again as .xlsx")
