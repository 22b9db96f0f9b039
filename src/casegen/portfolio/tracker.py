"""The portfolio tracker: one Excel workbook of every case, for the programme office.

Sheets: Cases (a row a case, its columns declared in columns.py), Savings (theme × year against targets,
with a chart: savingssheet.py), Pipeline (cases by stage, with a chart, and overdue gates), Risks and Heat
map (risksheet.py) and Problems (the forms left out, and why). Figures are numbers; totals and gaps are
formulas that carry their values (see xlsx.py); a total over a TBC amount reads as TBC beside its known part.
"""
from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter as col

from casegen import __version__
from casegen.batch.sources import document_link, output_path
from casegen.errors import counted
from casegen.portfolio.collect import display_name
from casegen.portfolio.columns import NET_TOTAL, case_layout, form_name
from casegen.portfolio.figures import NO_STAGE, Portfolio
from casegen.portfolio.kept import Rows
from casegen.portfolio.risksheet import heat_map_sheet, risks_sheet
from casegen.portfolio.savingssheet import axes_shown, savings_sheet
from casegen.portfolio.streamed import add_sheet, written
from casegen.portfolio.summary import KIND
from casegen.portfolio.wording import for_readers
from casegen.portfolio.xlsx import (
    BOLD,
    FILLS,
    FIRST,
    HEAD_ROW,
    NOTE,
    TOP,
    WRAP,
    Formulas,
    Layout,
    add_table,
    boxed,
    fit_columns,
    fit_rows,
    header,
    headings_fit,
    money_format,
    note_rows,
    print_setup,
    text_units,
    title,
    with_cached_values,
)
from casegen.sheetcells import cell_value, escaped, mark_workbook, put


def write_tracker(portfolio: Portfolio, target: Path, documents: Path | None = None, movement=None) -> bytes:
    """The tracker's bytes (the caller writes them), with every formula's value cached; with a Movement
    sheet (movementsheet.py) when given what moved since the last report."""
    wb = Workbook(write_only=True)  # a sheet at a time (streamed.py): memory flatter in the number of cases
    formulas = Formulas()
    cases = case_layout(portfolio.years, len(portfolio.rows), documents is not None)

    def sheet(title: str, compose) -> None:
        def composed(ws) -> None:
            compose(ws)
            ws.oddFooter.center.text = f"{portfolio.programme.programme}  ·  {ws.oddFooter.center.text}"  # every page
        add_sheet(wb, title, composed)

    sheet("Cases", lambda ws: _cases_sheet(ws, portfolio, cases, formulas, target, documents))
    if movement is not None:  # what a monthly meeting asks first, beside the cases
        from casegen.portfolio.movementsheet import movement_sheet

        sheet("Movement", lambda ws: movement_sheet(ws, movement, formulas))
    sheet("Savings", lambda ws: savings_sheet(ws, portfolio, cases, formulas))
    sheet("Pipeline", lambda ws: _pipeline_sheet(ws, portfolio, cases, formulas))
    sheet("Risks", lambda ws: risks_sheet(ws, portfolio, formulas))
    sheet("Heat map", lambda ws: heat_map_sheet(ws, portfolio, formulas))
    sheet("Problems", lambda ws: _problems_sheet(ws, portfolio))
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

def _document(source: str, documents: Path) -> tuple[Path, str]:
    """The document a form makes, and what the Document column says of it."""
    doc = output_path(Path(source), documents)
    return doc, doc.name if doc.exists() else "(not built)"


def _document_link(cell, doc: Path, shown: str, target: Path) -> None:
    put(cell.parent, cell.row, cell.column, shown)
    link = document_link(doc, target.parent) if doc.name == shown else None  # relative, percent-encoded: never a
    if link:  # share or web address from a name
        cell.hyperlink, cell.style = link, "Hyperlink"


def _cases_sheet(ws, portfolio: Portfolio, cases: Layout, formulas: Formulas, target: Path, documents) -> None:
    """Widths, print set-up and headings first, then each row whole (written out a block at a time where the
    sheet streams: streamed.py)."""
    ws.title = "Cases"
    n = len(cases.names)
    # Short enough to print whole above the ref and title repeated on each page; the programme is in the footer.
    title(ws, f"Portfolio tracker as of {portfolio.as_of:%d %b %Y}", headline(portfolio))
    cases.write_head(ws)
    ws.freeze_panes = f"C{FIRST}"
    cases.set_widths(ws, portfolio.rows)
    shown = {"Form": lambda row: form_name(row.file), "Document": lambda row: _document(row.file, documents)[1]}
    for name in ("Form", "Document"):  # a file's name whole: it has no space to wrap at
        if name in cases.names:
            longest = max([text_units(escaped(cell_value(shown[name](row)))) for row in portfolio.rows] + [8])
            ws.column_dimensions[cases.letter(name)].width = min(longest + 2, 45)
    headings_fit(ws, HEAD_ROW)
    add_table(ws, "Cases", HEAD_ROW, 1, cases.last, n, box=False)
    boxed(ws, HEAD_ROW, 1, HEAD_ROW if portfolio.rows else FIRST, n)  # the headings shaded; an empty table's row
    fit_rows(ws, HEAD_ROW, HEAD_ROW)
    for r, row in enumerate(portfolio.rows, start=FIRST):
        cases.write_row(ws, r, row, formulas)
        if documents is not None:
            _document_link(ws.cell(row=r, column=cases.at("Document")), *_document(row.file, documents), target)
            ws.cell(row=r, column=cases.at("Document")).alignment = WRAP
        boxed(ws, r, 1, r, n, head=False)
        fit_rows(ws, r, r)
        written(ws, r)
    # Too wide for a page at a readable size: printed across pages, the case's ref and title on each; the
    # first page ends after what the case is (kind, theme, stage, next gate).
    print_setup(ws, HEAD_ROW, repeat=2, forced=(cases.at("Next gate date"),), last_column=n)


# Pipeline

def _pipeline_sheet(ws, portfolio: Portfolio, cases: Layout, formulas: Formulas) -> None:
    """Widths and print set-up before the overdue gates' rows, a row for each late case (written out a block
    at a time where the sheet streams: streamed.py)."""
    ws.freeze_panes = f"A{FIRST}"
    for c, width in enumerate([31, 8, 30, 26, 26, 10, 16, 22], start=1):
        ws.column_dimensions[col(c)].width = width
    title(ws, "Pipeline: cases by stage", f"As of {portfolio.as_of:%d %b %Y}. Net savings: each case's net total.")
    header(ws, HEAD_ROW, 1, ["Stage", "Cases", "Net savings"])
    headings_fit(ws, HEAD_ROW)
    pipeline = portfolio.pipeline()
    for r, (stage, count, value) in enumerate(pipeline, start=FIRST):
        put(ws, r, 1, stage)
        crit = '""' if stage == NO_STAGE else f"$A{r}"
        formulas.put(ws, r, 2, f'=COUNTIF({cases.range("Stage")},{crit})', count)
        total = portfolio.stage_total(stage)  # TBC beside the known part where a case's year is TBC
        formulas.put(ws, r, 3, f'=SUMIF({cases.range("Stage")},{crit},{cases.range(NET_TOTAL)})', value,
                     money_format(total))
    last = FIRST + len(pipeline) - 1
    add_table(ws, "Pipeline", HEAD_ROW, 1, last, 3)
    put(ws, last + 1, 1, "Total").font = BOLD
    formulas.put(ws, last + 1, 2, f"=SUM(B{FIRST}:B{last})", len(portfolio.rows)).font = BOLD
    formulas.put(ws, last + 1, 3, f"=SUM(C{FIRST}:C{last})", sum(v for _, _, v in pipeline),
                 money_format(portfolio.total())).font = BOLD
    boxed(ws, last + 1, 1, last + 1, 3, head=False)
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
    axes_shown(chart)
    chart.width, chart.height = 18, 8
    ws.add_chart(chart, f"A{last + 3}")  # under the table; 8 cm is 16 rows of 15 pt
    top = last + 3 + 17
    late = portfolio.overdue()
    put(ws, top, 1, f"Next gates overdue as of {portfolio.as_of:%d %b %Y}: {len(late)}").font = BOLD
    if late:
        header(ws, top + 1, 1, OVERDUE)
    else:
        put(ws, top + 1, 1, "No case's next gate date has passed.").font = NOTE
    headings_fit(ws, top + 1)
    print_setup(ws, last_column=8)
    if late:
        _overdue(ws, late, top + 1)


OVERDUE = ["Tracker ref", "Kind", "Title", "Stage", "Next gate", "Gate date", "Lead", "Form"]


def _overdue(ws, late: Rows, head: int) -> None:
    """The table of late gates under its headings (at row `head`), each row whole as it is written."""
    add_table(ws, "Overdue", head, 1, head + len(late), len(OVERDUE), box=False)
    boxed(ws, head, 1, head, len(OVERDUE))
    fit_rows(ws, head, head)
    for r, row in enumerate(late, start=head + 1):
        for c, value in enumerate([row.ref, KIND[row.kind], row.title, row.stage, row.next_gate, row.gate_due,
                                   row.lead, display_name(row.file)], start=1):
            put(ws, r, c, value).alignment = WRAP if c != 6 else TOP
        ws.cell(row=r, column=6).number_format = "mmm yyyy"
        boxed(ws, r, 1, r, len(OVERDUE), head=False)
        fit_rows(ws, r, r)
        written(ws, r)


# Problems

def _problems_sheet(ws, portfolio: Portfolio) -> None:
    excluded = {c.file for c in portfolio.excluded}
    problems = [(c, p) for c in portfolio.forms for p in c.problems]
    warnings = sum(c.file not in excluded for c, _ in problems)
    title(ws, f"Problems: {counted(len(excluded), 'form')} excluded from the tracker, "
              f"{counted(warnings, 'warning')} on included forms")
    names = ["Form", "Status", "Severity", "Sheet", "Cell", "Field", "Message", "Code"]
    header(ws, HEAD_ROW, 1, names)
    if not problems:
        put(ws, FIRST, 1, "No problems.").font = NOTE
    problems.sort(key=lambda cp: (cp[0].file not in excluded, cp[0].file))
    for r, (checked, p) in enumerate(problems, start=FIRST):
        status = "excluded" if checked.file in excluded else "included"
        for c, value in enumerate([display_name(checked.file), status, p.severity, p.sheet, p.cell, p.field,
                                   for_readers(p.message + (f"; {p.fix}" if p.fix else "")), p.code], start=1):
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
    note_rows(ws, "An excluded form has errors: once its lead has fixed them in the form, the next tracker "
                  "includes it.", len(names))
