"""Reading a file the user names that is not a form (a configuration, a case's data) within bounds: a regular
file only, opened without waiting (a pipe named programme.toml would block a plain read for ever, and
/dev/zero or a 3 GB file would fill the memory), at most `limit` bytes, whatever its size says."""
from __future__ import annotations

import json
import os
import stat


class Unreadable(ValueError):
    """Why the file is not read, in words for the user (each caller raises it as its own error)."""


def read_bounded(path: str | os.PathLike, limit: int, what: str, follow_links: bool = True) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; Unreadable otherwise (OSError where
    the system refuses, as any open would: with `follow_links` False, a link is refused so)."""
    # O_NONBLOCK: opening a pipe for reading returns at once instead of waiting for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags if follow_links else flags | getattr(os, "O_NOFOLLOW", 0))
    try:
        mode, size = os.fstat(fd).st_mode, os.fstat(fd).st_size
        if stat.S_ISDIR(mode):
            raise Unreadable(f"is a folder, not {what}")
        if not stat.S_ISREG(mode):
            raise Unreadable(f"is not a file (a pipe, a socket or a device), so it is not read as the {what}: give "
                             "the file itself")
        chunks, total = [], 0
        while total <= limit and (chunk := os.read(fd, min(limit + 1 - total, 2**20) or 1)):
            chunks.append(chunk)
            total += len(chunk)
        if max(total, size) > limit:
            raise Unreadable(f"is more than {limit // 1024:,} KB, far more than any {what}: give the right file")
        return b"".join(chunks)
    finally:
        os.close(fd)


def nesting(value: object, cap: int) -> int:
    """How deeply lists and objects nest in a parsed JSON `value`, worked out without recursion (counting stops
    past `cap`, so a value nested deeper returns more than `cap`)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= cap:
                stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def read_plain(path: str | os.PathLike, limit: int) -> bytes:
    """A regular file's bytes (one casegen keeps), never through a link, never blocking on a pipe; OSError if it
    is anything else or larger than `limit`."""
    try:
        return read_bounded(path, limit, "file casegen keeps", follow_links=False)
    except Unreadable as exc:
        raise IsADirectoryError(f"{path} {exc}") from None


def load_json(data: bytes | str, limit: int, depth: int = 64):
    """JSON read with a byte budget and a depth limit (a case is 6 deep); ValueError for anything else."""
    if len(data) > limit:
        raise ValueError("larger than casegen writes")
    try:
        value = json.loads(data)
    except RecursionError:
        raise ValueError("nested deeper than casegen writes") from None
    # A value cannot nest deeper than the text has brackets: most are walked only when they could be too deep.
    brackets = data.count("[") + data.count("{") if isinstance(data, str) else data.count(b"[") + data.count(b"{")
    if brackets > depth and nesting(value, depth) > depth:
        raise ValueError("nested deeper than casegen writes")
    return value
