"""The tracker's Savings sheet: net savings by theme × financial year (formulas over the Cases sheet), with
their chart on the same page, then the targets, gaps and status where targets are set.

A figure over a TBC amount keeps the part known so far (a number: the sums and the chart add it) and reads
as TBC beside that part, in format_money's words, as the summary document prints the same total.
"""
from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabel, DataLabelList
from openpyxl.chart.legend import LegendEntry
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.drawing.text import Font as TextFont
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter as col
from openpyxl.worksheet.pagebreak import Break

from casegen.portfolio.figures import BEHIND_RED, Portfolio, rag
from casegen.portfolio.summary import NO_TARGETS, STATUS
from casegen.portfolio.xlsx import (
    BOLD,
    FILLS,
    HEAD_ROW,
    MONEY,
    SCALES,
    TBC_MONEY,
    WRAP,
    Formulas,
    Layout,
    boxed,
    header,
    money_format,
    money_width,
    note_rows,
    print_setup,
    title,
)
from casegen.sheetcells import number, put

RIGHT = Alignment(horizontal="right", vertical="top", wrap_text=True)
LABELS = CharacterProperties(sz=1100, latin=TextFont(typeface="Calibri"))
CHART_CM, ROW_PT = 8.5, 15.0
# A4 landscape less its 0.5" margins and the footer, in points at 100%: what a page holds down.
PAGE_DOWN_PT = 595 - 72 - 40
TBC_NOTE = ("TBC: a case's figure for a year is not yet known; a total over it shows the part known so far "
            "and says TBC.")


def _block(ws, top: int, label: str, themes: list[str], years: list[str]) -> int:
    """A theme × year block's headings; returns the row of its first theme."""
    put(ws, top, 1, label).font = BOLD
    header(ws, top + 1, 1, ["Theme"] + years + ["Total"])
    for c in range(2, len(years) + 3):  # over the figures, as they are aligned (the status words read left)
        ws.cell(row=top + 1, column=c).alignment = WRAP if label == "Status" else RIGHT
    for i, theme in enumerate(themes):
        put(ws, top + 2 + i, 1, theme)
    put(ws, top + 2 + len(themes), 1, "Total").font = BOLD
    boxed(ws, top + 1, 1, top + 2 + len(themes), len(years) + 2)
    return top + 2


def _cells(portfolio: Portfolio):
    """(theme, year, row offset, column) of every figure of a block, totals included (None: every)."""
    last = len(portfolio.years) + 2
    return [(theme, year, i, j) for i, theme in enumerate(portfolio.themes + [None])
            for j, year in [(j, y) for j, y in enumerate(portfolio.years, start=2)] + [(last, None)]]


def savings_sheet(ws, portfolio: Portfolio, cases: Layout, formulas: Formulas) -> None:
    targets = bool(portfolio.programme.targets)
    title(ws, "Net savings by theme and financial year" + (", against targets" if targets else ""))
    themes, years = portfolio.themes, portfolio.years
    n, last = len(themes), len(years) + 2
    net = _block(ws, HEAD_ROW, "Net savings", themes, years)
    for theme, year, i, j in _cells(portfolio):
        if theme is not None and year is not None:
            formula = f'=SUMIFS({cases.range(f"Net {year}")},{cases.range("Theme")},$A{net + i})'
        elif year is not None:
            formula = f"=SUM({col(j)}{net}:{col(j)}{net + n - 1})"
        else:
            formula = f"=SUM(B{net + i}:{col(last - 1)}{net + i})"
        total = portfolio.total(theme, year)
        formulas.put(ws, net + i, j, formula, total.known_part, money_format(total))
    _widths(ws, portfolio, targets)  # before the notes, which wrap to the table's width
    notes = ([] if targets else [NO_TARGETS]) + ([TBC_NOTE] if any(portfolio.total(None, y).tbc for y in years) else [])
    for k, text in enumerate(notes):  # under the table they are about, two rows each
        note_rows(ws, text, last, row=net + n + 2 + 2 * k, rows=2)
    chart_top = net + n + 2 + 2 * len(notes) + (1 if notes else 0)
    starts = [net]
    if targets:
        after = chart_top + int(CHART_CM / 2.54 * 72 / ROW_PT) + 2
        starts += [after + k * (n + 4) + 2 for k in range(3)]
        for start, label in zip(starts[1:], ["Target", "Gap (net savings − target)", "Status"], strict=True):
            _block(ws, start - 2, label, themes, years)
        _against_targets(ws, portfolio, formulas, starts)
    for start in starts:
        for j in range(1, last + 1):
            ws.cell(row=start + n, column=j).font = BOLD
    _savings_chart(ws, portfolio, net, starts[1] + n if targets else None, f"A{chart_top}")
    ws.freeze_panes = f"B{HEAD_ROW}"
    print_setup(ws, last_column=last)
    _pages(ws, chart_top, starts[1:], n)
    note_rows(ws, "Net savings = recurring savings − recurring investment, from each Business Case Lite; a case "
                  "counts to its main theme." + (" Targets: as the programme office set them. Gap: amber behind "
                                                 f"target, red below {BEHIND_RED:.0%} of it; the Status block says "
                                                 "the same in words." if targets else ""), last)


def _widths(ws, portfolio: Portfolio, targets: bool) -> None:
    ws.column_dimensions["A"].width = max(len(t) for t in portfolio.themes + ["Gap (net savings − target)"]) + 2
    for _theme, year, _, j in _cells(portfolio):  # "Well behind target" on one line; a TBC total whole
        figures = [portfolio.total(t, year) for t in portfolio.themes + [None]]
        ws.column_dimensions[col(j)].width = max(16 if targets else 14, money_width(figures))


def _pages(ws, chart_top: int, blocks: list[int], n: int) -> None:
    """The chart on the page of its table when the two fit a page, else on the next, whole; each block of
    targets, gaps and status whole on a page."""
    above = sum(ws.row_dimensions[r].height or ROW_PT for r in range(2, chart_top)) + 20  # the title's row: 20 pt
    chart_end = above + CHART_CM / 2.54 * 72
    fits = [s for s in SCALES if s <= (ws.page_setup.scale or 100) and chart_end <= PAGE_DOWN_PT * 100 / s]
    if fits:  # a little smaller rather than the chart apart from its table
        ws.page_setup.scale = fits[0]
    else:
        ws.row_breaks.append(Break(id=chart_top - 1))
    room = PAGE_DOWN_PT * 100 / ws.page_setup.scale
    used = room  # the blocks start on a page of their own
    for start in blocks:
        height = (n + 3) * ROW_PT
        if used + height > room:
            ws.row_breaks.append(Break(id=start - 3))
            used = 0.0
        used += height
    bottom = (blocks[-1] + n + 1) if blocks else chart_top + int(CHART_CM / 2.54 * 72 / ROW_PT) + 1
    ws.print_area = f"A1:{col(ws.max_column)}{bottom}"


def _against_targets(ws, portfolio: Portfolio, formulas: Formulas, starts: list[int]) -> None:
    """The Target, Gap and Status blocks under the net savings."""
    net, tgt, gap, status = starts
    n, last = len(portfolio.themes), len(portfolio.years) + 2
    for theme, year, i, j in _cells(portfolio):
        c, target = col(j), portfolio.target(theme, year)
        if theme is not None and year is not None:
            put(ws, tgt + i, j, number(target)).number_format = MONEY
        elif target is not None or theme is None:
            first, end = (f"B{tgt + i}", f"{col(last - 1)}{tgt + i}") if year is None else (f"{c}{tgt}",
                                                                                             f"{c}{tgt + n - 1}")
            formulas.put(ws, tgt + i, j, f"=SUM({first}:{end})", target or 0, MONEY)
        if target is not None:
            net_total = portfolio.total(theme, year)
            formulas.put(ws, gap + i, j, f"={c}{net + i}-{c}{tgt + i}", portfolio.gap(theme, year),
                         money_format(net_total))  # a gap over a TBC figure is TBC, as the summary's
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


def axes_shown(chart) -> None:
    # openpyxl 3.1 marks axes deleted unless told otherwise; Excel then draws none.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for part in (chart.x_axis, chart.y_axis, chart.legend):  # 11 pt, as the sheet: 8.8 pt or more printed
        if part is not None:
            part.txPr = _text()


def _text() -> RichText:
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=LABELS), endParaRPr=LABELS)])


def _year_totals(ws, portfolio: Portfolio, total_row: int) -> LineChart:
    """Each year's total over the stacked bars, as its cell reads: "TBC (£… known)" over a TBC year."""
    ny = len(portfolio.years)
    line = LineChart()
    line.add_data(Reference(ws, min_col=1, max_col=1 + ny, min_row=total_row), from_rows=True, titles_from_data=True)
    series = line.series[0]
    series.tx = SeriesLabel(v="Total (all themes)")
    series.graphicalProperties.line.noFill = True  # the labels only: the bars show the figures
    series.marker.symbol, series.smooth = "none", False  # LibreOffice draws the chart's lines as its first
    labels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False, dLblPos="t",
                           numFmt=MONEY, txPr=_text())
    labels.dLbl = [DataLabel(idx=k, numFmt=TBC_MONEY, showVal=True, showSerName=False, showCatName=False,
                             showLegendKey=False, dLblPos="t", txPr=_text())
                   for k, year in enumerate(portfolio.years) if portfolio.total(None, year).tbc]
    series.dLbls = labels
    return line


def _savings_chart(ws, portfolio: Portfolio, net: int, target_row: int | None, anchor: str) -> None:
    n, ny = len(portfolio.themes), len(portfolio.years)
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    bars.title = "Net savings by year, by theme, against target"
    bars.y_axis.number_format, bars.y_axis.majorGridlines = '"£"#,##0', None
    bars.add_data(Reference(ws, min_col=1, max_col=1 + ny, min_row=net, max_row=net + n - 1), from_rows=True,
                  titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=2, max_col=1 + ny, min_row=net - 1))
    axes_shown(bars)
    totals = _year_totals(ws, portfolio, net + n)
    if target_row is not None:
        line = LineChart()
        line.add_data(Reference(ws, min_col=1, max_col=1 + ny, min_row=target_row), from_rows=True,
                      titles_from_data=True)
        line.series[0].graphicalProperties.line.solidFill = "C00000"
        line.series[0].graphicalProperties.line.width = 28575
        line.series[0].smooth = False  # a target is a level per year, not a curve
        line.series[0].tx = SeriesLabel(v="Target (all themes)")
        totals.series.append(line.series[0])
    else:
        bars.title = "Net savings by year, by theme"
    bars += totals
    bars.legend.legendEntry = [LegendEntry(idx=n, delete=True)]  # the totals' labels need no key
    bars.legend.position = "b"
    bars.width, bars.height = 20, CHART_CM
    ws.add_chart(bars, anchor)
