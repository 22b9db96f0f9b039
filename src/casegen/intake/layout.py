"""Where each block of a form sheet ends, worked out from the workbook itself, and what lies outside.

A table's rows run to the next block of its sheet, not to the first blank row: rows typed below a
table belong to it (Calc does not grow tables), up to the next block's heading or caption. The
blocks are found from the workbook (the cells its defined names point at, the refs of its tables)
and the texts the form writer puts on a sheet (headings, labels, captions, help) from the spec, so
this works whatever row numbers a form has after rows are inserted or it is saved again by Calc.
Anything else typed on a sheet of the form is outside the form's cells: the reader names it.
"""
from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from casegen.intake import spec
from casegen.intake.book import Book, TableRef

MAX_STRAYS = 10  # cells typed outside the form, named one by one on a sheet; the rest in one line


def form_texts(model) -> set[str]:
    """Every text the form writer puts on the input sheets of `model`'s form."""
    texts = set()
    for sheet in spec.sheets(model):
        texts.add(sheet.title)
        for block in sheet.blocks:
            if isinstance(block, str):
                texts.add(block)
            elif isinstance(block, spec.Scalar):
                texts |= {block.column.label, block.column.label + " *"}
            else:
                texts |= {block.label, block.help} | {c.label for c in block.columns}
    return {t.strip() for t in texts if t}


@dataclass
class SheetLayout:
    """The rows each table on a sheet reads (header to end), its unknown columns, and the stray cells."""

    ends: dict[str, int] = field(default_factory=dict)  # table name -> last row that belongs to it
    unknown: list[tuple[TableRef, int, str]] = field(default_factory=list)  # (table, column, heading)
    strays: list[tuple[int, int, object]] = field(default_factory=list)  # (row, col, value) outside the form


def _is_text(value, texts: AbstractSet[str]) -> bool:
    return isinstance(value, str) and value.strip() in texts


def _text_row(book: Book, sheet: str, row: int, texts: AbstractSet[str]) -> bool:
    """True if the row holds the form's own text (the next block's heading, caption or help)."""
    return any(_is_text(value, texts) for value in book.grid(sheet)[row - 1])  # each cell's value of the row


def sheet_layout(book: Book, sheet: str, labels: dict[str, set[str]], texts: AbstractSet[str]) -> SheetLayout:
    """The layout of `sheet`; `labels` gives the column headings casegen reads, by table name."""
    layout = SheetLayout()
    named = {(r, c) for name, (s, ref) in book.names.items() if s == sheet for r, c in _cells(ref)}
    tables = book.tables_on(sheet)
    anchors = sorted({r for r, _ in named} | {t.head for t in tables})
    height = book.height(sheet)
    for t in tables:
        stop = next((a for a in anchors if a > t.last), max(height, t.last) + 1)
        end = t.last
        for r in range(t.last + 1, min(stop, height + 1)):
            if _text_row(book, sheet, r, texts):
                break
            end = r
        layout.ends[t.name] = end
    claimed = _claimed(book, sheet, tables, layout, labels, named)
    layout.strays = [(r, c, v) for r, c, v in book.filled(sheet)
                     if (r, c) not in claimed and not _is_text(v, texts) and not _in_table(r, c, tables, layout)]
    return layout


def _claimed(book: Book, sheet: str, tables, layout: SheetLayout, labels: dict, named: set) -> set:
    """Cells the form accounts for beyond the tables' own: named cells, their labels, unknown columns."""
    claimed = set(named) | {(r, c) for r, col in named for c in range(1, col)}
    for t in tables:
        known = labels.get(t.name, set())
        col = t.min_col
        while col <= t.max_col or book.value(sheet, t.head, col) is not None:
            heading = book.value(sheet, t.head, col)
            if heading is not None and str(heading).strip() not in known:
                layout.unknown.append((t, col, str(heading).strip()))
                claimed |= {(r, col) for r in range(t.head, layout.ends[t.name] + 1)}
            col += 1
    return claimed


def _in_table(r: int, c: int, tables, layout: SheetLayout) -> bool:
    return any(t.head <= r <= layout.ends[t.name] and t.min_col <= c <= t.max_col for t in tables)


def _cells(ref: str):
    from casegen.intake.workbook import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if (max_row - min_row + 1) * (max_col - min_col + 1) > 10_000:  # a name over a whole column
        return [(min_row, min_col)]
    return [(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]
