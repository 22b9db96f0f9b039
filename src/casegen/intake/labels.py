"""The one place that names a field in the form's words: its sheet, cell and label, and its row.

Every command names a field so: validate, build, import, upgrade and the tracker's Problems sheet say
`Finance!E7: Recurring Savings 24/25` (a Problem's sheet, cell and `label`), and `changes`, which
compares two cases and has no cell, says `Finance › Recurring Savings 24/25` (`name`). The labels are
the models' field titles, laid out as the form shows them (intake/spec.py); a row of a table the form
fills in advance (the financial years, the gates) is named by its first cell, and a row the lead
added, where there is no cell to point at, by its table and its first entry (`Risks › Risks 2 › Impact`).
"""
from __future__ import annotations

from dataclasses import replace
from functools import cache

from casegen.errors import Problem
from casegen.intake import spec

SEP = " › "


@cache
def _blocks(model) -> dict[tuple, object]:
    """Every Scalar and Table of the form of `model`, by its path in the case."""
    return {b.path: b for sheet in spec.sheets(model) for b in sheet.blocks if not isinstance(b, str)}


@cache
def _sheets(model) -> dict[tuple, str]:
    """The sheet of every Scalar and Table of the form of `model`, by its path."""
    return {b.path: sheet.title for sheet in spec.sheets(model) for b in sheet.blocks if not isinstance(b, str)}


def _block(model, loc: tuple):
    for n in range(len(loc), 0, -1):
        block = _blocks(model).get(tuple(loc[:n]))
        if block is not None:
            return block, tuple(loc[n:])
    return None, ()


def name(model, loc: tuple, data=None) -> str:
    """The field at `loc` named where no cell can be pointed at: `Finance › Recurring Savings 24/25`
    (the sheet, then `label`); a row the lead added is named by its table and first entry; "" if the
    form has no such field."""
    block, rest = _block(model, loc)
    if block is None:
        return ""
    sheet, text = _sheets(model)[block.path], label(model, loc, data)
    if isinstance(block, spec.Table) and len(rest) >= 2 and not block.prefill and len(block.columns) > 1:
        key = _row_key(data, block.path, rest[0], _key_column(block))
        text = f"{block.label} {key or rest[0] + 1}{SEP}{text}"
    return text if text == sheet else f"{sheet}{SEP}{text}"


def _key_column(table: spec.Table) -> str:
    """The column that names a row: the first, unless it is a bullet's level."""
    first = table.columns[0]
    return table.columns[1].name if first.kind == "level" and len(table.columns) > 1 else first.name


def label(model, loc: tuple, data=None) -> str:
    """The form's label for the field at `loc` (("finance", "years", 1, "recurring_savings")), or ""
    if the form has no such field. `data` (the case, or the values read) names prefilled rows."""
    blocks = _blocks(model)
    for n in range(len(loc), 0, -1):
        block = blocks.get(tuple(loc[:n]))
        if isinstance(block, spec.Scalar):
            return block.column.label
        if isinstance(block, spec.Table):
            return _table_label(block, loc[n:], data)
    return ""


def _table_label(table: spec.Table, rest: tuple, data) -> str:
    if len(rest) < 2 or not isinstance(rest[0], int):
        return table.label
    index, name = rest[0], rest[1]
    columns = {c.name: c.label for c in table.columns}
    text = columns.get(name, table.label)
    first = table.columns[0].name
    key = _row_key(data, table.path, index, first) if table.prefill and name != first else ""
    if not key:
        return text
    return f"{text} {key}" if len(key) <= 8 else f"{text} ({key})"  # Recurring Savings 24/25


def _row_key(data, path: tuple, index: int, column: str) -> str:
    """The value of `column` in row `index` of the table at `path`, from a case or from the values read."""
    node = data
    for part in path + (index, column):
        if node is None:
            return ""
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            node = getattr(node, part, None)
    return str(node).strip() if node is not None else ""


def labelled(problems: list[Problem], places: dict, model, data=None) -> list[Problem]:
    """`problems` with each cell's field named by its label: places maps a path to (sheet, cell, field)."""
    at: dict[tuple[str, str], tuple] = {}
    for path, (sheet, cell, _) in places.items():
        if len(path) >= len(at.get((sheet, cell), ())):  # a row's first cell is also its column's cell
            at[(sheet, cell)] = path
    out = []
    for p in problems:
        path = at.get((p.sheet, p.cell)) if p.sheet and p.cell else None
        name = label(model, path, data) if path else ""
        out.append(replace(p, field=name) if name else p)
    return out
