"""The tracker written a sheet at a time: each sheet is composed whole in a worksheet of its own (the sheet
writers read back what they wrote: widths, wrapped rows, borders), then copied row by row into openpyxl's
write-only workbook, which sends the rows to a temporary file as they come, and let go. The tracker holds one
sheet's cells at a time, not the whole workbook's (the Cases sheet is about half of them).

The composing worksheet belongs to the same workbook, so a cell's style ids mean the same in both; it is not
one of the workbook's sheets, so its name is free for the sheet written.
"""
from __future__ import annotations

from collections.abc import Callable
from copy import copy

from openpyxl.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

# What a sheet has besides its cells, kept as the sheet writers set it (the same objects: they are written at
# save, from the sheet written).
_SHEET_PARTS = ("sheet_properties", "views", "sheet_format", "column_dimensions", "row_dimensions", "page_setup",
                "print_options", "page_margins", "HeaderFooter", "col_breaks", "row_breaks",
                "conditional_formatting", "data_validations", "auto_filter", "protection", "_print_rows",
                "_print_cols", "_print_area", "_tables", "_charts", "_images")


def add_sheet(wb, title: str, compose: Callable[[Worksheet], None]) -> None:
    """Compose the sheet `title` with `compose(ws)`, then write it into the write-only workbook `wb`."""
    ws = Worksheet(wb, title)
    compose(ws)
    _name_columns(ws)
    out = wb.create_sheet(ws.title)
    for name in _SHEET_PARTS:
        setattr(out, name, getattr(ws, name))
    by_row: dict[int, dict[int, Cell]] = {}
    for (r, c), cell in ws._cells.items():
        by_row.setdefault(r, {})[c] = cell
    for r in range(1, max(by_row, default=0) + 1):
        cells = by_row.pop(r, {})
        out.append([_copied(cells[c], out, r, c) if c in cells else None for c in range(1, max(cells, default=0) + 1)])
    ws._cells.clear()  # its charts still name it (by its title): its cells go now


def _copied(cell: Cell, ws, row: int, column: int) -> Cell:
    """The cell as written (text kept as text, never made a formula), its style and link."""
    out = Cell(ws, row=row, column=column)
    out._value, out.data_type = cell._value, cell.data_type
    out._style = copy(cell._style)
    out._hyperlink = cell._hyperlink
    return out


def _name_columns(ws: Worksheet) -> None:
    """Each table's columns named by its heading cells, as openpyxl names them when it saves a whole sheet
    (a write-only sheet has no cells to read them from)."""
    for table in ws.tables.values():
        if not table.tableColumns:
            table._initialise_columns()
            for cell, column in zip(ws[table.ref][0], table.tableColumns, strict=False):
                column.name = str(cell.value)
