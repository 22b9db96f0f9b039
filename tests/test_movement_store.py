"""The portfolio's snapshots in the store of the tracker's folder: one a date (a second run of a date replaces
it), none on a trial run, `--since` a date that is not there refused with the dates that are, a damaged one
passed over in one line, a form with errors not taken for a case gone, and a `portfolio` killed for real at
any moment losing nothing."""
from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from casegen import config
from casegen.batch.store import FILE, FOLDER, LOCK
from casegen.intake.form import write_form
from helpers import run
from test_movement import DECEMBER, NOVEMBER, _changes, _write, december, november

JANUARY = "2027-01-06"


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """The November and December forms, and a tracker folder holding both months' snapshots."""
    root = tmp_path_factory.mktemp("store")
    programme = config.load()
    found = {"programme": programme}
    for name, cases in (("november", november(programme)), ("december", december(programme))):
        (root / name).mkdir()
        _write(root / name, programme, cases)
        found[name] = root / name
    kept = root / "kept"
    kept.mkdir()
    for month, as_of in (("november", NOVEMBER), ("december", DECEMBER)):
        assert run("portfolio", found[month], "-o", kept / "tracker.xlsx", "--as-of", as_of, "-j", "1").exit_code == 0
    found["kept"] = kept
    return found


@pytest.fixture
def kept(folders, tmp_path) -> Path:
    """A copy of the tracker folder with the November and December snapshots, for one test to change."""
    return Path(shutil.copytree(folders["kept"], tmp_path / "reports"))


def _dates(folder: Path) -> list[str]:
    return [line.split()[0] for line in run("snapshots", folder).output.splitlines()]


def _payloads(folder: Path) -> dict[str, str]:
    db = sqlite3.connect(folder / FOLDER / FILE)
    try:
        return dict(db.execute("SELECT as_of, payload FROM snapshots"))
    finally:
        db.close()


def test_a_second_run_of_one_date_replaces_that_days_snapshot(folders, kept, tmp_path):
    forms = Path(shutil.copytree(folders["december"], tmp_path / "forms"))
    case = december(folders["programme"])["PL-103"]
    case.finance.years[1].recurring_savings = Decimal(260000)
    case.qualification.financial_benefits = case.finance.totals["net_savings"]
    write_form("bcl", forms / "PL-103.xlsx", folders["programme"], case)
    result = run("portfolio", forms, "-o", kept / "tracker.xlsx", "--as-of", DECEMBER, "-j", "1")
    assert result.exit_code == 0, result.output
    assert _dates(kept) == [NOVEMBER, DECEMBER]
    assert "5 cases; net savings £1,090,000" in run("snapshots", kept).output.splitlines()[1]
    # still against November, not against the December it replaces
    assert _changes({"values": load_workbook(kept / "tracker.xlsx", data_only=True)})[
        ("Net savings up", "PL-103")]["Difference"] == 60000


def test_a_trial_run_keeps_no_snapshot_and_makes_no_store(folders, kept, tmp_path):
    result = run("portfolio", folders["december"], "-o", kept / "trial.xlsx", "--as-of", JANUARY, "--no-record",
                 "-j", "1")
    assert result.exit_code == 0, result.output
    assert "recorded" not in result.output
    assert _dates(kept) == [NOVEMBER, DECEMBER]
    assert load_workbook(kept / "trial.xlsx")["Movement"]["A1"].value == "Movement since 06 Dec 2026"
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert run("portfolio", folders["december"], "-o", fresh / "t.xlsx", "--no-record", "-j", "1").exit_code == 0
    assert sorted(p.name for p in fresh.iterdir()) == ["t.xlsx"]
    assert "has no snapshot of the portfolio yet" in run("snapshots", fresh).output


def test_since_a_date_with_no_snapshot_names_the_dates_there_and_writes_nothing(folders, kept):
    before = (kept / "tracker.xlsx").read_bytes()
    result = run("portfolio", folders["december"], "-o", kept / "tracker.xlsx", "--as-of", JANUARY,
                 "--since", "2026-10-31", "-j", "1")
    assert result.exit_code == 1
    assert ("--since 2026-10-31: that date has no snapshot of the portfolio; the snapshots there are of "
            "2026-11-06, 2026-12-06 [snapshot-since-missing]") in result.output
    assert (kept / "tracker.xlsx").read_bytes() == before and _dates(kept) == [NOVEMBER, DECEMBER]
    later = run("portfolio", folders["december"], "-o", kept / "tracker.xlsx", "--as-of", NOVEMBER, "--since",
                DECEMBER)
    assert later.exit_code == 1 and "is not before the as-of date 2026-11-06" in later.output


def test_a_snapshot_recorded_by_mistake_is_forgotten_and_the_next_report_compares_with_the_one_before(folders,
                                                                                                      kept):
    """A run with the wrong --as-of date left a snapshot the next month's report would compare with: forgotten,
    the report compares with the one before it; a date with no snapshot is named with the dates there."""
    wrong = run("portfolio", folders["november"], "-o", kept / "tracker.xlsx", "--as-of", "2026-12-31", "-j", "1")
    assert wrong.exit_code == 0 and _dates(kept) == [NOVEMBER, DECEMBER, "2026-12-31"]
    missing = run("snapshots", kept, "--forget", "2026-12-30")
    assert missing.exit_code == 1 and ("there is no snapshot of the portfolio of 2026-12-30 to forget; the "
                                       "snapshots there are of 2026-11-06, 2026-12-06, 2026-12-31 "
                                       "[snapshot-forget-missing]") in missing.output
    forgot = run("snapshots", kept, "--forget", "2026-12-31")
    assert forgot.exit_code == 0 and _dates(kept) == [NOVEMBER, DECEMBER]
    assert "forgot the snapshot of 2026-12-31" in forgot.output
    report = run("portfolio", folders["december"], "-o", kept / "tracker.xlsx", "--as-of", JANUARY, "-j", "1")
    assert report.exit_code == 0 and "what moved is against 2026-12-06" in report.output
    (kept / FOLDER / LOCK).write_text('{"host": "elsewhere", "user": "sam", "pid": 1, "since": "2026-12-07T09:00"}')
    held = run("snapshots", kept, "--forget", DECEMBER)
    assert held.exit_code == 1 and "being built by sam on elsewhere" in held.output
    assert _dates(kept) == [NOVEMBER, DECEMBER, JANUARY]  # nothing forgotten while another run holds the folder


def test_since_an_earlier_date_compares_with_it(folders, kept):
    result = run("portfolio", folders["december"], "-o", kept / "tracker.xlsx", "--as-of", JANUARY, "--since",
                 NOVEMBER, "-j", "1")
    assert result.exit_code == 0, result.output
    assert "against 2026-11-06" in result.output
    assert ("Gone", "WF-106") in _changes({"values": load_workbook(kept / "tracker.xlsx", data_only=True)})
    assert _dates(kept) == [NOVEMBER, DECEMBER, JANUARY]


@pytest.mark.parametrize("damage", ["{not json", '{"format": "casegen portfolio snapshot", "version": 9}',
                                    '{"format": "casegen portfolio snapshot", "version": 1, "as_of": "x"}'])
def test_a_damaged_snapshot_is_passed_over_in_one_line_and_the_one_before_used(damage, folders, kept):
    db = sqlite3.connect(kept / FOLDER / FILE)
    with db:
        db.execute("UPDATE snapshots SET payload = ? WHERE as_of = ?", (damage, DECEMBER))
    db.close()
    result = run("portfolio", folders["december"], "-o", kept / "tracker.xlsx", "--as-of", JANUARY, "-j", "1")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "[snapshot-unreadable]" in line]
    assert len(warned) == 1 and "the portfolio's snapshot of 2026-12-06 cannot be read" in warned[0]
    assert "against 2026-11-06" in result.output
    listed = run("snapshots", kept).output
    assert "2026-12-06  " in listed and "cannot be read" in listed and "2027-01-06  5 cases" in listed


def test_a_case_whose_form_has_errors_is_left_out_not_gone(folders, kept, tmp_path):
    forms = Path(shutil.copytree(folders["december"], tmp_path / "forms"))
    (forms / "CM-107.xlsx").write_bytes(b"not a workbook any more")
    result = run("portfolio", forms, "-o", kept / "tracker.xlsx", "--as-of", JANUARY, "-j", "1")
    assert result.exit_code == 1  # a form left out, the tracker written all the same
    changes = _changes({"values": load_workbook(kept / "tracker.xlsx", data_only=True)})
    assert "its form has errors" in changes[("Left out", "CM-107")]["Detail"]
    assert ("Gone", "CM-107") not in changes


WRAPPER = '''
import os, signal, sys
moment = sys.argv.pop(1)
from casegen import fileio
from casegen.batch import store


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def half_snapshot(self, as_of, before, after):  # the snapshot's transaction begun, its row half there, never
    self.db.execute("BEGIN IMMEDIATE")  # committed
    self.db.execute("INSERT OR REPLACE INTO snapshots SELECT ?, ? || group_concat(payload, ',') FROM "
                    "temp.snapshot_cases WHERE n % 2", (as_of, before))
    die()


if moment == "mid-tracker":  # the tracker half-written beside its name
    write = fileio.write_bytes_atomic
    def half(path, data):
        with open(path.parent / (fileio.part_prefix(path) + "killed" + fileio.PART_SUFFIX), "wb") as part:
            part.write(data[:100])
        die()

    fileio.write_bytes_atomic = half
elif moment == "before-snapshot":  # the tracker and summary written, the snapshot not yet
    store.Store.put_snapshot_cases = die
elif moment == "mid-snapshot":
    store.Store.put_snapshot_cases = half_snapshot

from casegen.cli import main

sys.argv[0] = "casegen"
main()
'''


@pytest.mark.parametrize("moment", [pytest.param("mid-tracker", marks=pytest.mark.slow),
                                    pytest.param("before-snapshot", marks=pytest.mark.slow), "mid-snapshot"])
def test_a_portfolio_killed_at_any_moment_loses_nothing(moment, folders, kept, tmp_path):
    wrapper = tmp_path / "wrapper.py"
    wrapper.write_text(WRAPPER)
    tracker, summary = kept / "tracker.xlsx", kept / "summary.docx"
    before, payloads = tracker.read_bytes(), _payloads(kept)
    args = [folders["december"], "-o", tracker, "--as-of", DECEMBER, "--summary", summary, "-j", "1"]
    killed = subprocess.run([sys.executable, str(wrapper), moment, "portfolio", *map(str, args)], cwd=tmp_path,
                            capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert _payloads(kept) == payloads  # the store as the last complete run left it: December's as it was
    assert (kept / FOLDER / LOCK).exists()  # the dead run's lock, which the next run takes over
    if moment == "mid-tracker":
        assert tracker.read_bytes() == before
    assert load_workbook(tracker)["Movement"]["A1"].value == "Movement since 06 Nov 2026"  # whole, either way
    assert _dates(kept) == [NOVEMBER, DECEMBER]  # a reader is not stopped by the dead run's lock
    again = run("portfolio", *args)
    assert again.exit_code == 0, again.output
    assert "against 2026-11-06" in again.output and _dates(kept) == [NOVEMBER, DECEMBER]
    assert not list(kept.glob(".*.part")) and not (kept / FOLDER / LOCK).exists()
    assert ("Stage moved", "DD-108") in _changes({"values": load_workbook(tracker, data_only=True)})


def test_the_snapshot_kept_case_by_case_is_the_portfolio_as_taken_whole(folders, kept):
    from casegen.portfolio.figures import gather
    from casegen.portfolio.snapshot import from_json, take

    whole = take(gather([folders["december"]], folders["programme"], as_of=date.fromisoformat(DECEMBER), jobs=1))
    kept_now = from_json(_payloads(kept)[DECEMBER])
    assert kept_now == whole and [c.ref for c in kept_now.cases] == [c.ref for c in whole.cases]
    assert len(kept_now.cases) == 5 and kept_now.left_out == whole.left_out


def test_a_snapshot_an_earlier_casegen_kept_indented_is_read_and_compared_with(folders, kept):
    from casegen.portfolio.snapshot import from_json

    db = sqlite3.connect(kept / FOLDER / FILE)
    with db:  # as casegen kept them before its snapshots were written case by case
        for as_of, payload in list(db.execute("SELECT as_of, payload FROM snapshots")):
            db.execute("UPDATE snapshots SET payload = ? WHERE as_of = ?",
                       (from_json(payload).model_dump_json(indent=1), as_of))
    db.close()
    assert "2026-12-06  5 cases" in run("snapshots", kept).output
    result = run("portfolio", folders["december"], "-o", kept / "tracker.xlsx", "--as-of", JANUARY, "--since",
                 NOVEMBER, "-j", "1")
    assert result.exit_code == 0, result.output
    assert "against 2026-11-06" in result.output and "[snapshot-unreadable]" not in result.output
    assert ("Gone", "WF-106") in _changes({"values": load_workbook(kept / "tracker.xlsx", data_only=True)})


@pytest.mark.parametrize("damage, why", [
    (lambda cases: cases[1].update(kind="memo"), "cases.1.kind: Input should be 'bcl' or 'brief'"),
    (lambda cases: cases.append(dict(cases[0])), "it lists a case twice"),
    (lambda cases: cases.__setitem__(0, "a case"), "cases.0: Input should be a valid dictionary"),
])
def test_a_snapshot_with_one_damaged_case_is_passed_over_naming_it_and_the_one_before_used(damage, why, folders,
                                                                                           kept):
    import json

    data = json.loads(_payloads(kept)[DECEMBER])
    damage(data["cases"])
    db = sqlite3.connect(kept / FOLDER / FILE)
    with db:
        db.execute("UPDATE snapshots SET payload = ? WHERE as_of = ?", (json.dumps(data), DECEMBER))
    db.close()
    result = run("portfolio", folders["december"], "-o", kept / "tracker.xlsx", "--as-of", JANUARY, "-j", "1")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "[snapshot-unreadable]" in line]
    assert len(warned) == 1 and f"the portfolio's snapshot of 2026-12-06 cannot be read ({why}" in warned[0]
    assert "against 2026-11-06" in result.output  # and nothing of December's cases taken into the comparison
    changes = _changes({"values": load_workbook(kept / "tracker.xlsx", data_only=True)})
    assert ("Gone", "WF-106") in changes and ("New case", "SI-205") in changes


def test_since_a_date_whose_snapshot_cannot_be_read_is_refused_and_nothing_written(folders, kept):
    db = sqlite3.connect(kept / FOLDER / FILE)
    with db:
        db.execute("UPDATE snapshots SET payload = ? WHERE as_of = ?", ('{"format": "casegen portfolio snapshot", '
                                                                         '"version": 1, "cases": [', DECEMBER))
    db.close()
    before = (kept / "tracker.xlsx").read_bytes()
    result = run("portfolio", folders["december"], "-o", kept / "tracker.xlsx", "--as-of", JANUARY, "--since",
                 DECEMBER, "-j", "1")
    assert result.exit_code == 1
    assert ("--since 2026-12-06: that date has a snapshot that cannot be read (it is not well-formed JSON); the "
            "snapshots there are of 2026-11-06, 2026-12-06 [snapshot-since-missing]") in result.output
    assert (kept / "tracker.xlsx").read_bytes() == before and _dates(kept) == [NOVEMBER, DECEMBER]
