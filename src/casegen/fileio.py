"""Writing files safely: a reader never sees half of one (temporary file, then rename), a file casegen
did not write is never replaced without being asked (`not_ours`), and an OS error becomes one line
saying what to do (`os_error_message`)."""
from __future__ import annotations

import errno
import glob
import os
import stat
import tempfile
import zipfile
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from xml.parsers import expat

# The custom document property that marks a workbook as casegen's (sheetcells.mark_workbook writes it).
MARK_PROPERTY = "casegen"
PART_SUFFIX = ".part"
_NAME_BYTES = 200  # of a target's name in its temporary file's: with ".", 8 random characters and ".part", < 255
_MAX_PROPS = 256 * 1024  # a document's property part is a few kB; a larger one is not casegen's
_MAX_OFFICE_FILE = 64 * 2**20  # casegen's documents and trackers are well under 1 MB; a larger zip is not opened
_PROPERTIES = ("lastModifiedBy", "creator", "Application")  # of the core and app parts, that say who wrote a file


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def part_prefix(target: Path) -> str:
    """The start of the name of a temporary file beside `target`: `.NAME.`, NAME cut short enough that the
    temporary name is never too long where the target's name is not."""
    name = target.name.encode("utf-8")[:_NAME_BYTES].decode("utf-8", errors="ignore")
    return f".{name}."


def make_parent(folder: Path) -> None:
    """Make `folder` and the folders above it; a file where one of them should be, named as the system does."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where a folder of the path should be: say which
        blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), folder)
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(blocker)) from None


@contextmanager
def atomic_path(target: str | os.PathLike):
    """Yield a temporary path beside `target`; on success it replaces `target` in one step.

    A symbolic link at `target` is replaced by the file, never written through: a link planted in an
    output folder must not lead casegen to replace a file elsewhere (`upgrade` follows a link on purpose)."""
    target = Path(target)
    make_parent(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=part_prefix(target), suffix=PART_SUFFIX, dir=target.parent)
    except OSError as exc:
        raise _about(exc, target) from None
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private to its owner: give it the mode a plain write would.
        os.chmod(tmp, 0o666 & ~_umask())
        _replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise (_about(exc, target) if exc.filename is None or str(exc.filename) == tmp else exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class InUseError(PermissionError):
    """The file at a path casegen writes is held open by another program: Windows refuses to replace a
    document open in Word."""


def in_use(target: Path) -> str:
    if target.suffix.lower() in (".xlsx", ".xlsm"):
        return "it is open in another program (Excel, say), which holds it: close it in Excel and run the command again"
    return "it is open in another program (Word, say), which holds it: close it in Word and build again"


def _replace(tmp: str, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except PermissionError as exc:
        # The folder took the temporary file, so it is the file in the way that may not be replaced: on
        # Windows, a document open in Word (ERROR_ACCESS_DENIED or ERROR_SHARING_VIOLATION).
        if not os.path.lexists(target):
            raise
        raise InUseError(exc.errno or errno.EACCES, in_use(target), str(target)) from None


def _about(exc: OSError, target: Path) -> OSError:
    """The error, naming the file the user asked for rather than casegen's temporary one."""
    return type(exc)(exc.errno, exc.strerror, str(target)) if exc.errno else exc


def write_bytes_atomic(target: str | os.PathLike, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def sweep_parts(target: Path) -> list[Path]:
    """Remove the temporary files a killed casegen left beside `target` (`.NAME.*.part`): regular files only,
    never a link or a folder of that name. Returns those removed."""
    pattern = glob.escape(str(target.parent / part_prefix(target))) + "*" + PART_SUFFIX
    return [leftover for leftover in map(Path, glob.glob(pattern, include_hidden=True)) if remove_plain(leftover)]


def remove_plain(path: Path) -> bool:
    """Remove `path` if it is a regular file (never a link, a folder or a device); whether it was removed."""
    try:
        if stat.S_ISREG(os.lstat(path).st_mode):
            path.unlink()
            return True
    except OSError:  # gone already, or not removable: a leftover does no harm
        pass
    return False


# Whose file is it?

def plain_file(path: Path) -> str:
    """"" if `path` is absent or a regular file; else what it is ("a folder", "a symbolic link" ...)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:  # absent, or a part of its path is not a folder: writing it says why
        return ""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "" if stat.S_ISREG(mode) else "not a regular file (a pipe, a socket or a device)"


def cache_home() -> Path:
    """casegen's own cache (compiled templates, LibreOffice profiles): $CASEGEN_CACHE, else the platform's cache
    folder, never the output folder."""
    if os.environ.get("CASEGEN_CACHE"):
        return Path(os.environ["CASEGEN_CACHE"])
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "casegen"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "casegen"


def what_is(path: Path) -> str:
    """"" for a regular file or nothing; else what is there, in words (a link with its target)."""
    there = plain_file(path)
    return f"a symbolic link (to {os.readlink(path)})" if there == "a symbolic link" else there


def folder_trouble(path: Path) -> str:
    """"" for a folder or nothing; else what is there instead."""
    return "" if plain_file(path) == "a folder" or not os.path.lexists(path) else (what_is(path) or "a file")


def set_aside(path: Path) -> Path:
    """Rename `path` (a link itself, never its target) out of the way, kept for a person to look at."""
    stamp, n = datetime.now(UTC).strftime("%Y%m%d-%H%M%S"), 2
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    while os.path.lexists(aside):
        aside, n = path.with_name(f"{path.name}.damaged-{stamp}-{n}"), n + 1
    os.replace(path, aside)
    return aside


def keep_edited(target: Path) -> Path:
    """Rename a file a person edited since casegen wrote it to NAME.edited-YYYYMMDD-HHMMSS.SUFFIX beside it (never
    replacing another), so that the new one can be written in its place; the name it is kept under."""
    stamp, n = datetime.now().strftime("%Y%m%d-%H%M%S"), 2
    aside = target.with_name(f"{target.stem}.edited-{stamp}{target.suffix}")
    while os.path.lexists(aside):
        aside, n = target.with_name(f"{target.stem}.edited-{stamp}-{n}{target.suffix}"), n + 1
    os.rename(target, aside)
    return aside


def _refuse_dtd(*_) -> None:
    raise ValueError("a DTD in a document's properties")  # never casegen's, and entities are how bombs work


def _read_properties(blob: bytes, found: dict[str, str]) -> None:
    """Add the properties that say who wrote a file, from one property part, to `found`. Parsed with expat
    (the standard library's: `casegen build` with nothing to do loads no lxml), refusing any DTD."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse_dtd
    path: list[str] = []
    text: list[str] = []

    def start(tag, attrs):
        path.append(tag.rsplit("}", 1)[-1] if len(path) != 1 or tag.rsplit("}", 1)[-1] != "property"
                    else f"property={attrs.get('name', '')}")
        text.clear()

    def end(tag):
        if len(path) >= 2 and (path[1] in _PROPERTIES or path[1] == f"property={MARK_PROPERTY}"):
            found[path[1].removeprefix("property=")] = "".join(text).strip()
        path.pop()

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text.append
    parser.Parse(blob, True)


def document_properties(path: Path) -> dict[str, str]:
    """An Office file's properties that mark who wrote it: lastModifiedBy and creator (core), Application
    (app) and casegen's own custom property; {} if the file is not an Office file or its parts are odd.

    Only the small property parts are read, each through a bounded stream, whatever sizes the zip claims."""
    found: dict[str, str] = {}
    try:
        if os.stat(path).st_size > _MAX_OFFICE_FILE:
            return {}
        with zipfile.ZipFile(path) as zf:
            for part in ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml"):
                try:
                    with zf.open(part) as fh:
                        blob = fh.read(_MAX_PROPS + 1)
                except KeyError:
                    continue
                if len(blob) > _MAX_PROPS:
                    return {}
                _read_properties(blob, found)
    except (OSError, zipfile.BadZipFile, expat.ExpatError, RuntimeError, NotImplementedError, ValueError,
            EOFError):
        return {}
    return found


def written_by_casegen(path: Path, what: str) -> bool:
    """Whether casegen wrote `path` as `what`: a workbook by its mark ("tracker", "annotated copy"), which
    survives a person saving it again; a Word document ("document") by casegen's name as its last author
    and application, which Word replaces when a person saves it: such a file may hold their edits, so it
    is theirs from then on."""
    props = document_properties(path)
    if what == "document":
        if "lastModifiedBy" in props:  # what every office suite rewrites on saving, python-docx included
            return props["lastModifiedBy"] == "casegen"
        return props.get("Application", "").startswith("casegen")
    return props.get(MARK_PROPERTY) == what


def not_ours(path: str | os.PathLike, what: str) -> str:
    """Why casegen must not replace `path` with its `what` ("" if it may: nothing is there, or casegen wrote it)."""
    path = Path(path)
    other = plain_file(path)
    if other:
        return f"it is {other}"
    if not path.exists() or written_by_casegen(path, what):
        return ""
    if what == "document":
        return "casegen did not write it, or a person has saved it since (it may hold their edits)"
    return f"it is not a {what} casegen wrote"


def refusal(path: str | os.PathLike, why: str, instead: str = "choose another name", force: bool = True) -> str:
    """Why casegen leaves `path` alone, and what to do (--force replaces a file or a link, never a folder)."""
    return f"{path} is in the way and is left as it was: {why}; {instead}" + (
        ", or add --force to replace it" if force else "")


# OS errors, in words

_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space, then run the command again",
    errno.EDQUOT: "the disk quota is used up: free some space, then run the command again",
    errno.EACCES: "casegen may not write or read there: choose another place, or ask for access to it",
    errno.EPERM: "casegen may not write or read there: choose another place, or ask for access to it",
    errno.EROFS: "the disk is read-only: choose another place",
    errno.ENAMETOOLONG: "the name is too long: choose a shorter name, or a folder with a shorter path",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another place",
    errno.EISDIR: "it is a folder: give the name of a file",
    errno.ENOENT: "it does not exist: check the name",
    errno.ELOOP: "it is a loop of symbolic links: check the path",
    errno.EBUSY: "it is in use by another program: close it, then run the command again",
    errno.ETXTBSY: "it is in use by another program: close it, then run the command again",
}


def os_error_message(exc: OSError, path: str | os.PathLike | None = None) -> str:
    """One line for an OS error: the path, what the system said, and what to do."""
    where = exc.filename if exc.filename is not None else path
    if isinstance(exc, InUseError):
        return f"{where}: {exc.strerror}"
    advice = _ADVICE.get(exc.errno or 0, "check the path and the disk, then run the command again")  # 0: none given
    said = exc.strerror or str(exc) or type(exc).__name__
    return f"{where}: {said}; {advice}" if where is not None else f"{said}; {advice}"
