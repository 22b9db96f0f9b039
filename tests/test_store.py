"""The store of casegen's state (batch/store.py): portfolio snapshots, the folder's lock, and a damaged or
foreign store set aside in one line, never a reason to stop a run."""
from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from casegen.batch.store import CHECKED, FILE, FOLDER, LOCK, Store
from casegen.errors import BuildError
from helpers import run


def test_snapshots_are_kept_by_date_and_a_second_of_one_date_replaces_it(tmp_path):
    with Store.open(tmp_path) as store:
        store.put_snapshot("2026-11-30", '{"cases": 3}')
        store.put_snapshot("2026-10-31", '{"cases": 2}')
        store.put_snapshot("2026-11-30", '{"cases": 4}')
    with Store.open(tmp_path) as store:
        assert store.snapshot_dates() == ["2026-10-31", "2026-11-30"]
        assert store.get_snapshot("2026-11-30") == '{"cases": 4}'
        assert store.get_snapshot("2026-09-30") is None
    assert sorted(os.listdir(tmp_path / FOLDER)) == [CHECKED, FILE]  # the lock released (the store's fingerprint kept)


def test_a_snapshot_kept_case_by_case_reads_back_as_its_text_whole(tmp_path):
    cases = ['{"ref": "RX-101", "title": "Café £ savings…"}', '{"ref": "PL-103", "title": "Ūnicode ✓"}']
    with Store.open(tmp_path) as store:
        store.snapshot_cases((f"key {i}", case) for i, case in enumerate(cases))  # taken a case at a time
        store.put_snapshot_cases("2026-11-30", '{"cases":[', '],"left_out":["Ω.xlsx"]}')
        store.put_snapshot_cases("2026-10-31", '{"cases":[', "]}")  # no case kept aside since: none
    with Store.open(tmp_path) as store:
        assert store.get_snapshot("2026-11-30") == '{"cases":[' + ",".join(cases) + '],"left_out":["Ω.xlsx"]}'
        assert store.get_snapshot("2026-10-31") == '{"cases":[]}'
        assert store.snapshot_dates() == ["2026-10-31", "2026-11-30"]


def test_the_cases_of_two_snapshots_kept_aside_come_back_paired_by_key_in_order(tmp_path):
    with Store.open(tmp_path) as store:
        store.snapshot_cases([("B\x010", "then B"), ("A\x011", "then A brief"), ("C\x010", "then C")], earlier=True)
        store.snapshot_cases([("C\x010", "now C"), ("A\x010", "now A"), ("B\x010", "now B")])
        assert list(store.snapshot_pairs()) == [(None, b"now A"), (b"then A brief", None), (b"then B", b"now B"),
                                                (b"then C", b"now C")]
        store.forget_earlier_cases()
        assert list(store.snapshot_pairs()) == [(None, b"now A"), (None, b"now B"), (None, b"now C")]
        store.put_snapshot_cases("2026-11-30", "[", "]")  # this run's, in the order they came
        assert store.get_snapshot("2026-11-30") == "[now C,now A,now B]" and list(store.snapshot_pairs()) == []


def test_a_snapshot_whose_bytes_are_not_utf8_reads_as_empty_text(tmp_path):
    with Store.open(tmp_path) as store:
        store.db.execute("INSERT INTO snapshots VALUES ('2026-11-30', x'7b22ff')")
        assert store.get_snapshot("2026-11-30") == ""  # read as a snapshot that is not JSON, and passed over


def test_a_snapshot_date_that_is_not_a_date_is_refused_and_nothing_written(tmp_path):
    with Store.open(tmp_path) as store:
        with pytest.raises(ValueError):
            store.put_snapshot("30/11/2026", "{}")
        assert store.snapshot_dates() == []


def test_a_snapshot_whose_writer_failed_half_way_leaves_the_one_before(tmp_path):
    with Store.open(tmp_path) as store:
        store.put_snapshot("2026-11-30", "before")
    db = sqlite3.connect(tmp_path / FOLDER / FILE, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE snapshots SET payload = 'half'")
    db.close()  # a writer gone before its commit: SQLite rolls it back
    with Store.open(tmp_path) as store:
        assert store.get_snapshot("2026-11-30") == "before"


# an output folder of the casegen before the store

FORM, OTHER = "bcl-service-optimisation", "brief-neighbourhood-working-model"
EARLIER = "2026-11-02T10:00:00.000001Z"
LOGGED = {"form": FORM, "field": "Finance › Recurring Savings 24/25", "old": "£250,000", "new": "£200,000",
          "what": "changed", "date": EARLIER}


def as_before_the_store(out: Path, programme, log: list[dict], last: str, journal: dict | None = None) -> None:
    """Turn a folder this casegen built into the files the casegen before the store kept (batch/manifest.py,
    journal.py, history.py and lock.py as they were at 7efe63d): the same names, shapes and formats."""
    with Store.open(out) as store:
        records = store.records()
        cases = {name: store.case(name) for name in records}
    shutil.rmtree(out / FOLDER)
    state = out / FOLDER
    for folder in ("cases", "previous", "journal/base"):
        (state / folder).mkdir(parents=True)
    lines = [f" {json.dumps(name)}: " + json.dumps({"source": r.source, "kind": r.kind, "source_sha256": r.stamp[0],
                                                   "template_sha256": r.stamp[1], "config": programme.digest(),
                                                   "casegen": r.stamp[3], "facts": r.facts, "warnings": r.warnings})
             for name, r in sorted(records.items())]
    (out / ".casegen-manifest.json").write_text('{"format": 2, "documents": {\n' + ",\n".join(lines) + "\n}}\n")
    for name, values in cases.items():
        (state / "cases" / f"{name[:-5]}.json").write_text(json.dumps(values, ensure_ascii=False, indent=1))
    (state / "changes.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in log))
    (state / "last-build").write_text(last)
    if journal is not None:
        (state / "journal" / "COMMITTED").write_text(json.dumps(journal, ensure_ascii=False))
    (out / ".casegen-build.lock").write_bytes(b"")  # filelock's, left behind by every build


@pytest.fixture
def old_folder(make_form, tmp_path, programme):
    for name in (FORM, OTHER):
        make_form(name, filename=f"inputs/{name}.xlsx")
    out = tmp_path / "out"
    assert run("build", tmp_path / "inputs", "-o", out).exit_code == 0
    as_before_the_store(out, programme, [LOGGED], EARLIER)
    return out


def test_a_folder_of_the_casegen_before_the_store_is_carried_over_history_intact(old_folder, make_form, tmp_path):
    out, kept = old_folder, (old_folder / FOLDER / "changes.jsonl").read_bytes()
    (out / "notes.part").write_text("a user's own")
    shown = run("changes", out)
    assert shown.exit_code == 0 and f"{FORM}: Finance › Recurring Savings 24/25: £250,000 → £200,000" in shown.output
    assert "carried into" in shown.output
    assert (out / FOLDER / "carried-over" / "changes.jsonl").read_bytes() == kept  # kept as it was
    assert (out / FOLDER / "carried-over" / ".casegen-manifest.json").exists()
    assert not (out / ".casegen-manifest.json").exists() and not (out / ".casegen-build.lock").exists()
    result = run("build", tmp_path / "inputs", "-o", out)
    assert result.exit_code == 0 and "0 built, 2 up to date" in result.output, result.output  # the stamps carried
    make_form(FORM, lambda case: setattr(case.finance.years[1], "recurring_savings", Decimal(150000)),
              filename=f"inputs/{FORM}.xlsx")
    assert "1 built" in run("build", tmp_path / "inputs", "-o", out).output
    assert "£200,000 → £150,000" in run("changes", out).output  # against the carried case
    everything = run("changes", out, "--all").output
    assert "£250,000 → £200,000" in everything and "£200,000 → £150,000" in everything
    assert (out / "notes.part").read_text() == "a user's own"


def test_a_commit_left_in_the_old_journal_is_finished_as_it_is_carried(make_form, tmp_path, programme):
    for name in (FORM, OTHER):
        make_form(name, filename=f"inputs/{name}.xlsx")
    out = tmp_path / "out"
    run("build", tmp_path / "inputs", "-o", out)
    later = {**LOGGED, "old": "£200,000", "new": "£180,000", "date": "2026-11-20T10:00:00.000001Z"}
    first = json.dumps(LOGGED, ensure_ascii=False) + "\n"
    # killed as it applied its commit: the log already has the commit's line once, and it must stay once
    as_before_the_store(out, programme, [LOGGED, later], EARLIER,
                        journal={"date": later["date"], "log_size": len(first.encode()), "last": True,
                                 "cases": {}, "lines": [json.dumps(later, ensure_ascii=False)]})
    shown = run("changes", out)
    assert "£200,000 → £180,000" in shown.output and "£250,000" not in shown.output  # the commit's build is the last
    assert run("changes", out, "--all").output.count("£200,000 → £180,000") == 1


def test_a_document_a_person_saved_in_an_old_folder_is_kept_at_the_next_rebuild(old_folder, make_form, tmp_path):
    import docx

    document = docx.Document(old_folder / f"{FORM}.docx")
    document.add_paragraph("Edited before the upgrade.")
    document.core_properties.last_modified_by = "A. Person"
    document.save(old_folder / f"{FORM}.docx")
    make_form(FORM, lambda case: setattr(case.finance.years[1], "recurring_savings", Decimal(150000)),
              filename=f"inputs/{FORM}.xlsx")
    result = run("build", tmp_path / "inputs", "-o", old_folder)
    assert result.exit_code == 0 and "edited since casegen built it" in result.output
    [aside] = old_folder.glob(f"{FORM}.edited-*.docx")
    assert "Edited before the upgrade." in "\n".join(p.text for p in docx.Document(aside).paragraphs)


@pytest.mark.parametrize("what", ["a pipe", "a link", "not sqlite"])
def test_changes_over_a_store_that_is_not_one_says_so_in_one_line_and_never_hangs(what, tmp_path):
    store = tmp_path / FOLDER / FILE
    store.parent.mkdir()
    if what == "a pipe":
        os.mkfifo(store)
    elif what == "a link":
        store.symlink_to(tmp_path / "elsewhere")
    else:
        store.write_bytes(b"\x00" * 4096)
    for locked in (True, False):  # a reader while a build holds the folder does not set it aside: the build does
        if not locked:
            store.parent.joinpath(LOCK).write_text(json.dumps({"host": socket.gethostname(), "user": "ann",
                                                               "pid": os.getpid(), "since": "2026-12-01T09:00"}))
            store.unlink()
            os.mkfifo(store)
        result = run("changes", tmp_path)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert ("has no build history" in result.output) if locked else ("it is left as it was" in result.output)
    assert len(list(store.parent.glob(f"{FILE}.damaged-*"))) == 1


def test_a_lock_of_this_host_held_by_a_live_process_is_never_taken_over(tmp_path):
    (tmp_path / FOLDER).mkdir()
    (tmp_path / FOLDER / LOCK).write_text(json.dumps({"host": socket.gethostname(), "user": "ann", "pid": 1,
                                                      "since": "2026-12-01T09:00:00+00:00"}))
    with pytest.raises(BuildError, match=r"being built by another casegen build \(pid 1, since 1 Dec 2026, 09:00\)"):
        with Store.open(tmp_path):
            pass
    assert (tmp_path / FOLDER / LOCK).exists()


def test_casegens_own_state_files_as_pipes_and_huge_files_never_hang_a_build(make_form, tmp_path):
    """Run as its own process with a timeout: a pipe opened for reading would hang it, a 3 GB file read whole
    would end in a MemoryError."""
    import subprocess
    import sys

    make_form(FORM, filename=f"inputs/{FORM}.xlsx")
    out = tmp_path / "out"
    (out / FOLDER / "cases").mkdir(parents=True)
    os.mkfifo(out / FOLDER / LOCK)
    os.mkfifo(out / FOLDER / f"{FILE}-journal")
    with open(out / FOLDER / FILE, "wb") as huge:
        huge.truncate(3 * 2**30)
    os.mkfifo(out / ".casegen-manifest.json")  # and the files of the casegen before the store
    with open(out / FOLDER / "changes.jsonl", "wb") as huge:
        huge.truncate(3 * 2**30)
    (out / FOLDER / "cases" / f"{FORM}.json").write_text("[" * 200000 + "]" * 200000)
    done = subprocess.run([sys.executable, "-m", "casegen", "build", str(tmp_path / "inputs"), "-o", str(out)],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert "1 built" in done.stdout
    said = done.stdout + done.stderr
    for name in (LOCK, f"{FILE}-journal", FILE):
        assert f"{out / FOLDER / name}: " in said and f"set aside as {name}.damaged-" in said
    assert run("changes", out).exit_code == 0


def _aged(folder: Path) -> None:
    """Every form in `folder` saved an hour ago, so its size and times are trusted."""
    for form in folder.glob("*.xlsx"):
        os.utime(form, (form.stat().st_atime, form.stat().st_mtime - 3600))


def test_a_form_of_the_size_and_times_recorded_is_not_read_again_and_any_change_is_still_seen(make_form, tmp_path,
                                                                                             monkeypatch):
    from casegen.batch import build

    for name in ("bcl-service-optimisation", "brief-neighbourhood-working-model"):
        make_form(name, filename=f"inputs/{name}.xlsx")
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    _aged(inputs)
    assert run("build", inputs, "-o", out).exit_code == 0
    hashed = []
    digest = build.file_digest
    monkeypatch.setattr(build, "file_digest", lambda path: hashed.append(path) or digest(path))
    assert "2 up to date" in run("build", inputs, "-o", out).output and hashed == []
    # the same size, the time put back: the change time still tells it apart, so it is read and rebuilt
    form = inputs / "bcl-service-optimisation.xlsx"
    body, when = bytearray(form.read_bytes()), form.stat().st_mtime
    body[len(body) // 2] ^= 1  # one byte of the zip changed: the form cannot be read, and says so
    form.write_bytes(body)
    os.utime(form, (when, when))
    result = run("build", inputs, "-o", out)
    assert [Path(p).name for p in hashed] == [form.name] and "1 up to date" in result.output, result.output
    assert "0 built" not in result.output or "failed" in result.output


def test_a_store_of_the_first_format_is_brought_to_this_one_its_history_intact(make_form, tmp_path):
    make_form("bcl-service-optimisation", filename="inputs/bcl-service-optimisation.xlsx")
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    assert run("build", inputs, "-o", out).exit_code == 0
    db = sqlite3.connect(out / FOLDER / FILE)
    db.executescript("ALTER TABLE documents DROP COLUMN seen; PRAGMA user_version=1;")
    db.close()
    make_form("bcl-service-optimisation", filename="inputs/bcl-service-optimisation.xlsx",
              edit=lambda case: setattr(case.project, "title", "Service Optimisation Review"))
    assert "1 built" in run("build", inputs, "-o", out).output
    shown = run("changes", out).output
    assert "Service Optimisation Review" in shown and "set aside" not in shown
    db = sqlite3.connect(out / FOLDER / FILE)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM changes").fetchone()[0] >= 2


def test_a_store_that_cannot_be_written_mid_build_is_one_line_and_the_next_build_makes_it_again(make_form, tmp_path,
                                                                                               monkeypatch):
    make_form("bcl-service-optimisation", filename="inputs/bcl-service-optimisation.xlsx")
    inputs, out = tmp_path / "inputs", tmp_path / "out"

    def full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "built", full)
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{out / FOLDER / FILE}: cannot be written (database or disk is full)" in result.output
    assert not (out / FOLDER / LOCK).exists()  # the lock is released
    monkeypatch.undo()
    again = run("build", inputs, "-o", out)
    assert again.exit_code == 0 and "1 built" in again.output, again.output


class _Kernel32:
    """Windows' process calls, as casegen asks them: a process is alive while its exit code is STILL_ACTIVE."""

    def __init__(self, running: set[int]):
        self.running, self.closed = running, 0

    def OpenProcess(self, access, inherit, pid):  # noqa: N802 (Windows' name)
        return pid if pid in self.running or pid == 77 else 0  # 77: ended, its handle still open somewhere

    def GetExitCodeProcess(self, handle, code):  # noqa: N802
        code._obj.value = 259 if handle in self.running else 0
        return 1

    def CloseHandle(self, handle):  # noqa: N802
        self.closed += 1
        return 1


@pytest.mark.parametrize("pid, taken_over", [(4242, False), (77, True), (99, True)])
def test_on_windows_a_lock_of_a_running_process_is_refused_and_one_of_an_ended_one_taken_over(
        pid, taken_over, tmp_path, monkeypatch):
    import ctypes
    import sys

    kernel = _Kernel32({4242})
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "windll", type("windll", (), {"kernel32": kernel}), raising=False)
    monkeypatch.setattr(os, "kill", lambda *a: pytest.fail("os.kill ends a process on Windows"))
    (tmp_path / FOLDER).mkdir()
    (tmp_path / FOLDER / LOCK).write_text(json.dumps({"host": socket.gethostname(), "user": "ann", "pid": pid,
                                                      "since": "2026-12-01T09:00:00+00:00"}))
    if taken_over:
        with Store.open(tmp_path):
            assert json.loads((tmp_path / FOLDER / LOCK).read_text())["pid"] == os.getpid()
    else:
        with pytest.raises(BuildError, match=rf"another casegen build \(pid {pid}, since 1 Dec 2026, 09:00\)"):
            with Store.open(tmp_path):
                pass
    assert kernel.closed == (pid != 99)  # every handle opened is closed


def test_the_lock_names_this_machine_as_the_system_does():
    from casegen.batch.store import host

    assert host() == socket.gethostname()


# SQLite's quick_check reads the whole store: it is run where the file is not as casegen last left it

@pytest.fixture
def checks(monkeypatch):
    """The quick_checks SQLite is asked for while the fixture is in use."""
    asked: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.set_trace_callback(lambda sql: asked.append(sql) if "quick_check" in sql else None)
        return db

    monkeypatch.setattr(sqlite3, "connect", traced)
    return asked


def _built_once(make_form, tmp_path) -> tuple[Path, Path]:
    make_form(FORM, filename=f"inputs/{FORM}.xlsx")
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    assert "1 built" in run("build", inputs, "-o", out).output
    return inputs, out


def _damage_page(store: Path, table: str) -> None:
    """Spoil the first page of `table` in place (its b-tree page type), as a fault of the disk would."""
    db = sqlite3.connect(store)
    size = db.execute("PRAGMA page_size").fetchone()[0]
    page = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    db.close()
    with open(store, "r+b") as file:
        file.seek((page - 1) * size + (100 if page == 1 else 0))
        file.write(b"\x42")


def test_the_store_is_checked_only_where_it_is_not_as_casegen_left_it(make_form, tmp_path, checks):
    inputs, out = _built_once(make_form, tmp_path)
    store = out / FOLDER / FILE
    assert checks == []  # a new store: nothing to check
    assert "1 up to date" in run("build", inputs, "-o", out).output and checks == []
    left = (out / FOLDER / CHECKED).read_text()
    assert run("changes", out).exit_code == 0 and checks == []  # a reader of the history: nor here
    os.utime(store)  # touched by another program
    assert "1 up to date" in run("build", inputs, "-o", out).output and len(checks) == 1
    assert (out / FOLDER / CHECKED).read_text() != left  # checked: recorded as it is now
    assert "1 up to date" in run("build", inputs, "-o", out).output and len(checks) == 1
    (out / FOLDER / CHECKED).write_text(left[:-2])  # cut short: not casegen's
    assert "1 up to date" in run("build", inputs, "-o", out).output and len(checks) == 2


def test_a_store_damaged_in_place_its_times_put_back_is_still_checked_and_set_aside(make_form, tmp_path):
    """The damage is in the change log, which a build with nothing to do never reads: only the check finds it."""
    inputs, out = _built_once(make_form, tmp_path)
    store = out / FOLDER / FILE
    before = store.stat()
    _damage_page(store, "changes")
    os.utime(store, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same size and times: only ctime tells
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 0 and "1 built" in result.output, result.output
    [note] = [line for line in result.output.splitlines() if "set aside" in line]
    assert note.startswith(f"{store}: not a store of casegen's") and f"set aside as {FILE}.damaged-" in note
    assert "1 up to date" in run("build", inputs, "-o", out).output


def test_damage_the_times_cannot_show_is_found_as_the_records_are_read_and_set_aside(make_form, tmp_path, checks):
    """A fault of the disk leaves the file's times as they were: SQLite finds the damage as it reads the records,
    and the store is set aside there, in one line, as at its opening; the build goes on."""
    from casegen.batch.store import fingerprint

    inputs, out = _built_once(make_form, tmp_path)
    store = out / FOLDER / FILE
    _damage_page(store, "documents")
    (out / FOLDER / CHECKED).write_text(fingerprint(store) + "\n")  # as if it were as casegen left it
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 0 and "1 built" in result.output, result.output
    assert checks == []  # not found by a check: by the reading
    [note] = [line for line in result.output.splitlines() if "set aside" in line]
    assert note.startswith(f"{store}: not a store of casegen's") and f"set aside as {FILE}.damaged-" in note
    assert len(list(store.parent.glob(f"{FILE}.damaged-*"))) == 1
    again = run("build", inputs, "-o", out)
    assert "1 up to date" in again.output and "set aside" not in again.output


def test_a_store_that_failed_mid_build_is_checked_whole_at_the_next(make_form, tmp_path, monkeypatch, checks):
    inputs, out = _built_once(make_form, tmp_path)
    make_form(FORM, filename=f"inputs/{FORM}.xlsx", edit=lambda case: setattr(case.project, "title", "Changed"))

    def malformed(*args):
        raise sqlite3.DatabaseError("database disk image is malformed")

    with monkeypatch.context() as patch:
        patch.setattr(Store, "save_build", malformed)
        assert run("build", inputs, "-o", out).exit_code == 1
    assert not (out / FOLDER / CHECKED).exists()  # not known whole: the next run checks it
    assert "1 built" in run("build", inputs, "-o", out).output and len(checks) == 1


@pytest.mark.parametrize("what", ["a folder", "a pipe", "a link", "a hard link"])
def test_a_fingerprint_file_that_is_not_casegens_is_never_followed_nor_a_reason_to_stop(what, make_form, tmp_path,
                                                                                        checks):
    inputs, out = _built_once(make_form, tmp_path)
    checked, elsewhere = out / FOLDER / CHECKED, tmp_path / "elsewhere.txt"
    elsewhere.write_text("not casegen's")
    checked.unlink()
    if what == "a folder":
        checked.mkdir()
    elif what == "a pipe":
        os.mkfifo(checked)
    elif what == "a link":
        checked.symlink_to(elsewhere)
    else:
        os.link(elsewhere, checked)
    for _ in range(2):
        result = run("build", inputs, "-o", out)
        assert result.exit_code == 0 and "1 up to date" in result.output, result.output
    assert elsewhere.read_text() == "not casegen's"
    assert len(checks) == (2 if what in ("a folder", "a pipe") else 1)  # a file of its own, once it could write one
