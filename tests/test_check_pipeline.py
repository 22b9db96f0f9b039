"""One check for `validate` and `build`: the same findings across forms, whether a form is read again or not."""
import pickle
import sqlite3
from pathlib import Path

import pytest

from casegen import codes
from casegen.batch.check import check_forms, pickled
from casegen.batch.store import FILE, FOLDER, Store
from casegen.errors import Problem
from casegen.rules import crossform
from casegen.rules.crossform import CrossRule, Fact
from helpers import run

FORM = "bcl-service-optimisation"


def findings(output: str, code: str) -> list[str]:
    """The lines of a command's output that carry `code`, as validate prints them."""
    return sorted(line.strip() for line in output.splitlines() if f"[{code}]" in line)


@pytest.fixture
def two_forms(make_form, tmp_path):
    """A form built into `out` (so up to date there), and a copy with its tracker ref, new since."""
    make_form(FORM, filename=f"inputs/{FORM}.xlsx")
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    assert run("build", inputs, "-o", out).exit_code == 0
    make_form(FORM, lambda case: setattr(case.project, "title", "A copy"), filename="inputs/copy.xlsx")
    return inputs, out


def test_validate_and_build_find_the_same_duplicate_refs(two_forms):
    inputs, out = two_forms
    validated = run("validate", inputs)
    built = run("build", inputs, "-o", out)
    assert validated.exit_code == built.exit_code == 1
    assert "0 built, 0 up to date, 2 failed" in built.output  # the up-to-date one by its recorded facts
    once = findings(validated.output, "tracker-ref-duplicate")  # a group's finding is stated once by both
    expected = findings(built.output, "tracker-ref-duplicate")  # build then points back at it from the other form
    stated = [line for line in expected if "the finding above" not in line]
    assert len(once) == 1 and len(expected) == 2 and stated == once
    assert f"RX-004 is the tracker ref of 2 forms: {FORM}.xlsx and copy.xlsx" in once[0]
    assert {line.split(": Project!B5: ")[0] for line in expected} == {str(inputs / "copy.xlsx"),
                                                                     f"{inputs / FORM}.xlsx"}


def test_a_new_rule_across_forms_runs_in_both_commands(two_forms, monkeypatch):
    """A second rule, declaring the fact it needs, is run by build over the up-to-date form too."""
    inputs, out = two_forms

    def rx_refs(forms):
        return [Problem(f.file, f"{Path(f.file).name}: {f.facts['tracker_ref'].value} is an RX ref",
                        f.facts["tracker_ref"].sheet,
                        f.facts["tracker_ref"].cell, severity="warning", code="rx-ref") for f in forms]

    rule = CrossRule("rx-ref", "warning", ("bcl",), "RX refs are counted", rx_refs, ("tracker_ref",))
    monkeypatch.setattr(crossform, "CROSSFORM_RULES", [*crossform.CROSSFORM_RULES, rule])
    monkeypatch.setitem(codes.CODES, "rx-ref", codes.Code("rx-ref", "warning", "RX refs are counted.", ("bcl",)))
    validated = findings(run("validate", inputs, "-j", 1).output, "rx-ref")
    built = findings(run("build", inputs, "-o", out, "-j", 1).output, "rx-ref")
    assert len(validated) == 2 and built == validated


def test_the_store_keeps_the_facts_with_their_cells(two_forms):
    _, out = two_forms
    with Store.open(out) as store:
        record = store.records()[f"{FORM}.docx"]
    assert record.facts == {"tracker_ref": ["RX-004", "Project", "B5", "tracker_ref"]}


def test_a_record_with_facts_it_cannot_use_means_a_rebuild(two_forms):
    inputs, out = two_forms
    db = sqlite3.connect(out / FOLDER / FILE)
    db.execute("UPDATE documents SET facts = ? WHERE name = ?", ('{"tracker_ref": "RX-004"}', f"{FORM}.docx"))
    db.commit()  # not [value, sheet, cell, field]
    db.close()
    result = run("build", out.parent / "inputs" / f"{FORM}.xlsx", "-o", out)
    assert "cannot be used" in result.output and "1 built, 0 up to date" in result.output


def test_check_forms_gives_facts_and_only_what_is_asked_of_the_case(make_form, programme):
    form = make_form(FORM)
    (checked,) = check_forms([form], programme)  # validate's check: nothing of the case comes back
    assert checked.kind == "bcl" and checked.read and checked.extract is None and not checked.errors
    assert checked.facts["tracker_ref"] == Fact("RX-004", "Project", "B5", "tracker_ref")
    (checked,) = check_forms([form], programme, extract=pickled)  # the build's: the case, to render it
    assert pickle.loads(checked.extract).project.tracker_ref == "RX-004"


def test_a_form_with_errors_gives_no_facts_and_takes_no_part(make_form, programme, tmp_path):
    good = make_form(FORM)
    bad = make_form(FORM, lambda case: setattr(case.qualification, "effort", 9), filename="bad.xlsx")
    checked = check_forms([good, bad], programme, jobs=2)
    assert [c.source for c in checked] == [str(good), str(bad)]
    assert not checked[0].problems and checked[1].errors and not checked[1].read
