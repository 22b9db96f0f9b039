"""The portfolio tracker: one Excel workbook of every case, for the programme office.

Sheets: Cases (a row a case), Savings (theme × year against targets, with a chart), Pipeline (cases
by stage, with a chart, and overdue gates), Risks and Heat map (risksheet.py) and Problems (the forms
left out, and why). Figures are numbers; totals and gaps are formulas that
carry their values (see xlsx.py).
"""
from __future__ import annotations

import io
import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.drawing.text import Font as TextFont
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter as col
from openpyxl.worksheet.pagebreak import Break

from casegen import __version__
from casegen.batch.sources import output_path
from casegen.errors import counted
from casegen.models import TITLES
from casegen.sheetcells import mark_workbook, number, put
from casegen.portfolio.collect import display_name
from casegen.portfolio.figures import BEHIND_RED, NO_STAGE, Portfolio, rag
from casegen.portfolio.risksheet import heat_map_sheet, risks_sheet
from casegen.portfolio.summary import KIND, NO_TARGETS, STATUS
from casegen.portfolio.xlsx import (BOLD, FILLS, FIRST, HEAD_ROW, MONEY, NOTE, TOP, WRAP, Formulas, add_table,
                                    fit_columns, fit_rows, header, headings_fit, note_rows, print_setup, title,
                                    with_cached_values)

# A case's net total over a TBC year: the cell holds the part known so far (so the sheets still add up)
# and shows it as TBC with that part beside it.
TBC_MONEY = '"TBC (£"#,##0" known)";"TBC (-£"#,##0" known)";"TBC"'
RIGHT = Alignment(horizontal="right", vertical="top", wrap_text=True)
LABELS = CharacterProperties(sz=1100, latin=TextFont(typeface="Calibri"))
NARROW = {"Tracker ref": 12, "Title": 30, "Kind": 12, "Theme": 18, "Contributory themes": 22, "Stage": 20,
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


def write_tracker(portfolio: Portfolio, target: Path, documents: Path | None = None, movement=None) -> bytes:
    """The tracker's bytes (the caller writes them), with every formula's value cached; with a Movement
    sheet (movementsheet.py) when given what moved since the last report."""
    wb = Workbook()
    formulas = Formulas()
    cases = _Cases(portfolio, documents is not None)
    _cases_sheet(wb.active, portfolio, cases, formulas, target, documents)
    if movement is not None:  # what a monthly meeting asks first, beside the cases
        from casegen.portfolio.movementsheet import movement_sheet

        movement_sheet(wb.create_sheet("Movement"), movement, formulas)
    _savings_sheet(wb.create_sheet("Savings"), portfolio, cases, formulas)
    _pipeline_sheet(wb.create_sheet("Pipeline"), portfolio, cases, formulas)
    risks_sheet(wb.create_sheet("Risks"), portfolio, formulas)
    heat_map_sheet(wb.create_sheet("Heat map"), portfolio, formulas)
    _problems_sheet(wb.create_sheet("Problems"), portfolio)
    for ws in wb:  # the programme on every printed page
        ws.oddFooter.center.text = f"{portfolio.programme.programme}  ·  {ws.oddFooter.center.text}"
    wb.calculation.fullCalcOnLoad = True  # Excel recalculates on opening: the same figures as cached
    wb.properties.creator = f"casegen {__version__}"
    wb.properties.title = f"Portfolio tracker: {portfolio.programme.programme}"
    mark_workbook(wb, "tracker")  # what `casegen portfolio` checks before it replaces a tracker
    buffer = io.BytesIO()
    wb.save(buffer)
    return with_cached_values(buffer.getvalue(), formulas)


def headline(portfolio: Portfolio) -> str:
    n, x = len(portfolio.rows), len(portfolio.excluded)
    left = f"; {counted(x, 'form')} excluded with errors: see the Problems sheet" if x else "; no form excluded"
    return f"{counted(n, 'case')} from {counted(len(portfolio.forms), 'form')}{left}"


# Cases

def _document_link(cell, source: str, documents: Path, target: Path) -> None:
    doc = output_path(Path(source), documents)
    if not doc.exists():
        cell.value = "(not built)"
        return
    put(cell.parent, cell.row, cell.column, doc.name)
    cell.hyperlink = Path(os.path.relpath(doc.resolve(), target.resolve().parent)).as_posix()
    cell.style = "Hyperlink"


def _cases_sheet(ws, portfolio: Portfolio, cases: _Cases, formulas: Formulas, target: Path, documents) -> None:
    ws.title = "Cases"
    # Short enough to print whole above the ref and title repeated on each page; the programme is in the footer.
    title(ws, f"Portfolio tracker as of {portfolio.as_of:%d %b %Y}", headline(portfolio))
    header(ws, HEAD_ROW, 1, cases.names)
    first_year, last_year = col(cases.at(f"Net {cases.years[0]}")), col(cases.at(f"Net {cases.years[-1]}"))
    for r, row in enumerate(portfolio.rows, start=FIRST):
        values = [row.ref, row.title, TITLES[row.kind], row.theme, row.contributory, row.stage, row.next_gate,
                  row.next_gate_date, row.sponsor, row.lead, row.finance_lead, row.budget_code,
                  number(row.one_off_investment)]
        values += [number(row.net_by_year.get(y)) for y in cases.years]
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value if value != "" else None)
        if row.has_finance:
            formulas.put(ws, r, cases.at("Net total"), f"=SUM({first_year}{r}:{last_year}{r})", row.net_total)
        tail = [row.category or None, len(row.risks), row.top_score, row.flags or None, display_name(row.file)]
        for c, value in enumerate(tail, start=cases.at("Savings category")):
            put(ws, r, c, value)
        if documents is not None:
            _document_link(ws.cell(row=r, column=cases.at("Document")), row.file, documents, target)
    for c in range(cases.at("One-off investment"), cases.at("Net total") + 1):
        for r in range(FIRST, cases.last + 1):
            ws.cell(row=r, column=c).number_format = MONEY
    add_table(ws, "Cases", HEAD_ROW, 1, cases.last, len(cases.names))
    ws.freeze_panes = f"C{FIRST}"
    for row in ws.iter_rows(min_row=FIRST, max_row=cases.last):
        for cell in row:
            cell.alignment = WRAP  # long names wrap in narrow columns: the sheet prints at a readable size
    fit_columns(ws, {cases.at(name): width for name, width in NARROW.items() if name in cases.names}, HEAD_ROW)
    for c in range(cases.at("One-off investment"), cases.at("Net total") + 1):
        ws.column_dimensions[col(c)].width = 12
    for r, row in enumerate(portfolio.rows, start=FIRST):
        if row.net.tbc:
            ws.cell(row=r, column=cases.at("Net total")).number_format = TBC_MONEY
            ws.column_dimensions[col(cases.at("Net total"))].width = 22  # TBC (£1,200,000 known)
    headings_fit(ws, HEAD_ROW)
    fit_rows(ws, HEAD_ROW)
    # Too wide for a page at a readable size: printed across pages, the case's ref and title on each; the
    # first page ends after what the case is (kind, theme, stage, next gate).
    print_setup(ws, HEAD_ROW, repeat=2, forced=(cases.at("Next gate date"),))


# Savings

def _block(ws, top: int, label: str, themes: list[str], years: list[str]) -> int:
    """A theme × year block's headings; returns the row of its first theme."""
    ws.cell(row=top, column=1, value=label).font = BOLD
    header(ws, top + 1, 1, ["Theme"] + years + ["Total"])
    for c in range(2, len(years) + 3):  # over the figures, as they are aligned (the status words read left)
        ws.cell(row=top + 1, column=c).alignment = WRAP if label == "Status" else RIGHT
    for i, theme in enumerate(themes):
        put(ws, top + 2 + i, 1, theme)
    ws.cell(row=top + 2 + len(themes), column=1, value="Total").font = BOLD
    return top + 2


def _savings_sheet(ws, portfolio: Portfolio, cases: _Cases, formulas: Formulas) -> None:
    targets = bool(portfolio.programme.targets)
    title(ws, "Net savings by theme and financial year" + (", against targets" if targets else ""))
    themes, years = portfolio.themes, portfolio.years
    n, last = len(themes), len(years) + 2
    labels = ["Net savings"] + (["Target", "Gap (net savings − target)", "Status"] if targets else [])
    starts = [_block(ws, HEAD_ROW + k * (n + 4), label, themes, years) for k, label in enumerate(labels)]
    net = starts[0]
    for i, theme in enumerate(themes):
        r = net + i
        for j, year in enumerate(years, start=2):
            formulas.put(ws, r, j, f'=SUMIFS({cases.range(f"Net {year}")},{cases.range("Theme")},$A{r})',
                         portfolio.net(theme, year), MONEY)
        formulas.put(ws, r, last, f"=SUM(B{r}:{col(last - 1)}{r})", portfolio.net(theme), MONEY)
    for j, year in [(j, y) for j, y in enumerate(years, start=2)] + [(last, None)]:
        c = col(j)
        formulas.put(ws, net + n, j, f"=SUM({c}{net}:{c}{net + n - 1})", portfolio.net(None, year), MONEY)
    if targets:
        _against_targets(ws, portfolio, formulas, starts)
    else:  # said once, not "No target" on every row
        note_rows(ws, NO_TARGETS, last, row=net + n + 2, rows=3)
    for start in starts:
        for j in range(1, last + 1):
            ws.cell(row=start + n, column=j).font = BOLD
    bottom = starts[-1] + n + (2 if targets else 6)
    if targets:  # net savings and targets on one page, gaps and status on the next
        ws.row_breaks.append(Break(id=starts[2] - 3))
    ws.row_breaks.append(Break(id=bottom))  # the chart on a page of its own, never cut in two
    _savings_chart(ws, net, n, len(years), starts[1] + n if targets else None, f"A{bottom + 1}")
    ws.column_dimensions["A"].width = max(len(t) for t in themes + ["Gap (net savings − target)"]) + 2
    for j in range(2, last + 1):
        ws.column_dimensions[col(j)].width = 16 if targets else 14  # "Well behind target" on one line
    ws.freeze_panes = f"B{HEAD_ROW}"
    print_setup(ws, last_column=last)
    ws.print_area = f"A1:{col(last)}{bottom + 24}"  # down to the chart's foot (11 cm), which holds no cell
    note_rows(ws, "Net savings = recurring savings − recurring investment, from each Business Case Lite; a case "
                  "counts to its main theme." + (" Targets: the programme configuration's [targets]. Gap: amber "
                                                 f"behind target, red below {BEHIND_RED:.0%} of it; the Status "
                                                 "block says the same in words." if targets else ""), last)


def _against_targets(ws, portfolio: Portfolio, formulas: Formulas, starts: list[int]) -> None:
    """The Target, Gap and Status blocks under the net savings."""
    net, tgt, gap, status = starts
    n, years, last = len(portfolio.themes), portfolio.years, len(portfolio.years) + 2
    cells = [(theme, year, i, j) for i, theme in enumerate(portfolio.themes + [None])
             for j, year in [(j, y) for j, y in enumerate(years, start=2)] + [(last, None)]]
    for theme, year, i, j in cells:
        c, target = col(j), portfolio.target(theme, year)
        if theme is not None and year is not None:
            ws.cell(row=tgt + i, column=j, value=number(target)).number_format = MONEY
        elif target is not None or theme is None:
            first, end = (f"B{tgt + i}", f"{col(last - 1)}{tgt + i}") if year is None else (f"{c}{tgt}",
                                                                                             f"{c}{tgt + n - 1}")
            formulas.put(ws, tgt + i, j, f"=SUM({first}:{end})", target or 0, MONEY)
        if target is not None:
            formulas.put(ws, gap + i, j, f"={c}{net + i}-{c}{tgt + i}", portfolio.gap(theme, year), MONEY)
        t, v = f"{c}{tgt + i}", f"{c}{net + i}"
        formulas.put(ws, status + i, j, f'=IF(AND(ISNUMBER({t}),{t}>0),IF({v}>={t},"{STATUS["green"]}",IF({v}>='
                                        f'{BEHIND_RED}*{t},"{STATUS["amber"]}","{STATUS["red"]}")),"{STATUS[""]}")',
                     STATUS[rag(portfolio.net(theme, year), target)])
    _rag(ws, f"B{gap}:{col(last)}{gap + n}", gap - net, gap - tgt)
    area = f"B{status}:{col(last)}{status + n}"
    for zone in ("red", "amber", "green"):
        rule = FormulaRule(formula=[f'B{status}="{STATUS[zone]}"'], fill=FILLS[zone], stopIfTrue=True)
        ws.conditional_formatting.add(area, rule)


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
    for part in (chart.x_axis, chart.y_axis, chart.legend):  # 11 pt, as the sheet: 8.8 pt or more printed
        if part is not None:
            part.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=LABELS), endParaRPr=LABELS)])


def _savings_chart(ws, net: int, n: int, ny: int, target_row: int | None, anchor: str) -> None:
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    bars.title = "Net savings by year, by theme, against target"
    bars.y_axis.number_format, bars.y_axis.majorGridlines = '"£"#,##0', None
    bars.add_data(Reference(ws, min_col=1, max_col=1 + ny, min_row=net, max_row=net + n - 1), from_rows=True,
                  titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=2, max_col=1 + ny, min_row=net - 1))
    _axes_shown(bars)
    if target_row is not None:
        line = LineChart()
        line.add_data(Reference(ws, min_col=1, max_col=1 + ny, min_row=target_row), from_rows=True,
                      titles_from_data=True)
        line.series[0].graphicalProperties.line.solidFill = "C00000"
        line.series[0].graphicalProperties.line.width = 28575
        line.series[0].smooth = False  # a target is a level per year, not a curve
        line.series[0].tx = SeriesLabel(v="Target (all themes)")
        bars += line
    else:
        bars.title = "Net savings by year, by theme"
    bars.legend.position = "b"
    bars.width, bars.height = 20, 11
    ws.add_chart(bars, anchor)


# Pipeline

def _pipeline_sheet(ws, portfolio: Portfolio, cases: _Cases, formulas: Formulas) -> None:
    title(ws, "Pipeline: cases by stage", f"As of {portfolio.as_of:%d %b %Y}. Net savings: each case's net total.")
    header(ws, HEAD_ROW, 1, ["Stage", "Cases", "Net savings"])
    pipeline = portfolio.pipeline()
    for r, (stage, count, value) in enumerate(pipeline, start=FIRST):
        put(ws, r, 1, stage)
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
    # Cases are counted in whole numbers: a step of 1, or of 2, 5, 10… where that would crowd the axis.
    most = max((count for _, count, _ in pipeline), default=0)
    chart.y_axis.majorUnit = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, most) if most <= 10 * s)
    chart.y_axis.number_format = "0"
    chart.y_axis.scaling.min = 0
    chart.y_axis.title = "Cases"
    _axes_shown(chart)
    chart.width, chart.height = 18, 8
    ws.add_chart(chart, f"A{last + 3}")  # under the table; 8 cm is 16 rows of 15 pt
    top = last + 3 + 17
    _overdue(ws, portfolio, top)
    ws.freeze_panes = f"A{FIRST}"
    for c, width in enumerate([31, 8, 30, 26, 26, 10, 16, 22], start=1):
        ws.column_dimensions[col(c)].width = width
    headings_fit(ws, HEAD_ROW)
    headings_fit(ws, top + 1)
    fit_rows(ws, top + 1)
    print_setup(ws, last_column=8)


def _overdue(ws, portfolio: Portfolio, top: int) -> None:
    late = portfolio.overdue()
    ws.cell(row=top, column=1, value=f"Next gates overdue as of {portfolio.as_of:%d %b %Y}: {len(late)}").font = BOLD
    if not late:
        ws.cell(row=top + 1, column=1, value="No case's next gate date has passed.").font = NOTE
        return
    names = ["Tracker ref", "Kind", "Title", "Stage", "Next gate", "Gate date", "Lead", "Form"]
    header(ws, top + 1, 1, names)
    for r, row in enumerate(late, start=top + 2):
        for c, value in enumerate([row.ref, KIND[row.kind], row.title, row.stage, row.next_gate, row.gate_due,
                                   row.lead, display_name(row.file)], start=1):
            put(ws, r, c, value).alignment = WRAP if c != 6 else TOP
        ws.cell(row=r, column=6).number_format = "mmm yyyy"
    add_table(ws, "Overdue", top + 1, 1, top + 1 + len(late), len(names))


# Problems

def _problems_sheet(ws, portfolio: Portfolio) -> None:
    excluded = {c.file for c in portfolio.excluded}
    problems = [(c, p) for c in portfolio.forms for p in c.problems]
    warnings = sum(c.file not in excluded for c, _ in problems)
    title(ws, f"Problems: {counted(len(excluded), 'form')} excluded from the tracker, {counted(warnings, 'warning')} on included forms")
    names = ["Form", "Status", "Severity", "Sheet", "Cell", "Field", "Message", "Code"]
    header(ws, HEAD_ROW, 1, names)
    if not problems:
        ws.cell(row=FIRST, column=1, value="No problems.").font = NOTE
    problems.sort(key=lambda cp: (cp[0].file not in excluded, cp[0].file))
    for r, (checked, p) in enumerate(problems, start=FIRST):
        status = "excluded" if checked.file in excluded else "included"
        for c, value in enumerate([display_name(checked.file), status, p.severity, p.sheet, p.cell, p.field,
                                   p.message + (f"; {p.fix}" if p.fix else ""), p.code], start=1):
            put(ws, r, c, value or None).alignment = WRAP
        if status == "excluded":
            ws.cell(row=r, column=2).fill = FILLS["red"]
    if problems:
        add_table(ws, "Problems", HEAD_ROW, 1, HEAD_ROW + len(problems), len(names))
    ws.freeze_panes = f"A{FIRST}"
    fit_columns(ws, {1: 28, 6: 20, 7: 60, 8: 20}, HEAD_ROW)
    headings_fit(ws, HEAD_ROW)
    fit_rows(ws, HEAD_ROW)
    print_setup(ws, HEAD_ROW, last_column=len(names))
    note_rows(ws, "An excluded form has errors: fix them (casegen validate FORM lists them too) and run casegen "
                  "portfolio again.", len(names))
