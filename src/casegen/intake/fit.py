"""Sizes and print set-up for the intake form.

LibreOffice Calc does not fit rows to wrapped text when it opens a workbook, and Excel does so only
for rows it has not been told the height of; so the writer sets every height and width itself,
estimated from the text and the column it sits in.
"""
from __future__ import annotations

import textwrap
from collections.abc import Mapping

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break

from casegen import sheets

LINE = 15.0  # points a line of 11-point Calibri needs (Excel's default row height)
PAD = 3.0  # points above and below the text of a wrapped cell
PORTRAIT = 120  # width units up to which a portrait A4 page is kept (shrunk to no less than 80 %)


# Characters of prose a width unit holds (a unit is a digit of 11-point Calibri, or Carlito in Calc),
# measured on the Guide in Calc; a little under, so an estimate errs towards a spare line.
PROSE, BOLD_PROSE = 1.25, 1.0


def _per_unit(bold: bool, size: float) -> float:
    return (BOLD_PROSE if bold else PROSE) * 11 / size


def text_width(text: str, bold: bool = False, size: float = 11) -> float:
    """Width units a line of `text` needs, with a little room either side."""
    return len(text) / _per_unit(bold, size) + 2


def wrapped_lines(text: str, width: float, bold: bool = False, size: float = 11) -> int:
    """How many lines `text` wraps to in a column `width` units wide."""
    per_line = max(1, int((width - 1) * _per_unit(bold, size)))
    return sum(max(1, len(textwrap.wrap(part, per_line, break_long_words=True))) if part.strip() else 1
               for part in str(text).split("\n"))


def fit_rows(ws, minimum: dict[int, float] | None = None) -> None:
    """Give every row with wrapped text the height its longest cell needs (never less than `minimum`)."""
    minimum = minimum or {}
    widths = {i: ws.column_dimensions[get_column_letter(i)].width or 8.43 for i in range(1, ws.max_column + 1)}
    for row in ws.iter_rows():
        need = minimum.get(row[0].row, 0)
        for cell in row:
            if cell.value is None or not cell.alignment.wrap_text:
                continue
            size = cell.font.sz or 11
            n = wrapped_lines(str(cell.value), widths[cell.column], bool(cell.font.b), size)
            need = max(need, n * LINE * size / 11 + (PAD if n > 1 else 0))
        if need > LINE + 0.5 or row[0].row in minimum:
            ws.row_dimensions[row[0].row].height = round(need, 1)


def set_widths(ws, widths: Mapping[int, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = round(width, 1)


def print_setup(ws, widths: Mapping[int, float], title_rows: str | None = None) -> None:
    """A4, every column on one page width, landscape when the sheet is wider than a portrait page."""
    sheets.print_setup(ws, landscape=sum(widths.values()) > PORTRAIT, footer="&A – page &P of &N",
                       margins=PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.3),
                       title_rows=title_rows)
    ws.print_options.gridLines = False


# Printed page: A4 less the margins above, in points; a column of width 1 prints 5.55 pt wide at 100%
# (measured on LibreOffice's PDF). The fit-to-width scale is what Calc and Excel print at.
PAGE_PT = {"portrait": (595 - 72, 842 - 94), "landscape": (842 - 72, 595 - 94)}
PT_PER_WIDTH = 5.55


def keep_together(ws, groups: list[tuple[int, int]]) -> None:
    """A page break before each group of rows (a table's caption, help, header row and first rows) that
    would otherwise start at the foot of one page and go on at the top of the next."""
    wide, high = PAGE_PT[ws.page_setup.orientation or "portrait"]
    used = sum((ws.column_dimensions[get_column_letter(c)].width or 8.43) for c in range(1, ws.max_column + 1))
    room = high * 0.97 / min(1.0, wide / (used * PT_PER_WIDTH))  # in the sheet's own points
    starts = dict(groups)
    y = 0.0
    for r in range(1, ws.max_row + 1):
        height = ws.row_dimensions[r].height or LINE
        if r in starts and y:
            block = sum(ws.row_dimensions[k].height or LINE for k in range(r, starts[r] + 1))
            if y + block > room:
                ws.row_breaks.append(Break(id=r - 1))
                y = 0.0
        if y + height > room:
            y = 0.0
        y += height
