"""Opening a workbook safely: a clear message for anything that is not an intake form.

Intake forms come from strangers. `inspect_workbook` makes every check that can be made from the
file itself before a loader unpacks it: the kind of file, the zip directory's declared sizes (a
zip bomb is refused before a byte is inflated), the XML prologues (no DTDs, so no entity bombs),
the number of rows and merged cells of each sheet (streamed, so a 100,000-row table is refused in
a fraction of a second). It also notes what a value-only loader cannot see: formulas with no saved
value, error values and merged ranges, so the reader can point at the cell. Call it first, then
any loader (`open_workbook`, or a faster one).
"""
from __future__ import annotations

import posixpath
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from casegen.errors import IntakeError, Problem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"
MAX_FILE = 50 * 2**20  # on disk; a real intake form is well under 1 MB
MAX_UNPACKED = 100 * 2**20  # all parts together, as the zip directory declares them
MAX_PARTS = 1000
MAX_SHEET_ROWS = 20_000  # the reader takes at most MAX_TABLE_ROWS rows a table
MAX_SHEET_CELLS = 500_000
MAX_MERGED_CELLS = 100_000  # openpyxl makes an object for every cell a merge covers

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # stream names in an OLE directory are UTF-16
_OLD_XLS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
SAVE_AGAIN = "open it in Excel or LibreOffice and save it again as .xlsx"
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")  # as Office writes a number cell's value


@dataclass
class SheetFacts:
    """What one worksheet's XML says that a value-only loader does not."""

    formulas_without_values: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)  # cell -> "#DIV/0!"
    bad_numbers: dict[str, str] = field(default_factory=dict)  # cell -> text in a number cell ("abc", "NaN")
    merged: dict[tuple[int, int], str] = field(default_factory=dict)  # covered (row, col) -> "A5:B5"


@dataclass
class Inspection:
    sheets: dict[str, SheetFacts] = field(default_factory=dict)  # by sheet title

    def sheet(self, title: str) -> SheetFacts:
        return self.sheets.get(title) or SheetFacts()

    def unreadable(self, path: Path, exc: Exception) -> IntakeError:
        """Why a loader failed on a file that passed the checks: the cells at fault, if the scan saw them."""
        problems = [Problem(str(path), f"holds {text!r}, which is not a number; type the value again and save "
                                       "the form", title, ref, code="cell-not-a-number")
                    for title, facts in self.sheets.items() for ref, text in facts.bad_numbers.items()]
        why = f"cannot be read as a workbook ({_why(exc)}); {SAVE_AGAIN}"
        return IntakeError(problems or [Problem(str(path), why, code="form-unreadable")])


def _fail(path: Path, message: str, sheet: str = ""):
    raise IntakeError([Problem(str(path), message, sheet, code="form-unreadable")])


def inspect_workbook(path: str | Path) -> Inspection:
    """Every safety check on the file at `path`; raises IntakeError with one clear message."""
    path = Path(path)
    try:
        _check_file(path)
    except OSError as exc:  # no permission, or Excel on Windows holds the file open
        _fail(path, f"cannot be opened ({exc.strerror or exc}); close it in Excel if it is open, and check that "
                    "you may read it")
    try:
        with zipfile.ZipFile(path) as zf:
            _check_directory(path, zf)
            _check_parts(path, zf)
            facts = Inspection()
            for title, part in _sheet_parts(zf).items():
                facts.sheets[title] = _scan_sheet(path, zf, title, part)
            return facts
    except IntakeError:
        raise
    except Exception as exc:  # zipfile, zlib and lxml raise many kinds for damaged files
        _fail(path, f"is damaged and cannot be read ({_why(exc)}); {SAVE_AGAIN}")


def _why(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def _check_file(path: Path) -> None:
    if not path.exists():
        _fail(path, "no such file")
    if path.is_dir():
        _fail(path, "is a folder, not a workbook")
    if not path.is_file():  # a pipe or a device: reading it could wait for ever
        _fail(path, "is not a file that can be read as a workbook")
    size = path.stat().st_size
    if size > MAX_FILE:
        _fail(path, f"is {size // 2**20} MB, far more than any intake form; it is not a form casegen will open")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        _fail(path, _ole_message(path))
    if head.startswith(ZIP_MAGIC) and not zipfile.is_zipfile(path):
        _fail(path, "is damaged or incomplete (cut short while copying or saving?); "
                    "copy it again, or open it in Excel or LibreOffice and save it again as .xlsx")
    if not zipfile.is_zipfile(path):
        _fail(path, "is not an Excel workbook (.xlsx); make a form with `casegen new bcl FILE.xlsx`")


def _ole_message(path: Path) -> str:
    """Office's older container holds both .xls files and password-protected .xlsx: say which."""
    data = path.read_bytes()  # at most MAX_FILE
    if _ENCRYPTED in data:
        return ("is protected with a password, so casegen cannot read it; remove the password "
                "(Excel: File > Info > Protect Workbook > Encrypt with Password, clear it) and save again")
    if any(name in data for name in _OLD_XLS):
        return "is an old-style Excel 97-2003 workbook (.xls); open it in Excel and save it as .xlsx"
    return "is an old-style Office file, not an .xlsx workbook; open it in Excel and save it as .xlsx"


def _check_directory(path: Path, zf: zipfile.ZipFile) -> None:
    """Sizes as the zip directory declares them: nothing has been inflated yet."""
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        _fail(path, f"holds {len(infos)} parts, far more than any intake form; it is not a form casegen will open")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED:
        _fail(path, f"would unpack to {unpacked // 2**20:,} MB, far more than any intake form "
                    "(a zip bomb?); it is not a form casegen will open")
    if "xl/workbook.xml" not in zf.namelist():
        _fail(path, "is a zip file but not an Excel workbook (.xlsx); "
                    "make a form with `casegen new bcl FILE.xlsx`")


def _check_parts(path: Path, zf: zipfile.ZipFile) -> None:
    # Reading every part checks its CRC; the sizes were bounded above, so this is bounded too.
    bad = zf.testzip()
    if bad:
        _fail(path, f"is damaged (part {bad} is corrupt); {SAVE_AGAIN}")
    for info in zf.infolist():
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with zf.open(info) as fh:
                prologue = fh.read(2048)
            # Office never writes a DTD; one in a part can only be an entity-expansion attack.
            if b"<!DOCTYPE" in prologue or b"<!ENTITY" in prologue:
                _fail(path, f"part {info.filename} declares a DTD, which no Office program writes; "
                            "it is not a form casegen will open")


def _parse(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> the zip part holding it."""
    names = set(zf.namelist())
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = _parse(zf.read(rels_name)) if rels_name in names else None
    targets = {}
    for rel in (rels.iter(f"{PKG_REL}Relationship") if rels is not None else ()):
        target = rel.get("Target") or ""
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = part
    out = {}
    for sheet in _parse(zf.read("xl/workbook.xml")).iter(f"{MAIN}sheet"):
        part = targets.get(sheet.get(f"{DOC_REL}id"))
        if part in names and "worksheets/" in part:
            out[sheet.get("name")] = part
    return out


def _scan_sheet(path: Path, zf: zipfile.ZipFile, title: str, part: str) -> SheetFacts:
    """Stream one sheet's XML, counting as it goes, so an enormous sheet stops the scan early."""
    facts, rows, cells, merged = SheetFacts(), 0, 0, 0
    with zf.open(part) as fh:
        for _, elem in etree.iterparse(fh, events=("end",), resolve_entities=False, no_network=True,
                                       tag=(f"{MAIN}row", f"{MAIN}mergeCell")):
            if elem.tag == f"{MAIN}mergeCell":
                merged += _note_merge(facts, elem.get("ref") or "")
                if merged > MAX_MERGED_CELLS:
                    _fail(path, f"merges more than {MAX_MERGED_CELLS:,} cells; unmerge them "
                                "(select all, Home > Merge & Center) and save again", title)
                continue
            rows += 1
            cells += _note_cells(facts, elem)
            if rows > MAX_SHEET_ROWS or cells > MAX_SHEET_CELLS:
                _fail(path, f"has more than {min(rows, MAX_SHEET_ROWS):,} rows or {MAX_SHEET_CELLS:,} cells; "
                            "an intake form needs far fewer: delete the rows you do not need and save again", title)
            elem.clear()
            while elem.getprevious() is not None:
                del elem.getparent()[0]
    return facts


def _note_cells(facts: SheetFacts, row) -> int:
    count = 0
    for c in row.iterfind(f"{MAIN}c"):
        count += 1
        ref = c.get("r") or ""
        value = c.findtext(f"{MAIN}v")
        if c.find(f"{MAIN}f") is not None and not value:
            facts.formulas_without_values.add(ref)
        if c.get("t") == "e":
            facts.errors[ref] = value or "#N/A"
        elif c.get("t", "n") == "n" and value and not _NUMBER.fullmatch(value.strip()):
            facts.bad_numbers[ref] = value[:40]
    return count


def _note_merge(facts: SheetFacts, ref: str) -> int:
    """Records every cell a merge covers except its top-left one; returns how many cells it spans."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return 0
    if None in (min_col, min_row, max_col, max_row):
        return MAX_MERGED_CELLS + 1  # a whole row or column: refuse rather than enumerate
    area = (max_col - min_col + 1) * (max_row - min_row + 1)
    if area <= MAX_MERGED_CELLS:
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    facts.merged[(r, c)] = ref
    return area


def open_workbook(path: str | Path):
    """The workbook's values, read with openpyxl; run `inspect_workbook(path)` first."""
    path = Path(path)
    try:
        # openpyxl warns about features of other tools' files that it drops; they are not the lead's concern.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        _fail(path, f"cannot be read as a workbook ({_why(exc)}); {SAVE_AGAIN}")
