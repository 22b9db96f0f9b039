"""Every cell casegen writes into a workbook, through one converter: text stays text, money a number.

openpyxl takes a str starting with "=" for a formula. A title typed as `=HYPERLINK("http://…?x="&B3)`
would then run in the office's tracker (OWASP's formula injection), so every value that came from a
form, a document or the configuration is written here with the cell's type set to text. Text starting
with +, -, @, a tab or a CR is text in a cell typed so, whatever the office suite would make of it typed
by hand. Only casegen's own totals are formulas (portfolio.xlsx.Formulas).

The workbooks casegen writes carry its mark (`mark_workbook`), a custom document property that Excel
and Calc keep when a person saves the file again: fileio.not_ours reads it before a file is replaced.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from openpyxl.packaging.custom import StringProperty

from casegen.fileio import MARK_PROPERTY

# What XML 1.0 cannot hold (openpyxl's own list, and the non-characters and lone surrogates lxml refuses).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


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
    """Put `value` into `cell` as cell_value makes it; text is typed as text, so it is never a formula."""
    cell.value = cell_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def put(ws, row: int, column: int, value):
    """ws.cell(row, column, value), with the value written as set_value writes it."""
    return set_value(ws.cell(row=row, column=column), value)


def mark_workbook(wb, what: str) -> None:
    """Mark the workbook as casegen's `what` (a tracker, an annotated copy), replacing any mark it had."""
    props = wb.custom_doc_props
    for prop in [p for p in props.props if p.name == MARK_PROPERTY]:
        props.props.remove(prop)
    props.append(StringProperty(name=MARK_PROPERTY, value=what))
