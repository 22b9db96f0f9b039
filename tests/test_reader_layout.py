"""Forms outlive a change of format: the sample forms as casegen wrote them before any change to the
layout ("layout 1", in fixtures/layout1) are read by what they have after a field is added to a
model, build the same document, and `casegen upgrade` brings them onto today's layout, every value kept."""
import json
import shutil
from pathlib import Path

import pytest
from pydantic import create_model

import docx_text
from casegen.models import KINDS
from casegen.models.base import field
from casegen.models.bcl import ProjectInfo
from casegen.models.values import Text
from helpers import lines, run

LAYOUT1 = Path(__file__).parent / "fixtures" / "layout1"
FORMS = sorted(LAYOUT1.glob("*.xlsx"))
BCL = LAYOUT1 / "bcl-service-optimisation.xlsx"


def _models(required: bool):
    extra = {} if required else {"default": ""}
    info = create_model("ProjectInfoV2", __base__=ProjectInfo, __module__=__name__,
                        cost_centre=(Text, field("Cost centre", "The finance cost centre", **extra)))
    bcl = KINDS["bcl"]
    return create_model("BusinessCaseLiteV2", __base__=bcl, __module__=__name__,
                        project=(info, bcl.model_fields["project"]))


# At module level, so that a build's worker processes can unpickle the cases.
BusinessCaseLiteV2 = _models(required=False)
ProjectInfoV2 = BusinessCaseLiteV2.model_fields["project"].annotation


def add_a_field(monkeypatch, required: bool = False):
    """Today's BCL model with one more field in the project block, as a future casegen might have."""
    monkeypatch.setitem(KINDS, "bcl", _models(True) if required else BusinessCaseLiteV2)


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
    second = run("upgrade", form)
    assert "nothing moved and nothing was added" in second.output
    assert len(list(tmp_path.glob("old.backup-*.xlsx"))) == 2


def test_upgrade_refuses_a_form_with_errors_and_leaves_it_as_it_was(tmp_path):
    from openpyxl import load_workbook

    form = tmp_path / "bad.xlsx"
    shutil.copy(BCL, form)
    wb = load_workbook(form)
    ws = wb["Risks"]
    ws["C6"] = "high"
    wb.save(form)
    original = form.read_bytes()
    result = run("upgrade", form)
    assert result.exit_code == 1
    assert "Risks!C6" in result.output and "fix the errors above first" in result.output
    assert form.read_bytes() == original and list(tmp_path.iterdir()) == [form]
