"""Wrong values are reported with file, sheet, cell, field, what was expected and what was found."""
import pytest
from openpyxl import load_workbook

from casegen.errors import IntakeError
from casegen.intake.reader import read_workbook
from helpers import table_cell as _cell


def _problems(path, programme):
    with pytest.raises(IntakeError) as info:
        read_workbook(path, programme)
    return [str(p) for p in info.value.problems]


def test_every_wrong_value_is_located(make_form, programme):
    path = make_form()
    wb = load_workbook(path)
    likelihood = _cell(wb, "risks", 1, "Likelihood")
    likelihood.value = "high"
    finish = _cell(wb, "deliverables", 2, "Finish")
    finish.value = "32/13/2023"
    money = _cell(wb, "finance_years", 2, "Recurring Savings")
    money.value = "lots"
    wb["Project"][next(wb.defined_names["project_stage"].destinations)[1].replace("$", "")] = "Stage 9"
    wb.save(path)
    problems = _problems(path, programme)
    assert (f"{path}: Risks!{likelihood.coordinate}: Likelihood: must be a whole number from 1 to 5, "
            "got 'high' [value-rating]") in problems
    assert any(p.startswith(f"{path}: Timetable!{finish.coordinate}: Finish: '32/13/2023' is not a real date")
               for p in problems)
    assert any(p.startswith(f"{path}: Finance!{money.coordinate}: Recurring Savings 24/25: must be an amount in pounds")
               and "'lots'" in p for p in problems)
    assert any("project_stage" not in p
               and ": Current Stage / Gate: must be one of: Stage 0: Opportunity Identified" in p
               for p in problems)
    assert len(problems) == 4  # all collected, not just the first


def test_missing_required_fields_are_named(make_form, programme):
    path = make_form()
    wb = load_workbook(path)
    sheet, cell = next(wb.defined_names["project_title"].destinations)
    wb[sheet][cell.replace("$", "")] = None
    wb.save(path)
    assert _problems(path, programme) == [
        f"{path}: Project!{cell.replace('$', '')}: Project Title: is required; fill it in [value-required]"]


def test_a_workbook_that_is_not_a_form(tmp_path, programme):
    from openpyxl import Workbook

    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    (problem,) = _problems(path, programme)
    assert "is not a casegen intake form" in problem and "casegen new bcl" in problem


def test_a_file_that_is_not_a_workbook(tmp_path, programme):
    path = tmp_path / "notes.xlsx"
    path.write_text("just some text")
    (problem,) = _problems(path, programme)
    assert problem == (f"{path}: is not an Excel workbook (.xlsx); make a form with `casegen new bcl FILE.xlsx` "
                       "[form-unreadable]")
