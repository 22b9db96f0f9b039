"""One build at a time in an output folder.

The lock is an OS lock (flock) on a file in the folder, so the kernel releases it when its
process ends however it ends: a lock file left behind by a killed build, naming a pid that is no
longer running, is simply taken over. The file names the holder's pid for the message.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from casegen.errors import BuildError

LOCK_NAME = ".casegen-build.lock"

try:
    import fcntl

    def _try_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
except ImportError:  # Windows
    import msvcrt

    def _try_lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


class BuildLock:
    """Holds the output folder for one build; raises BuildError if another build holds it."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.fd: int | None = None

    def __enter__(self) -> BuildLock:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise BuildError(f"cannot write to the output folder {self.folder}: {exc.strerror or exc}") from None
        try:
            _try_lock(fd)
        except OSError:
            holder = _holder(fd)
            os.close(fd)
            raise BuildError(f"{self.folder} is being built by another casegen build{holder}; "
                             "wait for it to finish, or build into another folder with -o") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        # The file stays: removing it would let a build that opened it a moment ago lock a file no one else sees.
        os.ftruncate(self.fd, 0)
        _unlock(self.fd)
        os.close(self.fd)
        self.fd = None


def _holder(fd: int) -> str:
    try:
        pid = int(os.pread(fd, 32, 0).decode().strip())
    except (OSError, ValueError, AttributeError):
        return ""
    return f" (pid {pid})"


def sweep_leftovers(folder: Path) -> None:
    """Remove what a killed build left half-written (temporary files never reach a document's name)."""
    for leftover in folder.glob(".*.part"):
        leftover.unlink(missing_ok=True)
    for leftover in folder.glob(".casegen-pdf-*"):
        shutil.rmtree(leftover, ignore_errors=True)
