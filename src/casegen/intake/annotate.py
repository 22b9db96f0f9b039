"""An annotated copy of an intake form: every problem cell filled and commented, a list of problems first.

The copy is written beside the form as NAME.checked.xlsx, never over the form or any other input of
the run. It still reads back with casegen: the summary sheet has no names or tables, and the reader
looks only at what the form names.
"""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Protocol

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink

from casegen.errors import IntakeError, Problem, Severity, counted
from casegen.fileio import atomic_path, not_ours, refusal, sweep_parts
from casegen.intake import fit
from casegen.intake.files import CHECKED_SUFFIX
from casegen.intake.workbook import open_workbook
from casegen.models.values import strip_illegal
from casegen.sheetcells import escaped, mark_workbook, set_value


class CheckedForm(Protocol):
    """A form as read and checked: reader.Intake, or batch.check's Checked (both reach `validate --annotate`)."""

    @property
    def file(self) -> str: ...
    @property
    def kind(self) -> str: ...  # "" when the file is not a form that could be read
    @property
    def problems(self) -> list[Problem]: ...
    @property
    def errors(self) -> list[Problem]: ...


SUMMARY_SHEET = "casegen problems"
HEAD = PatternFill("solid", fgColor="D9E2F3")
FILLS = {Severity.ERROR: PatternFill("solid", fgColor="FFC7CE"),
         Severity.WARNING: PatternFill("solid", fgColor="FFEB9C")}
HEADINGS = ("Where", "Field", "Severity", "Problem", "Code")
# A field's label ("Validated Recurring Investment") on one line, or two: LibreOffice wraps a narrower
# column onto more lines than fit.fit_rows counts, and the row clips the last.
WIDTHS = (18, 30, 10, 68, 22)
EDGE = Side(style="thin", color="808080")
GRID = Border(left=EDGE, right=EDGE, top=EDGE, bottom=EDGE)  # printed, the list reads as a table


def checked_path(source: Path, avoid: AbstractSet[Path] = frozenset()) -> Path:
    """NAME.checked.xlsx beside `source`; another name if that is the form itself or one of `avoid`."""
    stem = source.name[:-5] if source.name.lower().endswith(".xlsx") else source.name
    n = 1
    while True:
        target = source.with_name(f"{stem}{CHECKED_SUFFIX}" if n == 1 else f"{stem}.checked-{n}.xlsx")
        if target.resolve() not in avoid and not _same_file(target, source):
            return target
        n += 1


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _text(cell, value: str) -> None:
    """Text exactly as given: never taken for a formula, never with characters a workbook cannot hold."""
    set_value(cell, value)


def _mark(ws, coord: str, problems: list[Problem]) -> None:
    cell = ws[coord]
    severity = Severity.ERROR if any(p.severity == Severity.ERROR for p in problems) else Severity.WARNING
    cell.fill = FILLS[severity]
    lines = [f"{p.severity}: {p.message}" + (f" [{p.code}]" if p.code else "") for p in problems]
    note = escaped(strip_illegal("\n".join(lines)))  # a comment's text is decoded as a cell's is (_xHHHH_)
    if cell.comment is not None:  # keep what was there; casegen's note goes after it
        note = f"{cell.comment.text}\n\ncasegen:\n{note}"
    comment = Comment(note, "casegen")
    comment.width, comment.height = 320, 40 + 30 * len(lines)
    cell.comment = comment


def _summary(wb, intake: CheckedForm, source: Path) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    errors, warns = len(intake.errors), len(intake.problems) - len(intake.errors)
    _text(ws.cell(row=1, column=1),
          f"casegen found {counted(errors, 'error')} and {counted(warns, 'warning')} in {source.name}")
    ws.cell(row=1, column=1).font = Font(name="Calibri", bold=True, size=14)  # named: else a serif
    _text(ws.cell(row=2, column=1), f"Make the changes in {source.name} (this copy is for reading: formulas are "
                                    f"shown as their values), then run `casegen validate {source.name}` again.")
    for col, (head, width) in enumerate(zip(HEADINGS, WIDTHS, strict=True), start=1):
        _text(ws.cell(row=4, column=col), head)
        ws.cell(row=4, column=col).font = Font(name="Calibri", bold=True)
        ws.cell(row=4, column=col).fill, ws.cell(row=4, column=col).border = HEAD, GRID
        ws.column_dimensions[chr(64 + col)].width = width
    for row, p in enumerate(intake.problems, start=5):
        _problem_row(wb, ws, row, p)
    if not intake.problems:
        _text(ws.cell(row=5, column=1), "No problems found.")
    ws.freeze_panes = "A5"
    fit.fit_rows(ws)  # LibreOffice keeps rows one line high: a wrapped message would print over the next rows
    # Printed, the list fits the page's width however long the messages are.
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


def _problem_row(wb, ws, row: int, p: Problem) -> None:
    where = f"{p.sheet}!{p.cell}" if p.sheet and p.cell else p.sheet or "(whole form)"
    for col, value in enumerate((where, p.field, p.severity, p.message, p.code), start=1):
        _text(ws.cell(row=row, column=col), value)
        ws.cell(row=row, column=col).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=row, column=col).border = GRID
    if p.sheet in wb.sheetnames and wb[p.sheet].sheet_state == "visible":
        link = ws.cell(row=row, column=1)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheetname(p.sheet)}!{p.cell or 'A1'}")
        link.style = "Hyperlink"
        link.alignment, link.border = Alignment(wrap_text=True, vertical="top"), GRID  # the style reset them
    ws.cell(row=row, column=3).fill = FILLS.get(p.severity, FILLS[Severity.WARNING])


def annotate(intake: CheckedForm, target: Path) -> Path:
    """Write the annotated copy of the form `intake` was read from to `target`."""
    source = Path(intake.file)
    # Values, not formulas: openpyxl saves formulas without their values, and the copy must read
    # back as the form did. open_workbook loads with openpyxl, which can save.
    wb = open_workbook(source)
    if SUMMARY_SHEET in wb.sheetnames:  # annotating an annotated copy: one summary, the new one
        del wb[SUMMARY_SHEET]
    by_cell: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in intake.problems:
        if p.sheet in wb.sheetnames and p.cell:
            by_cell[(p.sheet, p.cell)].append(p)
    for (sheet, coord), problems in by_cell.items():
        _mark(wb[sheet], coord, problems)
    _summary(wb, intake, source)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    wb.active = 0
    wb.worksheets[0].sheet_view.tabSelected = True
    mark_workbook(wb, "annotated copy")  # replaced by the next --annotate; any other file there is not
    sweep_parts(target)  # what a killed --annotate left half-written beside it
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def annotate_intakes(intakes: Sequence[CheckedForm], force: bool = False) -> list[Path]:
    """The annotated copy of every form that could be opened; returns the paths written. A file in the way
    that is not an annotated copy casegen wrote is named and left alone, unless `force`."""
    inputs = {Path(i.file).resolve() for i in intakes}
    written: list[Path] = []
    for intake in intakes:
        if not intake.kind:  # a file that is not a readable form has nothing to annotate
            continue
        target = checked_path(Path(intake.file), inputs | {w.resolve() for w in written})
        why = not force and not_ours(target, "annotated copy")
        if why:
            intake.problems.append(Problem(intake.file, "no annotated copy written: " + refusal(
                target, why, "move it away"), code="annotate-foreign-file"))
            continue
        try:
            written.append(annotate(intake, target))
        except IntakeError as exc:
            intake.problems.extend(exc.problems)
        except OSError as exc:  # a read-only folder, a full disk: the form itself is untouched
            intake.problems.append(Problem(intake.file, f"could not write the annotated copy {target} "
                                                        f"({exc.strerror or exc})"))
    return written
