"""The tracker's Risks sheet (every risk of every case, rated in words) and its Heat map sheet (how many
risks sit in each square of likelihood × impact, counted by formulas over the Risks sheet)."""
from __future__ import annotations

from openpyxl.utils import get_column_letter as col

from casegen.portfolio.figures import Portfolio
from casegen.portfolio.summary import KIND
from casegen.portfolio.xlsx import (BOLD, CENTRE, CENTRE_TOP, FILLS, FIRST, HEAD_ROW, NOTE, WRAP, Formulas, add_table,
                                    fit_rows, header, headings_fit, note_rows, print_setup, title)
from casegen.sheetcells import put

RATING = {"green": "Low", "amber": "Medium", "red": "High"}  # the heat map's colours, in words


def _zone(score: int) -> str:
    return "green" if score <= 4 else "amber" if score <= 12 else "red"


def risks_sheet(ws, portfolio: Portfolio, formulas: Formulas) -> None:
    title(ws, "Risks of every case")
    names = ["Tracker ref", "Kind", "Case", "Risk ref", "Risk", "Likelihood", "Impact", "Score", "Rating", "Lead",
             "Mitigation"]
    at = {name: c for c, name in enumerate(names, start=1)}
    header(ws, HEAD_ROW, 1, names)
    risks = portfolio.risks
    for r, risk in enumerate(risks, start=FIRST):
        for c, value in enumerate([risk.ref, KIND[risk.kind], risk.title, risk.risk_ref, risk.risk, risk.likelihood,
                                   risk.impact], start=1):
            put(ws, r, c, value).alignment = WRAP if c < at["Likelihood"] else CENTRE_TOP
        li, im = col(at["Likelihood"]), col(at["Impact"])
        formulas.put(ws, r, at["Score"], f"={li}{r}*{im}{r}", risk.score).alignment = CENTRE_TOP
        zone = _zone(risk.score)
        cell = ws.cell(row=r, column=at["Rating"], value=RATING[zone])
        cell.fill, cell.alignment = FILLS[zone], CENTRE_TOP
        put(ws, r, at["Lead"], risk.lead).alignment = WRAP
        put(ws, r, at["Mitigation"], risk.mitigation or None).alignment = WRAP
    last = HEAD_ROW + max(len(risks), 1)
    add_table(ws, "Risks", HEAD_ROW, 1, last, len(names))
    ws.freeze_panes = f"A{FIRST}"
    for c, width in enumerate([10, 7, 20, 6, 40, 10, 8, 7, 9, 15, 32], start=1):
        ws.column_dimensions[col(c)].width = width
    headings_fit(ws, HEAD_ROW)
    fit_rows(ws, HEAD_ROW)
    print_setup(ws, HEAD_ROW, last_column=len(names))
    note_rows(ws, "Score = likelihood × impact; rating: low up to 4, medium 5 to 12, high 15 to 25. The forms name "
                  "no owner for a risk: Lead is the project's lead. Kind: BCL, Business Case Lite; Brief, Project "
                  "Brief.", len(names))


RISK_COLUMNS = {"likelihood": "F", "impact": "G"}  # of the Risks sheet, which the heat map counts


def heat_map_sheet(ws, portfolio: Portfolio, formulas: Formulas) -> None:
    """Likelihood 5 (top) to 1 down, impact 1 to 5 across: how many risks sit in each square. A sheet of its
    own: beside the risks it would take their rows' heights, and print on a page of its own anyway."""
    title(ws, "Heat map: number of risks by likelihood and impact")
    last, top = HEAD_ROW + max(len(portfolio.risks), 1), HEAD_ROW
    li, im = (f"Risks!${c}${FIRST}:${c}${last}" for c in RISK_COLUMNS.values())
    ws.cell(row=top, column=1, value="Likelihood ↓ / Impact →").font = BOLD
    counts = portfolio.heat()
    for i in range(1, 6):
        ws.cell(row=top, column=1 + i, value=i).font = BOLD
        ws.cell(row=top, column=1 + i).alignment = CENTRE
    for k, likelihood in enumerate(range(5, 0, -1), start=1):
        ws.cell(row=top + k, column=1, value=likelihood).font = BOLD
        ws.cell(row=top + k, column=1).alignment = CENTRE
        ws.row_dimensions[top + k].height = 36
        for impact in range(1, 6):
            cell = formulas.put(ws, top + k, 1 + impact, f"=COUNTIFS({li},{likelihood},{im},{impact})",
                                counts[(likelihood, impact)])
            cell.fill = FILLS[_zone(likelihood * impact)]
            cell.font = BOLD
            cell.alignment = CENTRE
    for k, (zone, scores) in enumerate([("red", "15 to 25"), ("amber", "5 to 12"), ("green", "up to 4")]):
        cell = ws.cell(row=top + 7 + k, column=1, value=f"{RATING[zone]} risk: score {scores}")
        cell.fill, cell.font = FILLS[zone], NOTE
    ws.column_dimensions["A"].width = 26
    for c in range(2, 7):
        ws.column_dimensions[col(c)].width = 12
    print_setup(ws, last_column=6)
    note_rows(ws, "Score = likelihood × impact; each risk is listed on the Risks sheet.", 6)
