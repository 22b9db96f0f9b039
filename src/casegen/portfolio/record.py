"""The portfolio's snapshots in the store of the tracker's folder (batch/store.py): which earlier one a report
compares with, and what the folder holds.

The store keeps each snapshot whole or not at all, under the folder's lock; here a snapshot that cannot be
read (damaged, or written by a newer casegen) is set aside with one line (a warning) and the report
compares with the one before it: it never stops a run. The one compared with is read a case at a time into
the store's cases kept aside (never held whole): the comparison takes them from there beside this run's.
"""
from __future__ import annotations

import codecs
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from casegen.batch.store import FILE, FOLDER, Store
from casegen.errors import CasegenError, Problem, Severity
from casegen.portfolio.snapshot import Snapshot, SnapshotError, from_json, heading_of, order_key, read_cases


@dataclass(frozen=True)
class Kept:
    """One snapshot the store holds: its date, and the snapshot or why it cannot be read."""

    as_of: str  # ISO date
    snapshot: Snapshot | None
    why: str = ""  # why it cannot be read


def has_store(folder: Path) -> bool:
    return (folder / FOLDER / FILE).exists()


def read(store: Store, as_of: str) -> Kept:
    text = store.get_snapshot(as_of)
    if text is None:
        return Kept(as_of, None, "it is larger than casegen reads back")
    try:
        return Kept(as_of, from_json(text))
    except SnapshotError as e:
        return Kept(as_of, None, str(e))


def aside(store: Store, as_of: str) -> Kept:
    """The snapshot of `as_of` without its cases, which are read one at a time into the store's cases kept aside
    (store.snapshot_pairs), or why it cannot be read (and none kept aside)."""
    store.forget_earlier_cases()
    chunks, heading, keys = store.snapshot_chunks(as_of), dict[str, object](), set[tuple[str, str]]()
    if chunks is None:
        return Kept(as_of, None, "it is larger than casegen reads back")

    def cases():
        for case in read_cases(_decoded(chunks), heading):
            if case.key in keys:
                raise SnapshotError("it lists a case twice")
            keys.add(case.key)
            yield order_key(case), case.model_dump_json()

    try:
        store.snapshot_cases(cases(), earlier=True)
        return Kept(as_of, heading_of(heading))
    except (SnapshotError, UnicodeDecodeError) as e:
        store.forget_earlier_cases()
        return Kept(as_of, None, str(e) if isinstance(e, SnapshotError) else "it is not UTF-8 text")


def _decoded(chunks):
    decoder = codecs.getincrementaldecoder("utf-8")()
    for chunk in chunks:
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def kept(store: Store) -> list[Kept]:
    """Every snapshot of the folder, oldest first (none in a store a reader finds not yet made)."""
    try:
        dates = store.snapshot_dates()
    except sqlite3.OperationalError:  # a store with no tables yet, opened by a reader, which makes none
        return []
    return [read(store, d) for d in dates]


def listed(folder: Path) -> list[Kept]:
    """The snapshots kept in `folder`, read without its lock (a run of the folder is not stopped); none where
    the folder has no store."""
    if not has_store(folder):
        return []
    with Store.open(folder, locked=False) as store:
        return kept(store)


def forget(folder: Path, as_of: date) -> None:
    """Remove the snapshot of `as_of` (one recorded by mistake) from `folder`'s store, under the folder's lock;
    CasegenError if there is none of that date."""
    def missing(store: Store | None) -> CasegenError:
        return CasegenError(str(Problem(str(folder), f"there is no snapshot of the portfolio of {as_of.isoformat()} "
                                        f"to forget; {_dates(store)}", code="snapshot-forget-missing")))

    if not has_store(folder):
        raise missing(None)
    with Store.open(folder) as store:
        if not store.forget_snapshot(as_of.isoformat()):
            raise missing(store)


def unreadable(folder: Path, k: Kept, instead: str) -> Problem:
    return Problem(str(folder), f"the portfolio's snapshot of {k.as_of} cannot be read ({k.why}); {instead}",
                   severity=Severity.WARNING, code="snapshot-unreadable")


def _dates(store: Store | None) -> str:
    dates = store.snapshot_dates() if store else []
    return f"the snapshots there are of {', '.join(dates)}" if dates else "there is no snapshot there yet"


def earlier(store: Store | None, folder: Path, as_of: date, since: date | None, read: bool = True
            ) -> tuple[Snapshot | None, list[Problem]]:
    """The snapshot to compare with, its cases kept aside in the store (`aside`), and a warning for each unreadable
    one passed over: `since`'s (which must be there, readable and earlier than `as_of`), else the latest readable
    one before `as_of`; None if none (and always None without a store). Not to `read`: only a `since` that is not
    there refused (before the forms are read; the snapshot is read after them, not in the process the workers
    are forked from)."""
    if since is not None:
        there = store is not None and since.isoformat() in store.snapshot_dates()
        k = aside(store, since.isoformat()) if store is not None and there and read else None
        why = ("is not before the as-of date " + as_of.isoformat() if since >= as_of
               else "has no snapshot of the portfolio" if not there
               else f"has a snapshot that cannot be read ({k.why})" if k is not None and k.snapshot is None else "")
        if why:
            raise CasegenError(str(Problem(str(folder), f"--since {since.isoformat()}: that date {why}; "
                                                        f"{_dates(store)}", code="snapshot-since-missing")))
        return k.snapshot if k is not None else None, []
    problems: list[Problem] = []
    if store is None or not read:
        return None, problems
    for d in reversed(store.snapshot_dates()):
        if d >= as_of.isoformat():
            continue
        k = aside(store, d)
        if k.snapshot is not None:
            return k.snapshot, problems
        problems.append(unreadable(folder, k, "the report compares with the one before it"))
    return None, problems
