"""`casegen validate --annotate`: a copy of the form with its problems marked where the lead will look."""
import csv
import os

import pytest
from openpyxl import load_workbook

from casegen.intake.annotate import FILLS, SUMMARY_SHEET
from helpers import convert, digest, leftovers, lines, named, run, spoil, table_cell

SO = "bcl-service-optimisation"


@pytest.fixture
def spoiled(make_form):
    """A form with two errors, and the cells they are in."""
    path = make_form(SO)
    wb = load_workbook(path)
    cells = {"likelihood": table_cell(wb, "risks", 1, "Likelihood").coordinate,
             "start": table_cell(wb, "deliverables", 2, "Start").coordinate}
    spoil(path, lambda wb: [setattr(table_cell(wb, "risks", 1, "Likelihood"), "value", "high"),
                            setattr(table_cell(wb, "deliverables", 2, "Start"), "value", "32/13/2023")])
    return path, cells


def test_annotated_copy_marks_every_problem(spoiled):
    path, cells = spoiled
    before = digest(path)
    result = run("validate", "--annotate", path)
    assert result.exit_code == 1
    checked = path.with_name(f"{SO}.checked.xlsx")
    assert f"wrote {checked}" in result.output
    assert digest(path) == before and leftovers(path.parent) == []
    wb = load_workbook(checked)
    assert wb.sheetnames[0] == SUMMARY_SHEET and wb.active.title == SUMMARY_SHEET
    likelihood = wb["Risks"][cells["likelihood"]]
    assert likelihood.fill.fgColor.rgb.endswith(FILLS["error"].fgColor.rgb[-6:])
    assert "must be a whole number from 1 to 5, got 'high'" in likelihood.comment.text
    assert "'32/13/2023' is not a real date" in wb["Timetable"][cells["start"]].comment.text
    assert wb["_casegen"].sheet_state == "hidden"


def test_summary_lists_each_problem_with_a_link_to_its_cell(spoiled):
    path, cells = spoiled
    problems = lines(run("validate", path))
    run("validate", "--annotate", path)
    ws = load_workbook(path.with_name(f"{SO}.checked.xlsx"))[SUMMARY_SHEET]
    assert ws["A1"].value == f"casegen found 2 errors and 0 warnings in {path.name}"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_col=5)]
    assert [r[0] for r in rows] == [f"Risks!{cells['likelihood']}", f"Timetable!{cells['start']}"]
    assert [r[4] for r in rows] == ["value-rating", "value-date"]
    assert len(rows) == len(problems)
    links = [ws.cell(row=r, column=1).hyperlink for r in (5, 6)]
    assert [link.location for link in links] == [f"'Risks'!{cells['likelihood']}", f"'Timetable'!{cells['start']}"]


def test_warnings_are_marked_too(make_form):
    def edit(case):
        case.qualification.financial_benefits = 150000

    path = make_form(SO, edit)
    result = run("validate", "--annotate", path)
    assert result.exit_code == 0
    wb = load_workbook(path.with_name(f"{SO}.checked.xlsx"))
    cell = named(wb, "qualification_financial_benefits")
    assert cell.fill.fgColor.rgb.endswith(FILLS["warning"].fgColor.rgb[-6:])
    assert cell.comment.text.startswith("warning: is £150,000 but the net savings")


def test_the_annotated_copy_reads_back_the_same(spoiled):
    path, _ = spoiled
    run("validate", "--annotate", path)
    checked = path.with_name(f"{SO}.checked.xlsx")
    original = [line.replace(str(path), "FORM") for line in lines(run("validate", path))]
    again = [line.replace(str(checked), "FORM") for line in lines(run("validate", checked))]
    assert again == original  # the summary sheet is ignored; the values are the form's


def test_a_clean_form_gets_a_copy_that_says_so_and_builds(make_form, tmp_path):
    path = make_form(SO)
    assert run("validate", "--annotate", path).exit_code == 0
    checked = path.with_name(f"{SO}.checked.xlsx")
    assert load_workbook(checked)[SUMMARY_SHEET]["A5"].value == "No problems found."
    assert run("build", checked, "-o", tmp_path / "out").exit_code == 0


@pytest.mark.slow
def test_libreoffice_opens_the_annotated_copy(spoiled, tmp_path):
    path, cells = spoiled
    run("validate", "--annotate", path)
    csv_path, = convert(path.with_name(f"{SO}.checked.xlsx"), tmp_path / "csv", "csv")
    with open(csv_path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0].startswith("casegen found 2 errors")
    assert rows[4][:3] == [f"Risks!{cells['likelihood']}", "Likelihood", "error"]


def test_never_overwrites_an_input_whose_name_collides(make_form, tmp_path):
    path = make_form(SO)
    other = make_form(SO, filename=f"{SO}.checked.xlsx")  # a form that happens to have the copy's name
    before = digest(other)
    result = run("validate", "--annotate", path, other)
    assert digest(other) == before
    assert f"wrote {tmp_path / f'{SO}.checked-2.xlsx'}" in result.output
    assert f"wrote {tmp_path / f'{SO}.checked.checked.xlsx'}" in result.output


def test_never_writes_through_a_link_to_the_form(make_form, tmp_path):
    path = make_form(SO)
    link = path.with_name(f"{SO}.checked.xlsx")
    os.symlink(path, link)
    before = digest(path)
    result = run("validate", "--annotate", path)
    assert digest(path) == before and link.is_symlink()
    assert f"wrote {tmp_path / f'{SO}.checked-2.xlsx'}" in result.output


def test_annotating_again_replaces_the_copy_and_folders_skip_copies(spoiled):
    path, _ = spoiled
    run("validate", "--annotate", path)
    result = run("validate", "--annotate", path.parent)  # the folder holds the form and its copy
    assert sorted(p.name for p in path.parent.glob("*.xlsx")) == [f"{SO}.checked.xlsx", f"{SO}.xlsx"]
    assert all(line.startswith(str(path)) for line in lines(result) if not line.startswith("wrote"))


def test_an_unreadable_file_is_reported_and_the_rest_annotated(make_form, tmp_path):
    path = make_form(SO)
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    result = run("validate", "--annotate", path, junk)
    assert result.exit_code == 1
    assert f"{junk}: is not an Excel workbook (.xlsx)" in result.output
    assert path.with_name(f"{SO}.checked.xlsx").exists() and not (tmp_path / "junk.checked.xlsx").exists()


def test_a_copy_that_cannot_be_written_is_reported(make_form, monkeypatch):
    import casegen.fileio

    path = make_form(SO)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(casegen.fileio.tempfile, "mkstemp", full)
    result = run("validate", "--annotate", path)
    assert result.exit_code == 1
    assert lines(result) == [f"{path}: could not write the annotated copy {path.with_name(f'{SO}.checked.xlsx')} "
                             "(No space left on device)"]
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_the_problem_list_prints_whole_field_names_in_a_bordered_table(make_form):
    """A long field name ("Validated Recurring Investment 24/25") wraps within its row, which is tall enough
    for it as LibreOffice lays out Calibri; every cell of the list has a border."""
    from casegen.portfolio.xlsx import wrapped_lines

    path = make_form(SO)
    spoil(path, lambda wb: setattr(table_cell(wb, "finance_validated", 2, "Validated Recurring Investment"),
                                   "value", "lots"))
    assert run("validate", "--annotate", path).exit_code == 1
    ws = load_workbook(path.with_name(f"{SO}.checked.xlsx"))[SUMMARY_SHEET]
    row = next(r for r in ws.iter_rows(min_row=5) if "Validated" in str(r[1].value))
    field, width = row[1].value, ws.column_dimensions["B"].width
    assert len(field) >= 30 and wrapped_lines(field, width) <= 2, (field, width)
    lines = max(wrapped_lines(c.value, ws.column_dimensions[c.column_letter].width) for c in row if c.value)
    assert (ws.row_dimensions[row[0].row].height or 15) >= 14 * lines, (field, lines)
    assert all(c.border.left.style == "thin" for r in ws.iter_rows(min_row=4, max_row=ws.max_row, max_col=5)
               for c in r)
