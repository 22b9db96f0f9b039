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
import zipfile

from lxml import etree
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.table import Table, TableStyleInfo

from casegen import sheets
from casegen.ooxml import SHEET
from casegen.sheetcells import number, put

MONEY = '"£"#,##0;[Red]-"£"#,##0'
NAVY = "1F3864"
TITLE = Font(bold=True, size=14, color=NAVY)
BOLD = Font(bold=True)
NOTE = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
FILLS = {name: PatternFill("solid", fgColor=colour) for name, colour in
         {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE", "grey": "E7E6E6", "head": "D9E2F3"}.items()}


class Formulas:
    """The value of every formula written, by (sheet title, cell), for `with_cached_values`."""

    def __init__(self):
        self.values: dict[tuple[str, str], object] = {}

    def put(self, ws, row: int, column: int, formula: str, value, number_format: str | None = None):
        cell = ws.cell(row=row, column=column, value=formula)
        self.values[(ws.title, cell.coordinate)] = number(value)
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


def add_table(ws, name: str, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """An Excel table (banded rows, a filter button on each heading) over a block with a header row."""
    ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{max(last_row, first_row + 1)}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)


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


def fit_rows(ws, first_row: int, last_row: int | None = None) -> None:
    """Row heights for wrapped text, from the column widths: LibreOffice keeps a row one line high
    unless told, so a long title would run into the row below."""
    widths = {}
    for row in ws.iter_rows(min_row=first_row, max_row=last_row or ws.max_row):
        lines = 1
        for cell in row:
            if cell.value is None or not cell.alignment.wrap_text:
                continue
            if cell.column not in widths:
                widths[cell.column] = ws.column_dimensions[get_column_letter(cell.column)].width or 8.43
            per_line = 10 * max(widths[cell.column] - 1, 1)
            lines = max(lines, sum(-(-max(len(part), 1) * 11 // per_line) for part in str(cell.value).split("\n")))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = 13 * lines + 2


def print_setup(ws, title_row: int | None = None) -> None:
    """A4 landscape, every column on one page's width, the heading row repeated on each page."""
    sheets.print_setup(ws, landscape=True, margins=PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5),
                       footer="&A  ·  page &P of &N", title_rows=f"{title_row}:{title_row}" if title_row else None)


def _fill(xml: bytes, values: dict[str, object]) -> bytes:
    root = etree.fromstring(xml)
    for c in root.iter(f"{SHEET}c"):
        if c.get("r") not in values or c.find(f"{SHEET}f") is None:
            continue
        value = values[c.get("r")]
        v = c.find(f"{SHEET}v")
        if v is None:
            v = etree.SubElement(c, f"{SHEET}v")
        if value is None or value == "":
            c.remove(v)
        elif isinstance(value, str):
            c.set("t", "str")
            v.text = value
        else:
            v.text = repr(float(value)) if isinstance(value, float) else str(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def with_cached_values(data: bytes, formulas: Formulas) -> bytes:
    """The saved workbook `data` with each formula's value in its cell, every other part as it was."""
    by_sheet: dict[str, dict[str, object]] = {}
    for (sheet, coord), value in formulas.values.items():
        by_sheet.setdefault(sheet, {})[coord] = value
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        names = set(zin.namelist())
        found = sheets.sheet_parts(lambda n: zin.read(n) if n in names else None, names)
        parts = {part: by_sheet[name] for name, part in found.items() if name in by_sheet}
        for info in zin.infolist():
            blob = zin.read(info.filename)
            if info.filename in parts:
                blob = _fill(blob, parts[info.filename])
            zout.writestr(info, blob)
    return out.getvalue()
