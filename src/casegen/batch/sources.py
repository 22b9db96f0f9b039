"""Which intake workbooks a build takes, and the document each one makes."""
from __future__ import annotations

from pathlib import Path

from casegen.errors import BuildError
from casegen.intake.files import find_forms

def output_path(source: Path, out_dir: Path) -> Path:
    """inputs/NAME.xlsx -> OUT_DIR/NAME.docx"""
    return Path(out_dir) / (Path(source).stem + ".docx")


def find_sources(paths) -> list[Path]:
    """The workbooks named and those under the folders named, each once, in a stable order.

    Raises BuildError when two of them would make a document of the same name.
    """
    seen, sources = set(), []
    for form in find_forms(paths):
        key = _identity(form)
        if key not in seen:
            seen.add(key)
            sources.append(form)
    _refuse_clashes(sources)
    return sources


def _identity(path: Path):
    try:
        return path.resolve()
    except OSError:
        return path


def _refuse_clashes(sources: list[Path]) -> None:
    # Compared without case: on Windows and macOS A.docx and a.docx are one file.
    by_name: dict[str, list[Path]] = {}
    for source in sources:
        by_name.setdefault(output_path(source, Path()).name.lower(), []).append(source)
    clashes = [group for group in by_name.values() if len(group) > 1]
    if clashes:
        lines = [f"{output_path(g[0], Path()).name} would be made from each of {', '.join(map(str, g))}"
                 for g in clashes]
        raise BuildError("two forms would make documents of the same name, one overwriting the other: "
                         + "; ".join(lines) + ". Rename one of each, or build them into different folders with -o")
