"""Which intake workbooks a build takes, and the document each one makes."""
from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from pathlib import Path

from casegen.errors import Problem
from casegen.intake.files import find_forms

MAX_INPUT = 64 * 2**20  # bytes of a form or a template stamped: casegen's are well under 1 MB


def document_name_ok(name) -> bool:
    """Whether `name` is one a build writes: NAME.docx, directly in the output folder, not a hidden file."""
    return (isinstance(name, str) and name.endswith(".docx") and len(name) > len(".docx")
            and not name.startswith(".") and not any(c in name for c in "/\\\0"))


def file_digest(path: str | os.PathLike, length: int = 64) -> str | None:
    """sha256 of a regular file's bytes (cut to `length` hex digits), or None if it is not one, or is larger
    than a form or template could be: a pipe or /dev/zero is never read (the reader then says why)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with open(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_INPUT:
            return None
        digest = hashlib.sha256(file.read(MAX_INPUT + 1))
    return digest.hexdigest()[:length]


def template_digest(path: str | os.PathLike) -> str | None:
    """The template's stamp, the same as render.CompiledTemplate's `.digest`, without compiling it."""
    return file_digest(path, 16)


def document_name(source: Path) -> str:
    """NAME.docx for inputs/NAME.xlsx, in Unicode's composed spelling (NFC): a name typed on a Mac (decomposed,
    NFD) and the same name typed elsewhere are one document, not two files that look alike."""
    return unicodedata.normalize("NFC", Path(source).stem) + ".docx"


def output_path(source: Path, out_dir: Path) -> Path:
    """inputs/NAME.xlsx -> OUT_DIR/NAME.docx"""
    return Path(out_dir) / document_name(source)


def find_sources(paths) -> tuple[list[Path], list[Problem]]:
    """The workbooks named and those under the folders named, each once, in a stable order; and a located
    problem for each form whose document name an earlier form's document already has (it is left out,
    never built over the other)."""
    seen, sources = set(), []
    for form in find_forms(paths):
        key = _identity(form)
        if key not in seen:
            seen.add(key)
            sources.append(form)
    return _take_names(sources)


def _identity(path: Path):
    try:
        return path.resolve()
    except OSError:
        return path


def _take_names(sources: list[Path]) -> tuple[list[Path], list[Problem]]:
    # Compared without case too: on Windows and macOS A.docx and a.docx are one file.
    first: dict[str, Path] = {}
    kept, clashes = [], []
    for source in sources:
        key = document_name(source).casefold()
        if key in first:
            clashes.append(Problem(str(source), f"would make {document_name(source)}, the document of "
                                                f"{first[key]} (names are compared without case or accents' "
                                                "spelling), so it is not built: rename one of the two forms, or "
                                                "build them into different folders with -o",
                                   code="build-name-clash"))
        else:
            first[key] = source
            kept.append(source)
    return kept, clashes
