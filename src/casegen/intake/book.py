"""A read-only view of an intake workbook through python-calamine: values, tables and defined names.

calamine (the Rust reader pandas uses) reads a form, tables included, in a few milliseconds; the
defined names come from the workbook part, which `inspect_workbook` has already parsed. Values are
given as openpyxl gives them (data_only=True), which is what the models expect: whole numbers as
int, dates as datetime, blank cells as None.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from casegen.intake.workbook import Inspection, column_letter, range_boundaries

_EXACT = 2**53  # floats beyond this are not whole numbers anyone typed


@dataclass(frozen=True)
class TableRef:
    """An Excel table: its sheet, header row and columns (1-based, inclusive), and its headings."""

    name: str
    sheet: str
    head: int
    last: int  # the last row the table's ref covers
    min_col: int
    max_col: int
    headers: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"{column_letter(self.min_col)}{self.head}:{column_letter(self.max_col)}{self.last}"


def cell_value(value):
    """A calamine value as openpyxl gives it."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT:
        return int(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


class Book:
    """The workbook at `path`, read with calamine; run `inspect_workbook(path)` first."""

    def __init__(self, path: Path, inspection: Inspection):
        known = inspection.tables  # read from the table parts, unless calamine is to read them
        self.cal = CalamineWorkbook.from_path(str(path), load_tables=known is None)
        self.sheetnames: list[str] = list(self.cal.sheet_names)
        self.names = inspection.names
        if known is not None:
            self.tables = {name: _table_at(name, sheet, ref, columns) for name, sheet, ref, columns in known}
        else:
            self.tables = {name: _table(self.cal.get_table_by_name(name)) for name in self.cal.table_names or ()}
        self._grids: dict[str, list[list]] = {}

    def grid(self, sheet: str) -> list[list]:
        """The sheet's values from A1 to its last cell, row by row, as `cell_value` gives them: converted once a
        sheet as calamine hands its rows over, in one pass without a call a cell (a form's ~800 reads of cells
        and its scan for strays each converted them again: a third of reading a form's values)."""
        grid = self._grids.get(sheet)
        if grid is None:
            date, datetime, exact = dt.date, dt.datetime, _EXACT
            grid = self._grids[sheet] = [
                [None if v == "" else int(v) if v.__class__ is float and v.is_integer() and -exact < v < exact
                 else datetime(v.year, v.month, v.day) if v.__class__ is date else v for v in row]
                for row in self.cal.get_sheet_by_name(sheet).to_python(skip_empty_area=False)]
        return grid

    def value(self, sheet: str, row: int, col: int):
        """The value of the cell at (row, col), 1-based."""
        grid = self._grids.get(sheet)
        if grid is None:
            grid = self.grid(sheet)
        if row > len(grid) or col > len(grid[row - 1]):
            return None
        return grid[row - 1][col - 1]

    def height(self, sheet: str) -> int:
        return len(self.grid(sheet))

    def filled(self, sheet: str):
        """(row, col, value) of every cell that holds something, 1-based."""
        for r, row in enumerate(self.grid(sheet), start=1):
            for c, v in enumerate(row, start=1):
                if v is not None and not (v.__class__ is str and not v.strip()):
                    yield r, c, v

    def tables_on(self, sheet: str) -> list[TableRef]:
        return [t for t in self.tables.values() if t.sheet == sheet]

    def close(self) -> None:
        self.cal.close()


def _table_at(name: str, sheet: str, ref: str, columns: tuple[str, ...]) -> TableRef:
    """A table with its header row, as its part gives it (as calamine would give it: `_table`)."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return TableRef(name, sheet, min_row, max_row, min_col, max_col, columns)


def _table(t) -> TableRef:
    # calamine gives the data area, 0-based: the header row is the one above its start.
    (r0, c0), (r1, c1) = t.start, t.end
    return TableRef(t.name, t.sheet, r0, r1 + 1, c0 + 1, c1 + 1, tuple(str(h) for h in t.columns))
