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
import socket
import sqlite3
import stat
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from casegen.batch.changes import Change
from casegen.errors import BuildError

FOLDER, FILE, LOCK = ".casegen", "state.sqlite3", "lock"
VERSION = 1  # PRAGMA user_version: the schema below
APPLICATION_ID = 0x63617367  # PRAGMA application_id, "casg": a SQLite file of another program is not ours
MAX_STORE = 2**30  # bytes: 300 documents and years of history take a few tens of MB
MAX_VALUE = 64 * 2**20  # bytes of one value read back (a document, a case, a snapshot)
MAX_DEPTH = 64  # of a JSON value read back: a case is 6 deep
SQLITE_MAGIC = b"SQLite format 3\x00"
SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (name TEXT PRIMARY KEY, source TEXT, kind TEXT, form TEXT, template TEXT,
    config TEXT, casegen TEXT, facts TEXT, warnings INTEGER, sha256 TEXT, body BLOB, vals TEXT);
CREATE TABLE IF NOT EXISTS pending (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS changes (id INTEGER PRIMARY KEY, date TEXT, form TEXT, field TEXT, old TEXT,
    new TEXT, what TEXT, kind TEXT);
CREATE TABLE IF NOT EXISTS builds (date TEXT PRIMARY KEY, changed INTEGER);
CREATE TABLE IF NOT EXISTS snapshots (as_of TEXT PRIMARY KEY, payload TEXT);
"""


def now_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")


def what_is(path: Path) -> str:
    """"" for a regular file or nothing; else what is there, in words."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return ""
    if stat.S_ISLNK(mode):
        return f"a symbolic link (to {os.readlink(path)})"
    return "" if stat.S_ISREG(mode) else "a folder" if stat.S_ISDIR(mode) else "a pipe, socket or device"


def set_aside(path: Path) -> Path:
    """Rename `path` (a link itself, never its target) out of the way, kept for a person to look at."""
    aside = path.with_name(f"{path.name}.damaged-{now_stamp()}")
    n = 2
    while os.path.lexists(aside):
        aside, n = path.with_name(f"{path.name}.damaged-{now_stamp()}-{n}"), n + 1
    os.replace(path, aside)
    return aside


def read_plain(path: Path, limit: int = MAX_VALUE) -> bytes:
    """A regular file's bytes, never through a link, never blocking on a pipe; OSError if it is anything else
    or larger than `limit`."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise IsADirectoryError(f"{path} is not a regular file of at most {limit} bytes")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise IsADirectoryError(f"{path} is larger than {limit} bytes")
    return data


def load_json(data: bytes | str, limit: int = MAX_VALUE):
    """JSON read with a byte budget and a depth limit; ValueError for anything else."""
    if len(data) > limit:
        raise ValueError("larger than casegen writes")
    try:
        value = json.loads(data)
    except RecursionError:
        raise ValueError("nested deeper than casegen writes") from None
    todo = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise ValueError("nested deeper than casegen writes")
        if isinstance(item, (dict, list)):
            todo += [(v, depth + 1) for v in (item.values() if isinstance(item, dict) else item)]
    return value


# the folder's lock

def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would end the process on Windows: ask whether it has exited instead
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
        self.path, self.notes = folder / FOLDER / LOCK, []
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
            self.notes.append(f"{self.path}: {there or 'not a lock of casegen'}s; set aside as "
                              f"{set_aside(self.path).name}")
            return
        folder, who = self.path.parent.parent, f"{holder['user']} on {holder['host']}, pid {holder['pid']}"
        if holder["host"] != socket.gethostname():
            raise BuildError(f"{folder} is being built by {who}, since {holder['since']}; if that build is not "
                             f"running any more, delete {self.path} and build again")
        if _alive(holder["pid"]):
            raise BuildError(f"{folder} is being built by another casegen build (pid {holder['pid']}, since "
                             f"{holder['since']}); wait for it to finish, or build into another folder with -o")
        os.unlink(self.path)  # left by a run that has ended on this host

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


class Store:
    """`with Store.open(folder) as store:` the folder's state, held under its lock."""

    def __init__(self, folder: Path, locked: bool = True):
        self.folder, self.locked = Path(folder), locked
        self.dir = self.folder / FOLDER
        self.path = self.dir / FILE
        self.notes: list[str] = []  # one line for each thing set aside
        self.db: sqlite3.Connection | None = None
        self.lock = Lock(self.folder)

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
        if self.db is not None:
            self.db.close()
            self.db = None
        if self.locked:
            self.lock.release()

    def _folder(self) -> None:
        there = what_is(self.dir)
        if there and there != "a folder":
            self.notes.append(f"{self.dir}: {there}, not casegen's folder; set aside as {set_aside(self.dir).name}")
        self.dir.mkdir(parents=True, exist_ok=True)

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
                self.db = sqlite3.connect(self.path, timeout=20, isolation_level=None)
                self.db.execute("PRAGMA journal_mode=DELETE")
                self.db.execute("PRAGMA synchronous=FULL")
                self._schema()
                return
            except sqlite3.DatabaseError as exc:
                if self.db is not None:
                    self.db.close()
                    self.db = None
                if attempt == 2 or not self.locked:
                    raise BuildError(f"{self.path}: cannot be used ({exc}); it is left as it was") from None
                self._aside(FILE, f"not a store of casegen's ({exc})")

    def _magic(self) -> bool:
        try:
            head = read_plain(self.path, MAX_STORE)[:16] if self.path.stat().st_size < 16 else self._head()
        except OSError:
            return False
        return head in (b"", SQLITE_MAGIC)

    def _head(self) -> bytes:
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            return os.read(fd, 16)
        finally:
            os.close(fd)

    def _aside(self, name: str, what: str) -> None:
        if not self.locked:
            raise sqlite3.DatabaseError(what)
        self.notes.append(f"{self.dir / name}: {what}; set aside as {set_aside(self.dir / name).name}, "
                          "casegen starts its state again")

    def _schema(self) -> None:
        app, version = (self.db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("application_id", "user_version"))
        tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables and (app, version) != (APPLICATION_ID, VERSION):
            raise sqlite3.DatabaseError(f"application {app}, version {version}; casegen's is version {VERSION}")
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
