"""Forms outlive a change of format: the sample forms as casegen wrote them before any change to the
layout ("layout 1", in fixtures/layout1) are read by what they have after a field is added to a
model, build the same document, and `casegen upgrade` brings them onto today's layout, every value kept."""
import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from pydantic import create_model

import docx_text
from casegen.intake.form import write_form_values
from casegen.models import KINDS
from casegen.models.base import field
from casegen.models.bcl import ProjectInfo
from casegen.models.values import Text
from helpers import convert, lines, named, run, spoil, table_cell

LAYOUT1 = Path(__file__).parent / "fixtures" / "layout1"
FORMS = sorted(LAYOUT1.glob("*.xlsx"))
BCL = LAYOUT1 / "bcl-service-optimisation.xlsx"


def _models(required: bool):
    extra, version = ({}, "V3") if required else ({"default": ""}, "V2")
    info = create_model(f"ProjectInfo{version}", __base__=ProjectInfo, __module__=__name__,
                        cost_centre=(Text, field("Cost centre", "The finance cost centre", **extra)))
    bcl = KINDS["bcl"]
    return create_model(f"BusinessCaseLite{version}", __base__=bcl, __module__=__name__,
                        project=(info, bcl.model_fields["project"]))


# At module level, so that a build's worker processes can unpickle the cases.
BusinessCaseLiteV2 = _models(required=False)
ProjectInfoV2 = BusinessCaseLiteV2.model_fields["project"].annotation
BusinessCaseLiteV3 = _models(required=True)  # the new field required
ProjectInfoV3 = BusinessCaseLiteV3.model_fields["project"].annotation


def add_a_field(monkeypatch, required: bool = False):
    """Today's BCL model with one more field in the project block, as a future casegen might have."""
    monkeypatch.setitem(KINDS, "bcl", BusinessCaseLiteV3 if required else BusinessCaseLiteV2)


def built_text(form: Path, out: Path) -> str:
    result = run("build", form, "-o", out)
    assert result.exit_code == 0, result.output
    return docx_text.text(out / f"{form.stem}.docx")


def dumped(form: Path) -> dict:
    result = run("dump", form)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("form", FORMS, ids=lambda p: p.stem)
def test_a_layout1_form_builds_the_same_text_after_a_field_is_added(form, tmp_path, monkeypatch):
    before = built_text(form, tmp_path / "before")
    add_a_field(monkeypatch)
    assert built_text(form, tmp_path / "after") == before


def test_a_missing_optional_field_is_a_warning_naming_it(tmp_path, monkeypatch):
    form = shutil.copy(BCL, tmp_path / "old.xlsx")
    add_a_field(monkeypatch)
    result = run("validate", form)
    assert result.exit_code == 0
    assert lines(result)[:1] == [
        f"{form}: warning: cost_centre: the form has no 'Cost centre' cell (an older form); it is left blank. "
        "Run `casegen upgrade old.xlsx` to bring the form up to date [form-old-layout]"]


def test_a_missing_required_field_is_an_error(tmp_path, monkeypatch):
    form = shutil.copy(BCL, tmp_path / "old.xlsx")
    add_a_field(monkeypatch, required=True)
    result = run("validate", form)
    assert result.exit_code == 1
    assert f"{form}: cost_centre: the form has no 'Cost centre' cell, which is required" in result.output
    assert "is required; fill it in" not in result.output  # one message for the one missing cell


@pytest.mark.parametrize("form", FORMS, ids=lambda p: p.stem)
def test_upgrade_keeps_every_value(form, tmp_path, monkeypatch):
    form = Path(shutil.copy(form, tmp_path / form.name))
    original = form.read_bytes()
    before = dumped(form)
    add_a_field(monkeypatch)
    result = run("upgrade", form)
    assert result.exit_code == 0, result.output
    (backup,) = tmp_path.glob(f"{form.stem}.backup-*.xlsx")
    assert backup.read_bytes() == original
    after = dumped(form)
    if form.stem.startswith("bcl"):
        assert after["project"].pop("cost_centre") == ""
        assert "added 'Cost centre' at Project!B" in result.output
        assert run("validate", form).output.count("warning: cost_centre") == 0
    assert after == before


def test_upgrade_names_what_moved_and_keeps_every_backup(tmp_path, monkeypatch):
    form = Path(shutil.copy(BCL, tmp_path / "old.xlsx"))
    add_a_field(monkeypatch)
    first = run("upgrade", form)
    assert any(line.startswith("  moved 'Summary' from Project!B") for line in lines(first)), first.output
    kept = form.read_bytes()
    second = run("upgrade", form)  # today's layout already: said, and nothing written
    assert second.exit_code == 0 and lines(second) == [
        f"{form} already has today's layout: nothing to upgrade, and nothing was written"]
    assert len(list(tmp_path.glob("old.backup-*.xlsx"))) == 1 and form.read_bytes() == kept
    checked = run("validate", tmp_path)  # the backups beside the form are not read as forms of their own
    assert checked.exit_code == 0 and "1 form OK" in checked.output, checked.output


def _upgraded(form: Path, result) -> tuple[Path, str]:
    """The backup `upgrade` kept beside `form`, and the cell it says the new 'Cost centre' is at."""
    (backup,) = form.parent.glob(f"{form.stem}.backup-*.xlsx")
    added = re.search(r"added 'Cost centre' at (\S+)", result.output)
    return backup, added.group(1) if added else ""


def test_upgrade_carries_a_form_missing_a_new_required_field(tmp_path, monkeypatch):
    form = Path(shutil.copy(BCL, tmp_path / "old.xlsx"))
    before = dumped(form)
    add_a_field(monkeypatch, required=True)
    result = run("upgrade", form)
    assert result.exit_code == 1, result.output  # upgraded, and the new field is still to be filled in
    backup, cell = _upgraded(form, result)
    assert backup.read_bytes() == BCL.read_bytes()
    sheet, coord = cell.split("!")
    assert lines(result)[-2:] == [
        "the form still needs 1 fix before it can be built:",
        f"{form}: {cell}: Cost centre: is required; fill it in (a field new in today's layout: the old form had "
        "no place for it) [value-required]"]
    spoil(form, lambda wb: wb[sheet].__setitem__(coord, "CC-1234"))  # the lead fills it in
    assert run("validate", form).exit_code == 0
    after = dumped(form)
    assert after["project"].pop("cost_centre") == "CC-1234"
    assert after == before


def test_upgrade_keeps_a_value_the_model_refuses_as_typed(tmp_path, monkeypatch):
    form = Path(shutil.copy(BCL, tmp_path / "bad.xlsx"))
    spoil(form, lambda wb: (wb["Risks"].__setitem__("C6", "high"), wb["Finance"].__setitem__("B13", "Cuts")))
    original = form.read_bytes()
    add_a_field(monkeypatch)
    result = run("upgrade", form)
    assert result.exit_code == 1, result.output
    backup, _ = _upgraded(form, result)
    assert backup.read_bytes() == original
    wb = load_workbook(form)
    likelihood, category = table_cell(wb, "risks", 1, "Likelihood"), named(wb, "finance_savings_category")
    assert f"  moved 'Savings category' from Finance!B13 to Finance!{category.coordinate}" in lines(result)
    assert (likelihood.value, category.value) == ("high", "Cuts")
    errors = lines(run("validate", form))  # the upgraded form is checked as validate checks it
    assert [e.split(": ")[1] for e in errors] == [f"Finance!{category.coordinate}", "Risks!C6"]
    assert lines(result)[-3:] == ["the form still needs 2 fixes before it can be built:"] + errors


def test_upgrade_keeps_a_date_the_office_program_made_of_what_was_typed(tmp_path):
    form = Path(shutil.copy(BCL, tmp_path / "dated.xlsx"))
    spoil(form, lambda wb: wb["Timetable"].__setitem__("B7", datetime(2023, 12, 1)))
    before = dumped(form)
    result = run("upgrade", form)
    assert result.exit_code == 0, result.output
    assert dumped(form) == before and before["gate_dates"][1]["date"] == "Dec 2023"
    assert table_cell(load_workbook(form), "gate_dates", 2, "(Target) Date").value == datetime(2023, 12, 1)


def test_upgrade_names_what_it_cannot_carry_across(tmp_path):
    form = Path(shutil.copy(BCL, tmp_path / "notes.xlsx"))
    spoil(form, lambda wb: (wb["Project"].__setitem__("E4", "ask Sam"), wb.create_sheet("My notes")))
    result = run("upgrade", form)
    assert result.exit_code == 0, result.output
    assert "  not carried across (only the backup has it): Project!E4: 'ask Sam' is typed outside" in result.output
    assert "  not carried across (only the backup has it): the sheet 'My notes'" in result.output
    backup, _ = _upgraded(form, result)
    assert load_workbook(backup)["Project"]["E4"].value == "ask Sam"


def test_upgrade_leaves_the_form_alone_if_the_new_one_would_not_hold_the_same_values(tmp_path, monkeypatch):
    from casegen.intake import upgrade

    def lossy(kind, path, programme, data):  # a writer that drops the title
        return write_form_values(kind, path, programme, {**data, "project": {**data["project"], "title": None}})

    monkeypatch.setattr(upgrade, "write_form_values", lossy)
    form = Path(shutil.copy(BCL, tmp_path / "form.xlsx"))
    result = run("upgrade", form)
    assert result.exit_code == 1
    assert "would not hold the same values, so the form is left as it was" in result.output
    assert form.read_bytes() == BCL.read_bytes() and list(tmp_path.iterdir()) == [form]


@pytest.mark.parametrize("content", [b"not a workbook", None], ids=["junk", "another-workbook"])
def test_upgrade_of_a_file_that_is_not_a_form_exits_1_as_every_command_does(tmp_path, content):
    path = tmp_path / "other.xlsx"
    if content is None:
        Workbook().save(path)
    else:
        path.write_bytes(content)
    original = path.read_bytes()
    result = run("upgrade", path)
    assert result.exit_code == 1
    assert f"{path}: " in result.output and "upgraded" not in result.output
    assert path.read_bytes() == original and list(tmp_path.iterdir()) == [path]


@pytest.mark.slow
def test_an_upgraded_form_passes_openxml_audit_and_opens_in_libreoffice(tmp_path, monkeypatch):
    form = Path(shutil.copy(BCL, tmp_path / "old.xlsx"))
    before = dumped(form)
    add_a_field(monkeypatch)
    assert run("upgrade", form).exit_code == 0
    audit = shutil.which("openxml-audit") or str(Path(sys.executable).parent / "openxml-audit")
    done = subprocess.run([audit, "-o", "json", str(form)], capture_output=True, text=True)
    (report,) = json.loads(done.stdout)
    # openpyxl's own, in every form casegen writes: font children out of schema order (an error in
    # xl/styles.xml), and inline strings (a warning: Excel moves them to a shared table when it saves).
    assert [e for e in report["errors"] if e["part_uri"] != "/xl/styles.xml"
            and "inline-string" not in e["description"]] == []
    saved, = convert(form, tmp_path / "calc", "xlsx:Calc MS Excel 2007 XML")
    again = dumped(saved)
    assert again["project"].pop("cost_centre") == ""
    assert again == before
