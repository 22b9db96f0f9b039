"""The tracker written as it is composed: each sheet is composed in a worksheet of its own (the sheet writers
read back what they wrote: widths, wrapped rows, borders), and its rows are copied into openpyxl's write-only
workbook, which sends them to a temporary file as they come, and let go. A small sheet is copied once composed;
the sheets of a row a case or a risk (Cases, Risks) are copied a block of rows at a time as they are written
(`written`), so the tracker holds a block of their cells, not the whole workbook's.

The composing worksheet belongs to the same workbook, so a cell's style ids mean the same in both; it is not
one of the workbook's sheets, so its name is free for the sheet written.
"""
from __future__ import annotations

from collections.abc import Callable
from copy import copy

from openpyxl.cell import Cell
from openpyxl.utils import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

BLOCK = 200  # rows of a long sheet held before they are written out
# What a sheet has besides its cells: the same objects in both (written at save, from the sheet written). Its
# widths and views head the sheet's XML, so a sheet set them before its first block is written out.
_SHEET_PARTS = ("sheet_properties", "views", "sheet_format", "column_dimensions", "row_dimensions", "page_setup",
                "print_options", "page_margins", "HeaderFooter", "col_breaks", "row_breaks",
                "conditional_formatting", "data_validations", "auto_filter", "protection", "_print_rows",
                "_print_cols", "_print_area", "_tables", "_charts", "_images")


class Composed(Worksheet):
    """A sheet being composed, and the write-only sheet it is written out to (`out`)."""

    def __init__(self, wb, title: str):
        super().__init__(wb, title)
        self.out = wb.create_sheet(title)
        self.done = 0  # rows written out: none of them may be written again

    def flush(self, last: int | None = None) -> None:
        """Write out the rows up to `last` (all if None), and let them go."""
        _name_columns(self)
        for name in _SHEET_PARTS:  # again: a writer may have set one anew (print_setup's page breaks)
            setattr(self.out, name, getattr(self, name))
        by_row: dict[int, dict[int, Cell]] = {}
        for (r, c) in [key for key in self._cells if last is None or key[0] <= last]:
            by_row.setdefault(r, {})[c] = self._cells.pop((r, c))
        assert all(r > self.done for r in by_row), "a row of the sheet is written after it was written out"
        for r in range(self.done + 1, max(by_row, default=self.done) + 1):
            cells = by_row.pop(r, {})
            self.out.append([_copied(cells[c], self.out, r, c) if c in cells else None
                             for c in range(1, max(cells, default=0) + 1)])
            self.row_dimensions.pop(r, None)  # its height is written with it (openpyxl reads it as it appends)
            self.done = r


def add_sheet(wb, title: str, compose: Callable[[Worksheet], None]) -> None:
    """Compose the sheet `title` with `compose(ws)` and write it into the write-only workbook `wb`; if that
    fails, the workbook's sheets are discarded (it is not saved)."""
    ws = Composed(wb, title)
    try:
        compose(ws)
        ws.flush()
    except BaseException:
        discard(wb)
        raise


def discard(wb) -> None:
    """End the sheets written out so far of a workbook that will not be saved, and remove their temporary files:
    now, not when the collector finds their half-written XML in the middle of whatever runs next."""
    for ws in wb.worksheets:
        if not ws.closed:
            ws.close()
        if ws._writer is not None:
            ws._writer.cleanup()


def written(ws: Worksheet, row: int) -> None:
    """Row `row` of a long sheet is whole: every BLOCK rows, write out what is above it."""
    if isinstance(ws, Composed) and row % BLOCK == 0:
        ws.flush(row)


def _copied(cell: Cell, ws, row: int, column: int) -> Cell:
    """The cell as written (text kept as text, never made a formula), its style and link."""
    out = Cell(ws, row=row, column=column)
    out._value, out.data_type = cell._value, cell.data_type
    out._style = copy(cell._style)
    out._hyperlink = cell._hyperlink
    return out


def _name_columns(ws: Composed) -> None:
    """Each table's columns named by its heading cells, as openpyxl names them when it saves a whole sheet
    (a write-only sheet has no cells to read them from), while the headings are still there."""
    for table in ws.tables.values():
        first, heading, last, _ = range_boundaries(table.ref)
        if not table.tableColumns and heading > ws.done:
            table._initialise_columns()
            cells = next(ws.iter_rows(min_row=heading, max_row=heading, min_col=first, max_col=last))
            for cell, column in zip(cells, table.tableColumns, strict=False):
                column.name = str(cell.value)
