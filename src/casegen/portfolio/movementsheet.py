"""The tracker's Movement sheet: what moved since the last report, a row a change (movement.py's lines),
then the programme's net savings by theme and by stage, then and now, with the difference as a formula.

Amounts are numbers; a total over a TBC year holds the part known so far and shows it as "TBC (£x
known)", as the Cases sheet does, so the columns still add up. Prints on one page across, A4 landscape.
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter as col

from casegen.errors import counted
from casegen.models.values import Total, is_tbc
from casegen.portfolio.movement import Line, Movement, TotalMove, lines
from casegen.portfolio.summary import KIND
from casegen.portfolio.xlsx import (
    BOLD,
    CENTRE_TOP,
    FIGURE,
    FIRST,
    HEAD_ROW,
    MONEY,
    NOTE,
    TBC_MONEY,
    WRAP,
    Formulas,
    add_table,
    fit_rows,
    header,
    print_setup,
    title,
)
from casegen.sheetcells import number, put

CHANGE_MONEY = '+"£"#,##0;[Red]-"£"#,##0;"£"0'
NAMES = ["What", "Tracker ref", "Kind", "Case", "Then", "Now", "Difference", "Detail"]
# One page across at 85%. The totals blocks below use the first six columns: a theme or stage, two counts,
# then three amounts in columns wide enough for "TBC (£1,200,000 known)".
WIDTHS = [18, 10, 7, 24, 21, 21, 21, 40]
TOTAL_NAMES = ["Cases then", "Cases now", "Net savings then", "Net savings now", "Difference"]


def _amount(ws, row: int, column: int, value, change: bool = False):
    """A figure as a number (a TBC total as its known part, shown as TBC), TBC or words as text."""
    if isinstance(value, Total):
        cell = put(ws, row, column, number(value.known_part))
        cell.number_format = TBC_MONEY if value.tbc else CHANGE_MONEY if change else MONEY
    elif is_tbc(value) or isinstance(value, str):
        cell = put(ws, row, column, value or None)
    else:
        cell = put(ws, row, column, number(value))
        if value is not None and not isinstance(value, int):
            cell.number_format = CHANGE_MONEY if change else MONEY
    cell.alignment = WRAP if isinstance(value, str) and not is_tbc(value) else FIGURE  # figures line up right
    return cell


def _line_row(ws, r: int, line: Line) -> None:
    for c, value in enumerate([line.what, line.case.ref, KIND[line.case.kind], line.case.title], start=1):
        put(ws, r, c, value).alignment = WRAP
    for c, amount in enumerate([line.before, line.after, line.difference], start=5):
        _amount(ws, r, c, amount, change=c == 7)
    put(ws, r, 8, line.detail[:1].upper() + line.detail[1:]).alignment = WRAP


def _totals(ws, top: int, by: str, since: str, moves: tuple[TotalMove, ...], total: TotalMove, formulas: Formulas
            ) -> int:
    """A then-and-now block (by "Theme" or "Stage") under the changes; returns the row after it."""
    ws.cell(row=top, column=1, value=f"Net savings by {by.lower()}, {since} and now").font = BOLD
    header(ws, top + 1, 1, [by] + TOTAL_NAMES)
    for r, move in enumerate((*moves, total), start=top + 2):
        put(ws, r, 1, move.name).alignment = WRAP
        put(ws, r, 2, move.cases_before).alignment = CENTRE_TOP
        put(ws, r, 3, move.cases_after).alignment = CENTRE_TOP
        _amount(ws, r, 4, move.before)
        _amount(ws, r, 5, move.after)
        cell = formulas.put(ws, r, 6, f"=E{r}-D{r}", move.difference.known_part)
        cell.alignment = FIGURE
        cell.number_format = TBC_MONEY if move.difference.tbc else CHANGE_MONEY
    last = top + 2 + len(moves)
    for c in range(1, 7):
        ws.cell(row=last, column=c).font = BOLD
    add_table(ws, f"MovementBy{by}", top + 1, 1, last - 1, 6)
    return last + 2


def movement_sheet(ws, movement: Movement, formulas: Formulas) -> None:
    since = f"{movement.since:%d %b %Y}" if movement.since else ""
    if movement.first:
        title(ws, "Movement: the first report",
              f"As of {movement.as_of:%d %b %Y}. There is no earlier report to compare with: the next report "
              "will show what moved since this one.")
    else:
        found = lines(movement)
        title(ws, f"Movement since {since}",
              f"As of {movement.as_of:%d %b %Y}, against the portfolio as it stood on {since}: "
              f"{counted(len(found), 'change')} to {counted(len({line.case for line in found}), 'case')}." if found else
              f"As of {movement.as_of:%d %b %Y}: nothing moved since {since}.")
        header(ws, HEAD_ROW, 1, NAMES)
        for r, line in enumerate(found, start=FIRST):
            _line_row(ws, r, line)
        if not found:
            ws.cell(row=FIRST, column=1, value=f"No case is new or gone, and none moved since {since}.").font = NOTE
        last = HEAD_ROW + max(len(found), 1)
        add_table(ws, "Movement", HEAD_ROW, 1, last, len(NAMES))
        ws.freeze_panes = f"A{FIRST}"
        assert movement.total is not None  # every movement but the first has its total
        top = _totals(ws, last + 2, "Theme", since, movement.themes, movement.total, formulas)
        _totals(ws, top, "Stage", since, movement.by_stage, movement.total, formulas)
    for c, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[col(c)].width = width
    fit_rows(ws, HEAD_ROW)
    # No heading row repeated on each printed page: the totals below the changes have headings of their own.
    print_setup(ws, last_column=len(NAMES))
