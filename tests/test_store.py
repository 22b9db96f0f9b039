"""The store of casegen's state (batch/store.py): portfolio snapshots, the folder's lock, and a damaged or
foreign store set aside in one line, never a reason to stop a run."""
from __future__ import annotations

import json
import os
import socket
import sqlite3

import pytest

from casegen.batch.store import FILE, FOLDER, LOCK, Store
from casegen.errors import BuildError


def test_snapshots_are_kept_by_date_and_a_second_of_one_date_replaces_it(tmp_path):
    with Store.open(tmp_path) as store:
        store.put_snapshot("2026-11-30", '{"cases": 3}')
        store.put_snapshot("2026-10-31", '{"cases": 2}')
        store.put_snapshot("2026-11-30", '{"cases": 4}')
    with Store.open(tmp_path) as store:
        assert store.snapshot_dates() == ["2026-10-31", "2026-11-30"]
        assert store.get_snapshot("2026-11-30") == '{"cases": 4}'
        assert store.get_snapshot("2026-09-30") is None
    assert sorted(os.listdir(tmp_path / FOLDER)) == [FILE]  # the lock released


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
