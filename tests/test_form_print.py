"""The forms on paper: a table's heading prints with its rows, and the annotated copy's problem list has rows
tall enough for its wrapped messages (LibreOffice keeps a row one line high unless told)."""
from __future__ import annotations

import re
import subprocess

import pytest
from openpyxl import load_workbook

from casegen.intake.annotate import SUMMARY_SHEET, WIDTHS
from casegen.intake.form import write_form
from helpers import convert, run, spoil, table_cell

APPROVALS = "Approvals of this Savings Delivery Plan"


def _row_of(ws, text: str) -> int:
    return next(c.row for row in ws.iter_rows() for c in row if c.value == text)


def test_the_blank_forms_approvals_start_a_page(tmp_path, programme):
    ws = load_workbook(write_form("bcl", tmp_path / "blank.xlsx", programme))["Timetable"]
    caption = _row_of(ws, APPROVALS)
    assert caption - 1 in [b.id for b in ws.row_breaks.brk]  # a page ends just above the heading


@pytest.mark.slow
def test_the_approvals_heading_prints_with_its_rows(tmp_path, programme):
    """Calc's PDF of the blank form: the Approvals heading, its header row and its rows on one page, the last."""
    (pdf,) = convert([write_form("bcl", tmp_path / "blank.xlsx", programme)], tmp_path / "pdf")
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                             text=True).stdout).group(1))
    last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"], capture_output=True,
                          text=True).stdout
    assert APPROVALS in last and "Date Agreed" in last


def test_the_problem_list_rows_fit_their_messages(make_form):
    path = make_form("bcl-service-optimisation")
    long = "x " * 150  # a warning would do; an unreadable rating quotes what was typed, however long
    spoil(path, lambda wb: setattr(table_cell(wb, "risks", 1, "Likelihood"), "value", long))
    run("validate", "--annotate", path)
    ws = load_workbook(path.with_name("bcl-service-optimisation.checked.xlsx"))[SUMMARY_SHEET]
    message = ws["D5"].value
    assert len(message) > 300
    per_line = WIDTHS[3] * 1.4  # more characters a width unit than any font fits
    assert ws.row_dimensions[5].height >= 15 * -(-len(message) // per_line)
