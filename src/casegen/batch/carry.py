"""An output folder of casegen before the store, carried into it once, its history never lost.

Before, a folder kept `.casegen-manifest.json` (what each document was built from), and under `.casegen/` the
cases (`cases/NAME.json`), a change log (`changes.jsonl`), the date of the last build that changed a text
(`last-build`), and a journal (`journal/COMMITTED`, `journal/base/NAME.docx`) for a build killed as it wrote
them. On first use they are moved, as they are, into `.casegen/carried-over/` (kept there for a person to look
at), and read from there into the store in one transaction: a commit left in the journal is finished first, as
the old build would have finished it. Everything is read with a byte budget and a depth limit, never through a
link; what cannot be read is left out (the documents are then built again).
"""
from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from dataclasses import astuple
from pathlib import Path

from casegen.batch.changes import Change
from casegen.batch.sources import document_name_ok
from casegen.batch.store import COLUMNS, DATE, MAX_VALUE, Record, compact
from casegen.bounded import load_json, read_plain
from casegen.fileio import what_is, written_by_casegen

MANIFEST, CARRIED = ".casegen-manifest.json", "carried-over"
CARRIED_CONFIG = "carried:"  # before the store, the configuration was stamped with its templates' folder
OLD_STATE = ("cases", "previous", "journal", "changes.jsonl", "last-build")


def carry_over(store) -> None:
    """Bring a folder of the format before the store into it, once; never a reason to stop a run."""
    try:
        _carry_over(store)
    except (OSError, sqlite3.Error) as exc:
        store.distrust()
        store.notes.append(f"{store.folder}: cannot carry the build history of an earlier casegen into the store "
                           f"({getattr(exc, 'strerror', None) or exc}); its files are left as they were")


def _carry_over(store) -> None:
    """Move the old files aside first, then read them in one transaction (so a kill at any point loses nothing)."""
    old, folder = store.dir / CARRIED, store.folder
    moves = [(folder / MANIFEST, old / MANIFEST)] + [(store.dir / name, old / name) for name in OLD_STATE]
    if not any(os.path.lexists(a) for a, _ in moves) and not os.path.lexists(old):
        return
    old.mkdir(exist_ok=True)
    for source, target in moves:
        if os.path.lexists(source) and not os.path.lexists(target):
            os.rename(source, target)
    _old_lock(folder)
    if store.db.execute("SELECT count(*) FROM carried").fetchone()[0]:
        return
    _import(store, old)
    store.notes.append(f"{folder}: the build history of an earlier casegen carried into {store.path}; its "
                       f"files are kept as they were in {old}")


def _old_lock(folder: Path) -> None:
    """The lock and pid file of the casegen before the store, by their exact shape (empty; a pid): no other file."""
    for name, shape in ((".casegen-build.lock", rb""), (".casegen-build.pid", rb"\d{1,10}\n?")):
        try:
            if not what_is(folder / name) and re.fullmatch(shape, read_plain(folder / name, 16)):
                os.unlink(folder / name)
        except OSError:
            pass


def _read(path: Path, limit: int = 2**26):
    try:
        return load_json(read_plain(path, limit), limit)
    except (OSError, ValueError):
        return None


def _import(store, old: Path) -> None:
    marker = _read(old / "journal" / "COMMITTED")
    marker = marker if isinstance(marker, dict) and isinstance(marker.get("cases"), dict) else None
    try:
        log = read_plain(old / "changes.jsonl", 2**28)
    except OSError:
        log = b""
    lines = log.split(b"\n")
    if marker is not None:  # a build killed as it applied its commit: its log lines once, its cases, its date
        lines = log[:marker.get("log_size", 0)].split(b"\n") + [str(x).encode() for x in marker.get("lines", [])]
    changes = [c for c in map(_change, lines) if c is not None]
    try:
        last = read_plain(old / "last-build", 64).decode().strip()
    except (OSError, ValueError):
        last = ""
    last = marker["date"] if marker and marker.get("last") and DATE.fullmatch(str(marker.get("date"))) else last
    dates = {c.date for c in changes if DATE.fullmatch(c.date)} | ({last} if DATE.fullmatch(last) else set())
    records, built = _records(store, old, marker)
    with store.db:
        store.db.execute("BEGIN IMMEDIATE")
        store.db.executemany(f"INSERT OR REPLACE INTO documents ({COLUMNS}) VALUES ({','.join('?' * 11)})",
                             [r.row() for r in records])
        store.db.executemany("UPDATE documents SET body = ?, vals = ? WHERE name = ?", built)
        store._log(changes)
        store.db.executemany("INSERT OR REPLACE INTO builds VALUES (?, 1)", [(d,) for d in dates])
        store.db.execute("INSERT INTO carried VALUES (?)", (CARRIED,))


def _change(line: bytes) -> Change | None:
    try:
        change = Change(**load_json(line.decode("utf-8"), MAX_VALUE))
    except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError; a cut-off line is left out
        return None
    return change if all(isinstance(v, str) for v in astuple(change)) else None


def _records(store, old: Path, marker: dict | None) -> tuple[list[Record], list[tuple]]:
    manifest = _read(old / MANIFEST)
    entries = manifest.get("documents") if isinstance(manifest, dict) and manifest.get("format") == 2 else None
    records, built = [], []
    for name, e in (entries or {}).items():
        keys = ("source", "kind", "source_sha256", "template_sha256", "config", "casegen")
        if not (document_name_ok(name) and isinstance(e, dict) and all(isinstance(e.get(k), str) for k in keys)):
            continue
        target, stem = store.folder / name, name[:-len(".docx")]
        ours = not what_is(target) and target.exists() and written_by_casegen(target, "document")
        now = _bytes(target) if ours else None
        base = _bytes(old / "journal" / "base" / name) if marker is None else None  # killed before its commit
        values = (marker or {}).get("cases", {}).get(stem) or _read(old / "cases" / f"{stem}.json")
        stamp = (e["source_sha256"], e["template_sha256"], CARRIED_CONFIG + e["config"], e["casegen"])
        facts, warnings = e.get("facts"), e.get("warnings")
        records.append(Record(name, e["source"], e["kind"], stamp,
                              facts if isinstance(facts, dict) else {},
                              warnings if type(warnings) is int else 0,
                              hashlib.sha256(now).hexdigest() if now else ""))
        body = base or now
        if body is not None or isinstance(values, dict):
            built.append((body, compact(values) if isinstance(values, dict) else None, name))
    return records, built


def _bytes(path: Path) -> bytes | None:
    try:
        return read_plain(path, MAX_VALUE)
    except OSError:
        return None
