"""Which intake workbooks a build takes, and the document each one makes."""
from __future__ import annotations

import unicodedata
from pathlib import Path

from casegen.errors import Problem
from casegen.intake.files import find_forms


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
