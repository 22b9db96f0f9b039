"""One command-line vocabulary (issue 23 item 4): each option means one thing in every command and reads the
same in every help; --json on every command that reports, in one shape; -q and -v; help texts whole; the
old spellings still work for one release and say what to use."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from casegen import config
from casegen.intake.form import write_form
from casegen.portfolio.summary import TARGETS_HOW_TO
from casegen.render import TEMPLATE_FILES, package_templates
from helpers import run, sample_case

KEYS = {"command", "ok", "exit_code", "problems"}  # every JSON report has these (README, "JSON reports")
COMMANDS = ["new", "validate", "build", "dump", "upgrade", "schema", "rules", "changes", "import", "portfolio",
            "templates", "templates check", "templates export"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """A folder with one good form and one with an error, built once: what every reporting command reads."""
    top = tmp_path_factory.mktemp("vocabulary")
    forms, out = top / "forms", top / "out"
    programme = config.load()
    write_form("bcl", forms / "good.xlsx", programme, sample_case("bcl-service-optimisation", programme))
    bad = sample_case("bcl-neighbourhood-working-model", programme)
    bad.project.title = ""  # required: an error at its cell
    write_form("bcl", forms / "bad.xlsx", programme, bad)
    run("build", forms, "-o", out)
    return {"top": top, "forms": forms, "good": forms / "good.xlsx", "out": out}


def _json(*args) -> dict:
    result = run(*args)
    data = json.loads(result.stdout)  # stdout is the one JSON object, and nothing else
    assert KEYS <= data.keys(), data.keys()
    assert data["exit_code"] == result.exit_code and data["ok"] == (result.exit_code == 0)
    assert all({"file", "message", "severity"} <= p.keys() for p in data["problems"])
    return data


def test_validate_json_names_each_form_and_its_problem_cells(built):
    data = _json("validate", built["forms"], "--json")
    assert data["command"] == "validate" and data["exit_code"] == 1
    assert {(Path(f["file"]).name, f["ok"]) for f in data["forms"]} == {("good.xlsx", True), ("bad.xlsx", False)}
    [problem] = [p for p in data["problems"] if p["severity"] == "error"]
    assert problem["file"].endswith("bad.xlsx") and problem["sheet"] == "Project"
    assert problem["code"] == "value-required"
    assert data["summary"] == "1 of 2 forms OK, 1 with errors"


def test_build_json_lists_each_document_with_its_status(built):
    data = _json("build", built["forms"], "-o", built["out"], "--json")
    assert data["command"] == "build" and data["exit_code"] == 1
    statuses = {Path(d["document"]).name: d["status"] for d in data["documents"]}
    assert statuses == {"good.docx": "up to date", "bad.docx": "failed"}
    assert any(p["code"] == "value-required" for p in data["problems"])


def test_portfolio_json_says_what_it_wrote_and_what_it_left_out(built):
    tracker = built["top"] / "tracker.xlsx"
    data = _json("portfolio", built["forms"], "-o", tracker, "--json")
    assert data["command"] == "portfolio" and data["exit_code"] == 1 and tracker.exists()
    assert data["written"] == [str(tracker)] and [Path(f).name for f in data["excluded"]] == ["bad.xlsx"]
    assert data["cases"] == 1 and data["forms"] == 2


def test_changes_rules_and_templates_check_json(built):
    changes = _json("changes", built["out"], "--json")
    assert changes["command"] == "changes" and changes["ok"] and isinstance(changes["changes"], list)
    rules = _json("rules", "--json")
    money = next(r for r in rules["rules"] if r["code"] == "value-money")
    assert money["severity"] == "error" and money["kinds"] == ["bcl", "brief"] and "pounds" in money["explanation"]
    check = _json("templates", "check", package_templates() / TEMPLATE_FILES["bcl"], "--json")
    assert check["command"] == "templates check" and check["ok"] and len(check["templates"]) == 1


def test_import_json_names_the_form_it_wrote(built, tmp_path):
    form = tmp_path / "again.xlsx"
    data = _json("import", built["out"] / "good.docx", "-o", form, "--json")
    assert data["command"] == "import" and data["ok"] and form.exists()
    assert data["forms"] == [{"source": str(built["out"] / "good.docx"), "form": str(form)}]
    bad = tmp_path / "notes.docx"
    bad.write_text("not a document")
    refused = _json("import", bad, "-o", tmp_path / "notes.xlsx", "--json")
    assert refused["exit_code"] == 1 and "is not a Word document" in refused["problems"][0]["message"]


def test_a_command_stopped_by_an_error_still_answers_in_json(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    data = _json("portfolio", empty, "-o", tmp_path / "t.xlsx", "--json")
    assert data == {"command": "portfolio", "ok": False, "exit_code": 1, "problems": [
        {"file": "", "message": f"no .xlsx forms found in {empty}", "severity": "error"}]}
    assert _json("changes", empty, "--json")["problems"][0]["message"].startswith(f"{empty} has no build history")


def test_quiet_prints_only_the_problems_and_verbose_a_line_a_file(built):
    quiet = run("validate", built["forms"], "-q")
    assert quiet.exit_code == 1 and len(quiet.output.splitlines()) == 1
    assert "Project Title: is required" in quiet.output and "OK" not in quiet.output
    assert run("validate", built["good"], "-q").output == ""
    verbose = run("validate", built["forms"], "-v").output.splitlines()
    assert f"ok      {built['good']}" in verbose and f"failed  {built['forms'] / 'bad.xlsx'} (1 problem)" in verbose
    assert verbose[-1] == "1 of 2 forms OK, 1 with errors"
    assert run("build", built["good"], "-o", built["out"], "-q").output == ""
    loud = run("build", built["good"], "-o", built["out"], "-v").output.splitlines()
    assert loud == [f"up to date  {built['out'] / 'good.docx'}", loud[-1]] and "1 up to date" in loud[-1]
    listed = run("templates", "check", "-v").output.splitlines()
    assert sum(line.startswith("checked ") for line in listed) == len(TEMPLATE_FILES)


def test_quiet_and_verbose_together_are_a_usage_mistake(built):
    result = run("validate", built["good"], "-q", "-v")
    assert result.exit_code == 2 and "give one of them" in result.output


def test_always_make_rebuilds_and_force_alone_still_does_saying_what_to_use(built, tmp_path):
    out = tmp_path / "out"
    assert run("build", built["good"], "-o", out).exit_code == 0
    assert "1 built" in run("build", built["good"], "-o", out, "-B").stdout
    assert "1 up to date" in run("build", built["good"], "-o", out).stdout
    old = run("build", built["good"], "-o", out, "--force")
    assert "1 built" in old.stdout  # as it did before -B
    assert "note: --force also rebuilds every document in this release" in old.stderr
    assert "-B (--always-make)" in old.stderr
    assert "note:" not in run("build", built["good"], "-o", out, "-B", "--force").stderr


def test_validate_format_json_is_kept_as_a_hidden_alias_of_json(built):
    old = run("validate", built["good"], "--format", "json")
    assert json.loads(old.stdout)["command"] == "validate" and "--format json is now --json" in old.stderr
    assert "--format" not in run("validate", "--help").output


def _help(command: str) -> str:
    result = run(*command.split(), "--help")
    assert result.exit_code == 0
    return result.output


def test_no_help_text_is_cut_short():
    for command in ["", "templates"]:
        listed = _help(command).split("Commands:")[1]
        assert "..." not in listed and "…" not in listed, listed
    assert "Read a Business Case Lite or Project Brief typed in Word into an" in _help("")


@pytest.mark.parametrize("option", ["-j, --jobs N", "-o, --output PATH", "--json", "-q, --quiet", "-v, --verbose",
                                    "--force"])
def test_a_shared_option_reads_the_same_in_every_command(option):
    helps = {}
    for command in COMMANDS:
        found = re.search(rf"^  {re.escape(option)}\s+(.*(?:\n {{10,}}.*)*)", _help(command), re.MULTILINE)
        if found:
            helps[command] = " ".join(found.group(1).split())
    assert len(helps) >= 2, helps  # shared
    if option not in ("-o, --output PATH", "--force"):  # what is written, or replaced, is each command's own
        assert len(set(helps.values())) == 1, helps


def test_every_reporting_command_offers_json_and_the_file_commands_quiet_and_verbose():
    for command in ["validate", "build", "portfolio", "changes", "rules", "templates check", "import"]:
        assert "--json" in _help(command), command
    for command in ["validate", "build", "portfolio", "templates check", "import"]:
        assert "-q, --quiet" in _help(command) and "-v, --verbose" in _help(command), command


def test_templates_check_names_its_argument_templates_throughout():
    text = _help("templates check")
    assert "templates check [OPTIONS] [TEMPLATES]...\n" in text and "PATHS" not in text


def test_portfolio_and_import_quiet_and_verbose(built, tmp_path):
    tracker = tmp_path / "t.xlsx"
    quiet = run("portfolio", built["good"], "-o", tracker, "-q")
    assert quiet.stdout == "" and tracker.exists()
    assert quiet.stderr.strip() == TARGETS_HOW_TO  # the one warning: the programme sets no targets
    verbose = run("portfolio", built["forms"], "-o", tracker, "-v")
    assert f"read     {built['good']}" in verbose.stdout and f"excluded {built['forms'] / 'bad.xlsx'}" in verbose.stdout
    assert verbose.exit_code == 1
    assert verbose.stdout.splitlines()[-1].startswith(f"wrote {tracker}: 1 case from 2 forms")
    form = tmp_path / "again.xlsx"
    quiet = run("import", built["out"] / "good.docx", "-o", form, "-q")
    assert quiet.exit_code == 0 and quiet.output == "" and form.exists()
