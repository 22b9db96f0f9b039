"""The portfolio tracker: one Excel workbook of every case, for the programme office.

Sheets: Cases (a row a case), Savings (theme × year against targets, with a chart), Pipeline (cases
by stage, with a chart, and overdue gates), Risks (every risk, and a likelihood × impact heat map)
and Problems (the forms left out, and why). Figures are numbers; totals and gaps are formulas that
carry their values (see xlsx.py).
"""
from __future__ import annotations

import io
import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter as col

from casegen import __version__
from casegen.models import TITLES
from casegen.portfolio.collect import display_name
from casegen.portfolio.figures import BEHIND_RED, NO_STAGE, Portfolio
from casegen.portfolio.xlsx import (BOLD, FILLS, MONEY, NOTE, TOP, WRAP, Formulas, add_table, fit_columns, fit_rows,
                                    header, number, print_setup, title, with_cached_values)

# A case's net total over a TBC year: the cell holds the part known so far (so the sheets still add up)
# and shows it as TBC with that part beside it.
TBC_MONEY = '"TBC (£"#,##0" known)";"TBC (-£"#,##0" known)";"TBC"'
CENTRE = Alignment(horizontal="center", vertical="center")
HEAD_ROW = 4  # every sheet: title, a note, a blank row, then its table's headings
FIRST = HEAD_ROW + 1
NARROW = {"Tracker ref": 12, "Title": 26, "Kind": 12, "Theme": 18, "Contributory themes": 22, "Stage": 20,
          "Next gate": 22, "Next gate date": 10, "Sponsor": 18, "Lead": 16, "Finance lead": 14, "Budget code": 11,
          "Savings category": 14, "Risks": 7, "Highest risk score": 9, "Flags": 18, "Form": 22, "Document": 22}


class _Cases:
    """Where each column of the Cases sheet is, so other sheets' formulas can point at it."""

    def __init__(self, portfolio: Portfolio, documents: bool):
        self.years = portfolio.years
        self.names = (["Tracker ref", "Title", "Kind", "Theme", "Contributory themes", "Stage", "Next gate",
                       "Next gate date", "Sponsor", "Lead", "Finance lead", "Budget code", "One-off investment"]
                      + [f"Net {y}" for y in self.years]
                      + ["Net total", "Savings category", "Risks", "Highest risk score", "Flags", "Form"]
                      + (["Document"] if documents else []))
        self.last = HEAD_ROW + max(len(portfolio.rows), 1)

    def at(self, name: str) -> int:
        return self.names.index(name) + 1

    def range(self, name: str) -> str:
        c = col(self.at(name))
        return f"Cases!${c}${FIRST}:${c}${self.last}"


def write_tracker(portfolio: Portfolio, target: Path, documents: Path | None = None) -> bytes:
    """The tracker's bytes (the caller writes them), with every formula's value cached."""
    wb = Workbook()
    formulas = Formulas()
    cases = _Cases(portfolio, documents is not None)
    _cases_sheet(wb.active, portfolio, cases, formulas, target, documents)
    _savings_sheet(wb.create_sheet("Savings"), portfolio, cases, formulas)
    _pipeline_sheet(wb.create_sheet("Pipeline"), portfolio, cases, formulas)
    _risks_sheet(wb.create_sheet("Risks"), portfolio, formulas)
    _problems_sheet(wb.create_sheet("Problems"), portfolio)
    wb.calculation.fullCalcOnLoad = True  # Excel recalculates on opening: the same figures as cached
    wb.properties.creator = f"casegen {__version__}"
    wb.properties.title = f"Portfolio tracker: {portfolio.programme.programme}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return with_cached_values(buffer.getvalue(), formulas)


def headline(portfolio: Portfolio) -> str:
    n, x = len(portfolio.rows), len(portfolio.excluded)
    left = f"; {x} form(s) excluded with errors: see the Problems sheet" if x else "; no form excluded"
    return f"{n} case(s) from {len(portfolio.forms)} form(s){left}"


# Cases

def _document_link(cell, source: str, documents: Path, target: Path) -> None:
    from casegen.batch.sources import output_path

    doc = output_path(Path(source), documents)
    if not doc.exists():
        cell.value = "(not built)"
        return
    cell.value = doc.name
    cell.hyperlink = Path(os.path.relpath(doc.resolve(), target.resolve().parent)).as_posix()
    cell.style = "Hyperlink"


def _cases_sheet(ws, portfolio: Portfolio, cases: _Cases, formulas: Formulas, target: Path, documents) -> None:
    ws.title = "Cases"
    title(ws, f"Portfolio tracker: {portfolio.programme.programme}, as of {portfolio.as_of:%d %b %Y}",
          headline(portfolio))
    header(ws, HEAD_ROW, 1, cases.names)
    first_year, last_year = col(cases.at(f"Net {cases.years[0]}")), col(cases.at(f"Net {cases.years[-1]}"))
    for r, row in enumerate(portfolio.rows, start=FIRST):
        values = [row.ref, row.title, TITLES[row.kind], row.theme, row.contributory, row.stage, row.next_gate,
                  row.next_gate_date, row.sponsor, row.lead, row.finance_lead, row.budget_code,
                  number(row.one_off_investment)]
        values += [number(row.net_by_year.get(y)) for y in cases.years]
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value if value != "" else None)
        if row.has_finance:
            formulas.put(ws, r, cases.at("Net total"), f"=SUM({first_year}{r}:{last_year}{r})", row.net_total)
        tail = [row.category or None, len(row.risks), row.top_score, row.flags or None, display_name(row.file)]
        for c, value in enumerate(tail, start=cases.at("Savings category")):
            ws.cell(row=r, column=c, value=value)
        if documents is not None:
            _document_link(ws.cell(row=r, column=cases.at("Document")), row.file, documents, target)
    for c in range(cases.at("One-off investment"), cases.at("Net total") + 1):
        for r in range(FIRST, cases.last + 1):
            ws.cell(row=r, column=c).number_format = MONEY
    for r, row in enumerate(portfolio.rows, start=FIRST):
        if row.net.tbc:
            ws.cell(row=r, column=cases.at("Net total")).number_format = TBC_MONEY
    add_table(ws, "Cases", HEAD_ROW, 1, cases.last, len(cases.names))
    ws.freeze_panes = f"C{FIRST}"
    for row in ws.iter_rows(min_row=FIRST, max_row=cases.last):
        for cell in row:
            cell.alignment = WRAP  # long names wrap in narrow columns: the sheet prints at a readable size
    fit_columns(ws, {cases.at(name): width for name, width in NARROW.items() if name in cases.names}, HEAD_ROW)
    for c in range(cases.at("One-off investment"), cases.at("Net total") + 1):
        ws.column_dimensions[col(c)].width = 12
    fit_rows(ws, HEAD_ROW)
    print_setup(ws, HEAD_ROW)


# Savings

def _block(ws, top: int, label: str, themes: list[str], years: list[str]) -> int:
    """A theme × year block's headings; returns the row of its first theme."""
    ws.cell(row=top, column=1, value=label).font = BOLD
    header(ws, top + 1, 1, ["Theme"] + years + ["Total"])
    for i, theme in enumerate(themes):
        ws.cell(row=top + 2 + i, column=1, value=theme)
    ws.cell(row=top + 2 + len(themes), column=1, value="Total").font = BOLD
    return top + 2


def _savings_sheet(ws, portfolio: Portfolio, cases: _Cases, formulas: Formulas) -> None:
    title(ws, "Net savings by theme and financial year, against targets",
          "Net savings = recurring savings − recurring investment, from each Business Case Lite; a case counts to "
          "its main theme. Targets: the programme configuration's [targets]. Gap: amber behind target, red below "
          f"{BEHIND_RED:.0%} of it.")
    themes, years = portfolio.themes, portfolio.years
    n, ny, last = len(themes), len(years), len(years) + 2
    net, tgt, gap = (_block(ws, HEAD_ROW + k * (n + 4), label, themes, years) for k, label in
                     enumerate(["Net savings", "Target", "Gap (net savings − target)"]))
    total = {start: start + n for start in (net, tgt, gap)}
    for i, theme in enumerate(themes):
        r = net + i
        for j, year in enumerate(years, start=2):
            c = col(j)
            formulas.put(ws, r, j, f'=SUMIFS({cases.range(f"Net {year}")},{cases.range("Theme")},$A{r})',
                         portfolio.net(theme, year), MONEY)
            ws.cell(row=tgt + i, column=j, value=number(portfolio.target(theme, year))).number_format = MONEY
            if portfolio.target(theme, year) is not None:
                formulas.put(ws, gap + i, j, f"={c}{r}-{c}{tgt + i}", portfolio.gap(theme, year), MONEY)
        formulas.put(ws, r, last, f"=SUM(B{r}:{col(last - 1)}{r})", portfolio.net(theme), MONEY)
        if portfolio.target(theme) is not None:
            formulas.put(ws, tgt + i, last, f"=SUM(B{tgt + i}:{col(last - 1)}{tgt + i})", portfolio.target(theme),
                         MONEY)
            formulas.put(ws, gap + i, last, f"={col(last)}{r}-{col(last)}{tgt + i}", portfolio.gap(theme), MONEY)
    for j, year in [(j, y) for j, y in enumerate(years, start=2)] + [(last, None)]:
        c = col(j)
        formulas.put(ws, total[net], j, f"=SUM({c}{net}:{c}{net + n - 1})", portfolio.net(None, year), MONEY)
        formulas.put(ws, total[tgt], j, f"=SUM({c}{tgt}:{c}{tgt + n - 1})", portfolio.target(None, year) or 0,
                     MONEY)
        if portfolio.target(None, year) is not None:
            formulas.put(ws, total[gap], j, f"={c}{total[net]}-{c}{total[tgt]}", portfolio.gap(None, year), MONEY)
    for r in total.values():
        for j in range(1, last + 1):
            ws.cell(row=r, column=j).font = BOLD
    _rag(ws, f"B{gap}:{col(last)}{total[gap]}", gap - net, gap - tgt)
    _savings_chart(ws, net, n, ny, total[tgt], f"{col(last + 2)}{HEAD_ROW}")
    ws.column_dimensions["A"].width = max(len(t) for t in themes + ["Gap (net savings − target)"]) + 2
    for j in range(2, last + 1):
        ws.column_dimensions[col(j)].width = 14
    ws.freeze_panes = f"B{HEAD_ROW}"
    print_setup(ws)


def _rag(ws, cells: str, to_net: int, to_target: int) -> None:
    """Colour each gap by where its net savings stand against its target."""
    top = cells.split(":")[0]
    c, r = top[0], int(top[1:])
    g, n, t = f"{c}{r}", f"{c}{r - to_net}", f"{c}{r - to_target}"
    ws.conditional_formatting.add(cells, FormulaRule(formula=[f"AND(ISNUMBER({g}),{n}<{BEHIND_RED}*{t})"],
                                                     fill=FILLS["red"], stopIfTrue=True))
    ws.conditional_formatting.add(cells, FormulaRule(formula=[f"AND(ISNUMBER({g}),{g}<0)"], fill=FILLS["amber"],
                                                     stopIfTrue=True))
    ws.conditional_formatting.add(cells, FormulaRule(formula=[f"AND(ISNUMBER({g}),{g}>=0)"], fill=FILLS["green"]))


def _axes_shown(chart) -> None:
    # openpyxl 3.1 marks axes deleted unless told otherwise; Excel then draws none.
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _savings_chart(ws, net: int, n: int, ny: int, target_row: int, anchor: str) -> None:
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    bars.title = "Net savings by year, by theme, against target"
    bars.y_axis.title, bars.y_axis.number_format, bars.y_axis.majorGridlines = "£", '"£"#,##0', None
    bars.add_data(Reference(ws, min_col=1, max_col=1 + ny, min_row=net, max_row=net + n - 1), from_rows=True,
                  titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=2, max_col=1 + ny, min_row=net - 1))
    line = LineChart()
    line.add_data(Reference(ws, min_col=1, max_col=1 + ny, min_row=target_row), from_rows=True, titles_from_data=True)
    line.series[0].graphicalProperties.line.solidFill = "C00000"
    line.series[0].graphicalProperties.line.width = 28575
    line.series[0].smooth = False  # a target is a level per year, not a curve
    line.series[0].tx = SeriesLabel(v="Target (all themes)")
    _axes_shown(bars)
    bars += line
    bars.legend.position = "b"
    bars.width, bars.height = 20, 11
    ws.add_chart(bars, anchor)


# Pipeline

def _pipeline_sheet(ws, portfolio: Portfolio, cases: _Cases, formulas: Formulas) -> None:
    title(ws, "Pipeline: cases by stage", f"As of {portfolio.as_of:%d %b %Y}. Net savings: each case's net total.")
    header(ws, HEAD_ROW, 1, ["Stage", "Cases", "Net savings"])
    pipeline = portfolio.pipeline()
    for r, (stage, count, value) in enumerate(pipeline, start=FIRST):
        ws.cell(row=r, column=1, value=stage)
        crit = '""' if stage == NO_STAGE else f"$A{r}"
        formulas.put(ws, r, 2, f'=COUNTIF({cases.range("Stage")},{crit})', count)
        formulas.put(ws, r, 3, f'=SUMIF({cases.range("Stage")},{crit},{cases.range("Net total")})', value, MONEY)
    last = FIRST + len(pipeline) - 1
    add_table(ws, "Pipeline", HEAD_ROW, 1, last, 3)
    ws.cell(row=last + 1, column=1, value="Total").font = BOLD
    formulas.put(ws, last + 1, 2, f"=SUM(B{FIRST}:B{last})", len(portfolio.rows)).font = BOLD
    formulas.put(ws, last + 1, 3, f"=SUM(C{FIRST}:C{last})", sum(v for _, _, v in pipeline), MONEY).font = BOLD
    chart = BarChart()
    chart.type, chart.title, chart.legend = "bar", "Cases by stage", None
    chart.add_data(Reference(ws, min_col=2, min_row=HEAD_ROW, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=FIRST, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"  # Stage 0 at the top, as the table reads
    chart.y_axis.majorGridlines = None
    _axes_shown(chart)
    chart.width, chart.height = 16, 7.5
    ws.add_chart(chart, f"I{HEAD_ROW}")  # right of the overdue table, which uses columns A to G
    _overdue(ws, portfolio, last + 4)
    ws.freeze_panes = f"A{FIRST}"
    for c, width in enumerate([34, 26, 30, 38, 10, 14, 24], start=1):
        ws.column_dimensions[col(c)].width = width
    print_setup(ws)


def _overdue(ws, portfolio: Portfolio, top: int) -> None:
    late = portfolio.overdue()
    ws.cell(row=top, column=1, value=f"Next gates overdue as of {portfolio.as_of:%d %b %Y}: {len(late)}").font = BOLD
    if not late:
        ws.cell(row=top + 1, column=1, value="No case's next gate date has passed.").font = NOTE
        return
    names = ["Tracker ref", "Title", "Stage", "Next gate", "Gate date", "Lead", "Form"]
    header(ws, top + 1, 1, names)
    for r, row in enumerate(late, start=top + 2):
        for c, value in enumerate([row.ref, row.title, row.stage, row.next_gate, row.gate_due, row.lead,
                                   display_name(row.file)], start=1):
            ws.cell(row=r, column=c, value=value).alignment = TOP
        ws.cell(row=r, column=5).number_format = "mmm yyyy"
    add_table(ws, "Overdue", top + 1, 1, top + 1 + len(late), len(names))


# Risks

def _zone(score: int) -> str:
    return "green" if score <= 4 else "amber" if score <= 12 else "red"


def _risks_sheet(ws, portfolio: Portfolio, formulas: Formulas) -> None:
    title(ws, "Risks of every case", "Score = likelihood × impact. The forms name no owner for a risk: "
                                     "Lead is the project's lead.")
    names = ["Tracker ref", "Case", "Risk ref", "Risk", "Likelihood", "Impact", "Score", "Lead", "Mitigation"]
    header(ws, HEAD_ROW, 1, names)
    risks = portfolio.risks
    for r, risk in enumerate(risks, start=FIRST):
        for c, value in enumerate([risk.ref, risk.title, risk.risk_ref, risk.risk, risk.likelihood, risk.impact],
                                  start=1):
            ws.cell(row=r, column=c, value=value).alignment = WRAP if c == 4 else TOP
        formulas.put(ws, r, 7, f"=E{r}*F{r}", risk.score).alignment = TOP
        ws.cell(row=r, column=8, value=risk.lead).alignment = TOP
        ws.cell(row=r, column=9, value=risk.mitigation or None).alignment = WRAP
    last = HEAD_ROW + max(len(risks), 1)
    add_table(ws, "Risks", HEAD_ROW, 1, last, len(names))
    _heat_map(ws, portfolio, formulas, last)
    ws.freeze_panes = f"A{FIRST}"
    fit_columns(ws, {1: 14, 2: 30, 3: 9, 4: 60, 5: 11, 6: 9, 7: 8, 8: 20, 9: 50}, HEAD_ROW)
    for c in range(11, 18):
        ws.column_dimensions[col(c)].width = 9 if c > 11 else 13
    fit_rows(ws, HEAD_ROW)
    print_setup(ws, HEAD_ROW)


def _heat_map(ws, portfolio: Portfolio, formulas: Formulas, last: int) -> None:
    """Likelihood 5 (top) to 1 down, impact 1 to 5 across: how many risks sit in each square."""
    left, top = 11, HEAD_ROW  # column K, beside the table
    ws.cell(row=top - 1, column=left, value="Heat map: number of risks").font = BOLD
    ws.cell(row=top, column=left, value="Likelihood ↓ / Impact →").font = BOLD
    counts = portfolio.heat()
    for i in range(1, 6):
        ws.cell(row=top, column=left + i, value=i).font = BOLD
    for k, likelihood in enumerate(range(5, 0, -1), start=1):
        ws.cell(row=top + k, column=left, value=likelihood).font = BOLD
        ws.cell(row=top + k, column=left).alignment = CENTRE
        for impact in range(1, 6):
            cell = formulas.put(ws, top + k, left + impact,
                                f"=COUNTIFS($E${FIRST}:$E${last},{likelihood},$F${FIRST}:$F${last},{impact})",
                                counts[(likelihood, impact)])
            cell.fill = FILLS[_zone(likelihood * impact)]
            cell.font = BOLD
            cell.alignment = CENTRE
    ws.cell(row=top + 6, column=left, value="Green: score up to 4; amber 5–12; red 15–25.").font = NOTE


# Problems

def _problems_sheet(ws, portfolio: Portfolio) -> None:
    excluded = {c.file for c in portfolio.excluded}
    problems = [(c, p) for c in portfolio.forms for p in c.problems]
    warnings = sum(c.file not in excluded for c, _ in problems)
    title(ws, f"Problems: {len(excluded)} form(s) excluded from the tracker, {warnings} warning(s) on included forms",
          "An excluded form has errors: fix them (casegen validate FORM lists them too) and run casegen portfolio "
          "again.")
    names = ["Form", "Status", "Severity", "Sheet", "Cell", "Field", "Message", "Code"]
    header(ws, HEAD_ROW, 1, names)
    if not problems:
        ws.cell(row=FIRST, column=1, value="No problems.").font = NOTE
    problems.sort(key=lambda cp: (cp[0].file not in excluded, cp[0].file))
    for r, (checked, p) in enumerate(problems, start=FIRST):
        status = "excluded" if checked.file in excluded else "included"
        for c, value in enumerate([display_name(checked.file), status, p.severity, p.sheet, p.cell, p.field,
                                   p.message + (f"; {p.fix}" if p.fix else ""), p.code], start=1):
            ws.cell(row=r, column=c, value=value or None).alignment = WRAP if c == 7 else TOP
        if status == "excluded":
            ws.cell(row=r, column=2).fill = FILLS["red"]
    if problems:
        add_table(ws, "Problems", HEAD_ROW, 1, HEAD_ROW + len(problems), len(names))
    ws.freeze_panes = f"A{FIRST}"
    fit_columns(ws, {1: 36, 6: 24, 7: 80, 8: 24}, HEAD_ROW)
    fit_rows(ws, HEAD_ROW)
    print_setup(ws, HEAD_ROW)
