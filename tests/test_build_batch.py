"""`casegen build` over many forms, as the programme office runs it: only what changed, nothing half-written."""
import io
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from casegen.batch.build import config_digest
from casegen.batch.sources import template_digest
from casegen.batch.store import FILE, FOLDER, LOCK, Store
from casegen.render import TEMPLATE_FILES, templates_dir
from casegen.render.engine import CompiledTemplate
from helpers import rewrite_part, run, soffice_path

FORMS = ["bcl-service-optimisation", "bcl-neighbourhood-working-model", "brief-neighbourhood-working-model"]
SUMMARY = re.compile(r"^(\d+) built, (\d+) up to date, (\d+) failed(?:, .*)? \(\d+\.\d s\)$")


def counts(result) -> tuple[int, int, int]:
    """(built, up to date, failed) from the summary, which is always the last line."""
    last = result.output.strip().splitlines()[-1]
    m = SUMMARY.match(last)
    assert m, f"no summary line at the end of:\n{result.output}"
    return tuple(int(n) for n in m.groups())


@pytest.fixture
def inputs(make_form, tmp_path):
    """A folder of three forms (two kinds), one of them in a subfolder."""
    make_form(FORMS[0], filename=f"inputs/{FORMS[0]}.xlsx")
    make_form(FORMS[1], filename=f"inputs/{FORMS[1]}.xlsx")
    make_form(FORMS[2], filename=f"inputs/briefs/{FORMS[2]}.xlsx")
    return tmp_path / "inputs"


@pytest.fixture
def templates(tmp_path, monkeypatch):
    """A copy of the templates the build uses, to change."""
    folder = tmp_path / "templates"
    shutil.copytree(templates_dir(), folder)
    monkeypatch.setenv("CASEGEN_TEMPLATES", str(folder))
    return folder


def touch_template(path: Path) -> None:
    """Change a template's bytes, not what it prints: a new title in its core properties."""
    rewrite_part(path, "docProps/core.xml", lambda blob: re.sub(
        rb"(<dc:title>[^<]*)(</dc:title>)|(</cp:coreProperties>)",
        lambda m: (m.group(1) + b" (revised)" + m.group(2)) if m.group(1) else
        b"<dc:title>revised</dc:title>" + m.group(3), blob, count=1))


def break_effort(form: Path) -> str:
    """Type a word where the form wants a number; returns the cell."""
    wb = load_workbook(form)
    sheet, cell = next(wb.defined_names["qualification_effort"].destinations)
    wb[sheet][cell.replace("$", "")] = "easy"
    wb.save(form)
    return f"{sheet}!{cell.replace('$', '')}"


def docs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.docx"))}


def parts(out: Path) -> dict[str, dict[str, bytes]]:
    """Each document's parts, but for the build time in its properties (docProps/core.xml)."""
    found = {}
    for p in sorted(out.glob("*.docx")):
        with zipfile.ZipFile(p) as zf:
            found[p.name] = {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}
    return found


def test_first_build_makes_every_document_then_nothing(inputs, tmp_path):
    out = tmp_path / "out"
    first = run("build", inputs, "-o", out)
    assert first.exit_code == 0, first.output
    assert counts(first) == (3, 0, 0)
    assert set(docs(out)) == {f"{name}.docx" for name in FORMS}
    assert f"built       {out / (FORMS[0] + '.docx')}" in first.output  # one plain line a document in a log
    again = run("build", inputs, "-o", out)
    assert again.exit_code == 0 and counts(again) == (0, 3, 0)


def test_nothing_changed_opens_no_workbook(inputs, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run("build", inputs, "-o", out)

    def opened(*args, **kwargs):
        raise AssertionError("a workbook was opened")

    monkeypatch.setattr("casegen.intake.reader.read_intake", opened)
    monkeypatch.setattr("casegen.intake.workbook.inspect_workbook", opened)
    monkeypatch.setattr("casegen.intake.book.Book", opened)
    monkeypatch.setattr("openpyxl.load_workbook", opened)
    result = run("build", inputs, "-o", out, "-j", 1)
    assert result.exit_code == 0, result.output
    assert counts(result) == (0, 3, 0)


def test_changed_form_rebuilds_only_its_document(inputs, tmp_path, make_form):
    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    before = docs(out)

    def retitle(case):
        case.project.title = "Service Optimisation, phase 2"

    make_form(FORMS[0], retitle, filename=f"inputs/{FORMS[0]}.xlsx")
    result = run("build", inputs, "-o", out)
    assert counts(result) == (1, 2, 0)
    after = docs(out)
    assert after[f"{FORMS[0]}.docx"] != before[f"{FORMS[0]}.docx"]
    assert {k: v for k, v in after.items() if not k.startswith(FORMS[0])} == \
        {k: v for k, v in before.items() if not k.startswith(FORMS[0])}


def test_changed_template_rebuilds_every_document_that_uses_it(inputs, tmp_path, templates):
    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    touch_template(templates / TEMPLATE_FILES["bcl"])
    result = run("build", inputs, "-o", out)
    assert counts(result) == (2, 1, 0)  # the two Business Cases Lite; the Project Brief has its own template
    assert f"up to date  {out / (FORMS[2] + '.docx')}" in result.output
    touch_template(templates / TEMPLATE_FILES["brief"])
    assert counts(run("build", inputs, "-o", out)) == (1, 2, 0)


def test_changed_configuration_rebuilds_everything(inputs, tmp_path):
    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    from casegen.config import default_text

    other = tmp_path / "programme.toml"
    other.write_text(default_text().replace('programme = "', 'programme = "Renamed ', 1), encoding="utf-8")
    assert counts(run("--config", other, "build", inputs, "-o", out)) == (3, 0, 0)


def test_missing_document_is_rebuilt_and_always_make_rebuilds_all(inputs, tmp_path):
    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    (out / f"{FORMS[1]}.docx").unlink()
    assert counts(run("build", inputs, "-o", out)) == (1, 2, 0)
    assert counts(run("build", inputs, "-o", out, "-B")) == (3, 0, 0)
    assert counts(run("build", inputs, "-o", out, "--always-make")) == (3, 0, 0)


def foreign_sqlite(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE documents (name TEXT)")
    db.commit()
    db.close()


def newer_store(path):
    with Store.open(path.parent.parent):
        pass
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()


DAMAGE = {"not sqlite": lambda p: p.write_bytes(b"\x00\xffnot a database" * 100),
          "cut off": lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x10\x00" + b"\xff" * 900),
          "another program's": foreign_sqlite, "a newer casegen's": newer_store,
          "a pipe": os.mkfifo, "a link": lambda p: p.symlink_to(p.parent.parent.parent / "elsewhere"),
          "a link to /dev/zero": lambda p: p.symlink_to("/dev/zero"),
          "a 3 GB sparse file": lambda p: (p.write_bytes(b""), os.truncate(p, 3 * 2**30)),
          "a folder": lambda p: p.mkdir()}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_or_foreign_store_is_set_aside_in_one_line_and_everything_rebuilt(inputs, tmp_path, damage):
    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    store = out / FOLDER / FILE
    (tmp_path / "elsewhere").write_bytes(b"not casegen's")
    store.unlink()
    DAMAGE[damage](store)
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 0, result.output
    assert counts(result) == (3, 0, 0)
    [note] = [line for line in result.output.splitlines() if "set aside" in line]
    assert note.startswith(str(store)) and f"set aside as {FILE}.damaged-" in note
    assert len(list(store.parent.glob(f"{FILE}.damaged-*"))) == 1
    assert (tmp_path / "elsewhere").read_bytes() == b"not casegen's"  # a link is never followed
    assert counts(run("build", inputs, "-o", out)) == (0, 3, 0)  # and a good store again


def test_one_bad_form_is_named_with_its_cell_and_the_others_are_built(inputs, tmp_path):
    out = tmp_path / "out"
    bad = inputs / f"{FORMS[0]}.xlsx"
    cell = break_effort(bad)
    (inputs / "notes.xlsx").write_bytes(b"this is not a workbook")
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 1
    assert counts(result) == (2, 0, 2)
    assert f"failed {bad}:" in result.output
    assert (f"  {bad}: {cell}: Effort / Easy of Implementation: must be a whole number from 1 to 5, "
            "got 'easy'") in result.output
    assert f"{inputs / 'notes.xlsx'}: " in result.output
    assert set(docs(out)) == {f"{FORMS[1]}.docx", f"{FORMS[2]}.docx"}


def test_a_form_that_crashes_the_reader_does_not_stop_the_others(inputs, tmp_path, monkeypatch):
    from casegen.intake import reader

    real = reader.read_intake

    def flaky(path, programme):
        if Path(path).name.startswith(FORMS[1]):
            raise RuntimeError("something nobody foresaw")
        return real(path, programme)

    monkeypatch.setattr(reader, "read_intake", flaky)
    result = run("build", inputs, "-o", tmp_path / "out", "-j", 1)
    assert result.exit_code == 1 and counts(result) == (2, 0, 1)
    assert "could not be read (RuntimeError: something nobody foresaw)" in result.output


def test_failed_render_leaves_the_previous_document_and_no_partial_file(inputs, tmp_path, make_form, monkeypatch):
    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    before = docs(out)
    for name in FORMS[:2]:
        make_form(name, lambda case: setattr(case.project, "title", "Changed"), filename=f"inputs/{name}.xlsx")
    real = CompiledTemplate.render

    def half_then_fail(self, context):
        if context["project"].tracker_ref == "RX-004":  # FORMS[0]
            raise RuntimeError("disk on fire")
        return real(self, context)

    monkeypatch.setattr(CompiledTemplate, "render", half_then_fail)
    result = run("build", inputs, "-o", out, "-j", 1)
    assert result.exit_code == 1 and counts(result) == (1, 1, 1)
    assert "could not be rendered (RuntimeError: disk on fire)" in result.output
    after = docs(out)
    assert after[f"{FORMS[0]}.docx"] == before[f"{FORMS[0]}.docx"]
    assert after[f"{FORMS[1]}.docx"] != before[f"{FORMS[1]}.docx"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*before, FOLDER])
    assert not list(out.rglob("*.part"))
    monkeypatch.undo()
    assert counts(run("build", inputs, "-o", out)) == (1, 2, 0)  # the failed one is still stale


def test_write_cut_short_leaves_the_previous_document(inputs, tmp_path, make_form, monkeypatch):
    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    before = docs(out)
    make_form(FORMS[0], lambda case: setattr(case.project, "title", "Changed"), filename=f"inputs/{FORMS[0]}.xlsx")

    def half_written(self, data):
        with open(self, "wb") as fh:
            fh.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", half_written)
    result = run("build", inputs, "-o", out, "-j", 1)
    assert result.exit_code == 1
    assert f"failed {inputs / (FORMS[0] + '.xlsx')}" in result.output and "No space left on device" in result.output
    assert docs(out) == before
    assert not list(out.glob(".*.part"))


def test_a_store_that_cannot_be_written_fails_the_build_not_the_documents(inputs, tmp_path, monkeypatch):
    def full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "save_build", full)
    result = run("build", inputs, "-o", tmp_path / "out")
    assert result.exit_code == 1 and counts(result) == (3, 0, 0)
    assert "cannot write casegen's state (database or disk is full)" in result.output
    assert "[build-manifest]" in result.output
    monkeypatch.undo()
    assert counts(run("build", inputs, "-o", tmp_path / "out")) == (3, 0, 0)


def test_interrupted_build_keeps_documents_whole_and_the_next_one_finishes(inputs, tmp_path, make_form, monkeypatch):
    from casegen.batch.build import BuildOptions, build
    from casegen.config import load

    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    before = docs(out)
    (out / f".{FORMS[0]}.docx.abc123xy.part").write_bytes(b"left by a build killed with SIGKILL")
    for name in FORMS[:2]:
        make_form(name, lambda case: setattr(case.project, "title", "Changed"), filename=f"inputs/{name}.xlsx")

    def interrupted(self, context):
        raise KeyboardInterrupt

    monkeypatch.setattr(CompiledTemplate, "render", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build([inputs], out, load(), BuildOptions(jobs=1))
    assert docs(out) == before
    assert not list(out.glob(".*.part"))  # swept at the start, and none left by this build
    monkeypatch.undo()
    assert counts(run("build", inputs, "-o", out)) == (2, 1, 0)


def test_a_second_build_into_the_same_folder_is_refused(inputs, tmp_path):
    out = tmp_path / "out"
    with Store.open(out):
        result = run("build", inputs, "-o", out)
    assert result.exit_code == 1
    assert f"{out} is being built by another casegen build (pid {os.getpid()}, since " in result.output
    assert not docs(out)
    assert counts(run("build", inputs, "-o", out)) == (3, 0, 0)  # released


def test_lock_left_by_a_dead_build_is_taken_over(inputs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (out / FOLDER).mkdir()
    (out / FOLDER / LOCK).write_text(json.dumps({"host": socket.gethostname(), "user": "ann", "pid": int(dead.stdout),
                                                 "since": "2026-12-01T09:00:00+00:00"}))
    assert counts(run("build", inputs, "-o", out)) == (3, 0, 0)
    assert not (out / FOLDER / LOCK).exists()


def test_a_lock_held_from_another_machine_is_refused_naming_who_and_what_to_do(inputs, tmp_path):
    out = tmp_path / "out"
    (out / FOLDER).mkdir(parents=True)
    lock = out / FOLDER / LOCK
    lock.write_text(json.dumps({"host": "FINANCE-PC7", "user": "ann.lee", "pid": 4242,
                                "since": "2026-12-01T09:00:00+00:00"}))
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 1 and not docs(out)
    assert (f"{out} is being built by ann.lee on FINANCE-PC7, pid 4242, since 1 Dec 2026, 09:00; if that "
            f"build is not running any more, delete {lock} and build again") in result.output
    lock.unlink()
    assert counts(run("build", inputs, "-o", out)) == (3, 0, 0)


@pytest.mark.parametrize("planted", ["a link", "garbage"])
def test_a_lock_that_is_a_link_or_not_casegens_is_set_aside_never_followed(inputs, tmp_path, planted):
    out, thesis = tmp_path / "out", tmp_path / "thesis.txt"
    thesis.write_text("my thesis")
    (out / FOLDER).mkdir(parents=True)
    lock = out / FOLDER / LOCK
    lock.symlink_to(thesis) if planted == "a link" else lock.write_text("not json")
    os.utime(lock, (0, 0), follow_symlinks=False)  # not one being written this second
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 0 and counts(result) == (3, 0, 0), result.output
    assert thesis.read_text() == "my thesis" and "loop of symbolic links" not in result.output
    assert f"{lock}: " in result.output and "set aside as lock.damaged-" in result.output
    if planted == "a link":
        assert f"a symbolic link (to {thesis})" in result.output


def test_lock_held_by_another_process(inputs, tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from casegen.batch.store import Store\n"
                               f"with Store.open({str(out)!r}):\n print('held', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = run("build", inputs, "-o", out)
        assert result.exit_code == 1 and f"(pid {holder.pid}, since " in result.output
    finally:
        holder.communicate("", timeout=30)


def test_serial_and_parallel_builds_write_the_same_documents(inputs, tmp_path):
    assert run("build", inputs, "-o", tmp_path / "serial", "-j", 1).exit_code == 0
    assert run("build", inputs, "-o", tmp_path / "parallel", "-j", 3).exit_code == 0
    serial, parallel = parts(tmp_path / "serial"), parts(tmp_path / "parallel")
    assert serial == parallel and len(serial) == 3
    run("build", inputs, "-o", tmp_path / "serial", "--rebuild")
    assert parts(tmp_path / "serial") == serial  # and the same again later: the clock only in the properties


def test_document_dates_come_from_the_template_not_the_clock(inputs, tmp_path):
    run("build", inputs, "-o", tmp_path / "out")
    with zipfile.ZipFile(templates_dir() / TEMPLATE_FILES["bcl"]) as zf:
        stamps = {i.filename: i.date_time for i in zf.infolist()}
    with zipfile.ZipFile(tmp_path / "out" / f"{FORMS[0]}.docx") as zf:
        assert {i.filename: i.date_time for i in zf.infolist()} == stamps


def test_manifest_stamps_what_each_document_was_made_from(inputs, tmp_path, programme):
    import hashlib

    from casegen import __version__

    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    with Store.open(out) as store:
        record = store.records()[f"{FORMS[0]}.docx"]
    form = inputs / f"{FORMS[0]}.xlsx"
    template = templates_dir() / TEMPLATE_FILES["bcl"]
    assert record.stamp[0] == hashlib.sha256(form.read_bytes()).hexdigest()
    assert record.stamp[1] == CompiledTemplate(template).digest == template_digest(template)
    assert record.stamp[2:] == (config_digest(programme), __version__)
    assert record.kind == "bcl" and record.facts["tracker_ref"] == ["RX-004", "Project", "B5", "tracker_ref"]
    assert (out / record.source).resolve() == form.resolve()
    assert record.sha256 == hashlib.sha256((out / f"{FORMS[0]}.docx").read_bytes()).hexdigest()


def test_tracker_ref_used_twice_fails_both_forms_even_one_up_to_date(inputs, tmp_path, make_form):
    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    before = docs(out)
    copy = make_form(FORMS[0], lambda case: setattr(case.project, "title", "A copy"), filename="inputs/copy.xlsx")
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 1 and counts(result) == (0, 2, 2)
    group = f"RX-004 is the tracker ref of 2 forms: {FORMS[0]}.xlsx and copy.xlsx"
    assert result.output.count(group) == 1  # stated once, as validate states it
    forms = {str(copy), str(inputs / (FORMS[0] + '.xlsx'))}
    stated = {f for f in forms if f"{f}: Project!B5: Portfolio Tracker ref: {group}" in result.output}
    assert len(stated) == 1
    assert f"{(forms - stated).pop()}: Project!B5: the finding above [tracker-ref-duplicate]" in result.output
    assert docs(out) == before  # the copy got no document; the first one kept its own


def test_strict_fails_a_form_with_warnings(inputs, tmp_path):
    out = tmp_path / "out"
    form = inputs / f"{FORMS[1]}.xlsx"
    wb = load_workbook(form)
    wb["Project"]["F30"] = "a note"  # typed outside the form's cells: a warning
    wb.save(form)
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 0 and counts(result) == (3, 0, 0)
    assert "Project!F30: warning: 'a note' is typed outside the form's cells" in result.output
    strict = run("build", inputs, "-o", out, "--strict")
    assert strict.exit_code == 1 and counts(strict) == (0, 2, 1)  # re-read: it had warnings
    assert "--strict counts its warnings as errors" in strict.output


@pytest.mark.slow  # its PDFs are made by LibreOffice
def test_documents_whose_form_is_gone_are_reported_then_pruned(inputs, tmp_path):
    out = tmp_path / "out"
    run("build", inputs, "-o", out, "--pdf")
    (inputs / f"{FORMS[1]}.xlsx").unlink()
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 0 and counts(result) == (0, 2, 0)
    assert f"gone        {out / (FORMS[1] + '.docx')}" in result.output and "1 gone" in result.output
    assert (out / f"{FORMS[1]}.docx").exists()
    pruned = run("build", inputs, "-o", out, "--prune")
    assert "1 pruned" in pruned.output
    assert not (out / f"{FORMS[1]}.docx").exists() and not (out / f"{FORMS[1]}.pdf").exists()
    assert "gone" not in run("build", inputs, "-o", out).output


def test_the_second_of_two_forms_making_one_document_fails_and_the_rest_are_built(inputs, tmp_path):
    second = inputs / "briefs" / f"{FORMS[0]}.xlsx"
    shutil.copy(inputs / f"{FORMS[0]}.xlsx", second)
    result = run("build", inputs, "-o", tmp_path / "out")
    assert result.exit_code == 1 and counts(result) == (3, 0, 1)
    assert f"{second}: would make {FORMS[0]}.docx, the document of {inputs / f'{FORMS[0]}.xlsx'}" in result.output
    assert "[build-name-clash]" in result.output


def test_folders_skip_office_lock_files_and_annotated_copies(inputs, tmp_path):
    (inputs / f"~${FORMS[0]}.xlsx").write_bytes(b"Excel's lock file")
    shutil.copy(inputs / f"{FORMS[0]}.xlsx", inputs / f"{FORMS[0]}.checked.xlsx")
    result = run("build", inputs, inputs / f"{FORMS[0]}.xlsx", "-o", tmp_path / "out")
    assert result.exit_code == 0 and counts(result) == (3, 0, 0)


def test_pdf_without_libreoffice_says_so_and_still_builds(inputs, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = run("build", inputs, "-o", tmp_path / "out", "--pdf")
    assert result.exit_code == 1
    assert "LibreOffice is not installed" in result.output and "the Word documents were built" in result.output
    assert counts(result) == (3, 0, 0) and len(docs(tmp_path / "out")) == 3


def test_pdf_converts_the_batch_in_one_libreoffice_process(inputs, tmp_path, monkeypatch):
    calls = []

    def fake_soffice(command, **kwargs):
        calls.append(command)
        outdir = Path(command[command.index("--outdir") + 1])
        outdir.mkdir(parents=True)
        for doc in command[command.index(outdir.as_posix()) + 1:]:
            (outdir / (Path(doc).stem + ".pdf")).write_bytes(b"%PDF-1.7 fake")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr("casegen.batch.pdf.find_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr("casegen.batch.pdf.subprocess.run", fake_soffice)
    out = tmp_path / "out"
    result = run("build", inputs, "-o", out, "--pdf")
    assert result.exit_code == 0, result.output
    assert len(calls) == 1 and sum(a.endswith(".docx") for a in calls[0]) == 3
    assert any(a.startswith("-env:UserInstallation=file://") for a in calls[0])
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(f"{n}.pdf" for n in FORMS)
    assert "3 PDF made" in result.output
    assert run("build", inputs, "-o", out, "--pdf").exit_code == 0 and len(calls) == 1  # all PDFs up to date


@pytest.mark.slow
def test_pdf_through_libreoffice(make_form, tmp_path):
    if not soffice_path():
        pytest.skip("LibreOffice (soffice) is not installed: .ci/run installs libreoffice-writer-nogui")
    make_form(FORMS[0], filename=f"inputs/{FORMS[0]}.xlsx")
    result = run("build", tmp_path / "inputs", "-o", tmp_path / "out", "--pdf")
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "out" / f"{FORMS[0]}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000
    assert not list((tmp_path / "out").glob(".casegen-pdf-*"))


def test_one_form_builds_one_document(make_form, tmp_path):
    result = run("build", make_form(FORMS[2]), "-o", tmp_path / "one")
    assert result.exit_code == 0, result.output
    assert "1 built, 0 up to date, 0 failed" in result.output and "warning" not in result.output
    target = tmp_path / "one" / f"{FORMS[2]}.docx"
    assert zipfile.ZipFile(io.BytesIO(target.read_bytes())).testzip() is None


def test_a_build_leaves_out_lock_files_annotated_copies_and_hidden_folders(inputs):
    from casegen.intake.files import find_forms

    forms = sorted(inputs.rglob("*.xlsx"))
    (inputs / f"~${FORMS[0]}.xlsx").write_bytes(b"lock")
    (inputs / f"{FORMS[0]}.checked.xlsx").write_bytes(b"annotated")
    (inputs / ".venv").mkdir()
    (inputs / ".venv" / "vendored.xlsx").write_bytes(b"not ours")
    assert find_forms([inputs, inputs / "x.xlsx"]) == forms + [inputs / "x.xlsx"]


def test_nothing_to_do_imports_neither_reader_nor_renderer(inputs, tmp_path):
    run("build", inputs, "-o", tmp_path / "out")
    code = ("import sys; from casegen.cli import cli\n"
            f"try: cli(['build', {str(inputs)!r}, '-o', {str(tmp_path / 'out')!r}])\n"
            "except SystemExit as e: assert e.code == 0, e.code\n"
            "heavy = [m for m in ('casegen.intake.reader', 'casegen.render.engine', 'docxtpl', 'openpyxl', 'lxml')"
            " if m in sys.modules]\n"
            "assert not heavy, heavy")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 built, 3 up to date, 0 failed" in done.stdout


def test_nothing_changed_writes_nothing(inputs, tmp_path):
    out = tmp_path / "out"
    run("build", inputs, "-o", out)
    before = {p.name: p.stat().st_mtime_ns for p in [*out.iterdir(), out / FOLDER / FILE] if p.name != FOLDER}
    run("build", inputs, "-o", out)
    assert {p.name: p.stat().st_mtime_ns for p in [*out.iterdir(), out / FOLDER / FILE] if p.name != FOLDER} == before
