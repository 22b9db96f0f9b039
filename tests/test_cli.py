"""The command line, through click's CliRunner, as a lead and the programme office use it."""
import json

from openpyxl import load_workbook

from casegen.models.bcl import BusinessCaseLite
from helpers import run


def test_new_validate_build_dump(tmp_path):
    form = tmp_path / "case.xlsx"
    result = run("new", "bcl", form)
    assert result.exit_code == 0 and form.exists()
    result = run("validate", form)
    assert result.exit_code == 1
    assert f"{form}: Project!" in result.output and "Project Title: is required" in result.output
    assert run("new", "bcl", form).exit_code == 1  # never overwrites without --force


def test_build_sample_writes_docx_named_after_the_form(make_form, tmp_path):
    form = make_form("bcl-service-optimisation")
    result = run("build", form, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "bcl-service-optimisation.docx").exists()


def test_build_a_broken_form_exits_1_without_a_document(make_form, tmp_path):
    form = make_form("bcl-service-optimisation")
    wb = load_workbook(form)
    sheet, cell = next(wb.defined_names["qualification_effort"].destinations)
    wb[sheet][cell.replace("$", "")] = "easy"
    wb.save(form)
    result = run("build", form, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert (f"Qualification!{cell.replace('$', '')}: Effort / Easy of Implementation: must be a whole number "
            "from 1 to 5, got 'easy'") in result.output
    assert not (tmp_path / "out" / "bcl-service-optimisation.docx").exists()


def test_dump_is_the_case_as_json(make_form):
    result = run("dump", make_form("bcl-neighbourhood-working-model"))
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["project"]["tracker_ref"] == "Part-002"
    assert data["position_table"]["grand_total"] == 287


def test_new_from_dumped_json_round_trips(make_form, tmp_path):
    dumped = tmp_path / "case.json"
    dumped.write_text(run("dump", make_form("bcl-service-optimisation")).output)
    form = tmp_path / "again.xlsx"
    assert run("new", "bcl", form, "--data", dumped).exit_code == 0
    assert json.loads(run("dump", form).output) == json.loads(dumped.read_text())


def test_new_from_json_of_the_other_kind_says_so_in_one_line(make_form, tmp_path):
    dumped = tmp_path / "brief.json"
    dumped.write_text(run("dump", make_form("brief-neighbourhood-working-model")).output)
    result = run("new", "bcl", tmp_path / "case.xlsx", "--data", dumped)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {dumped}: is a case of kind 'brief', not 'bcl'; use `casegen new brief FILE.xlsx --data {dumped}`"]
    assert not (tmp_path / "case.xlsx").exists()


def test_schema():
    result = run("schema", "bcl")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "risks" in schema["properties"]
    assert schema == json.loads(json.dumps(BusinessCaseLite.model_json_schema(mode="serialization")))


def test_usage_errors_exit_2(tmp_path):
    assert run("new", "memo", tmp_path / "x.xlsx").exit_code == 2
    assert run("build").exit_code == 2


def test_help_and_version_load_no_configuration_library():
    """`casegen --version` and `--help` start in a fraction of a second: the configuration (pydantic) and the
    commands' libraries (lxml, openpyxl, docxtpl) are loaded only by the command that uses them."""
    import subprocess
    import sys

    probe = ("import sys; from casegen.cli import cli\n"
             "try:\n    cli(['--version'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('pydantic', 'lxml', 'openpyxl', 'docxtpl', 'jinja2') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
