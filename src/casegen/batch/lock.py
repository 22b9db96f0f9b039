"""The folder's lock, `.casegen/lock`: a file made with O_CREAT|O_EXCL (not a byte-range lock, which SMB and synced
folders keep poorly) holding the host, user, pid and start of the run that holds it. One left by a dead run on
this host is taken over; one from another host is refused with its holder named (batch.store takes it)."""
from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

from casegen.bounded import load_json, read_plain
from casegen.errors import BuildError
from casegen.fileio import set_aside, what_is

FOLDER, LOCK = ".casegen", "lock"
USER_VARIABLES = ("LOGNAME", "USER", "LNAME", "USERNAME")  # where getpass.getuser looks first, in its order


def _user() -> str:
    """getpass.getuser(), where none of USER_VARIABLES is set (getpass is loaded only then: 1 ms)."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "someone"


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would end the process on Windows: ask whether it has exited
        import ctypes

        kernel, code = ctypes.windll.kernel32, ctypes.c_ulong()
        handle = kernel.OpenProcess(0x1000, False, pid)
        if not handle:
            return False
        alive = kernel.GetExitCodeProcess(handle, ctypes.byref(code)) and code.value == 259  # STILL_ACTIVE
        kernel.CloseHandle(handle)
        return bool(alive)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        pass
    return True


def host() -> str:
    """This machine's name, as socket.gethostname() gives it (from os where it can: socket costs 5 ms to load)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def _holder(text: bytes):
    """The lock's holder as casegen writes it, or None."""
    try:
        held = load_json(text, 4096)
    except ValueError:
        return None
    keys = (("host", str), ("user", str), ("pid", int), ("since", str))
    return held if isinstance(held, dict) and all(type(held.get(k)) is t for k, t in keys) else None


class Lock:
    """`.casegen/lock`, made with O_EXCL: the folder is ours until released."""

    def __init__(self, folder: Path):
        self.path, self.notes = folder / FOLDER / LOCK, list[str]()
        user = next((os.environ[name] for name in USER_VARIABLES if os.environ.get(name)), "") or _user()
        self.text = json.dumps({"host": host(), "user": user, "pid": os.getpid(),
                                "since": datetime.now().astimezone().isoformat(timespec="seconds")})

    def take(self) -> None:
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            except FileExistsError:
                self._held()
                continue
            with open(fd, "w", encoding="utf-8") as file:  # not flushed to disk: after a crash, an empty or
                file.write(self.text)  # damaged lock is set aside as not casegen's, as any other is
            return
        raise BuildError(f"{self.path.parent.parent}: cannot take the lock {self.path}; build again")

    def _held(self) -> None:
        """Take over a lock no run holds; else BuildError naming who does."""
        folder, there = self.path.parent.parent, what_is(self.path)
        holder = None if there else _holder(self._read(self.path))
        busy = f"{folder} is being built by another casegen build"
        if holder is None:
            if not there and time.time() - os.lstat(self.path).st_mtime < 10:  # being written by its taker
                raise BuildError(f"{folder} is being built by another casegen run; wait for it to finish")
            there = there or "not casegen's lock"
            self.notes.append(f"{self.path}: {there}; set aside as {set_aside(self.path).name}")
            return
        try:
            when = datetime.fromisoformat(holder["since"])
            since = f"{when.day} {when:%b %Y, %H:%M}"
        except ValueError:
            since = holder["since"][:40]
        if holder["host"] != host():
            raise BuildError(f"{folder} is being built by {holder['user']} on {holder['host']}, pid {holder['pid']}, "
                             f"since {since}; if that build is not running any more, delete {self.path} and build "
                             "again")
        if _alive(holder["pid"]):
            raise BuildError(f"{busy} (pid {holder['pid']}, since {since}); wait for it to finish, or build into "
                             "another folder with -o")
        # Taken over: renamed away, then checked that what went is the stale lock and not a newer one (another run
        # taking it over first), which is put back.
        aside = self.path.with_name(f"{LOCK}.stale-{os.getpid()}")
        os.replace(self.path, aside)
        try:
            if _holder(self._read(aside)) != holder:
                os.link(aside, self.path)
                raise BuildError(f"{busy}; wait for it to finish, or build into another folder with -o")
        finally:
            os.unlink(aside)

    @staticmethod
    def _read(path: Path) -> bytes:
        try:
            return read_plain(path, 4096)
        except OSError:
            return b""

    def release(self) -> None:
        if self._read(self.path).decode("utf-8", "replace") == self.text:  # still ours, not one taken over
            os.unlink(self.path)
