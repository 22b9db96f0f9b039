"""The tracker's Risks sheet (every risk of every case, rated in words) and its Heat map sheet (how many
risks sit in each square of likelihood × impact, counted by formulas over the Risks sheet)."""
from __future__ import annotations

from openpyxl.utils import get_column_letter as col

from casegen.portfolio.figures import Portfolio
from casegen.portfolio.streamed import written
from casegen.portfolio.summary import KIND
from casegen.portfolio.xlsx import (
    BOLD,
    CENTRE,
    CENTRE_TOP,
    FILLS,
    FIRST,
    HEAD_ROW,
    NOTE,
    Column,
    Formulas,
    Layout,
    add_table,
    boxed,
    fit_rows,
    headings_fit,
    note_rows,
    print_setup,
    title,
)
from casegen.sheetcells import put

RATING = {"green": "Low", "amber": "Medium", "red": "High"}  # the heat map's colours, in words


def _zone(score: int) -> str:
    return "green" if score <= 4 else "amber" if score <= 12 else "red"


def _score(layout: Layout, r: int, risk) -> str:
    return f"={layout.letter('Likelihood')}{r}*{layout.letter('Impact')}{r}"


# The Risks sheet, column by column (the heat map counts its Likelihood and Impact columns, found by name).
RISK_COLUMNS = [Column("Tracker ref", 10, lambda risk: risk.ref), Column("Kind", 7, lambda risk: KIND[risk.kind]),
                Column("Case", 20, lambda risk: risk.title), Column("Risk ref", 7, lambda risk: risk.risk_ref),
                Column("Risk", 40, lambda risk: risk.risk),
                Column("Likelihood", 10, lambda risk: risk.likelihood, align=CENTRE_TOP),
                Column("Impact", 8, lambda risk: risk.impact, align=CENTRE_TOP),
                Column("Score", 7, lambda risk: risk.score, formula=_score, align=CENTRE_TOP),
                Column("Rating", 9, lambda risk: RATING[_zone(risk.score)], align=CENTRE_TOP),
                Column("Lead", 15, lambda risk: risk.lead), Column("Mitigation", 32, lambda risk: risk.mitigation)]


def risk_layout(portfolio: Portfolio) -> Layout:
    return Layout("Risks", RISK_COLUMNS, len(portfolio.risks))


def risks_sheet(ws, portfolio: Portfolio, formulas: Formulas) -> None:
    """Widths, print set-up and the note first, then each risk's row whole (written out a block at a time where
    the sheet streams: streamed.py)."""
    title(ws, "Risks of every case")
    layout, n = risk_layout(portfolio), len(RISK_COLUMNS)
    layout.write_head(ws)
    ws.freeze_panes = f"A{FIRST}"
    layout.set_widths(ws)
    headings_fit(ws, HEAD_ROW)
    print_setup(ws, HEAD_ROW, last_column=n)
    note_rows(ws, "Score = likelihood × impact; rating: low up to 4, medium 5 to 12, high 15 to 25. The forms name "
                  "no owner for a risk: Lead is the project's lead. Kind: BCL, Business Case Lite; Brief, Project "
                  "Brief.", n)
    add_table(ws, "Risks", HEAD_ROW, 1, layout.last, n, box=False)
    boxed(ws, HEAD_ROW, 1, HEAD_ROW if portfolio.risks else FIRST, n)  # the headings shaded; an empty table's row
    fit_rows(ws, HEAD_ROW, HEAD_ROW)
    for r, risk in enumerate(portfolio.risks, start=FIRST):
        layout.write_row(ws, r, risk, formulas)
        ws.cell(row=r, column=layout.at("Rating")).fill = FILLS[_zone(risk.score)]
        boxed(ws, r, 1, r, n, head=False)
        fit_rows(ws, r, r)
        written(ws, r)


def heat_map_sheet(ws, portfolio: Portfolio, formulas: Formulas) -> None:
    """Likelihood 5 (top) to 1 down, impact 1 to 5 across: how many risks sit in each square. A sheet of its
    own: beside the risks it would take their rows' heights, and print on a page of its own anyway."""
    title(ws, "Heat map: number of risks by likelihood and impact")
    top, risks = HEAD_ROW, risk_layout(portfolio)
    li, im = risks.range("Likelihood"), risks.range("Impact")
    put(ws, top, 1, "Likelihood ↓ / Impact →").font = BOLD
    counts = portfolio.heat()
    for i in range(1, 6):
        put(ws, top, 1 + i, i).font = BOLD
        ws.cell(row=top, column=1 + i).alignment = CENTRE
    for k, likelihood in enumerate(range(5, 0, -1), start=1):
        put(ws, top + k, 1, likelihood).font = BOLD
        ws.cell(row=top + k, column=1).alignment = CENTRE
        ws.row_dimensions[top + k].height = 36
        for impact in range(1, 6):
            cell = formulas.put(ws, top + k, 1 + impact, f"=COUNTIFS({li},{likelihood},{im},{impact})",
                                counts[(likelihood, impact)])
            cell.fill = FILLS[_zone(likelihood * impact)]
            cell.font = BOLD
            cell.alignment = CENTRE
    boxed(ws, top, 1, top + 5, 6, head=False)
    for k, (zone, scores) in enumerate([("red", "15 to 25"), ("amber", "5 to 12"), ("green", "up to 4")]):
        cell = put(ws, top + 7 + k, 1, f"{RATING[zone]} risk: score {scores}")
        cell.fill, cell.font = FILLS[zone], NOTE
    ws.column_dimensions["A"].width = 26
    for c in range(2, 7):
        ws.column_dimensions[col(c)].width = 12
    print_setup(ws, last_column=6)
    note_rows(ws, "Score = likelihood × impact; each risk is listed on the Risks sheet.", 6)
