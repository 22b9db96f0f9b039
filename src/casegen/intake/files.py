"""Which files under a folder are intake forms. Kept free of heavy imports: a build with nothing
to do calls it without loading the reader."""
from __future__ import annotations

from pathlib import Path

LOCK_PREFIX = "~$"  # Office's lock file beside an open workbook
CHECKED_SUFFIX = ".checked.xlsx"  # the annotated copies `casegen validate --annotate` writes


def _is_form(path: Path, top: Path) -> bool:
    hidden = any(part.startswith(".") for part in path.relative_to(top).parts[:-1])  # .venv, .git…
    return not hidden and not path.name.startswith(LOCK_PREFIX) and not path.name.endswith(CHECKED_SUFFIX)


def find_forms(paths) -> list[Path]:
    """The workbooks named, and every .xlsx under the folders named, each once, in a stable order.

    Under a folder, hidden folders, Office's lock files and casegen's annotated copies are left out.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(f for f in path.rglob("*.xlsx") if _is_form(f, path))
        else:
            found.append(path)
    return list(dict.fromkeys(found))
