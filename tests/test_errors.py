"""Wrong values are reported with file, sheet, cell, field, what was expected and what was found."""
import pytest
from docx import Document
from openpyxl import load_workbook

from casegen.errors import IntakeError
from casegen.intake.reader import read_workbook
from casegen.models.values import choose
from helpers import built
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


@pytest.mark.parametrize("typed", ["stage 1", "Stage 1", "OUTLINE BUSINESS CASE", "Stage 1 - Outline Business Case"])
def test_a_choice_typed_by_one_side_of_its_colon_is_the_choice(make_form, programme, tmp_path, typed):
    """A lead types "Stage 1" or "Outline business case" for "Stage 1: Outline Business Case": the document says
    the choice in full, as the dropdown would have put it."""
    path = make_form()
    wb = load_workbook(path)
    sheet, cell = next(wb.defined_names["project_stage"].destinations)
    wb[sheet][cell.replace("$", "")] = typed
    wb.save(path)
    case, _ = read_workbook(path, programme)
    assert case.project.stage == "Stage 1: Outline Business Case"
    text = "\n".join(p.text for p in Document(built(path, tmp_path / "out")).paragraphs)
    assert "Stage 1: Outline Business Case" in text + _cells_text(tmp_path / "out" / f"{path.stem}.docx")


def _cells_text(docx) -> str:
    return "\n".join(c.text for t in Document(docx).tables for row in t.rows for c in row.cells)


def test_a_side_of_two_choices_chooses_neither():
    allowed = ["Gate 1: Review", "Stage 1: Review", "Stage 2: Decision"]
    assert choose("review", allowed) is None  # both have it: the lead is asked which
    assert choose("decision", allowed) == "Stage 2: Decision"
    assert choose("stage 1", allowed) == "Stage 1: Review"
    assert choose("stage", allowed) is None and choose("1", allowed) is None
