"""Building documents from intake workbooks: one (`build_one`), or a whole folder (`batch.build`)."""
from __future__ import annotations

from pathlib import Path

from casegen.batch.sources import output_path
from casegen.config import Programme
from casegen.fileio import write_bytes_atomic

__all__ = ["build_one", "output_path"]


def build_one(source: str | Path, out_dir: str | Path, programme: Programme, template: Path | None = None):
    """Read, check and render one workbook; returns (document path, warnings)."""
    from casegen.intake.reader import read_workbook
    from casegen.render import render_case

    case, warnings = read_workbook(source, programme)
    data = render_case(case, programme, template)
    target = output_path(Path(source), Path(out_dir))
    write_bytes_atomic(target, data)
    return target, warnings
