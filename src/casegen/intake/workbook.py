"""Opening a workbook safely: a clear message for anything that is not an intake form.

Intake forms come from strangers. `inspect_workbook` makes every check that can be made from the
file itself before calamine unpacks it: the checks shared with the Word import (casegen.office: a
regular file, the kind of file from its first bytes, the zip directory, every part inflated within
a budget and every XML part free of DTDs), then each sheet's extent (a 100,000-row table is refused
in a fraction of a second). The sheets are scanned, not parsed: calamine parses them once, afterwards.
The scan counts and finds with literal prefixes and visits only the cells that hold a formula, an
error or a value that is not a number, to note what a value-only reader cannot see: formulas with no
saved value, error values and merged ranges, so the reader can point at the cell. The one XML part
parsed here into a tree is the workbook's own (sheets and defined names). openpyxl, which can write a
workbook, is imported only by `open_workbook` (the annotated copy): reading a form never loads it.
"""
from __future__ import annotations

import posixpath
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path

from lxml import etree

from casegen import office
from casegen.errors import IntakeError, Problem
from casegen.ooxml import SHEET
from casegen.sheets import sheet_parts

FORM = office.Kind("a workbook", "intake form", "it is not a form casegen will open",
                   "open it in Excel or LibreOffice and save it again as .xlsx")
SAVE_AGAIN = FORM.save_again
MAX_SHEET_ROWS = 20_000  # the reader takes at most MAX_TABLE_ROWS rows a table
MAX_SHEET_CELLS = 500_000
MAX_SHEET_AREA = 5_000_000  # rows x columns from A1 to the last cell: what calamine allocates
MAX_MERGED_CELLS = 100_000

_NUMBER = re.compile(rb"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")  # as Office writes a number cell's value
# A cell element and its body; text inside is escaped, so "</c>" cannot occur in it.
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
# The same without the word boundary, which stops re from jumping to the literal 'r="': five times faster. It
# finds every ref _REF finds, and perhaps more (an attribute named "xr"); only a sheet it finds too large is
# measured again with _REF, so the verdict is _REF's.
_REF_FAST = re.compile(rb'r="([A-Z]{1,3})([0-9]{1,7})"')
_CELL_START = re.compile(rb"<c\b")
_TYPE = re.compile(rb'\bt="([a-zA-Z]+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_ROW = re.compile(rb"<row[\s>/]")
_CELL_OPEN = re.compile(rb"<c[\s>/]")
_MERGE = re.compile(rb'<mergeCell\b[^>]*\bref="([^"]*)"')
# A name pointing at one cell or block of one sheet, as every name of an intake form does.
_SIMPLE_REF = re.compile(r"(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!:\s]+))!"
                         r"(?P<cells>\$?[A-Za-z]{1,3}\$?[0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?)")


@dataclass
class SheetScan:
    """What one worksheet's XML says that a value-only reader does not."""

    formulas_without_values: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)  # cell -> "#DIV/0!"
    bad_numbers: dict[str, str] = field(default_factory=dict)  # cell -> text in a number cell ("abc", "NaN")
    merged: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # (min row, col, max row, col, ref)
    area: int = 0  # rows x columns from A1 to the last cell

    def merge_over(self, row: int, col: int) -> str | None:
        """The merged range that covers (row, col) other than at its top-left cell, if any."""
        for min_row, min_col, max_row, max_col, ref in self.merged:
            if min_row <= row <= max_row and min_col <= col <= max_col and (row, col) != (min_row, min_col):
                return ref
        return None


@dataclass
class Inspection:
    sheets: dict[str, SheetScan] = field(default_factory=dict)  # by sheet title
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # defined name -> (sheet, "B4")
    # (name, sheet, "B4:D9", column names) of each table, read from the parts already inflated; None to leave them
    # to calamine (a table without its header row, or with a totals row, or a part not where its sheet says)
    tables: list[tuple[str, str, str, tuple[str, ...]]] | None = None

    def sheet(self, title: str) -> SheetScan:
        return self.sheets.get(title) or SheetScan()

    def unreadable(self, path: Path, exc: Exception) -> IntakeError:
        """Why a reader failed on a file that passed the checks."""
        return IntakeError([Problem(str(path), f"cannot be read as a workbook ({_why(exc)}); {SAVE_AGAIN}",
                                    code="form-unreadable")])

    def bad_numbers(self, path: Path) -> list[Problem]:
        return [Problem(str(path), f"holds {text!r}, which is not a number; type the value again and save the form",
                        title, ref, code="cell-not-a-number")
                for title, scan in self.sheets.items() for ref, text in scan.bad_numbers.items()]


def _fail(path: Path, message: str, sheet: str = ""):
    raise IntakeError([Problem(str(path), message, sheet, code="form-unreadable")])


def inspect_workbook(path: str | Path) -> Inspection:
    """Every safety check on the file at `path`; raises IntakeError with one clear message."""
    path = Path(path)
    try:
        _check_file(path)
        with zipfile.ZipFile(path) as zf:
            office.check_directory(zf, FORM)
            if "xl/workbook.xml" not in zf.namelist():
                _fail(path, "is a zip file but not an Excel workbook (.xlsx); "
                            "make a form with `casegen new bcl FILE.xlsx`")
            parts = office.read_parts(zf, FORM)
        workbook = _parse(parts["xl/workbook.xml"])
        inspection = Inspection(names=_defined_names(workbook))
        sheets = sheet_parts(parts.get, parts, workbook)
        for title, part in sheets.items():
            inspection.sheets[title] = _scan_sheet(path, parts[part], title)
        inspection.tables = _tables(parts, sheets)
        area = sum(f.area for f in inspection.sheets.values())
        if area > MAX_SHEET_AREA:  # measured again with the exact pattern (_REF_FAST may count more)
            area = sum(sheet_area(parts[part]) for part in sheets.values())
        if area > MAX_SHEET_AREA:  # calamine holds every sheet read as one dense block: ~50 bytes a cell
            _fail(path, f"has sheets of {area:,} cells from A1 to their last cells together, far more than an intake "
                        "form needs; delete the rows and columns you do not need and save again")
    except IntakeError:
        raise
    except office.Refused as exc:
        _fail(path, str(exc))
    except OSError as exc:  # no permission, or Excel on Windows holds the file open
        _fail(path, f"cannot be opened ({exc.strerror or exc}); close it in Excel if it is open, and check that "
                    "you may read it")
    except Exception as exc:  # zipfile, zlib and expat raise many kinds for damaged files
        _fail(path, f"is damaged and cannot be read ({_why(exc)}); {SAVE_AGAIN}")
    if any(f.bad_numbers for f in inspection.sheets.values()):  # a reader would fail, or read NaN
        raise IntakeError(inspection.bad_numbers(path))
    return inspection


_why = office.why


def _check_file(path: Path) -> None:
    office.check_regular(path, FORM)
    head = office.first_bytes(path)
    if head == office.OLE_MAGIC:
        _fail(path, _ole_message(path))
    if head.startswith(office.ZIP_MAGIC) and not zipfile.is_zipfile(path):
        _fail(path, "is damaged or incomplete (cut short while copying or saving?); "
                    "copy it again, or open it in Excel or LibreOffice and save it again as .xlsx")
    if not zipfile.is_zipfile(path):
        _fail(path, "is not an Excel workbook (.xlsx); make a form with `casegen new bcl FILE.xlsx`")
    office.check_end_record(path, FORM)


def _ole_message(path: Path) -> str:
    """Office's older container holds both .xls files and password-protected .xlsx: say which."""
    if office.ole_holds(path, "EncryptionInfo"):
        return ("is protected with a password, so casegen cannot read it; remove the password "
                "(Excel: File > Info > Protect Workbook > Encrypt with Password, clear it) and save again")
    if office.ole_holds(path, "Workbook", "Book"):
        return "is an old-style Excel 97-2003 workbook (.xls); open it in Excel and save it as .xlsx"
    return "is an old-style Office file, not an .xlsx workbook; open it in Excel and save it as .xlsx"


def _parse(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


def _defined_names(workbook) -> dict[str, tuple[str, str]]:
    """Workbook-wide names that point at one cell or block of one sheet: name -> (sheet, "B4" or "A2:A9")."""
    out = {}
    for dn in workbook.iter(f"{SHEET}definedName"):
        m = _SIMPLE_REF.fullmatch((dn.text or "").strip())
        if m and dn.get("localSheetId") is None and not (dn.get("name") or "").startswith("_xlnm."):
            sheet = (m.group("quoted") or "").replace("''", "'") or m.group("plain")
            out[dn.get("name")] = (sheet, m.group("cells").replace("$", ""))
    return out


def _scan_sheet(path: Path, data: bytes, title: str) -> SheetScan:
    """What calamine does not say, from the sheet's bytes: the sheet's extent (calamine holds a sheet as one
    dense block, so a cell at XFD1048576 would ask for terabytes), formulas without values, error values, text
    in number cells and merged ranges."""
    too_large = (f"has more than {MAX_SHEET_ROWS:,} rows or {MAX_SHEET_CELLS:,} cells; "
                 "an intake form needs far fewer: delete the rows you do not need and save again")
    # Counted up to the limit before any list of them is made: ten million cells would take gigabytes. A literal
    # count (which counts <rowBreaks and <col too) decides for almost every sheet; the patterns only past it.
    if (data.count(b"<row") > MAX_SHEET_ROWS and _more_than(_ROW, data, MAX_SHEET_ROWS)
            or data.count(b"<c") > MAX_SHEET_CELLS and _more_than(_CELL_OPEN, data, MAX_SHEET_CELLS)):
        _fail(path, too_large, title)
    scan = SheetScan(area=sheet_area(data, _REF_FAST))
    if scan.area > MAX_SHEET_AREA:
        scan.area = sheet_area(data, _REF)
        if scan.area > MAX_SHEET_AREA:
            _fail(path, too_large, title)
    for start in _cells_to_visit(data):
        m = _CELL.match(data, start)  # as the sheet's pattern finds it
        if m is None:  # a "<c" that is no whole cell: nothing to note
            continue
        ref = _REF.search(m.group(1))
        _note_cell(scan, ref.group(0)[3:-1].decode() if ref else "", m.group(1), m.group(2) or b"")
    merged = 0
    for ref in _MERGE.findall(data) if b"<mergeCell" in data else ():
        merged += _note_merge(scan, ref.decode())
        if merged > MAX_MERGED_CELLS:
            _fail(path, f"merges more than {MAX_MERGED_CELLS:,} cells; unmerge them "
                        "(select all, Home > Merge & Center) and save again", title)
    return scan


_SIMPLE_RANGE = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}:[A-Z]{1,3}[1-9][0-9]{0,6}")  # "B4:D9", as a table's ref is
_TABLE_PART = re.compile(rb"<tablePart\b[^>]*?\s[\w.-]+:id=\"([^\"]*)\"")
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _tables(parts: dict[str, bytes], sheets: dict[str, str]) -> list[tuple[str, str, str, tuple[str, ...]]] | None:
    """Each table's name (its display name, as calamine and Excel's formulas name it), sheet, ref and column names,
    from the table parts each sheet names: calamine reads each table's cells to give the same (0.9 ms a form,
    measured, of a 9 ms read). None for a workbook with a table calamine should read (see Inspection.tables)."""
    found = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)  # one for all: half the time
    for title, part in sheets.items():
        data = parts[part]
        ids = _TABLE_PART.findall(data) if b"<tablePart" in data else []
        if len(ids) != data.count(b"<tablePart "):
            return None
        if not ids:
            continue
        folder, name = part.rsplit("/", 1)
        rels = parts.get(f"{folder}/_rels/{name}.rels")
        if rels is None:
            return None
        targets = {rel.get("Id"): _part_name(folder, rel.get("Target") or "")
                   for rel in etree.fromstring(rels, parser).iter(_RELATIONSHIP)}
        for rid in ids:
            table = parts.get(targets.get(rid.decode("utf-8", "replace"), ""))
            if table is None:
                return None
            root = etree.fromstring(table, parser)
            if root.get("headerRowCount", "1") != "1" or root.get("totalsRowCount", "0") != "0" \
                    or not _SIMPLE_RANGE.fullmatch(root.get("ref") or ""):
                return None
            columns = tuple(c.get("name") or "" for c in root.iter(f"{SHEET}tableColumn"))
            found.append((root.get("displayName") or root.get("name") or "", title, root.get("ref"), columns))
    return found


def _part_name(folder: str, target: str) -> str:
    """The part a relationship of a part in `folder` points at."""
    return target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def sheet_area(data: bytes, pattern: re.Pattern = _REF) -> int:
    """Rows x columns from A1 to the sheet's last cell, from every cell's ref."""
    refs = pattern.findall(data)
    max_row = max(map(int, {r for _, r in refs}), default=0)
    return max_row * max(map(_column, {c for c, _ in refs}), default=0)


def _cells_to_visit(data: bytes) -> list[int]:
    """Where each cell starts that holds a formula, an error or a value that is not a number, in order: the
    only cells _note_cell can find anything in. Found from a literal prefix (an error's t="e", a formula's <f)
    or a value, then back to the "<c" that opens the cell holding it (none inside a cell's body: its text is
    escaped); an "<f" outside any cell (a <formula> of conditional formatting) is passed over."""
    spots = _finds(data, b"<f") + _finds(data, b't="e"')
    if any(not _NUMBER.fullmatch(v) for v in _VALUE.findall(data)):
        spots += [m.start() for m in _VALUE.finditer(data) if not _NUMBER.fullmatch(m.group(1))]
    starts, floor = [], 0
    for spot in sorted(spots):
        if spot < floor:
            continue  # in the cell found last
        start = _cell_start(data, floor, spot)
        if start is not None:
            cell = _CELL.match(data, start)
            if cell is None:
                floor = spot
                continue
            starts.append(start)
            floor = cell.end()
        else:
            floor = spot  # a cell holding a later spot starts after this one: searched back to here only
    return starts


def _finds(data: bytes, needle: bytes) -> list[int]:
    found, at = [], data.find(needle)
    while at >= 0:
        found.append(at)
        at = data.find(needle, at + 1)
    return found


def _cell_start(data: bytes, floor: int, spot: int) -> int | None:
    """The start of the cell element whose tag or body holds `spot`, if it starts at `floor` or after."""
    at = spot + 1
    while (at := data.rfind(b"<c", floor, at)) >= 0:
        if _CELL_START.match(data, at):
            m = _CELL.match(data, at)
            return at if m and m.end() > spot else None
    return None


def _more_than(pattern: re.Pattern, data: bytes, limit: int) -> bool:
    return next(islice(pattern.finditer(data), limit, None), None) is not None


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _note_cell(scan: SheetScan, ref: str, attrs: bytes, body: bytes) -> None:
    typed, shown = _TYPE.search(attrs), _VALUE.search(body)
    kind = typed.group(1) if typed else b"n"
    value = shown.group(1).decode("utf-8", "replace") if shown else ""
    if b"<f" in body and not value:
        scan.formulas_without_values.add(ref)
    if kind == b"e":
        scan.errors[ref] = value or "#N/A"
    elif kind == b"n" and value and not _NUMBER.fullmatch(value.strip().encode()):
        scan.bad_numbers[ref] = value[:40]


def _note_merge(scan: SheetScan, ref: str) -> int:
    """Records a merged range; returns how many cells it spans."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except ValueError:
        return 0
    if None in (min_col, min_row, max_col, max_row):
        return MAX_MERGED_CELLS + 1  # a whole row or column
    scan.merged.append((min_row, min_col, max_row, max_col, ref))
    return (max_col - min_col + 1) * (max_row - min_row + 1)


# Cell refs as openpyxl.utils reads and writes them, without importing openpyxl (and PIL with it) to read a form.
_RANGE = re.compile(r"^[$]?([A-Za-z]{1,3})?[$]?(\d+)?(:[$]?([A-Za-z]{1,3})?[$]?(\d+)?)?$")


def column_index(letters: str) -> int:
    """1 for "A", 27 for "AA"; ValueError past XFD's "ZZZ" as openpyxl's column_index_from_string."""
    n = _column(letters.upper().encode("ascii"))
    if not 0 < n < 18279:
        raise ValueError(f"'{letters}' is not a valid column name. Column names are from A to ZZZ")
    return n


@cache
def column_letter(index: int) -> str:
    """"A" for 1, "AA" for 27 (openpyxl's get_column_letter)."""
    if not 1 <= index <= 18278:
        raise ValueError(f"Invalid column index {index}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def range_boundaries(ref: str) -> tuple:
    """(min col, min row, max col, max row) of "B4", "A2:C9", "A:C" or "2:9" (None where a range has none), as
    openpyxl's range_boundaries gives them; ValueError for anything else."""
    m = _RANGE.match(ref)
    if not m:
        raise ValueError(f"{ref} is not a valid coordinate or range")
    min_col, min_row, sep, max_col, max_row = m.groups()
    if sep and not (all((min_col, max_col, min_row, max_row)) or (min_col and max_col and not (min_row or max_row))
                    or (min_row and max_row and not (min_col or max_col))):
        raise ValueError(f"{ref} is not a valid coordinate or range")
    min_col = column_index(min_col) if min_col is not None else None
    min_row = int(min_row) if min_row is not None else None
    max_col = column_index(max_col) if max_col is not None else min_col
    max_row = int(max_row) if max_row is not None else min_row
    return min_col, min_row, max_col, max_row


def open_workbook(path: str | Path):
    """The workbook's values, read with openpyxl; run `inspect_workbook(path)` first."""
    from openpyxl import load_workbook  # only the annotated copy, which openpyxl saves, reads a form with it

    path = Path(path)
    try:
        # openpyxl warns about features of other tools' files that it drops; they are not the lead's concern.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        _fail(path, f"cannot be read as a workbook ({_why(exc)}); {SAVE_AGAIN}")
