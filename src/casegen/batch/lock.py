"""One build at a time in an output folder: an OS lock through `filelock`, released by the kernel when
its process ends however it ends, so a lock file left by a killed build never blocks the next one.

filelock truncates the lock file when it tries to take it, so the holder's pid (for the message)
is written to a file of its own once the lock is held.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from filelock import FileLock, Timeout

from casegen.errors import BuildError
from casegen.fileio import os_error_message, remove_plain

LOCK_NAME = ".casegen-build.lock"
HOLDER_NAME = ".casegen-build.pid"


class BuildLock:
    """Holds the output folder for one build; raises BuildError if another build holds it."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.lock = FileLock(self.folder / LOCK_NAME, timeout=0)

    def __enter__(self) -> BuildLock:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.lock.acquire()
        except Timeout:
            raise BuildError(f"{self.folder} is being built by another casegen build{self.holder()}; "
                             "wait for it to finish, or build into another folder with -o") from None
        except OSError as exc:
            raise BuildError(f"cannot write to the output folder: {os_error_message(exc, self.folder)}") from None
        try:
            (self.folder / HOLDER_NAME).write_text(f"{os.getpid()}\n")
        except OSError:  # the pid is only for the message
            pass
        return self

    def __exit__(self, *exc) -> None:
        (self.folder / HOLDER_NAME).unlink(missing_ok=True)
        self.lock.release()

    def holder(self) -> str:
        try:
            return f" (pid {int((self.folder / HOLDER_NAME).read_text().strip())})"
        except (OSError, ValueError):
            return ""


def sweep_leftovers(folder: Path) -> None:
    """Remove what a killed build left half-written (temporary files never reach a document's name)."""
    for pattern in (".*.part", ".casegen/.*.part", ".casegen/*/.*.part", ".casegen/*/*.part", "redlines/.*.part"):
        for leftover in folder.glob(pattern):
            remove_plain(leftover)  # only casegen's own kind of file: never a link or a folder of such a name
    for leftover in folder.glob(".casegen-pdf-*"):
        shutil.rmtree(leftover, ignore_errors=True)
