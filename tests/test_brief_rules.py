"""The programme office's checks on a Project Brief, each reported at the cell a lead must change."""
import pytest
from openpyxl import load_workbook

from casegen.errors import IntakeError
from casegen.intake.reader import read_workbook
from casegen.rules import registered
from helpers import table_cell, table_rows

NAME = "brief-neighbourhood-working-model"


class Form:
    """A filled brief form opened for editing, with its cells found by table, row and column heading."""

    def __init__(self, path):
        self.path = path
        self.wb = load_workbook(path)

    def table(self, name):
        return table_rows(self.wb, name)[:2]

    def cell(self, name, row, heading):
        return table_cell(self.wb, name, row, heading)

    def row_where(self, name, heading, value) -> int:
        for r in range(1, 100):
            if self.cell(name, r, heading).value == value:
                return r
        raise KeyError(value)

    def problems(self, programme) -> list[str]:
        self.wb.save(self.path)
        with pytest.raises(IntakeError) as info:
            read_workbook(self.path, programme)
        return [str(p) for p in info.value.problems]


@pytest.fixture
def form(make_form):
    return Form(make_form(NAME))


def test_every_brief_rule_has_a_code_and_an_explanation():
    brief = {r.code: r for r in registered() if r.kinds == ("brief",)}
    assert set(brief) == {"raci-unmarked", "raci-no-accountable", "department-level-missing",
                          "department-level-not-involved", "stage-no-deliverables", "stage-unknown", "stage-repeated"}
    assert all(r.severity == "error" and r.explanation.endswith(".") for r in brief.values())


def test_raci_row_with_nothing_marked(form, programme):
    r = form.row_where("raci", "Person or team", "Finance Business Partner: Darren Lambert")
    form.cell("raci", r, "Consulted").value = None
    first = form.cell("raci", r, "Person or team").coordinate
    assert form.problems(programme) == [
        f"{form.path}: Stakeholders!{first}: Person or team: 'Finance Business Partner: Darren Lambert' "
        "has nothing marked; "
        "put an X under Responsible, Accountable, Consulted or Informed, or delete the row [raci-unmarked]"]


def test_raci_without_anyone_accountable(form, programme):
    for r in (1, 2):  # the sponsor and the board, made Consulted instead
        form.cell("raci", r, "Accountable").value = None
        form.cell("raci", r, "Consulted").value = "X"
    ws, head = form.table("raci")
    assert form.problems(programme) == [
        f"{form.path}: Stakeholders!A{head}: RACI: no one is marked Accountable; put an X under Accountable "
        "for the sponsor or the board [raci-no-accountable]"]


def test_raci_mark_that_is_not_an_x(form, programme):
    cell = form.cell("raci", 3, "Informed")
    cell.value = "maybe"
    assert form.problems(programme) == [
        f"{form.path}: Stakeholders!{cell.coordinate}: Informed: mark with X, or leave blank; got 'maybe' [value-mark]"]


def test_raci_marks_as_people_type_them(form, programme):
    for r, mark in ((3, "x"), (4, "✓"), (6, "Yes")):
        form.cell("raci", r, "Informed").value = mark
    form.wb.save(form.path)
    case, _ = read_workbook(form.path, programme)
    assert [row.informed for row in case.raci[2:7]] == [True, True, False, True, True]


def test_department_involved_without_a_level(form, programme):
    r = form.row_where("departments", "Department", "Finance")
    level = form.cell("departments", r, "Level of involvement")
    level.value = None
    assert form.problems(programme) == [
        f"{form.path}: Departments!{level.coordinate}: Level of involvement Finance: "
        "Finance is involved but has no level; "
        "choose Low, Medium, High [department-level-missing]"]


def test_department_with_a_level_but_not_involved(form, programme):
    r = form.row_where("departments", "Department", "HR")
    involved = form.cell("departments", r, "Involved?")
    involved.value = "No"
    assert form.problems(programme) == [
        f"{form.path}: Departments!{involved.coordinate}: Involved? HR: HR has the level Low but involved is No; "
        "choose Yes, or clear the level [department-level-not-involved]"]


def test_department_not_involved_needs_no_level(form, programme):
    """The configured departments a lead answers No for, with no level, are fine."""
    ws, head = form.table("departments")
    last = int(ws.tables["departments"].ref.split(":")[1][1:])
    form.cell("departments", last - head + 1, "Department").value = "ICT"
    form.cell("departments", last - head + 1, "Involved?").value = "No"
    form.wb.save(form.path)
    case, warnings = read_workbook(form.path, programme)
    assert warnings == [] and (case.departments[-1].department, case.departments[-1].involved) == ("ICT", False)


def test_stage_without_deliverables(form, programme):
    march = "Deliverables and Activities by end of March"
    for r in range(1, 40):
        if form.cell("stage_items", r, "Stage").value == march:
            for heading in ("Stage", "Deliverable or activity"):
                form.cell("stage_items", r, heading).value = None
    name = form.cell("stages", form.row_where("stages", "Stage", march), "Stage")
    assert form.problems(programme) == [
        f"{form.path}: Stages!{name.coordinate}: Stage: '{march}' has no deliverables; add rows for it in "
        "'Stage deliverables and activities' [stage-no-deliverables]"]


def test_deliverable_naming_a_stage_that_is_not_listed(form, programme):
    cell = form.cell("stage_items", 2, "Stage")
    cell.value = "Deliverables and Activities by end of May"
    assert form.problems(programme) == [
        f"{form.path}: Stages!{cell.coordinate}: Stage: 'Deliverables and Activities by end of May' is not a stage "
        "in the Stages table (stages: Deliverables and Activities by end of February; Deliverables and Activities "
        "by end of March; Deliverables and Activities by end of April) [stage-unknown]"]


def test_stage_named_twice(form, programme):
    cell = form.cell("stages", 3, "Stage")
    cell.value = "Deliverables and Activities by end of March"
    problems = form.problems(programme)
    assert (f"{form.path}: Stages!{cell.coordinate}: Stage: 'Deliverables and Activities by end of March' is named "
            "twice; give each stage its own name [stage-repeated]") in problems


@pytest.mark.parametrize("value, shown", [(7, "7"), (0, "0"), ("high", "'high'"), (2.5, "2.5")])
def test_risk_scores_are_whole_numbers_from_1_to_5(form, programme, value, shown):
    likelihood = form.cell("risks", 2, "Likelihood")
    likelihood.value = value
    impact = form.cell("risks", 4, "Impact")
    impact.value = 6
    assert form.problems(programme) == [
        f"{form.path}: Risks!{likelihood.coordinate}: Likelihood: must be a whole number from 1 to 5, "
        f"got {shown} [value-rating]",
        f"{form.path}: Risks!{impact.coordinate}: Impact: must be a whole number from 1 to 5, got 6 [value-rating]"]


def test_all_problems_are_reported_together(form, programme):
    form.cell("raci", 5, "Consulted").value = None
    form.cell("departments", 1, "Level of involvement").value = None
    form.cell("stage_items", 1, "Stage").value = "Someday"
    problems = form.problems(programme)
    assert [p.rsplit("[", 1)[-1] for p in problems] == [
        "raci-unmarked]", "department-level-missing]", "stage-unknown]"]
