"""What changed between two builds: the tracked-changes redline, `casegen changes`, and the build's history."""
import json
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from casegen.batch.store import FOLDER, Store
from casegen.models.common import Deliverable
from casegen.render import TEMPLATE_FILES, templates_dir
from helpers import digest, leftovers, rewrite, run, to_pdf

FORMS = ["bcl-service-optimisation", "bcl-neighbourhood-working-model", "brief-neighbourhood-working-model"]
ADDED = "The review will also look at the cost of agency staff cover at night and at weekends."
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def inputs(make_form, tmp_path):
    for name in FORMS:
        make_form(name, filename=f"inputs/{name}.xlsx")
    return tmp_path / "inputs"


@pytest.fixture
def built(inputs, tmp_path):
    out = tmp_path / "out"
    assert run("build", inputs, "-o", out).exit_code == 0
    return out


def revise(make_form, edit):
    """FORMS[0], saved again with `edit` made to its case."""
    return make_form(FORMS[0], edit, filename=f"inputs/{FORMS[0]}.xlsx")


def money_and_summary(case):
    case.finance.years[1].recurring_savings = Decimal(150000)  # 24/25, £200,000 in the sample
    case.summary = f"{case.summary} {ADDED}"


def rows_changed(case):
    case.risks.pop()
    case.deliverables.append(Deliverable(deliverable="Report to the board", start="Feb 2024", finish="Mar 2024"))


def marked(docx: Path, tag: str) -> list[str]:
    """The text inside each w:ins or w:del of a document."""
    from lxml import etree

    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    return ["".join(t.text or "" for t in el.iter(f"{W}t", f"{W}delText")) for el in root.iter(f"{W}{tag}")]


def test_a_changed_money_field_and_summary_give_one_redline(inputs, built, make_form):
    old = (built / f"{FORMS[0]}.docx").read_bytes()
    revise(make_form, money_and_summary)
    result = run("build", inputs, "-o", built, "--redline")
    redline = built / "redlines" / f"{FORMS[0]}.docx"
    assert result.exit_code == 0
    assert f"1 redline ({redline})" in result.output.splitlines()[-1]
    assert sorted(p.name for p in (built / "redlines").iterdir()) == [redline.name]
    assert "£200,000" in marked(redline, "del") and "£150,000" in marked(redline, "ins")
    assert any(ADDED in text for text in marked(redline, "ins"))
    with Store.open(built) as store:  # what the next build compares with: this build's document and case
        assert store.document(f"{FORMS[0]}.docx") == (built / f"{FORMS[0]}.docx").read_bytes() != old
        assert store.case(f"{FORMS[0]}.docx")["summary"].endswith(ADDED)
    assert not leftovers(built)


def test_changes_names_each_field_by_its_label_with_old_and_new_values(inputs, built, make_form):
    revise(make_form, money_and_summary)
    run("build", inputs, "-o", built)
    out = run("changes", built).output
    assert f"{FORMS[0]}: Finance › Recurring Savings 24/25: £200,000 → £150,000" in out
    assert f"{FORMS[0]}: Project › Summary: text changed (+{len(ADDED.split())} words)" in out
    assert FORMS[1] not in out and FORMS[2] not in out
    changes = json.loads(run("changes", built, "--json").output)["changes"]
    money = next(c for c in changes if c["field"] == "Finance › Recurring Savings 24/25")
    assert (money["form"], money["old"], money["new"]) == (FORMS[0], "£200,000", "£150,000")


def test_a_removed_risk_and_an_added_deliverable_are_rows(inputs, built, make_form):
    revise(make_form, rows_changed)
    run("build", inputs, "-o", built, "--redline")
    out = run("changes", built).output
    assert f"{FORMS[0]}: Risks: removed '1 There is a risk that an …'" in out
    assert f"{FORMS[0]}: Timetable › Deliverables: added 'Report to the board'" in out
    with zipfile.ZipFile(built / "redlines" / f"{FORMS[0]}.docx") as zf:
        xml = zf.read("word/document.xml").decode()
    assert re.search(r"<w:trPr>(?:<[^>]+/>)*<w:del [^>]+/></w:trPr>.*?There is a risk", xml)
    assert re.search(r"<w:trPr>(?:<[^>]+/>)*<w:ins [^>]+/></w:trPr>.*?Report to the board", xml)


def test_a_build_with_nothing_to_do_writes_nothing_and_nothing_changed(inputs, built):
    before = digest(built), {p: p.stat().st_mtime_ns for p in built.rglob("*") if p.name != FOLDER}
    result = run("build", inputs, "-o", built, "--redline")
    assert result.exit_code == 0 and "redline" not in result.output
    assert (digest(built), {p: p.stat().st_mtime_ns for p in built.rglob("*") if p.name != FOLDER}) == before
    shown = run("changes", built).output  # still the first build's: every document new
    assert all(f"{name}: built (new)" in shown for name in FORMS) and "→" not in shown


def test_a_rebuild_with_the_same_text_gets_no_redline(inputs, built):
    result = run("build", inputs, "-o", built, "-B", "--redline")
    assert result.exit_code == 0 and "redline" not in result.output
    assert not (built / "redlines").exists() or not list((built / "redlines").iterdir())


def test_history_keeps_every_build(inputs, built, make_form):
    revise(make_form, money_and_summary)
    run("build", inputs, "-o", built)
    revise(make_form, rows_changed)  # from the sample again: the money and summary go back
    run("build", inputs, "-o", built)
    last = run("changes", built).output
    assert "→ £200,000" in last and "Report to the board" in last and "£200,000 → £150,000" not in last
    everything = run("changes", built, "--all").output
    assert everything.count("build of ") == 3 and "£200,000 → £150,000" in everything
    assert everything.count("(new)") == 3 and everything.count("(form changed)") == 2


def test_changes_of_a_folder_never_built_says_so(tmp_path):
    result = run("changes", tmp_path)
    assert result.exit_code == 1 and "has no build history" in result.output


def test_a_template_change_is_reported_once_and_still_redlined(inputs, tmp_path, monkeypatch):
    folder = tmp_path / "templates"
    shutil.copytree(templates_dir(), folder)
    monkeypatch.setenv("CASEGEN_TEMPLATES", str(folder))
    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    rewrite(folder / TEMPLATE_FILES["bcl"], "word/document.xml", lambda xml: xml.replace(
        b">Project Information<", b">Key Facts<", 1))
    result = run("build", inputs, "-o", out, "--redline")
    assert result.exit_code == 0 and "2 built, 1 up to date" in result.output and "2 redlines" in result.output
    changes = run("changes", out).output.splitlines()[1:]
    assert sorted(changes) == sorted([f"  every BCL document changed: template {TEMPLATE_FILES['bcl']} changed",
                                      f"  {FORMS[0]}: built (template changed)",
                                      f"  {FORMS[1]}: built (template changed)"])
    assert f"built       {out / FORMS[0]}.docx (template changed)" in result.output
    assert "Project Information" in marked(out / "redlines" / f"{FORMS[0]}.docx", "del")
    assert "Key Facts" in marked(out / "redlines" / f"{FORMS[0]}.docx", "ins")


@pytest.mark.slow
def test_the_redline_opens_in_libreoffice_with_both_values(inputs, built, make_form, tmp_path):
    revise(make_form, lambda case: (money_and_summary(case), rows_changed(case)))
    run("build", inputs, "-o", built, "--redline")
    pdf = to_pdf(built / "redlines" / f"{FORMS[0]}.docx", tmp_path / "pdf")
    import subprocess

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "£200,000" in text and "£150,000" in text and "agency staff" in text and "Report to the board" in text


def test_pruning_a_document_forgets_its_case_previous_copy_and_redline(inputs, built, make_form):
    revise(make_form, money_and_summary)
    run("build", inputs, "-o", built, "--redline")
    (inputs / f"{FORMS[0]}.xlsx").unlink()
    run("build", inputs, "-o", built, "--prune")
    kept = [p.name for p in built.rglob("*") if p.is_file()]
    assert not [name for name in kept if name.startswith(FORMS[0])]
    with Store.open(built) as store:
        assert f"{FORMS[0]}.docx" not in store.records() and store.document(f"{FORMS[0]}.docx") is None
    assert "Recurring Savings" in run("changes", built, "--all").output  # the history stays
    assert run("changes", built).output.splitlines()[1:] == [  # the pruning build is the last that changed one
        f"  {FORMS[0]}: removed, as its intake form {FORMS[0]}.xlsx is gone"]
    report = json.loads(run("changes", built, "--json").output)
    assert report["changes"] == [{"form": FORMS[0], "field": "", "old": f"{FORMS[0]}.xlsx", "what": "pruned",
                                  "date": report["last_build"]}]


def test_a_rebuild_that_changes_no_text_keeps_the_last_redline_and_changes(inputs, built, make_form):
    revise(make_form, money_and_summary)
    run("build", inputs, "-o", built, "--redline")
    redline = built / "redlines" / f"{FORMS[0]}.docx"
    kept, shown = redline.read_bytes(), run("changes", built).output
    assert "£200,000 → £150,000" in shown
    result = run("build", inputs, "-o", built, "--redline", "-B")
    assert result.exit_code == 0 and "3 built" in result.output and "redline" not in result.output
    assert redline.read_bytes() == kept
    assert run("changes", built).output == shown


def test_a_programme_change_that_prints_nothing_new_keeps_the_last_changes(inputs, built, make_form, tmp_path):
    from casegen.config import default_text

    revise(make_form, money_and_summary)
    run("build", inputs, "-o", built, "--redline")
    shown = run("changes", built).output
    programme = tmp_path / "programme.toml"
    programme.write_text(default_text().replace('"Communications"]', '"Communications", "Parking"]'))
    result = run("--config", programme, "build", inputs, "-o", built, "--redline")
    assert result.exit_code == 0 and "redline" not in result.output
    assert (built / "redlines" / f"{FORMS[0]}.docx").exists()
    assert run("changes", built).output == shown
