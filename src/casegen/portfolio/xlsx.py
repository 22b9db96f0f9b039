"""Small helpers for a workbook people read and print: tables, widths, print set-up, and formulas that
carry their values.

openpyxl writes a formula as `<f>` with an empty `<v>`: it has no calculation engine, so a reader
that does not recalculate (a previewer, pandas, calamine, openpyxl's own data_only) sees nothing.
casegen knows every figure already, so each formula cell's value is kept as it is written and put
into the cell's `<v>` after saving: the formula for a person to follow, its value for every reader.
The workbook also asks Excel to recalculate on load, so both always agree.
"""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.pagebreak import Break, ColBreak
from openpyxl.worksheet.table import Table, TableStyleInfo

from casegen import sheets
from casegen.models.values import TBC, Total, format_money
from casegen.sheetcells import number, put

MONEY = '"£"#,##0;[Red]-"£"#,##0'


def _tbc_money() -> str:
    """A total over a TBC amount as format_money words it ("TBC (£200,000 known)"), as a number format: the
    cell keeps the part known so far, a number the sheet's sums and charts add, and reads as the documents do."""
    before, after = format_money(Total(Decimal(1), True)).split("£1")
    return f'"{before}£"#,##0"{after}";"{before}-£"#,##0"{after}";"{TBC}"'


TBC_MONEY = _tbc_money()
NAVY = "1F3864"
FONT, BODY_PT = "Calibri", 11  # openpyxl's body font; LibreOffice prints it in Carlito, its metric twin
TITLE = Font(name=FONT, bold=True, size=14, color=NAVY)  # every font named: an unnamed one prints in a serif
BOLD = Font(name=FONT, bold=True)
NOTE = Font(name=FONT, italic=True, color="595959")
# Print: A4 landscape less 0.4" margins is 784 pt wide; LibreOffice prints a column of width 1 (one digit
# of the body font) 5.55 pt wide (measured on its PDF). No sheet prints below 80%: 8.8 pt body text.
PAGE_PT, PT_PER_WIDTH, LINE_PT = 842 - 2 * 0.4 * 72, 5.55, 14.5
SCALES = range(100, 79, -5)
WRAP = Alignment(wrap_text=True, vertical="top")
FIGURE = Alignment(wrap_text=True, vertical="top", horizontal="right")  # money, TBC included, lines up right
CENTRE = Alignment(horizontal="center", vertical="center")
CENTRE_TOP = Alignment(horizontal="center", vertical="top")
HEAD_ROW = 4  # every sheet of the tracker: title, a note, a blank row, then its table's headings
FIRST = HEAD_ROW + 1
TOP = Alignment(vertical="top")
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FILLS = {name: PatternFill("solid", fgColor=colour) for name, colour in
         {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE", "grey": "E7E6E6", "head": "D9E2F3"}.items()}


class Formulas:
    """The value of every formula written, by sheet title then cell, for `with_cached_values`."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, object]] = {}

    def put(self, ws, row: int, column: int, formula: str, value, number_format: str | None = None):
        cell = ws.cell(row=row, column=column, value=formula)
        self.values.setdefault(ws.title, {})[cell.coordinate] = number(value)
        if number_format:
            cell.number_format = number_format
        return cell


def title(ws, text: str, note: str = "") -> None:
    put(ws, 1, 1, text).font = TITLE  # names the programme: the configuration's text, kept as text
    if note:
        put(ws, 2, 1, note).font = NOTE


def header(ws, row: int, column: int, names: list[str]) -> None:
    for i, name in enumerate(names):
        cell = put(ws, row, column + i, name)
        cell.font = BOLD
        cell.alignment = WRAP


def add_table(ws, name: str, first_row: int, first_col: int, last_row: int, last_col: int, box: bool = True) -> None:
    """An Excel table (banded rows, a filter button on each heading) over a block with a header row; `box`:
    bordered (boxed) now, else by its writer as each row is written."""
    ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{max(last_row, first_row + 1)}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    if box:
        boxed(ws, first_row, first_col, max(last_row, first_row + 1), last_col)


def boxed(ws, first_row: int, first_col: int, last_row: int, last_col: int, head: bool = True) -> None:
    """Borders round every cell of a block and its heading row shaded: LibreOffice prints no table style,
    so a table would print as loose text."""
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, min_col=first_col, max_col=last_col):
        for cell in row:
            cell.border = GRID
            if head and cell.row == first_row:
                cell.fill = FILLS["head"]


def money_format(total: Total) -> str:
    """The number format of a cell holding `total`'s known part: TBC beside it where a part is TBC."""
    return TBC_MONEY if total.tbc else MONEY


def money_width(totals) -> float:
    """A column wide enough for the longest of `totals` as format_money prints it."""
    return max([text_units(format_money(t)) + 2 for t in totals] + [10])


def fit_columns(ws, widest: dict[int, int] | None = None, first_row: int = 3) -> None:
    """Each column as wide as its longest value (from `first_row`, below the titles), within its cap."""
    widest = widest or {}
    lengths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None:
                continue
            if isinstance(cell.value, (int, float)):
                length = len(f"£{cell.value:,.0f}") + 2
            elif cell.data_type == "f":
                length = 12
            else:
                length = max(len(line) for line in str(cell.value).split("\n")) + 2
            lengths[cell.column] = max(lengths.get(cell.column, 0), length)
    for column, length in lengths.items():
        ws.column_dimensions[get_column_letter(column)].width = max(8, min(length, widest.get(column, 45)))


# Advance widths of Calibri (and Carlito, its metric twin in LibreOffice) in 2048ths of an em; a digit is
# 1038, the unit a column's width counts in. Other characters count as a capital.
_GLYPHS = {**dict(zip("abcdefghijklmnopqrstuvwxyz", (981, 1076, 866, 1076, 1019, 625, 964, 1076, 470, 490, 931, 470,
                                                     1636, 1076, 1080, 1076, 1076, 714, 801, 686, 1076, 925, 1464,
                                                     887, 927, 809), strict=True)),
           **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (1185, 1114, 1092, 1260, 1000, 941, 1292, 1276, 516, 653, 1064,
                                                     861, 1751, 1322, 1356, 1058, 1378, 1112, 941, 998, 1314, 1162,
                                                     1822, 1063, 998, 959), strict=True)),
           **{c: 1038 for c in "0123456789£$#+=<>_~^"}, " ": 463, ".": 517, ",": 511, ":": 548, ";": 548, "-": 627,
           "/": 791, "(": 621, ")": 621, "'": 452, "’": 452, "!": 548, "|": 470, "&": 1403, "%": 1467, "–": 1024}


def text_units(text: str, bold: bool = False) -> float:
    """Width units (digits of the body font) a line of `text` takes; bold letters are about 5% wider."""
    return sum(_GLYPHS.get(c, 1150) for c in text) / 1038 * (1.05 if bold else 1.0)


def wrapped_lines(text, width: float, bold: bool = False) -> int:
    """How many lines `text` takes in a column `width` wide, wrapped at spaces (and after hyphens) as
    Excel and Calc do; a word wider than the column breaks inside it."""
    room = max(width - 1.2, 1.0)  # a cell's padding either side
    lines = 0
    for part in str(text).split("\n"):
        lines, used = lines + 1, 0.0
        for found in re.finditer(r"[^\s-]*-|[^\s-]+", part):
            size = text_units(found.group(), bold)
            joined = found.start() > 0 and part[found.start() - 1] == "-"  # "above-proposed": no space between
            space = text_units(" ") if used and not joined else 0.0
            if used and used + space + size <= room:
                used += space + size
                continue
            inside = int(size // room)  # lines a long word fills on its own
            lines += inside + (1 if used else 0)
            used = size - inside * room
    return lines


def width_of(ws, column: int) -> float:
    return ws.column_dimensions[get_column_letter(column)].width or 8.43


def fit_rows(ws, first_row: int, last_row: int | None = None) -> None:
    """Row heights for wrapped text, from the column widths: LibreOffice keeps a row one line high
    unless told, so a long title would print over the row below."""
    for row in ws.iter_rows(min_row=first_row, max_row=last_row or ws.max_row):
        lines = max([wrapped_lines(c.value, width_of(ws, c.column), bool(c.font and c.font.b)) for c in row
                     if c.value is not None and c.alignment.wrap_text and not str(c.value).startswith("=")] or [1])
        if lines > 1:
            ws.row_dimensions[row[0].row].height = LINE_PT * lines + 2


def headings_fit(ws, row: int) -> None:
    """Each heading of `row` breaks only between words: its column at least as wide as its longest word."""
    for cell in ws[row]:
        if isinstance(cell.value, str) and cell.value:
            longest = max(len(w) for w in cell.value.split())
            ws.column_dimensions[cell.column_letter].width = max(width_of(ws, cell.column), 1.1 * longest + 2.5)


def page_breaks(widths: list[float], scale: int, repeat: int = 0, forced=()) -> list[int]:
    """The columns after which each printed page ends, at `scale` percent, the first `repeat` columns
    printed again on every page, and a page always ending after each column in `forced`."""
    room = PAGE_PT * 0.98 * 100 / scale - PT_PER_WIDTH * sum(widths[:repeat])  # 2%: LibreOffice's rounding
    breaks, used = [], 0.0
    for c, width in enumerate(widths[repeat:], start=repeat + 1):
        if used and used + PT_PER_WIDTH * width > room:
            breaks.append(c - 1)
            used = 0.0
        used += PT_PER_WIDTH * width
        if c in forced and c != len(widths):
            breaks.append(c)
            used = 0.0
    return breaks


def printed_scale(widths: list[float], repeat: int = 0, forced=()) -> int:
    """The largest scale (80% or more) that prints the sheet on as few pages across as any such scale."""
    fewest = min(len(page_breaks(widths, s, repeat, forced)) for s in SCALES)
    return next(s for s in SCALES if len(page_breaks(widths, s, repeat, forced)) == fewest)


def print_setup(ws, title_row: int | None = None, repeat: int = 0, forced=(), last_column: int | None = None) -> None:
    """A4 landscape at a scale that keeps text at 8.8 pt or more: a sheet wider than a page prints across
    pages (ending after each column in `forced`), its first `repeat` columns and its heading row on each."""
    last = last_column or ws.max_column
    widths = [width_of(ws, c) for c in range(1, last + 1)]
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.scale = printed_scale(widths, repeat, forced)
    ws.sheet_properties.pageSetUpPr.fitToPage = False  # a fit-to-page scale is the office suite's to choose
    ws.col_breaks = ColBreak()
    for c in page_breaks(widths, ws.page_setup.scale, repeat, forced):
        ws.col_breaks.append(Break(id=c))
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "&A  ·  page &P of &N"
    ws.oddFooter.center.font = FONT
    if title_row:
        ws.print_title_rows = f"{title_row}:{title_row}"
    if repeat:
        ws.print_title_cols = f"A:{get_column_letter(repeat)}"


def note_rows(ws, note: str, last_column: int, row: int = 2, rows: int = 2) -> None:
    """A long note under a sheet's title, wrapped onto `rows` rows at spaces to the width of the first
    printed page, so no line runs off the page."""
    scale = ws.page_setup.scale or 100
    room = min(sum(width_of(ws, c) for c in range(1, last_column + 1)), PAGE_PT * 100 / scale / PT_PER_WIDTH)
    per_line, lines, line = room / 0.85 * 0.95, [], ""
    for word in note.split(" "):
        if line and len(line) + 1 + len(word) > per_line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    lines = lines[:rows - 1] + [" ".join(lines[rows - 1:])] if len(lines) > rows else lines
    for i, text in enumerate(lines):
        put(ws, row + i, 1, text).font = NOTE


@dataclass(frozen=True)
class Column:
    """One column of a sheet's table, declared once: its heading, printed width, number format and where its
    value comes from. `value` takes the row's item (a case's row, a risk); a column with `formula` holds that
    formula (given the sheet's Layout and the row number) with `value` as its cached value; a column with
    neither is filled by the sheet's own writer (a link, say). `number_format` may depend on the item."""

    name: str
    width: float
    value: Callable[[Any], object] | None = None
    number_format: str | Callable[[Any], str] | None = None
    formula: Callable[[Layout, int, Any], str | None] | None = None
    align: Alignment = WRAP


class Layout:
    """Where each declared column of a sheet's table is: the sheet's writer and other sheets' formulas
    look a column up by its name, never by a letter."""

    def __init__(self, sheet: str, columns: list[Column], rows: int, head_row: int = HEAD_ROW):
        self.sheet, self.columns, self.head_row = sheet, columns, head_row
        self.first, self.last = head_row + 1, head_row + max(rows, 1)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def at(self, name: str) -> int:
        return self.names.index(name) + 1

    def letter(self, name: str) -> str:
        return get_column_letter(self.at(name))

    def range(self, name: str) -> str:
        """The column's cells, for another sheet's formula: Cases!$F$5:$F$18."""
        c, sheet = self.letter(name), self.sheet if self.sheet.isidentifier() else quote_sheetname(self.sheet)
        return f"{sheet}!${c}${self.first}:${c}${self.last}"

    def write_head(self, ws) -> None:
        header(ws, self.head_row, 1, self.names)

    def write_row(self, ws, r: int, item, formulas: Formulas) -> None:
        """One item's row: every declared value, formula and format (text through sheetcells.put). A Total
        is written as its known part, read as TBC beside that part where some of it is TBC; one with no part
        known is the text TBC, as the case's own TBC amounts are (a formula's value stays the sum, 0)."""
        for c, column in enumerate(self.columns, start=1):
            value = column.value(item) if column.value else None
            fmt = column.number_format(item) if callable(column.number_format) else column.number_format
            formula = column.formula(self, r, item) if column.formula else None
            if isinstance(value, Total):
                fmt, value = money_format(value), (value.known_part if formula or value.known is not None
                                                   else value.amount)
            if formula:
                cell = formulas.put(ws, r, c, formula, value)
            elif column.value is not None:
                cell = put(ws, r, c, None if value == "" else value)
            else:
                cell = ws.cell(row=r, column=c)
            if fmt:
                cell.number_format = fmt
            cell.alignment = column.align

    def set_widths(self, ws, items=()) -> None:
        """Each column as declared; one holding totals wide enough for the longest ("TBC (£1,250,000 known)")."""
        for c, column in enumerate(self.columns, start=1):
            totals = [v for v in map(column.value, items) if isinstance(v, Total)] if column.value else []
            width = max(column.width, money_width(totals)) if totals else column.width
            ws.column_dimensions[get_column_letter(c)].width = width


# A formula cell as openpyxl writes it: <c r="F5" s="3"><f>SUM(…)</f><v></v></c> (the formula's text escaped,
# so no "<" inside it).
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"([^>]*)><f>([^<]*)</f>(?:<v></v>|<v\s*/>)?</c>')
_TYPE = re.compile(rb' t="[^"]*"')
CHUNK = 1 << 16  # bytes of a sheet read at a time


def _cached(found: re.Match, values: dict[str, object]) -> bytes:
    coord, attrs, formula = found.group(1), found.group(2), found.group(3)
    if coord.decode() not in values:
        return found.group(0)
    value = values[coord.decode()]
    if value is None or value == "":
        v = b""
    elif isinstance(value, str):
        attrs, v = _TYPE.sub(b"", attrs) + b' t="str"', f"<v>{escape(value)}</v>".encode()
    else:
        v = f"<v>{repr(float(value)) if isinstance(value, float) else value}</v>".encode()
    return b'<c r="%s"%s><f>%s</f>%s</c>' % (coord, attrs, formula, v)


def _fill(src: IO[bytes], dst: IO[bytes], values: dict[str, object]) -> None:
    """Copy a sheet's XML from `src` to `dst` a chunk at a time, each formula cell given its value: memory
    bounded whatever the sheet's size (parsing it whole took 26 MB a thousand cases)."""
    rest = b""
    while chunk := src.read(CHUNK):
        rest += chunk
        cut = rest.rfind(b"</c>") + len(b"</c>")  # a formula cell ends there: none is cut in two
        if cut < len(b"</c>"):
            continue
        dst.write(_FORMULA_CELL.sub(lambda m: _cached(m, values), rest[:cut]))
        rest = rest[cut:]
    dst.write(_FORMULA_CELL.sub(lambda m: _cached(m, values), rest))


def with_cached_values(data: bytes, formulas: Formulas) -> bytes:
    """The saved workbook `data` with each formula's value in its cell, every other part as it was."""
    by_sheet = formulas.values
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        names = set(zin.namelist())
        found = sheets.sheet_parts(lambda n: zin.read(n) if n in names else None, names)
        parts = {part: by_sheet[name] for name, part in found.items() if name in by_sheet}
        for info in zin.infolist():
            with zin.open(info) as src, zout.open(info, "w") as dst:
                if info.filename in parts:
                    _fill(src, dst, parts[info.filename])
                else:
                    shutil.copyfileobj(src, dst, CHUNK)
    return out.getvalue()
