"""One rule for every command (issue 18 item 9, issue 20 item 4): 0 all good, 1 problems found or files not
made, 2 a usage mistake, with no side effect; counts written out in words; one way of printing a problem."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from casegen.render import TEMPLATE_FILES, package_templates
from helpers import SAMPLES, lines, run

MISSING = "nope.xlsx"


@pytest.mark.parametrize("command", [
    ["validate"], ["build", "-o", "{out}"], ["portfolio", "-o", "{out}/tracker.xlsx"], ["dump"], ["upgrade"],
    ["import", "-o", "{out}/form.xlsx"],
])
def test_a_path_that_does_not_exist_is_a_usage_mistake_with_no_side_effect(tmp_path, command):
    out = tmp_path / "out"
    args = [a.format(out=out) for a in command]
    result = run(*args, tmp_path / MISSING)
    assert result.exit_code == 2, result.output
    assert f"'{tmp_path / MISSING}' does not exist" in result.output
    assert not out.exists()  # no tracker, no output folder, no lock, no manifest


def test_build_of_a_folder_without_forms_fails_and_writes_nothing(tmp_path):
    empty, out = tmp_path / "empty", tmp_path / "out"
    empty.mkdir()
    result = run("build", empty, "-o", out)
    assert result.exit_code == 1
    assert f"no intake forms (.xlsx) found in {empty}" in result.output
    assert not out.exists()


def test_portfolio_of_a_folder_without_forms_fails_and_writes_no_tracker(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("portfolio", empty, "-o", tmp_path / "tracker.xlsx")
    assert result.exit_code == 1 and "no .xlsx forms found" in result.output
    assert not (tmp_path / "tracker.xlsx").exists()


def _with_a_stray_note(form: Path) -> Path:
    wb = load_workbook(form)
    wb["Project"]["F30"] = "a note"  # typed outside the form's cells: a warning
    wb.save(form)
    return form


def test_validate_strict_counts_a_form_with_warnings_as_not_ok(make_form):
    form = _with_a_stray_note(make_form())
    plain, strict = run("validate", form), run("validate", "--strict", form)
    assert plain.exit_code == 0 and plain.output.splitlines()[-1] == "1 of 1 form OK, 1 warning"
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1] == \
        "0 of 1 form OK, 1 with warnings, which --strict counts as errors, 1 warning"


def test_dump_of_a_blank_form_marks_every_error_alike(tmp_path):
    form = tmp_path / "blank.xlsx"
    assert run("new", "bcl", form).exit_code == 0
    result = run("dump", form)
    assert result.exit_code == 1
    out = result.output.splitlines()
    assert len(out) > 1 and all(line.startswith(f"Error: {form}: ") for line in out), out


def test_new_from_data_says_to_check_the_filled_form_not_to_fill_it(tmp_path):
    form = tmp_path / "case.xlsx"
    result = run("new", "bcl", form, "--data", SAMPLES / "bcl-service-optimisation.json")
    assert result.exit_code == 0 and "yellow cells" not in result.output
    assert result.output.strip() == (f"wrote {form} from {SAMPLES / 'bcl-service-optimisation.json'}: check it with "
                                     f"`casegen validate {form}`, then run `casegen build {form}`")


def test_a_single_template_is_counted_in_words(tmp_path):
    result = run("templates", "check", package_templates() / TEMPLATE_FILES["bcl"])
    assert result.exit_code == 0 and lines(result) == ["1 template OK"]


def test_portfolio_summary_takes_the_templates_folder_given_on_the_command_line(tmp_path, make_form):
    office = tmp_path / "office"
    assert run("templates", "export", office).exit_code == 0
    (office / TEMPLATE_FILES["portfolio"]).unlink()  # so the summary can only come from --templates' folder
    form = make_form()
    result = run("--templates", office, "portfolio", form, "-o", tmp_path / "t.xlsx", "--summary", tmp_path / "s.docx")
    assert result.exit_code == 1 and not (tmp_path / "s.docx").exists(), result.output
    assert str(office / TEMPLATE_FILES["portfolio"]) in result.output


def test_a_folder_import_reports_every_document_and_ends_with_a_count(tmp_path, make_form):
    docs = tmp_path / "docs"
    docs.mkdir()
    built = run("build", make_form(), "-o", docs)
    assert built.exit_code == 0
    (docs / "notes.docx").write_text("not a document")  # one bad document stops none of the others
    forms = tmp_path / "forms"
    forms.mkdir()
    result = run("import", docs, "-o", forms)
    assert result.exit_code == 1, result.output  # an unreadable input: 1, as from every command
    assert f"wrote {forms / 'bcl-service-optimisation.xlsx'}" in result.output
    assert f"Error: {docs / 'notes.docx'}: " in result.output
    assert result.output.splitlines()[-1] == "1 of 2 documents imported, 1 not (see above)"


@pytest.mark.parametrize("command", [
    ["validate"], ["build", "-o", "{out}"], ["portfolio", "-o", "{out}/tracker.xlsx"], ["dump"], ["upgrade"],
    ["import", "-o", "{out}/form.xlsx"],
])
def test_an_unreadable_input_exits_1_from_every_command_and_is_left_as_it_was(tmp_path, command):
    """One rule (issue 23): a file casegen cannot read is a problem found (1), never a usage mistake (2),
    whichever command was given it."""
    out = tmp_path / "out"
    name = "damaged.docx" if command[0] == "import" else "damaged.xlsx"
    damaged = tmp_path / name
    damaged.write_bytes(b"PK\x03\x04 cut off in the middle of a zip")
    result = run(*[a.format(out=out) for a in command], damaged)
    assert result.exit_code == 1, result.output
    assert str(damaged) in result.output and "Traceback" not in result.output
    assert damaged.read_bytes() == b"PK\x03\x04 cut off in the middle of a zip"


@pytest.mark.parametrize("command", [
    ["new", "bcl", "{out}/x.xlsx"], ["validate", "{form}"], ["build", "{form}", "-o", "{out}"], ["dump", "{form}"],
    ["upgrade", "{form}"], ["schema", "bcl"], ["rules"], ["changes", "{out}"], ["import", "{form}"],
    ["portfolio", "{form}", "-o", "{out}/t.xlsx"], ["templates", "check"], ["templates", "export", "{out}"],
])
def test_a_misspelt_option_is_a_usage_mistake_in_every_command_and_writes_nothing(tmp_path, command):
    out, form = tmp_path / "out", tmp_path / "form.xlsx"
    form.write_bytes(b"")
    result = run(*[a.format(out=out, form=form) for a in command], "--jsno")
    assert result.exit_code == 2 and "No such option '--jsno'" in result.output
    assert not out.exists() and form.read_bytes() == b""
