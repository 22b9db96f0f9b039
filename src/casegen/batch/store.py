"""The store: everything casegen keeps between runs of a folder, in one SQLite file under `.casegen/`.

    .casegen/state.sqlite3   what each document was built from (its stamp, its case, its bytes as built),
                             the change log, the builds, the portfolio's snapshots (format: SCHEMA below)
    .casegen/lock            the folder's lock: host, user, pid and start of the run that holds it

Every change a run makes is one SQLite transaction (journal_mode=DELETE, synchronous=FULL), so a kill at any
moment leaves the store as the last complete run left it; WAL is not used, as it needs shared memory that
network shares lack. The lock is a file made with O_CREAT|O_EXCL, not a byte-range lock, which SMB and synced
folders keep poorly: one left by a dead run on this host is taken over, one from another host is refused with
its holder named. Nothing under `.casegen/` is followed if it is a link, and what cannot be used (a damaged or
foreign store, a link, a pipe) is set aside as NAME.damaged-DATE with one note, never a reason to stop a run.
"""
from __future__ import annotations

import getpass
import json
import os
import re
import socket
import sqlite3
import stat
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from casegen.batch.changes import Change
from casegen.batch.sources import document_name_ok
from casegen.bounded import Unreadable, nesting, read_bounded
from casegen.errors import BuildError
from casegen.facts import Fact

FOLDER, FILE, LOCK = ".casegen", "state.sqlite3", "lock"
VERSION = 1  # PRAGMA user_version: the schema below
APPLICATION_ID = 0x63617367  # PRAGMA application_id, "casg": a SQLite file of another program is not ours
MAX_STORE = 2**30  # bytes: 300 documents and years of history take a few tens of MB
MAX_VALUE = 64 * 2**20  # bytes of one value read back (a document, a case, a snapshot)
MAX_DEPTH = 64  # of a JSON value read back: a case is 6 deep
SQLITE_MAGIC = b"SQLite format 3\x00"
DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")  # a build's, in UTC
SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (name TEXT PRIMARY KEY, source TEXT, kind TEXT, form TEXT, template TEXT,
    config TEXT, casegen TEXT, facts TEXT, warnings INTEGER, sha256 TEXT, body BLOB, vals TEXT);
CREATE TABLE IF NOT EXISTS pending (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS changes (id INTEGER PRIMARY KEY, date TEXT, form TEXT, field TEXT, old TEXT,
    new TEXT, what TEXT, kind TEXT);
CREATE TABLE IF NOT EXISTS builds (date TEXT PRIMARY KEY, changed INTEGER);
CREATE TABLE IF NOT EXISTS snapshots (as_of TEXT PRIMARY KEY, payload TEXT);
CREATE TABLE IF NOT EXISTS carried (folder TEXT PRIMARY KEY);
"""


def what_is(path: Path) -> str:
    """"" for a regular file or nothing; else what is there, in words."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return ""
    if stat.S_ISLNK(mode):
        return f"a symbolic link (to {os.readlink(path)})"
    return "" if stat.S_ISREG(mode) else "a folder" if stat.S_ISDIR(mode) else "a pipe, socket or device"


def folder_trouble(path: Path) -> str:
    """"" for a folder or nothing; else what is there instead."""
    return "" if what_is(path) == "a folder" or not os.path.lexists(path) else (what_is(path) or "a file")


def set_aside(path: Path) -> Path:
    """Rename `path` (a link itself, never its target) out of the way, kept for a person to look at."""
    stamp, n = datetime.now(UTC).strftime("%Y%m%d-%H%M%S"), 2
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    while os.path.lexists(aside):
        aside, n = path.with_name(f"{path.name}.damaged-{stamp}-{n}"), n + 1
    os.replace(path, aside)
    return aside


def read_plain(path: Path, limit: int = MAX_VALUE) -> bytes:
    """A regular file's bytes, never through a link, never blocking on a pipe; OSError if it is anything else
    or larger than `limit`."""
    try:
        return read_bounded(path, limit, "file casegen keeps", follow_links=False)
    except Unreadable as exc:
        raise IsADirectoryError(f"{path} {exc}") from None


def load_json(data: bytes | str, limit: int = MAX_VALUE):
    """JSON read with a byte budget and a depth limit; ValueError for anything else."""
    if len(data) > limit:
        raise ValueError("larger than casegen writes")
    try:
        value = json.loads(data)
    except RecursionError:
        raise ValueError("nested deeper than casegen writes") from None
    if nesting(value, MAX_DEPTH) > MAX_DEPTH:
        raise ValueError("nested deeper than casegen writes")
    return value


# the folder's lock

def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would end the process on Windows: ask whether it has exited instead
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "someone"


class Lock:
    """`.casegen/lock`, made with O_EXCL: the folder is ours until released."""

    def __init__(self, folder: Path):
        self.path = folder / FOLDER / LOCK
        self.notes: list[str] = []
        self.text = json.dumps({"host": socket.gethostname(), "user": _user(), "pid": os.getpid(),
                                "since": datetime.now().astimezone().isoformat(timespec="seconds")})

    def take(self) -> None:
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            except FileExistsError:
                self._stale_or_refuse()
                continue
            with open(fd, "w", encoding="utf-8") as file:
                file.write(self.text)
                file.flush()
                os.fsync(file.fileno())
            return
        raise BuildError(f"{self.path.parent.parent}: cannot take the lock {self.path}; build again")

    def _stale_or_refuse(self) -> None:
        """Take a lock over if no run holds it; else BuildError naming who does."""
        there = what_is(self.path)
        try:
            holder = load_json(read_plain(self.path, 4096)) if not there else None
        except (OSError, ValueError):
            holder = None
        if not isinstance(holder, dict) or not all(isinstance(holder.get(k), t) for k, t in
                                                   (("host", str), ("user", str), ("pid", int), ("since", str))):
            if not there and time.time() - os.lstat(self.path).st_mtime < 10:  # being written by its taker
                raise BuildError(f"{self.path.parent.parent} is being built by another casegen run; wait for it "
                                 "to finish")
            what = there or "not casegen's lock"
            self.notes.append(f"{self.path}: {what}; set aside as {set_aside(self.path).name}")
            return
        folder, who = self.path.parent.parent, f"{holder['user']} on {holder['host']}, pid {holder['pid']}"
        try:
            when = datetime.fromisoformat(holder["since"])
            since = f"{when.day} {when:%b %Y, %H:%M}"
        except ValueError:
            since = holder["since"][:40]
        if holder["host"] != socket.gethostname():
            raise BuildError(f"{folder} is being built by {who}, since {since}; if that build is not running any "
                             f"more, delete {self.path} and build again")
        if _alive(holder["pid"]):
            raise BuildError(f"{folder} is being built by another casegen build (pid {holder['pid']}, since "
                             f"{since}); wait for it to finish, or build into another folder with -o")
        self._take_over(json.dumps(holder))

    def _take_over(self, stale: str) -> None:
        """Remove a lock left by a run that has ended on this host; if another run took it over first (what is
        renamed away is not the lock found stale), put theirs back, never replacing a newer one."""
        aside = self.path.with_name(f"{LOCK}.stale-{os.getpid()}")
        os.replace(self.path, aside)
        try:
            if json.dumps(load_json(read_plain(aside, 4096))) != stale:
                os.link(aside, self.path)
                raise BuildError(f"{self.path.parent.parent} is being built by another casegen build; wait for "
                                 "it to finish, or build into another folder with -o")
        except (OSError, ValueError):
            pass
        finally:
            os.unlink(aside)

    def release(self) -> None:
        try:
            if read_plain(self.path, 4096).decode("utf-8") == self.text:  # still ours, not one taken over
                os.unlink(self.path)
        except (OSError, ValueError):
            pass


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

    def known_facts(self) -> dict[str, Fact]:
        return {name: Fact.from_json(fact) for name, fact in self.facts.items()}

    def row(self) -> tuple:
        return (self.name, self.source, self.kind, *self.stamp, json.dumps(self.facts, ensure_ascii=False),
                self.warnings, self.sha256)


class Store:
    """`with Store.open(folder) as store:` the folder's state, held under its lock."""

    def __init__(self, folder: Path, locked: bool = True):
        self.folder, self.locked = Path(folder), locked
        self.dir = self.folder / FOLDER
        self.path = self.dir / FILE
        self.notes: list[str] = []  # one line for each thing set aside
        self._db: sqlite3.Connection | None = None
        self.lock, self.odd = Lock(self.folder), False

    @property
    def db(self) -> sqlite3.Connection:
        """The connection, open between entering the store and closing it."""
        assert self._db is not None, "the store is used outside its `with`"
        return self._db

    @classmethod
    def open(cls, folder: str | os.PathLike, locked: bool = True) -> Store:
        """The store of `folder`; entered, it takes the lock (unless `locked` is False: a reader of the history)
        and creates `.casegen/` as needed."""
        return cls(Path(folder), locked)

    def __enter__(self) -> Store:
        try:
            self._folder()
            if self.locked:
                self.lock.take()
                self.notes += self.lock.notes
            try:
                self._connect()
            except BaseException:
                self.close()
                raise
        except OSError as exc:
            raise BuildError(f"{self.dir}: cannot keep casegen's state there ({exc.strerror or exc}); check the "
                             "folder can be written, or build into another one with -o") from None
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self.locked:
            self.lock.release()

    def _folder(self) -> None:
        there = folder_trouble(self.dir)
        if there:
            self.notes.append(f"{self.dir}: {there}, not casegen's folder; set aside as {set_aside(self.dir).name}")
        self.dir.mkdir(parents=True, exist_ok=True)
        with os.scandir(self.dir) as entries:  # a link planted here is never followed: SQLite would write through it
            for entry in entries:
                if entry.is_symlink() and self.locked:
                    self.notes.append(f"{entry.path}: {what_is(Path(entry.path))}, not casegen's; set aside as "
                                      f"{set_aside(Path(entry.path)).name}")

    def _connect(self) -> None:
        """Open the store, setting aside first whatever in `.casegen/` SQLite would follow or misread."""
        for name in (FILE, f"{FILE}-journal"):
            there = what_is(self.dir / name)
            if there:
                self._aside(name, there)
        if self.path.exists() and (self.path.stat().st_size > MAX_STORE or not self._magic()):
            self._aside(FILE, "not a store of casegen's (larger than one, or not SQLite)")
        for attempt in (1, 2):
            try:
                self._db = sqlite3.connect(self.path, timeout=20, isolation_level=None)
                self.db.execute("PRAGMA journal_mode=DELETE")
                self.db.execute("PRAGMA synchronous=FULL")
                self._schema()
                return
            except sqlite3.DatabaseError as exc:
                if self._db is not None:
                    self._db.close()
                    self._db = None
                damaged = getattr(exc, "sqlite_errorcode", None) in (None, 11, 26)  # ours; CORRUPT; NOTADB
                if attempt == 2 or not self.locked or not damaged:  # busy, a full disk: the store is kept
                    raise BuildError(f"{self.path}: cannot be used ({exc}); it is left as it was") from None
                self._aside(FILE, f"not a store of casegen's ({exc})")

    def _magic(self) -> bool:
        """Whether the file starts as SQLite's do (or is empty: a store not yet begun)."""
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            return os.read(fd, 16) in (b"", SQLITE_MAGIC)
        finally:
            os.close(fd)

    def _aside(self, name: str, what: str) -> None:
        if not self.locked:  # a reader while a build runs: that build sets it aside
            raise BuildError(f"{self.dir / name}: {what}; it is left as it was")
        self.notes.append(f"{self.dir / name}: {what}; set aside as {set_aside(self.dir / name).name}, "
                          "casegen starts its state again")

    def _schema(self) -> None:
        app, version = (self.db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("application_id", "user_version"))
        tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables and (app, version) != (APPLICATION_ID, VERSION):
            raise sqlite3.DatabaseError(f"application {app}, version {version}; casegen's is version {VERSION}")
        if tables and self.db.execute("PRAGMA quick_check").fetchone()[0] != "ok":  # 23 ms for 300 documents
            raise sqlite3.DatabaseError("damaged (SQLite's quick_check)")
        if not tables and self.locked:
            self.db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} PRAGMA application_id={APPLICATION_ID}; "
                                  f"PRAGMA user_version={VERSION}; COMMIT;")

    # portfolio snapshots

    def put_snapshot(self, as_of: str, payload: str) -> None:
        """Keep the portfolio as it stood on `as_of` (an ISO date), replacing that date's; whole or not at all."""
        date.fromisoformat(as_of)
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO snapshots VALUES (?, ?)", (as_of, payload))

    def snapshot_dates(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT as_of FROM snapshots ORDER BY as_of")]

    def get_snapshot(self, as_of: str) -> str | None:
        row = self.db.execute("SELECT CASE WHEN length(CAST(payload AS BLOB)) <= ? THEN payload END FROM snapshots "
                              "WHERE as_of = ?", (MAX_VALUE, as_of)).fetchone()
        return row[0] if row and isinstance(row[0], str) else None

    # what each document was built from, and what changed

    def records(self) -> dict[str, Record]:
        """Every document's record; one that cannot be used is left out with a note (it is then rebuilt)."""
        found, odd = {}, []
        for row in self.db.execute("SELECT name, source, kind, form, template, config, casegen, facts, warnings, "
                                   "sha256 FROM documents"):
            try:
                record = Record(row[0], row[1], row[2], tuple(row[3:7]), load_json(row[7] or "{}"), row[8], row[9])
                if not (document_name_ok(record.name) and all(isinstance(v, str) for v in (*row[1:7], row[9]))
                        and type(record.warnings) is int and isinstance(record.facts, dict)):
                    raise ValueError(record.name)
                record.known_facts()
                found[record.name] = record
            except (ValueError, TypeError, AttributeError):
                odd.append(repr(row[0])[:80])
        self.odd = bool(odd)  # the next save leaves them out
        if odd:
            self.notes.append(f"{self.path}: the record of {', '.join(odd[:3])}{' and more' if len(odd) > 3 else ''} "
                              "cannot be used; left out, so its document is built again, and nothing of that name "
                              "was touched")
        return found

    def case(self, name: str) -> dict | None:
        """The case `name` was last built from; None if there is none or it cannot be used."""
        row = self.db.execute("SELECT vals FROM documents WHERE name = ?", (name,)).fetchone()
        try:
            values = load_json(row[0]) if row and isinstance(row[0], str) else None
        except ValueError:
            values = None
        if row and row[0] is not None and not isinstance(values, dict):
            self.notes.append(f"{self.path}: the case {name} was built from is not one casegen saved, so its "
                              "changes at this build cannot be listed")
            return None
        return values

    def document(self, name: str) -> bytes | None:
        """The document `name` as casegen last wrote it (what a redline compares with)."""
        row = self.db.execute("SELECT CASE WHEN length(body) <= ? THEN body END FROM documents WHERE name = ?",
                              (MAX_VALUE, name)).fetchone()
        return row[0] if row and isinstance(row[0], bytes) else None

    def pending(self) -> set[str]:
        """Documents a run was writing when it was stopped: casegen's own, though not yet recorded."""
        return {row[0] for row in self.db.execute("SELECT name FROM pending")}

    def writing(self, names: list[str]) -> None:
        with self.db:  # one transaction, one flush to disk: not one a name
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(n,) for n in names])

    def log(self, changes: list[Change]) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._log(changes)

    def _log(self, changes: list[Change]) -> None:
        self.db.executemany("INSERT INTO changes (date, form, field, old, new, what, kind) VALUES (?,?,?,?,?,?,?)",
                            [(c.date, c.form, c.field, c.old, c.new, c.what, c.kind) for c in changes])

    def save_build(self, build_date: str, records: dict[str, Record], built: dict[str, tuple[bytes | None, dict]],
                   changes: list[Change], changed: bool) -> None:
        """One build, in one transaction: its records, the documents and cases it wrote, its changes."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM documents WHERE name NOT IN (SELECT value FROM json_each(?))",
                            (json.dumps(list(records)),))
            self.db.executemany("INSERT INTO documents (name, source, kind, form, template, config, casegen, facts, "
                                "warnings, sha256) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET "
                                "source=excluded.source, kind=excluded.kind, form=excluded.form, "
                                "template=excluded.template, config=excluded.config, casegen=excluded.casegen, "
                                "facts=excluded.facts, warnings=excluded.warnings, sha256=excluded.sha256",
                                [r.row() for r in records.values()])
            self.db.executemany("UPDATE documents SET body = ?, vals = ? WHERE name = ?",
                                [(body, json.dumps(values, ensure_ascii=False), name)
                                 for name, (body, values) in built.items()])
            self.db.execute("DELETE FROM pending")
            self._log(changes)
            if built:
                self.db.execute("INSERT OR REPLACE INTO builds VALUES (?, ?)", (build_date, int(changed)))

    def read_log(self) -> list[Change]:
        """Every change logged in this folder, oldest first."""
        rows = self.db.execute("SELECT form, field, old, new, what, kind, date FROM changes ORDER BY id")
        return [Change(*(str(v or "")[:MAX_VALUE] for v in row)) for row in rows]

    def last_build(self) -> str | None:
        """The date of the last build that changed a document's text (or the first build)."""
        dates = [row[0] for row in self.db.execute("SELECT date FROM builds WHERE changed")]
        return max((d for d in dates if isinstance(d, str) and DATE.fullmatch(d)), default=None)
