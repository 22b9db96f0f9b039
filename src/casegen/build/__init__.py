"""Building documents from intake workbooks."""
from __future__ import annotations

from pathlib import Path

from casegen.config import Programme
from casegen.fileio import write_bytes_atomic
from casegen.intake.reader import read_workbook
from casegen.render import render_case


def output_path(source: Path, out_dir: Path) -> Path:
    return Path(out_dir) / (Path(source).stem + ".docx")


def build_one(source: str | Path, out_dir: str | Path, programme: Programme, template: Path | None = None):
    """Read, check and render one workbook; returns (document path, warnings)."""
    case, warnings = read_workbook(source, programme)
    data = render_case(case, programme, template)
    target = output_path(Path(source), Path(out_dir))
    write_bytes_atomic(target, data)
    return target, warnings
