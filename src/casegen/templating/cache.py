"""A template's compiled form, kept between runs in the user's cache, by the template's digest.

Compiling a template is most of a one-form build's own work: docxtpl's tag handling, the full template check
(templating.check) and Jinja's compiler took 0.2 s of the 0.5 s a one-form build took (issue 27), on every
run, for a template that had not changed. What the compiler makes of a part is a Python code object; once a
template has compiled and passed the check, its parts' code objects are kept in a file of the user's cache
(marshal's format, as Python keeps a module's .pyc and Jinja its bytecode cache), named by a key of everything
they depend on: the template's bytes, its kind (which model the check read it against), this casegen's code,
Jinja's version, and Python's. A later run with the same key loads them in place of compiling.

The file holds code that runs, so it is only ever read from a folder of the user's own that no one else can
write (never the output folder, which may be a shared drive), checked as it is read: the folder and the file
are the user's, and neither is writable by anyone else (each checked once opened, so that neither can be
swapped between the check and the read). Each entry carries the SHA-256 of its contents, checked
before it is unpacked; an entry that is damaged, foreign, of another key, or not what the renderer expects is
ignored, the template is compiled and checked as if there were none, and the entry written again. Writes are
atomic (a private temporary file renamed into place); a cache that cannot be written is no error, only slower.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from types import CodeType

from casegen import __version__
from casegen.bounded import Unreadable, read_bounded
from casegen.fileio import cache_home

MAGIC = b"casegen compiled template 1\n"
MAX_ENTRY = 16 * 2**20  # bytes; a template's compiled parts are a few hundred kB
KEEP = 32  # entries; the oldest beyond these are removed when one is written


def folder() -> Path:
    return cache_home() / "templates"


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """A stamp of the code a compiled template depends on: every module of casegen (by name, size and time:
    a checkout edited in place compiles again) and docxtpl's tag handling."""
    import casegen

    seen: list[str] = []
    pending = [Path(casegen.__file__).parent]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    pending.append(Path(entry.path))
                elif entry.name.endswith(".py"):
                    info = entry.stat()
                    seen.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    seen.sort()
    return hashlib.sha256("\n".join(seen).encode()).hexdigest()


def key(template_sha256: str, kind: str | None, *versions: str) -> str:
    """The name of a template's entry: its bytes' digest, its kind, and the versions its code depends on."""
    parts = [template_sha256, str(kind), __version__, code_stamp(), sys.version, sys.implementation.cache_tag,
             *versions]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]


def _private(info: os.stat_result, kind: int) -> bool:
    """Whether a folder or file is the user's own and no one else may write it (Windows: the user's profile)."""
    if stat.S_IFMT(info.st_mode) != kind:
        return False
    if os.name == "nt":
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _usable_folder(make: bool = False) -> Path | None:
    """The cache folder, if it is the user's own and private (made so, when `make`); else None."""
    where = folder()
    try:
        if make:
            where.mkdir(mode=0o700, parents=True, exist_ok=True)
        return where if _private(os.stat(where, follow_symlinks=False), stat.S_IFDIR) else None
    except OSError:
        return None


_NO_LINK = getattr(os, "O_NOFOLLOW", 0)
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NO_LINK


def _entry_bytes(name: str) -> bytes | None:
    """The bytes of the entry `name` (at most MAX_ENTRY), if the folder and the file are private (_private).

    The folder is opened and checked first, and the file opened within that open folder and checked as opened
    (fstat), so neither can be swapped for another user's between the check and the read; where the system
    cannot open a file within a folder (Windows: the cache is in the user's own profile), by their paths."""
    where = folder()
    if os.name == "nt" or os.open not in os.supports_dir_fd:
        if _usable_folder() is None:
            return None
        try:
            if not _private(os.stat(where / f"{name}.bin", follow_symlinks=False), stat.S_IFREG):
                return None
            return read_bounded(where / f"{name}.bin", MAX_ENTRY, "cache entry", follow_links=False)
        except (OSError, Unreadable):
            return None
    try:
        folder_fd = os.open(where, _FOLDER_FLAGS)
    except OSError:
        return None
    try:
        if not _private(os.fstat(folder_fd), stat.S_IFDIR):
            return None
        fd = os.open(f"{name}.bin", os.O_RDONLY | _NO_LINK | getattr(os, "O_NONBLOCK", 0), dir_fd=folder_fd)
        try:
            info = os.fstat(fd)
            if not _private(info, stat.S_IFREG) or info.st_size > MAX_ENTRY:
                return None
            chunks, total = [], 0
            while total <= MAX_ENTRY and (chunk := os.read(fd, min(MAX_ENTRY + 1 - total, 2**20) or 1)):
                chunks.append(chunk)
                total += len(chunk)
            return b"".join(chunks) if total <= MAX_ENTRY else None
        finally:
            os.close(fd)
    except OSError:
        return None
    finally:
        os.close(folder_fd)


def load(name: str) -> dict[str, CodeType] | None:
    """The parts' code objects kept under `name`, or None if there is no entry fit to run."""
    data = _entry_bytes(name)
    if data is None:
        return None
    head = len(MAGIC) + 65
    if not data.startswith(MAGIC) or len(data) < head or data[len(MAGIC) + 64:head] != b"\n":
        return None
    body = data[head:]
    if hashlib.sha256(body).hexdigest().encode() != data[len(MAGIC):len(MAGIC) + 64]:
        return None  # damaged: torn, truncated or edited
    try:
        stored = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == name and isinstance(stored[1], dict)
            and all(isinstance(k, str) and isinstance(v, CodeType) for k, v in stored[1].items())):
        return None
    return stored[1]


def store(name: str, codes: dict[str, CodeType]) -> None:
    """Keep the parts' code objects under `name` (atomically; a cache that cannot be written is left alone)."""
    where = _usable_folder(make=True)
    if where is None:
        return
    body = marshal.dumps((name, codes))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=where)  # private to the user
        with open(fd, "wb") as file:
            file.write(MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
        os.replace(tmp, where / f"{name}.bin")
        tmp = None
        _trim(where)
    except OSError:
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _trim(where: Path) -> None:
    """Remove the entries beyond the KEEP most recently written, and the temporary files of runs killed while
    writing one (an hour old: no run is still writing them)."""
    entries, stale = [], time.time_ns() - 3600 * 10**9
    with os.scandir(where) as found:
        for entry in found:
            if not entry.is_file(follow_symlinks=False):
                continue
            written = entry.stat(follow_symlinks=False).st_mtime_ns
            if entry.name.endswith(".bin"):
                entries.append((written, entry.path))
            elif entry.name.endswith(".part") and written < stale:
                Path(entry.path).unlink(missing_ok=True)
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        Path(path).unlink(missing_ok=True)
