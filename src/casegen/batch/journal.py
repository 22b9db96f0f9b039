"""The build history's journal: what a build will add to `.casegen/` is written aside, flushed to disk and
committed with one marker before anything in the history is replaced (SQLite's way), so a build killed at
any moment leaves the history as its last complete build left it.

    .casegen/journal/base/NAME.docx   the document of the last complete build, set aside before a build
                                      replaces it; it stays until a build that rebuilt NAME commits
    .casegen/journal/COMMITTED        the commit, one file written whole: the build's date, the log's size
                                      before it, the lines it adds, the case each document was built from

At the start of the next build (`recover`), a commit found is applied again (each step can be repeated).
A build killed before its commit has changed nothing in the history but the base documents, so the next
build compares the forms with the last complete build and redlines against that build's documents.
History damaged by other means (a cut-off line, a folder where a file should be) is set aside, named
in one note, never merged and never a reason to stop the build.

History is read without following links: a link planted in the output folder is set aside, not read.
"""
from __future__ import annotations

import json
import os
import re
import stat
from datetime import datetime, timezone
from pathlib import Path

from casegen.batch.changes import Change

STATE = ".casegen"
LOG = "changes.jsonl"
LAST = "last-build"  # the date of the last build that changed a document's text
REDLINES = "redlines"
JOURNAL = "journal"
COMMIT = "COMMITTED"
DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
FOLDERS = (STATE, f"{STATE}/cases", f"{STATE}/previous", f"{STATE}/{JOURNAL}", f"{STATE}/{JOURNAL}/base", REDLINES)


def state(out_dir: Path, *parts: str) -> Path:
    return Path(out_dir, STATE, *parts)


def journal(out_dir: Path, *parts: str) -> Path:
    return Path(out_dir, STATE, JOURNAL, *parts)


# reading and writing without following links, flushed to disk

def read_plain(path: Path) -> bytes:
    """The bytes of a regular file; OSError if it is missing, a link, a folder, a FIFO or unreadable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(f"{path} is not a regular file")
        return file.read()


def is_plain(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a platform that cannot open folders: renames are as durable as it makes them
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_synced(path: Path, data: bytes) -> None:
    """Write `path` in full and flush it to disk, through a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.unlink(missing_ok=True)  # a link of that name is removed, never written through
    try:
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_dir(path.parent)


def set_aside(path: Path) -> Path:
    """Rename damaged history out of the way (kept for a person to look at, never read again)."""
    aside = path.with_name(f"{path.name}.damaged-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%f')}")
    os.replace(path, aside)
    return aside


# the steps of a build's history

def commit(out_dir: Path, date: str, cases: dict[str, dict], lines: list[str], last: bool) -> None:
    """Commit this build's history in one file flushed to disk (its existence is the commit), then apply it."""
    log = state(out_dir, LOG)
    marker = {"date": date, "log_size": log.stat().st_size if is_plain(log) else 0, "last": last,
              "cases": cases, "lines": lines}
    write_synced(journal(out_dir, COMMIT), json.dumps(marker, ensure_ascii=False).encode("utf-8"))
    apply(out_dir, marker)


def apply(out_dir: Path, marker: dict) -> None:
    """Move a committed journal into the history; every step can run again after a kill."""
    for name, values in marker["cases"].items():
        text = json.dumps(values, ensure_ascii=False, indent=1).encode("utf-8")
        path = state(out_dir, "cases", f"{name}.json")
        if not is_plain(_cleared(path)) or read_plain(path) != text:
            write_synced(path, text)
        previous = _cleared(state(out_dir, "previous", f"{name}.docx"))
        previous.parent.mkdir(parents=True, exist_ok=True)
        _move(journal(out_dir, "base", f"{name}.docx"), previous)
    sync_dir(state(out_dir, "previous"))
    if marker["lines"]:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(_cleared(state(out_dir, LOG)), flags, 0o666)
        with open(fd, "ab") as log:
            if os.fstat(fd).st_size > marker["log_size"]:
                log.truncate(marker["log_size"])  # lines a killed apply already added are written once
            log.write("".join(line + "\n" for line in marker["lines"]).encode("utf-8"))
            log.flush()
            os.fsync(log.fileno())
    if marker["last"]:
        write_synced(state(out_dir, LAST), marker["date"].encode())
    journal(out_dir, COMMIT).unlink()
    sync_dir(journal(out_dir))


def _cleared(path: Path) -> Path:
    """`path`, with a folder or a link found in a file's place set aside (kept, never written through)."""
    if (path.exists() or path.is_symlink()) and not is_plain(path):
        set_aside(path)
    return path


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except FileNotFoundError:  # moved by the apply a kill cut short, or never set aside (a new document)
        pass


def recover(out_dir: Path) -> list[str]:
    """Bring the history of `out_dir` to a consistent state before a build; one note for each thing mended."""
    notes = [_folder_aside(out_dir, folder) for folder in FOLDERS]
    marker = journal(out_dir, COMMIT)
    if marker.exists() or marker.is_symlink():
        try:
            apply(out_dir, json.loads(read_plain(marker)))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):  # written whole: this is not ours
            notes.append(f"{marker}: not a commit of casegen's; set aside as {set_aside(marker).name}")
    notes += [_mend_log(out_dir), _mend_last(out_dir)]
    return [note for note in notes if note]


def _folder_aside(out_dir: Path, name: str) -> str:
    path = Path(out_dir, name)
    if not (path.is_symlink() or path.exists()) or (path.is_dir() and not path.is_symlink()):
        return ""
    aside = set_aside(path)
    return f"{path}: not a folder; set aside as {aside.name}, the history starts again from here"


def _mend_log(out_dir: Path) -> str:
    """Set a log with a cut-off or unreadable line aside, and keep its good lines in a new one."""
    log = state(out_dir, LOG)
    if not (log.exists() or log.is_symlink()):
        return ""
    try:
        data = read_plain(log)
    except OSError:
        aside = set_aside(log)
        return f"{log}: not a plain file; set aside as {aside.name}, the log starts again"
    lines = [line for line in data.split(b"\n") if line.strip()]
    good = [line for line in lines if parse_line(line) is not None]
    bad = len(lines) - len(good)
    if not bad:
        if data and not data.endswith(b"\n"):  # a whole last line, cut off before its newline only
            write_synced(log, b"".join(line + b"\n" for line in good))
        return ""
    aside = set_aside(log)
    write_synced(log, b"".join(line + b"\n" for line in good))
    return f"{log}: {bad} damaged line{'s' if bad > 1 else ''} set aside in {aside.name}, {len(good)} kept"


def _mend_last(out_dir: Path) -> str:
    last = state(out_dir, LAST)
    if not (last.exists() or last.is_symlink()) or read_last(out_dir) is not None:
        return ""
    aside = set_aside(last)
    found = [c.date for c in read_log(out_dir)]
    if found:
        write_synced(last, max(found).encode())
    return f"{last}: not a date; set aside as {aside.name}" + (f", the log's last build taken instead" if found else "")


# reading the history

def parse_line(line: bytes) -> Change | None:
    try:
        change = Change(**json.loads(line.decode("utf-8")))
    except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        return None
    return change if all(isinstance(v, str) for v in change.__dict__.values()) else None


def read_log(out_dir: Path) -> list[Change]:
    """Every change the builds into `out_dir` have logged, oldest first (damaged lines are left out)."""
    try:
        data = read_plain(state(out_dir, LOG))
    except OSError:
        return []
    return [c for c in map(parse_line, data.split(b"\n")) if c is not None]


def damaged_lines(out_dir: Path) -> int:
    try:
        data = read_plain(state(out_dir, LOG))
    except OSError:
        return 0
    return sum(1 for line in data.split(b"\n") if line.strip() and parse_line(line) is None)


def read_last(out_dir: Path) -> str | None:
    try:
        text = read_plain(state(out_dir, LAST)).decode("utf-8").strip()
    except (OSError, ValueError):
        return None
    return text if DATE.fullmatch(text) else None
