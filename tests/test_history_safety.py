"""A build killed at any moment loses no change, and no command leaves a worker behind (issue 17 items 6, 7).

casegen runs here as a user's process (`python -m casegen` through a small wrapper), killed for real.
The wrapper only decides *when*: it replaces one step of the build with a SIGKILL of itself, or makes the
workers' task slow, so the kill lands in the window under test every time.
"""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from casegen.batch.store import FILE, FOLDER, LOCK, Store
from helpers import leftovers, rewrite, run

FORM = "bcl-service-optimisation"
OTHER = "brief-neighbourhood-working-model"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

WRAPPER = '''
import os, signal, sys, time
mode = sys.argv.pop(1)
from casegen.batch import check, history, store


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


if mode == "before-commit":  # the documents replaced, the store not yet written
    history.History.settle = die
elif mode == "mid-commit":  # inside the build's one transaction: the documents' records written, the log not yet
    store.Store._log = die
elif mode == "after-commit":  # the store written, the build not yet ended
    save = store.Store.save_build
    store.Store.save_build = lambda *args: (save(*args), die())
elif mode == "slow-workers":  # every worker busy with one form for a minute
    def check_form(*args, **kwargs):
        time.sleep(60)

    check_form.__module__ = check.__name__  # sent to the workers by this name
    check.check_form = check_form

from casegen.cli import main

sys.argv[0] = "casegen"
main()
'''


@pytest.fixture
def casegen(tmp_path):
    """Start casegen as its own process: casegen(mode, *args) -> Popen."""
    wrapper = tmp_path / "casegen_wrapper.py"
    wrapper.write_text(WRAPPER)

    def start(mode: str, *args) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, str(wrapper), mode, *map(str, args)], cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

    return start


def finish(process: subprocess.Popen) -> int:
    process.communicate(timeout=60)
    return process.returncode


def money_and_summary(case):
    case.finance.years[1].recurring_savings = Decimal(150000)  # 24/25, £200,000 in the sample
    case.summary = f"{case.summary} The review also covers agency staff at night."


def marked(docx: Path, tag: str) -> list[str]:
    from lxml import etree

    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    return ["".join(t.text or "" for t in el.iter(f"{W}t", f"{W}delText")) for el in root.iter(f"{W}{tag}")]


@pytest.fixture
def built(make_form, tmp_path):
    make_form(FORM, filename=f"inputs/{FORM}.xlsx")
    out = tmp_path / "out"
    assert run("build", tmp_path / "inputs", "-o", out).exit_code == 0
    return out


@pytest.mark.parametrize("moment", ["before-commit", "mid-commit", "after-commit"])
def test_a_build_killed_at_any_moment_loses_no_change(moment, built, make_form, casegen, tmp_path):
    inputs = tmp_path / "inputs"
    make_form(FORM, money_and_summary, filename=f"inputs/{FORM}.xlsx")
    killed = casegen(moment, "build", inputs, "-o", built, "--redline")
    assert finish(killed) == -signal.SIGKILL
    result = run("build", inputs, "-o", built, "--redline")
    assert result.exit_code == 0, result.output
    changes = run("changes", built).output
    assert f"{FORM}: Finance › Recurring Savings 24/25: £200,000 → £150,000" in changes
    assert f"{FORM}: Project › Summary: text changed (+8 words)" in changes
    redline = built / "redlines" / f"{FORM}.docx"
    assert "£200,000" in marked(redline, "del") and "£150,000" in marked(redline, "ins")
    assert run("changes", built, "--all").output.count("Recurring Savings") == 1  # logged once, not twice
    assert not leftovers(built) and not (built / FOLDER / f"{FILE}-journal").exists()
    assert not list(built.glob("*.edited-*"))  # the killed build's documents were casegen's: replaced, not kept


@pytest.mark.slow
@pytest.mark.parametrize("after", [0.6, 1.2, 1.8, 2.4])
def test_a_build_killed_after_any_delay_loses_no_change(after, make_form, casegen, tmp_path):
    """No hook: a real build of three forms, killed wherever it happens to be."""
    for name in (FORM, OTHER, "bcl-neighbourhood-working-model"):
        make_form(name, filename=f"inputs/{name}.xlsx")
    out, inputs = tmp_path / "out", tmp_path / "inputs"
    run("build", inputs, "-o", out)
    make_form(FORM, money_and_summary, filename=f"inputs/{FORM}.xlsx")
    process = casegen("none", "build", inputs, "-o", out, "--redline", "-B", "-j", "2")
    time.sleep(after)
    workers = children(process.pid)
    process.kill()
    finish(process)
    assert wait_for(lambda: not any(map(alive, workers)), 5)
    assert run("build", inputs, "-o", out, "--redline").exit_code == 0
    assert "Recurring Savings 24/25: £200,000 → £150,000" in run("changes", out).output
    assert "£150,000" in marked(out / "redlines" / f"{FORM}.docx", "ins")
    assert run("changes", out, "--all").output.count("Recurring Savings") == 1
    assert not leftovers(out)


def test_changes_after_a_build_killed_in_its_commit_shows_the_last_complete_build(built, make_form, casegen,
                                                                                 tmp_path):
    make_form(FORM, money_and_summary, filename=f"inputs/{FORM}.xlsx")
    assert finish(casegen("mid-commit", "build", tmp_path / "inputs", "-o", built)) == -signal.SIGKILL
    shown = run("changes", built)  # SQLite rolls the cut-off transaction back
    assert shown.exit_code == 0 and f"{FORM}: built (new)" in shown.output and "Recurring" not in shown.output
    assert not (built / FOLDER / LOCK).exists()  # changes took the lock of the killed build over, and let it go
    run("build", tmp_path / "inputs", "-o", built)
    assert "Recurring Savings 24/25: £200,000 → £150,000" in run("changes", built).output


def test_history_killed_before_commit_keeps_the_document_of_the_last_complete_build(built, make_form, casegen,
                                                                                    tmp_path):
    first = (built / f"{FORM}.docx").read_bytes()
    make_form(FORM, money_and_summary, filename=f"inputs/{FORM}.xlsx")
    assert finish(casegen("before-commit", "build", tmp_path / "inputs", "-o", built)) == -signal.SIGKILL
    assert (built / f"{FORM}.docx").read_bytes() != first  # the new document was written before the kill
    with Store.open(built) as store:
        assert store.document(f"{FORM}.docx") == first and store.pending() == {f"{FORM}.docx"}
    result = run("build", tmp_path / "inputs", "-o", built)
    assert f"built       {built / FORM}.docx (form changed)" in result.output


# no orphans

def children(pid: int) -> set[int]:
    """The processes `pid` started (from /proc: psutil is not a dependency)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def wait_for(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


COMMANDS = {
    "build": lambda d: ["build", d / "inputs", "-o", d / "out", "-j", "2"],
    "validate": lambda d: ["validate", d / "inputs", "-j", "2"],
    "portfolio": lambda d: ["portfolio", d / "inputs", "-o", d / "tracker.xlsx", "-j", "2"],
}


@pytest.fixture
def two_forms(make_form, tmp_path):
    make_form(FORM, filename=f"inputs/{FORM}.xlsx")
    make_form(OTHER, filename=f"inputs/{OTHER}.xlsx")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_command_stops_its_workers_and_releases_the_lock(command, sig, two_forms, casegen, tmp_path):
    process = casegen("slow-workers", *COMMANDS[command](tmp_path))
    assert wait_for(lambda: len(children(process.pid)) >= 2, 20), process.communicate()
    workers = children(process.pid)
    time.sleep(0.3)  # the workers are in their task
    started = time.monotonic()
    os.killpg(process.pid, sig) if sig == signal.SIGINT else process.send_signal(sig)  # Ctrl-C reaches the group
    _, err = process.communicate(timeout=10)
    assert time.monotonic() - started < 5 and process.returncode == 1, err
    assert b"Traceback" not in err and b"Aborted!" in err
    assert wait_for(lambda: not any(map(alive, workers)), 5), [p for p in workers if alive(p)]
    assert not leftovers(tmp_path)
    if command == "build":
        assert not (tmp_path / "out" / FOLDER / LOCK).exists()
        assert run("build", tmp_path / "inputs", "-o", tmp_path / "out").exit_code == 0  # the lock is free


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_workers_of_a_killed_build_end_with_it_and_the_next_build_runs(two_forms, casegen, tmp_path):
    process = casegen("slow-workers", *COMMANDS["build"](tmp_path))
    assert wait_for(lambda: len(children(process.pid)) >= 2, 20), process.communicate()
    workers = children(process.pid)
    process.kill()
    assert finish(process) == -signal.SIGKILL
    assert wait_for(lambda: not any(map(alive, workers)), 5), [p for p in workers if alive(p)]
    result = run("build", tmp_path / "inputs", "-o", tmp_path / "out")
    assert result.exit_code == 0 and "2 built" in result.output
    assert not leftovers(tmp_path)


# damaged history: set aside in one line, never a reason to stop a build

def build_changed(make_form, tmp_path, out, *options):
    make_form(FORM, money_and_summary, filename=f"inputs/{FORM}.xlsx")
    result = run("build", tmp_path / "inputs", "-o", out, *options)
    assert result.exit_code == 0, result.output
    return result


def notes(result, word: str) -> list[str]:
    return [line for line in result.output.splitlines() if word in line]


def spoil(out: Path, sql: str, *args) -> None:
    """Change the store behind casegen's back, as a damaged disk or another program might."""
    db = sqlite3.connect(out / FOLDER / FILE)
    db.execute(sql, args)
    db.commit()
    db.close()


@pytest.mark.parametrize("case", ['{"title": "Service Optim', "[1, 2, 3]", '{"finance": "none", "risks": 7}',
                                  b"\xff\xfe not json", '[' * 100000 + ']' * 100000])
def test_a_damaged_case_in_the_store_is_named_once_and_the_build_goes_on(case, built, make_form, tmp_path):
    spoil(built, "UPDATE documents SET vals = ? WHERE name = ?", case, f"{FORM}.docx")
    result = build_changed(make_form, tmp_path, built, "--redline")
    [note] = notes(result, "cannot be listed")
    assert str(built / FOLDER / FILE) in note and f"{FORM}.docx" in note
    assert (built / "redlines" / f"{FORM}.docx").exists()  # the documents still show what changed
    # the next change is found against the case this build kept
    make_form(FORM, filename=f"inputs/{FORM}.xlsx")
    run("build", tmp_path / "inputs", "-o", built)
    assert "Recurring Savings 24/25: £150,000 → £200,000" in run("changes", built).output


def test_a_missing_case_is_a_document_without_history(built, make_form, tmp_path):
    spoil(built, "UPDATE documents SET vals = NULL")
    result = build_changed(make_form, tmp_path, built, "--redline")
    assert "cannot be listed" not in result.output and "1 redline" in result.output


def test_a_build_date_that_is_not_one_is_left_out(built, make_form, tmp_path):
    build_changed(make_form, tmp_path, built)
    spoil(built, "INSERT INTO builds VALUES ('garbage', 1)")
    shown = run("changes", built)
    assert shown.exit_code == 0 and "Recurring Savings 24/25: £200,000 → £150,000" in shown.output


@pytest.mark.parametrize("place", [FOLDER, "redlines"])
def test_a_file_where_casegens_folder_should_be_is_set_aside(place, built, make_form, tmp_path):
    path = built / place
    if path.is_dir():
        shutil.rmtree(path)
    path.write_bytes(b"a file")
    result = build_changed(make_form, tmp_path, built, "--redline")
    assert len(notes(result, "set aside as")) == 1
    [aside] = built.glob(f"{place}.damaged-*")
    assert aside.read_bytes() == b"a file"
    assert path.is_dir() and run("changes", built).exit_code == 0


def test_a_damaged_previous_document_means_no_redline_not_a_failed_build(built, make_form, tmp_path):
    spoil(built, "UPDATE documents SET body = ?", b"PK\x03\x04 not a document")
    result = build_changed(make_form, tmp_path, built, "--redline")
    [note] = notes(result, "no redline")
    assert "is damaged" in note and not (built / "redlines").exists()
    assert "Recurring Savings 24/25: £200,000 → £150,000" in run("changes", built).output


def test_a_link_planted_as_a_document_is_never_read_into_a_redline(built, make_form, tmp_path):
    secret = tmp_path / "secret.docx"
    shutil.copy(built / f"{FORM}.docx", secret)
    rewrite(secret, "word/document.xml", lambda xml: xml.replace(b"Service", b"TOPSECRET", 1))
    target = built / f"{FORM}.docx"
    target.unlink()
    target.symlink_to(secret)
    make_form(FORM, money_and_summary, filename=f"inputs/{FORM}.xlsx")
    result = run("build", tmp_path / "inputs", "-o", built, "--redline")
    for docx in built.rglob("*.docx"):
        if not docx.is_symlink():
            with zipfile.ZipFile(docx) as zf:
                assert b"TOPSECRET" not in zf.read("word/document.xml"), docx
    assert b"TOPSECRET" in zipfile.ZipFile(secret).read("word/document.xml")  # and the target is untouched
    assert "Traceback" not in result.output


def test_what_a_killed_portfolio_left_half_written_is_swept_by_the_next(two_forms, tmp_path):
    leftover = tmp_path / ".tracker.xlsx.k1ll3d00.part"  # as fileio.atomic_path names it
    leftover.write_bytes(b"half a tracker")
    assert run("portfolio", tmp_path / "inputs", "-o", tmp_path / "tracker.xlsx").exit_code == 0
    assert not leftover.exists() and (tmp_path / "tracker.xlsx").exists()


@pytest.mark.parametrize("name", [f"{FILE}-journal", "tmp", LOCK])
def test_a_link_planted_in_casegens_folder_is_set_aside_and_its_target_never_written(name, built, make_form,
                                                                                     tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir() if name == "tmp" else elsewhere.write_bytes(b"not casegen's\n")
    before = sorted(p.name for p in elsewhere.iterdir()) if name == "tmp" else elsewhere.read_bytes()
    link = built / FOLDER / name
    link.symlink_to(elsewhere)
    result = build_changed(make_form, tmp_path, built, "--redline")
    assert (sorted(p.name for p in elsewhere.iterdir()) if name == "tmp" else elsewhere.read_bytes()) == before
    assert not link.is_symlink() and list(link.parent.glob(f"{name}.damaged-*"))
    assert f"a symbolic link (to {elsewhere})" in result.output and "loop of symbolic links" not in result.output
    assert "Recurring Savings 24/25: £200,000 → £150,000" in run("changes", built).output


# a person's edit and a killed build, in either order: nothing lost

def edit_in_word(document: Path, note: str) -> None:
    import docx

    opened = docx.Document(document)
    opened.add_paragraph(note)
    opened.core_properties.last_modified_by = "A. Person"
    opened.save(document)


def text_of(document: Path) -> str:
    with zipfile.ZipFile(document) as zf:
        return zf.read("word/document.xml").decode()


def test_an_edit_kept_aside_by_a_build_killed_later_stays_kept(built, make_form, casegen, tmp_path):
    edit_in_word(built / f"{FORM}.docx", "Agreed on Tuesday.")
    make_form(FORM, money_and_summary, filename=f"inputs/{FORM}.xlsx")
    assert finish(casegen("before-commit", "build", tmp_path / "inputs", "-o", built)) == -signal.SIGKILL
    result = run("build", tmp_path / "inputs", "-o", built)
    assert result.exit_code == 0 and "edited since" not in result.output  # the killed build's document: casegen's
    [aside] = built.glob(f"{FORM}.edited-*.docx")
    assert "Agreed on Tuesday." in text_of(aside) and "Agreed on Tuesday." not in text_of(built / f"{FORM}.docx")
    assert f"{FORM}: edited since casegen built it; kept as {aside.name}" in run("changes", built, "--all").output


def test_an_edit_of_the_document_a_killed_build_wrote_is_kept(built, make_form, casegen, tmp_path):
    make_form(FORM, money_and_summary, filename=f"inputs/{FORM}.xlsx")
    assert finish(casegen("before-commit", "build", tmp_path / "inputs", "-o", built)) == -signal.SIGKILL
    edit_in_word(built / f"{FORM}.docx", "Written over the unrecorded build.")
    result = run("build", tmp_path / "inputs", "-o", built)
    assert result.exit_code == 0 and "edited since casegen built it" in result.output
    [aside] = built.glob(f"{FORM}.edited-*.docx")
    assert "Written over the unrecorded build." in text_of(aside)
    assert "Recurring Savings 24/25: £200,000 → £150,000" in run("changes", built).output
