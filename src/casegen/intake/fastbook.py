"""A light, read-only view of an intake workbook: the values, defined names and tables the reader uses.

openpyxl's full load builds a styled cell object for every cell, with data validations, column
widths and so on (about 47 ms for an intake form); the reader needs only values. This parses the
sheet XML directly, each sheet only when it is first used, and converts values exactly as
openpyxl does with data_only=True: numbers, dates by number format, shared and inline strings,
booleans, and the cached results of formulas. It offers the small part of openpyxl's interface
that the reader uses (wb.sheetnames, wb.worksheets, wb[sheet][coord].value, ws.cell(r, c).value,
ws.iter_rows, ws.tables[name].ref, wb.defined_names[name].destinations, wb.close()).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601
from openpyxl.workbook.defined_name import DefinedName, DefinedNameDict

from casegen.errors import IntakeError, Problem

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ROW, CELL, VALUE, INLINE, TEXT, RUN = (MAIN + tag for tag in ("row", "c", "v", "is", "t", "r"))
OFFICE_DOCUMENT = "/officeDocument"
# openpyxl leaves these three names out of the workbook's names (they belong to print settings).
RESERVED_NAMES = ("_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase")
# Intake forms come from strangers: no entity expansion, no network, no huge trees.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def _xml(data: bytes):
    return etree.fromstring(data, _PARSER)


@lru_cache(maxsize=1 << 16)
def _coordinate(ref: str) -> tuple[int, int]:
    return coordinate_to_tuple(ref)


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true")


# A name that points at one cell or block on one sheet, as every name of an intake form does:
# answered without openpyxl's formula tokenizer (a third of the reading time); anything else falls back.
_SIMPLE_REF = re.compile(r"(?:'(?P<quoted>[^']+)'|(?P<plain>[A-Za-z_][A-Za-z0-9_.]*))!"
                         r"(?P<cells>\$?[A-Za-z]{1,3}\$?[0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?)")


class FastName(DefinedName):
    """openpyxl's DefinedName, quicker for the plain `'Sheet'!$B$4` kind."""

    @property
    def type(self):
        return "RANGE" if _SIMPLE_REF.fullmatch(self.value or "") else super().type

    @property
    def destinations(self):
        m = _SIMPLE_REF.fullmatch(self.value or "")
        if m is None:
            return super().destinations
        return iter([(m.group("quoted") or m.group("plain"), m.group("cells"))])


class FastCell:
    """A cell's value, and where it is."""

    __slots__ = ("row", "column", "value")

    def __init__(self, row: int, column: int, value):
        self.row, self.column, self.value = row, column, value


@dataclass(frozen=True)
class FastTable:
    name: str
    displayName: str
    ref: str


class FastTables(dict):
    """Tables by name; like openpyxl's TableList, items() gives (name, ref) pairs."""

    def items(self):
        return [(name, table.ref) for name, table in super().items()]


class _Package:
    """The zip, its relationships and the values every sheet shares (strings, date styles, epoch)."""

    def __init__(self, path: Path):
        self.zf = zipfile.ZipFile(path)
        self.names = set(self.zf.namelist())

    def read(self, part: str) -> bytes:
        return self.zf.read(part)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, target part) for `part`."""
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        if rels_part not in self.names:
            return {}
        out = {}
        for rel in _xml(self.read(rels_part)).iter(f"{PKG_REL}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            out[rel.get("Id")] = (rel.get("Type") or "", _resolve(folder, rel.get("Target") or ""))
        return out


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(folder, target))


def _by_type(rels: dict, suffix: str) -> str | None:
    return next((target for kind, target in rels.values() if kind.endswith(suffix)), None)


def _text(node) -> str:
    """The plain text of a string item (<si> or <is>), as openpyxl's Text.content gives it:
    the plain <t> first, then the <t> of each rich-text run (phonetic runs left out)."""
    plain, runs = [], []
    for child in node:
        if child.tag == TEXT:
            plain.append(child.text or "")
        elif child.tag == RUN:
            runs.extend(t.text or "" for t in child if t.tag == TEXT)
    return "".join(plain[-1:] + runs)  # openpyxl keeps the last plain <t>


def _shared_strings(pkg: _Package, part: str | None) -> list[str]:
    if not part or part not in pkg.names:
        return []
    root = _xml(pkg.read(part))
    return [_text(si).replace("x005F_", "") for si in root.iter(f"{MAIN}si")]


def _date_styles(pkg: _Package, part: str | None) -> tuple[set[int], set[int]]:
    """Indexes of the cell styles whose number format shows a date, and a duration."""
    dates, durations = set(), set()
    if not part or part not in pkg.names:
        return dates, durations
    root = _xml(pkg.read(part))
    custom = {int(f.get("numFmtId")): f.get("formatCode") for f in root.iterfind(f"{MAIN}numFmts/{MAIN}numFmt")}
    for idx, xf in enumerate(root.iterfind(f"{MAIN}cellXfs/{MAIN}xf")):
        fmt_id = int(xf.get("numFmtId") or 0)
        fmt = custom[fmt_id] if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
        if is_date_format(fmt):
            dates.add(idx)
        if is_timedelta_format(fmt):
            durations.add(idx)
    return dates, durations


class FastSheet:
    """One worksheet; its cells are parsed when first asked for."""

    def __init__(self, book: FastBook, title: str, part: str, state: str):
        self.parent, self.title, self.sheet_state = book, title, state
        self._part = part
        self._cells: dict[tuple[int, int], object] | None = None
        self._tables: FastTables | None = None
        self.defined_names = DefinedNameDict()

    @property
    def cells(self) -> dict[tuple[int, int], object]:
        if self._cells is None:
            self._cells = _parse_cells(self.parent, self._part)
        return self._cells

    @property
    def tables(self) -> FastTables:
        if self._tables is None:
            self._tables = _parse_tables(self.parent._pkg, self._part)
        return self._tables

    def cell(self, row: int, column: int) -> FastCell:
        return FastCell(row, column, self.cells.get((row, column)))

    def __getitem__(self, coordinate: str) -> FastCell:
        row, column = coordinate_to_tuple(coordinate.replace("$", ""))
        return self.cell(row, column)

    @cached_property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=1)

    @cached_property
    def max_column(self) -> int:
        return max((c for _, c in self.cells), default=1)

    def iter_rows(self, min_row=None, max_row=None, min_col=None, max_col=None, values_only=False):
        cols = range(min_col or 1, (max_col or self.max_column) + 1)
        for r in range(min_row or 1, (max_row or self.max_row) + 1):
            if values_only:
                yield tuple(self.cells.get((r, c)) for c in cols)
            else:
                yield tuple(self.cell(r, c) for c in cols)

    def __repr__(self) -> str:
        return f"<FastSheet {self.title!r}>"


def _parse_tables(pkg: _Package, part: str) -> FastTables:
    rels = pkg.rels(part)
    tables = FastTables()
    for kind, target in rels.values():
        if kind.endswith("/table") and target in pkg.names:
            root = _xml(pkg.read(target))
            display = root.get("displayName")
            name = root.get("name") or display
            tables[name] = FastTable(name, display, root.get("ref"))
    return tables


def _parse_cells(book: FastBook, part: str) -> dict[tuple[int, int], object]:
    root = _xml(book._pkg.read(part))
    data = root.find(f"{MAIN}sheetData")
    cells = {}
    row_no = 0
    for row in data if data is not None else ():
        if row.tag != ROW:
            continue
        row_no = _row_number(row.get("r"), row_no)
        col_no = 0
        for c in row:
            if c.tag != CELL:
                continue
            ref = c.get("r")
            if ref:
                r, col_no = _coordinate(ref)
            else:
                r, col_no = row_no, col_no + 1
            # A cell with no <v> or <is> is only styled: its value is None whatever its type.
            cells[(r, col_no)] = book._value(c) if len(c) else None
    _blank_merged(root, cells)
    return cells


def _blank_merged(root, cells: dict) -> None:
    """Cells a merge covers read as empty, as openpyxl has them (all but the top-left one)."""
    for merge in root.iterfind(f"{MAIN}mergeCells/{MAIN}mergeCell"):
        try:
            min_col, min_row, max_col, max_row = range_boundaries(merge.get("ref") or "")
        except (TypeError, ValueError):
            continue
        if None in (min_col, min_row, max_col, max_row):
            continue  # whole rows or columns: intake.workbook refuses such files before they get here
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    cells[(r, c)] = None


def _row_number(attr: str | None, previous: int) -> int:
    if attr is None:
        return previous + 1
    try:
        return int(attr)
    except ValueError:
        value = float(attr)
        if not value.is_integer():
            raise ValueError(f"{attr} is not a valid row number") from None
        return int(value)


def _number(text: str):
    return float(text) if ("." in text or "E" in text or "e" in text) else int(text)


class FastBook:
    """An intake workbook opened for reading values."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._pkg = _Package(self.path)
        try:
            self._load()
        except BaseException:
            self.close()
            raise

    def _load(self) -> None:
        pkg = self._pkg
        part = _by_type(pkg.rels(""), OFFICE_DOCUMENT) or "xl/workbook.xml"
        rels = pkg.rels(part)
        root = _xml(pkg.read(part))
        props = root.find(f"{MAIN}workbookPr")
        self.epoch = CALENDAR_MAC_1904 if props is not None and _true(props.get("date1904")) else CALENDAR_WINDOWS_1900
        self._strings = _shared_strings(pkg, _by_type(rels, "/sharedStrings"))
        self._dates, self._durations = _date_styles(pkg, _by_type(rels, "/styles"))
        every = self._sheets(root, rels)
        self.worksheets = [ws for ws in every if ws is not None]
        self._by_title = {ws.title: ws for ws in self.worksheets}
        self.defined_names = self._names(root, every)

    def _sheets(self, root, rels) -> list[FastSheet | None]:
        """Every sheet in the workbook's order (None where it is not a worksheet, e.g. a chart)."""
        out = []
        for sheet in root.iterfind(f"{MAIN}sheets/{MAIN}sheet"):
            kind, target = rels.get(sheet.get(f"{DOC_REL}id"), ("", ""))
            if kind.endswith("/worksheet") and target in self._pkg.names:
                out.append(FastSheet(self, sheet.get("name"), target, sheet.get("state") or "visible"))
            else:
                out.append(None)
        return out

    def _names(self, root, every: list) -> DefinedNameDict:
        names = DefinedNameDict()
        for node in root.iterfind(f"{MAIN}definedNames/{MAIN}definedName"):
            local = node.get("localSheetId")
            defn = FastName(name=node.get("name"), localSheetId=local, hidden=_true(node.get("hidden")) or None,
                               attr_text=node.text)
            if local is None:
                if defn.name not in RESERVED_NAMES:
                    names[defn.name] = defn
            elif int(local) < len(every) and every[int(local)] is not None and not defn.is_reserved:
                every[int(local)].defined_names[defn.name] = defn
        return names

    def _value(self, c):
        """A cell's value as openpyxl reads it with data_only=True."""
        kind = c.get("t", "n")
        value = inline = None
        for child in c:
            if child.tag == VALUE:
                value = child.text or None
            elif child.tag == INLINE:
                inline = child
        if kind == "inlineStr":
            return _text(inline) if inline is not None else None
        if value is None:
            return None
        if kind == "n":
            return self._numeric(_number(value), int(c.get("s") or 0))
        if kind == "s":
            return self._strings[int(value)]
        if kind == "b":
            return bool(int(value))
        if kind == "d":
            return from_ISO8601(value)
        return value  # "str" (a formula's text), "e" (an error such as #N/A)

    def _numeric(self, number, style: int):
        if style not in self._dates:
            return number
        try:
            return from_excel(number, self.epoch, timedelta=style in self._durations)
        except (OverflowError, ValueError):
            return "#VALUE!"  # as openpyxl marks a date out of range

    @property
    def sheetnames(self) -> list[str]:
        return [ws.title for ws in self.worksheets]

    def __getitem__(self, title: str) -> FastSheet:
        try:
            return self._by_title[title]
        except KeyError:
            raise KeyError(f"Worksheet {title} does not exist.") from None

    def __contains__(self, title: str) -> bool:
        return title in self._by_title

    def close(self) -> None:
        self._pkg.zf.close()


def load(path: str | Path) -> FastBook:
    """The workbook at `path`, for reading values; raises what zipfile and lxml raise."""
    return FastBook(path)


def open_workbook(path: str | Path) -> FastBook:
    """The workbook's values, as intake.workbook.open_workbook gives them, read about ten times faster.

    Run intake.workbook.inspect_workbook(path) first: it makes the safety checks (sizes, DTDs, rows).
    """
    try:
        return FastBook(path)
    except Exception as exc:  # zipfile, zlib and lxml raise many kinds for damaged files
        why = f"{type(exc).__name__}: {exc}"[:200]
        raise IntakeError([Problem(str(path), f"cannot be read as a workbook ({why}); "
                                              "open it in Excel or LibreOffice and save it again as .xlsx")]) from None
