"""The store: everything casegen keeps between runs of a folder, in one SQLite file under `.casegen/`.

    .casegen/state.sqlite3   what each document was built from (its stamp, its case, its bytes as built),
                             the change log, the builds, the portfolio's snapshots (format: SCHEMA below)
    .casegen/lock            the folder's lock: host, user, pid and start of the run that holds it
    .casegen/checked         the store's size, times and inode as the last run that held the lock left it whole

Every change a run makes is one SQLite transaction (journal_mode=DELETE, synchronous=FULL), so a kill at any
moment leaves the store as the last complete run left it; WAL is not used, as it needs shared memory that
network shares lack. A build streams what it writes into a temporary table (on disk, gone with a kill), copied
into the store by the build's one transaction. The lock is a file made with O_CREAT|O_EXCL, not a byte-range
lock, which SMB and synced folders keep poorly: one left by a dead run on this host is taken over, one from
another host is refused with its holder named. Nothing under `.casegen/` is followed if it is a link, and what
cannot be used (a damaged or foreign store, a link, a pipe) is set aside as NAME.damaged-DATE with one note.

SQLite's quick_check reads every page of the store (23 ms for 300 documents, more as the history grows), so it is
run only where the file is not as casegen last left it (`checked`: its size, times and inode, which any other
writer, a copy or a restore changes; the time of a change, ctime, no program can set back). Damage those cannot
show (a fault of the disk itself) SQLite reports as it reads a page: in the records, which every build reads
first, the store is set aside there as at its opening; anywhere else the run that meets it fails in one line, as
it did, and the next one checks the store whole, as `checked` is then removed.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import groupby
from pathlib import Path
from typing import cast

from casegen.batch.changes import Change
from casegen.batch.lock import FOLDER, LOCK, Lock, host  # noqa: F401  (host: the lock's, named here too)
from casegen.batch.sources import document_name_ok
from casegen.bounded import load_json, read_plain
from casegen.errors import BuildError
from casegen.facts import Fact
from casegen.fileio import folder_trouble, remove_plain, set_aside, what_is

FILE, CHECKED = "state.sqlite3", "checked"
VERSION = 2  # PRAGMA user_version: the schema below (1 had no `seen`)
APPLICATION_ID = 0x63617367  # PRAGMA application_id, "casg": a SQLite file of another program is not ours
MAX_STORE, MAX_VALUE = 2**30, 64 * 2**20  # bytes of the store (300 documents for years: tens of MB), of one value
SQLITE = b"SQLite format 3\x00"
DAMAGED = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB: sqlite3.DatabaseError's sqlite_errorcode for a damaged file
DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")  # a build's, in UTC
COLUMNS = "name, source, kind, form, template, config, casegen, facts, warnings, sha256, seen"
SCHEMA = f"""
CREATE TABLE documents ({COLUMNS}, body BLOB, vals TEXT, PRIMARY KEY (name));
CREATE TABLE pending (name TEXT PRIMARY KEY);
CREATE TABLE changes (id INTEGER PRIMARY KEY, date, form, field, old, new, what, kind);
CREATE TABLE builds (date TEXT PRIMARY KEY, changed INTEGER);
CREATE TABLE snapshots (as_of TEXT PRIMARY KEY, payload TEXT);
CREATE TABLE carried (folder TEXT PRIMARY KEY);
"""


def compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def fingerprint(path: Path) -> str:
    """The store's size, times and inode: what any write to it, a copy or a restore changes ("" if it is not there)."""
    try:
        info = os.stat(path)
    except OSError:
        return ""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


@dataclass(frozen=True)
class Record:
    """One document as last built: what it was made from, and what later builds need without its form."""

    name: str
    source: str  # the intake file, relative to the output folder
    kind: str
    stamp: tuple[str, str, str, str]  # the form's, the template's and the configuration's digests, casegen's version
    facts: dict
    warnings: int
    sha256: str  # of the document as written ("" if unknown)
    seen: str = ""  # the form's size and time when its digest was taken ("" : hash it again)

    @cached_property
    def known_facts(self) -> dict[str, Fact]:  # read once: records() checks them, a build's rules use them
        return {name: Fact.from_json(fact) for name, fact in self.facts.items()}

    def row(self) -> tuple:
        return (self.name, self.source, self.kind, *self.stamp, compact(self.facts), self.warnings, self.sha256,
                self.seen)


class Store:
    """`with Store.open(folder) as store:` the folder's state, held under its lock (`locked`: a build's or a
    portfolio's; a reader of the history takes none)."""

    def __init__(self, folder: Path, locked: bool = True):
        self.folder, self.locked, self.odd = Path(folder), locked, False
        self.dir = self.folder / FOLDER
        self.path, self.lock = self.dir / FILE, Lock(self.folder)
        self.notes: list[str] = []  # one line for each thing set aside
        self.db = cast(sqlite3.Connection, None)  # open inside the `with`
        self.left = ""  # the store's fingerprint as `checked` holds it: as casegen last left it whole
        self.whole = False  # checked, or as casegen left it; False once SQLite reports an error (`distrust`)

    @classmethod
    def open(cls, folder: str | os.PathLike, locked: bool = True) -> Store:
        return cls(Path(folder), locked)

    def __enter__(self) -> Store:
        try:
            if folder_trouble(self.dir):
                self._aside(self.dir, f"{folder_trouble(self.dir)}, not casegen's folder")
            self.dir.mkdir(parents=True, exist_ok=True)
            if self.locked:
                for entry in os.scandir(self.dir):  # a link here is never followed: SQLite would write through it
                    if entry.is_symlink():
                        self._aside(Path(entry.path), f"{what_is(Path(entry.path))}, not casegen's")
                self.lock.take()
                self.notes += self.lock.notes
            try:
                self._connect()
            except BaseException:
                self.__exit__()
                raise
        except OSError as exc:
            raise BuildError(f"{self.dir}: cannot keep casegen's state there ({exc.strerror or exc}); check the "
                             "folder can be written, or build into another one with -o") from None
        return self

    def __exit__(self, kind=None, error=None, trace=None) -> None:
        if self.db is not None:
            self.db.close()
            self.db = cast(sqlite3.Connection, None)
            if self.locked:  # while the lock is held: no other casegen writes the store in between
                if isinstance(error, sqlite3.Error) or not self.whole:  # the next run checks it whole
                    self._leave("")
                elif error is None:  # whole, as this run leaves it
                    self._leave(fingerprint(self.path))
                # stopped by anything else: `checked` is left; the store's own fingerprint tells if it changed
        if self.locked:
            self.lock.release()
        if isinstance(error, sqlite3.Error):  # a full disk, a store another program holds: one line, no traceback
            raise BuildError(f"{self.path}: cannot be written ({error}); what was not recorded is made again at the "
                             "next run: free some space, or check that the folder can be written") from None

    def distrust(self) -> None:
        """SQLite reported an error the caller went on from: the next run checks the store whole."""
        self.whole = False

    def _leave(self, now: str) -> None:
        """Record the store's fingerprint `now` in `checked` ("": remove it, so that the next run checks the
        store). Never a reason to fail a run: a fingerprint missing or cut short only means a check at the next."""
        if now == self.left:
            return
        checked = self.dir / CHECKED
        remove_plain(checked)  # a regular file only; what else is there makes the next line fail
        if now:
            try:
                fd = os.open(checked, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
                with open(fd, "w", encoding="ascii") as file:
                    file.write(f"{now}\n")
            except OSError:
                pass

    def _as_left(self) -> bool:
        """Whether the store is as casegen last left it whole (`checked`), so that it need not be checked again."""
        try:
            text = read_plain(self.dir / CHECKED, 200).decode("ascii")
        except (OSError, UnicodeDecodeError):
            return False
        self.left = text[:-1] if text.endswith("\n") else ""  # cut short: not ours
        return bool(self.left) and self.left == fingerprint(self.path)

    def _aside(self, path: Path, what: str, again: str = "") -> None:
        if not self.locked:  # a reader while a build runs: that build sets it aside
            raise BuildError(f"{path}: {what}; it is left as it was")
        self.notes.append(f"{path}: {what}; set aside as {set_aside(path).name}{again}")

    def _connect(self) -> None:
        """Open the store, setting aside first whatever SQLite would follow or misread; a damaged store is set
        aside once and begun again, one that is busy or on a full disk is kept."""
        for name in (FILE, f"{FILE}-journal"):
            if what_is(self.dir / name):
                self._aside(self.dir / name, what_is(self.dir / name))
        if self.path.exists() and (self.path.stat().st_size > MAX_STORE or self._magic() not in (b"", SQLITE)):
            self._aside(self.path, "not a store of casegen's (larger than one, or not SQLite)", ", casegen starts "
                        "its state again")
        checked = not os.path.lexists(f"{self.path}-journal") and self._as_left()  # a killed run's: checked
        for attempt in (1, 2):
            try:
                self.db = sqlite3.connect(self.path, timeout=20, isolation_level=None)
                self.db.executescript("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; "
                                      "CREATE TEMP TABLE built (name TEXT PRIMARY KEY, body BLOB, vals TEXT)")
                self._schema(checked and attempt == 1)
                self.whole = True
                return
            except sqlite3.DatabaseError as exc:
                if self.db is not None:
                    self.db.close()
                self.db = cast(sqlite3.Connection, None)
                if attempt == 2 or not self.locked or getattr(exc, "sqlite_errorcode", None) not in (None, *DAMAGED):
                    raise BuildError(f"{self.path}: cannot be used ({exc}); it is left as it was") from None
                self._aside(self.path, f"not a store of casegen's ({exc})", ", casegen starts its state again")

    def _magic(self) -> bytes:
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            return os.read(fd, 16)
        finally:
            os.close(fd)

    def _schema(self, checked: bool) -> None:
        app, version = (self.db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("application_id", "user_version"))
        tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables and (app != APPLICATION_ID or version not in (1, VERSION)):  # our own errors: code None
            raise sqlite3.DatabaseError(f"application {app}, version {version}; casegen's is version {VERSION}")
        if tables and not checked and self.db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("damaged (SQLite's quick_check)")
        if self.locked and version != VERSION:
            new = (SCHEMA if not tables else "ALTER TABLE documents ADD COLUMN seen TEXT DEFAULT '';")
            self.db.executescript(f"BEGIN IMMEDIATE; {new} PRAGMA application_id={APPLICATION_ID}; "
                                  f"PRAGMA user_version={VERSION}; COMMIT;")

    # portfolio snapshots

    def put_snapshot(self, as_of: str, payload: str) -> None:
        """Keep the portfolio as it stood on `as_of` (an ISO date), replacing that date's; whole or not at all."""
        date.fromisoformat(as_of)
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO snapshots VALUES (?, ?)", (as_of, payload))

    def snapshot_cases(self, cases, earlier: bool = False) -> None:
        """The cases of the snapshot being taken (or of the `earlier` one it is compared with), each (its key, its
        JSON text), kept aside in order (on disk, not in memory) until `put_snapshot_cases`; a kill before then
        leaves nothing of them."""
        self.db.executescript("CREATE TEMP TABLE IF NOT EXISTS snapshot_cases (n INTEGER PRIMARY KEY, earlier INTEGER, "
                              "key TEXT, payload BLOB); CREATE INDEX IF NOT EXISTS temp.snapshot_keys ON "
                              "snapshot_cases (key, earlier DESC)")
        self.db.executemany("INSERT INTO temp.snapshot_cases (earlier, key, payload) VALUES (?, ?, ?)",
                            ((int(earlier), key, text.encode()) for key, text in cases))

    def forget_earlier_cases(self) -> None:
        self.snapshot_cases(())
        self.db.execute("DELETE FROM temp.snapshot_cases WHERE earlier")

    def snapshot_pairs(self):
        """Each key of the cases kept aside as (the earlier snapshot's case, this one's), each its JSON text (UTF-8)
        or None, in the order of the keys."""
        rows = self.db.execute("SELECT key, earlier, payload FROM temp.snapshot_cases ORDER BY key, earlier DESC")
        for _, same in groupby(rows, key=lambda row: row[0]):
            found = {earlier: text for _, earlier, text in same}
            yield found.get(1), found.get(0)

    def snapshot_chunks(self, as_of: str, size: int = 1 << 16):
        """A snapshot's text (UTF-8) a chunk at a time, as SQLite reads it (incremental blob I/O: never whole); None
        if there is none or it is larger than casegen reads back."""
        row = self.db.execute("SELECT rowid, typeof(payload) FROM snapshots WHERE as_of = ?", (as_of,)).fetchone()
        if row is None or row[1] not in ("text", "blob"):
            return None
        blob = self.db.blobopen("snapshots", "payload", row[0], readonly=True)
        if len(blob) > MAX_VALUE:
            blob.close()
            return None

        def chunks():
            with blob:
                while chunk := blob.read(size):
                    yield chunk
        return chunks()

    def put_snapshot_cases(self, as_of: str, before: str, after: str) -> None:
        """Keep the snapshot of `as_of` made of the text `before` its cases, the cases kept aside (comma-separated,
        in order) and the text `after` them, replacing that date's; whole or not at all, as `put_snapshot`. Written
        into the store a case at a time (SQLite's incremental blob I/O): never one text in memory."""
        date.fromisoformat(as_of)
        self.snapshot_cases(())  # none kept aside: a snapshot of no case
        head, tail = before.encode(), after.encode()
        cases, size = self.db.execute("SELECT count(*), coalesce(sum(length(payload)), 0) FROM temp.snapshot_cases "
                                      "WHERE NOT earlier").fetchone()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            row = self.db.execute("INSERT OR REPLACE INTO snapshots VALUES (?, zeroblob(?))",
                                  (as_of, len(head) + size + max(cases - 1, 0) + len(tail))).lastrowid
            with self.db.blobopen("snapshots", "payload", cast(int, row)) as blob:
                blob.write(head)
                for i, (case,) in enumerate(self.db.execute("SELECT payload FROM temp.snapshot_cases WHERE NOT "
                                                            "earlier ORDER BY n")):
                    blob.write(b"," + case if i else case)
                blob.write(tail)
            self.db.execute("DELETE FROM temp.snapshot_cases")

    def forget_snapshot(self, as_of: str) -> bool:
        """Remove the snapshot of `as_of` (one recorded by mistake); whether there was one."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db.execute("DELETE FROM snapshots WHERE as_of = ?", (as_of,)).rowcount > 0

    def snapshot_dates(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT as_of FROM snapshots ORDER BY as_of")]

    def get_snapshot(self, as_of: str) -> str | None:
        """The snapshot's text (kept as text, or as UTF-8 by `put_snapshot_cases`; "" if that is not UTF-8); None if
        there is none or it is larger than casegen reads back."""
        found = self._value("SELECT CASE WHEN length(CAST(payload AS BLOB)) <= ? THEN payload END FROM snapshots "
                            "WHERE as_of = ?", as_of, object)
        try:
            return found.decode() if isinstance(found, bytes) else found if isinstance(found, str) else None
        except UnicodeDecodeError:
            return ""  # damaged: read as a snapshot that is not JSON

    # what each document was built from, and what changed

    def _value(self, sql: str, key: str, kind: type):
        row = self.db.execute(sql, (MAX_VALUE, key)).fetchone()
        return row[0] if row and isinstance(row[0], kind) else None

    def records(self) -> dict[str, Record]:
        """Every document's record; one that cannot be used is left out with a note (it is then rebuilt). Read
        first by every build: a store SQLite finds damaged here is set aside, and begun again, as at its opening."""
        found, odd = {}, []
        for row in self._rows(f"SELECT {COLUMNS} FROM documents"):
            try:
                record = Record(row[0], row[1], row[2], tuple(row[3:7]), load_json(row[7] or "{}", MAX_VALUE), row[8],
                                row[9], row[10] if isinstance(row[10], str) else "")
                if not (document_name_ok(record.name) and all(isinstance(v, str) for v in (*row[1:7], row[9]))
                        and type(record.warnings) is int and isinstance(record.facts, dict)):
                    raise ValueError(record.name)
                if not isinstance(record.known_facts, dict):  # read here: a fact of the wrong shape raises
                    raise ValueError(record.name)
                found[record.name] = record
            except (ValueError, TypeError, AttributeError):
                odd.append(repr(row[0])[:80])
        self.odd = bool(odd)  # the next save leaves them out
        if odd:
            self.notes.append(f"{self.path}: the record of {', '.join(odd[:3])}{' and more' if len(odd) > 3 else ''} "
                              "cannot be used; left out, so its document is built again, and nothing of that name "
                              "was touched")
        return found

    def _rows(self, sql: str) -> list:
        try:
            return self.db.execute(sql).fetchall()
        except sqlite3.DatabaseError as exc:
            if not self.locked or getattr(exc, "sqlite_errorcode", None) not in DAMAGED:
                raise
            what = f"not a store of casegen's ({exc})"
        self.db.close()
        self.db = cast(sqlite3.Connection, None)
        self._aside(self.path, what, ", casegen starts its state again")
        self._connect()
        return self.db.execute(sql).fetchall()

    def case(self, name: str) -> dict | None:
        """The case `name` was last built from; None if there is none or it cannot be used."""
        text = self._value("SELECT CASE WHEN length(CAST(vals AS BLOB)) > ? THEN x'' ELSE vals END FROM documents "
                           "WHERE name = ?", name, object)
        try:
            values = load_json(text, MAX_VALUE) if isinstance(text, str) else None
        except ValueError:
            values = None
        if text is not None and not isinstance(values, dict):
            self.notes.append(f"{self.path}: the case {name} was built from is not one casegen saved, so its "
                              "changes at this build cannot be listed")
            return None
        return values

    def document(self, name: str) -> bytes | None:
        """The document `name` as casegen last wrote it (what a redline compares with)."""
        return self._value("SELECT CASE WHEN length(body) <= ? THEN body END FROM documents WHERE name = ?", name,
                           bytes)

    def pending(self) -> set[str]:
        """Documents a run was writing when it was stopped: casegen's own, though not yet recorded."""
        return {row[0] for row in self.db.execute("SELECT name FROM pending")}

    def writing(self, names: list[str]) -> None:
        with self.db:  # one transaction, one flush to disk: not one a name
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(n,) for n in names])

    def built(self, name: str, body: bytes | None, values: dict) -> None:
        """A document just written and its case, kept aside (on disk, not in memory) until `save_build`."""
        self.db.execute("INSERT OR REPLACE INTO temp.built VALUES (?, ?, ?)", (name, body, compact(values)))

    def log(self, changes: list[Change]) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._log(changes)

    def _log(self, changes: list[Change]) -> None:
        self.db.executemany("INSERT INTO changes (date, form, field, old, new, what, kind) VALUES (?,?,?,?,?,?,?)",
                            [(c.date, c.form, c.field, c.old, c.new, c.what, c.kind) for c in changes])

    def save_build(self, build_date: str, records: dict[str, Record], changes: list[Change], changed: bool) -> None:
        """One build, in one transaction: its records, the documents and cases it wrote, its changes."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM documents WHERE name NOT IN (SELECT value FROM json_each(?))",
                            (json.dumps(list(records)),))
            update = ", ".join(f"{c}=excluded.{c}" for c in COLUMNS.split(", ")[1:])
            self.db.executemany(f"INSERT INTO documents ({COLUMNS}) VALUES ({','.join('?' * 11)}) ON CONFLICT(name) "
                                f"DO UPDATE SET {update}", [r.row() for r in records.values()])
            self.db.execute("UPDATE documents SET (body, vals) = (SELECT body, vals FROM temp.built b WHERE b.name = "
                            "documents.name) WHERE name IN (SELECT name FROM temp.built)")
            self.db.execute("DELETE FROM pending")
            self._log(changes)
            if changes or self.db.execute("SELECT count(*) FROM temp.built").fetchone()[0]:  # built or pruned
                self.db.execute("INSERT OR REPLACE INTO builds VALUES (?, ?)", (build_date, int(changed)))
            self.db.execute("DELETE FROM temp.built")

    def read_log(self) -> list[Change]:
        """Every change logged in this folder, oldest first."""
        rows = self.db.execute("SELECT form, field, old, new, what, kind, date FROM changes ORDER BY id")
        return [Change(*(str(v or "")[:MAX_VALUE] for v in row)) for row in rows]

    def last_build(self) -> str | None:
        """The date of the last build that changed a document's text (or the first build)."""
        dates = [row[0] for row in self.db.execute("SELECT date FROM builds WHERE changed")]
        return max((d for d in dates if isinstance(d, str) and DATE.fullmatch(d)), default=None)
