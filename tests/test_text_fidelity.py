"""Text comes back as typed, or is refused with a message: never changed or cut on the way (issue 24).

OOXML reads `_xHHHH_` in a cell as the character HHHH, so casegen writes a typed `_x0020_` escaped, as Excel
does; text over the 32,767 characters a cell holds is refused (a form from JSON, the tracker) or reported
(a form's cell), never cut as openpyxl would cut it.
"""
from __future__ import annotations

import json

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from helpers import lines, named, rewrite, run, sample_case, sheet_part
from openpyxl import load_workbook

from casegen.intake.form import write_form
from casegen.sheetcells import MAX_TEXT, TextTooLong, put

TYPED = ["Budget_x0020_2025", "C:\\Data\\_x0041_", "Jane_x000D_Smith", "lower_x005f_case", "_x005F_x0041_",
         "two_x0041_x0042_in a row", "not one: _x41_ _X0041_ _x00g1_", "non\u00a0breaking\u00a0spaces",
         "=HYPERLINK(\"_x0041_\")"]


def calamine_values(path) -> list:
    wb = CalamineWorkbook.from_path(str(path))
    return [v for s in wb.sheet_names for row in wb.get_sheet_by_name(s).to_python() for v in row if v != ""]


def test_every_text_written_into_a_cell_reads_back_as_typed(tmp_path):
    wb = Workbook()
    long_escapes = "_x0041_" * (MAX_TEXT // 7)  # at the limit as typed; longer once escaped, and kept whole
    for i, text in enumerate(TYPED + [long_escapes], start=1):
        put(wb.active, i, 1, text)
    wb.save(tmp_path / "cells.xlsx")
    assert calamine_values(tmp_path / "cells.xlsx") == TYPED + [long_escapes]


def test_escapes_come_back_from_new_dump_build_import_and_the_tracker(tmp_path, programme):
    case = sample_case("bcl-service-optimisation", programme)
    case.project.title = "Budget_x0020_2025 for Jane_x000D_Smith"
    case.summary = "Files in C:\\Data\\_x0041_ are kept.\n\nNine\u00a0hundred homes."
    case.risks[0].risk = "Budget_x0020_2025 slips"
    data = json.loads(run("dump", write_form("bcl", tmp_path / "first.xlsx", programme, case)).output)
    assert (data["project"]["title"], data["summary"]) == (case.project.title, case.summary)
    (tmp_path / "case.json").write_text(json.dumps(data), encoding="utf-8")
    forms = tmp_path / "forms"
    forms.mkdir()
    assert run("new", "bcl", forms / "typed.xlsx", "--data", tmp_path / "case.json").exit_code == 0
    assert json.loads(run("dump", forms / "typed.xlsx").output) == data

    assert run("build", forms / "typed.xlsx", "-o", tmp_path / "out").exit_code == 0
    result = run("import", tmp_path / "out" / "typed.docx", "-o", tmp_path / "imported.xlsx")
    assert result.exit_code == 0, result.output
    assert json.loads(run("dump", tmp_path / "imported.xlsx").output) == data

    assert run("portfolio", forms, "-o", tmp_path / "tracker.xlsx", "-j", "1").exit_code == 0
    shown = calamine_values(tmp_path / "tracker.xlsx")
    assert case.project.title in shown and "Budget_x0020_2025 slips" in shown
    assert not any(isinstance(v, str) and ("Budget 2025" in v or "Jane\rSmith" in v) for v in shown)


def test_new_refuses_a_text_longer_than_a_cell_naming_the_field(tmp_path, programme):
    data = json.loads(run("dump", write_form("bcl", tmp_path / "f.xlsx", programme,
                                             sample_case("bcl-service-optimisation", programme))).output)
    data["summary"] = "x" * 40000
    (tmp_path / "case.json").write_text(json.dumps(data), encoding="utf-8")
    result = run("new", "bcl", tmp_path / "new.xlsx", "--data", tmp_path / "case.json")
    assert result.exit_code == 1
    assert f"Error: {tmp_path / 'case.json'}: summary: the text is 40,000 characters long, more than the 32,767 a cell of " \
           "the form holds; shorten it [value-too-long]" in lines(result)
    assert not (tmp_path / "new.xlsx").exists()


def test_a_form_cell_longer_than_a_cell_holds_is_an_error_with_its_cell(make_form):
    path = make_form()
    title = named(load_workbook(path), "project_title")
    rewrite(path, sheet_part(path, "Project"), lambda xml: xml.replace(
        b"<t>Service Optimisation</t>", b"<t>" + b"y" * 40000 + b"</t>"))
    result = run("validate", path)
    assert result.exit_code == 1
    assert f"{path}: Project!{title.coordinate}: Project Title: the text is 40,000 characters long, more than the " \
           "32,767 a cell holds (the form was not saved by Excel or Calc, which cut it); shorten it " \
           "[value-too-long]" in lines(result)


def test_the_tracker_refuses_a_risk_longer_than_a_cell_and_writes_nothing(tmp_path, programme):
    case = sample_case("brief-neighbourhood-working-model", programme)
    risk = case.risks[0]
    risk.cause, risk.risk, risk.consequence = "staff " * 2500, "budgets " * 2000, "delays " * 2000  # each fits a cell
    (tmp_path / "forms").mkdir()
    write_form("brief", tmp_path / "forms" / "brief.xlsx", programme, case)
    result = run("portfolio", tmp_path / "forms", "-o", tmp_path / "tracker.xlsx", "-j", "1")
    assert result.exit_code == 1
    assert any(line.startswith("Error: Risks!E") and "more than the 32,767 a cell of a workbook holds" in line
               for line in lines(result))
    assert not (tmp_path / "tracker.xlsx").exists()


def test_text_too_long_names_its_cell(tmp_path):
    wb = Workbook()
    with pytest.raises(TextTooLong, match=r"^Sheet!C2: the text “zzz+ …” is 32,768 characters long"):
        put(wb.active, 2, 3, "z" * (MAX_TEXT + 1))
