"""The kit the hostile-input, rules, annotate and template tests share (no tests of its own).

Run the CLI as a user does, find a form's cells by name or by table, row and heading, and spoil a
workbook's parts at the zip level where openpyxl would refuse to.
"""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from casegen.cli import cli


def run(*args):
    """The CLI's result; never a traceback, whatever it was given."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def lines(result) -> list[str]:
    return result.output.splitlines()


def named(wb, name: str):
    """The cell a defined name points at."""
    sheet, coord = next(wb.defined_names[name].destinations)
    return wb[sheet][coord.replace("$", "")]


def table_cell(wb, table: str, row: int, heading: str):
    """The cell of data row `row` (1 is the first) under `heading` in the Excel table `table`."""
    ws = next(ws for ws in wb.worksheets if table in ws.tables)
    head = int("".join(filter(str.isdigit, ws.tables[table].ref.split(":")[0])))
    headings = [c.value for c in ws[head]]
    return ws.cell(row=head + row, column=headings.index(heading) + 1)


def spoil(path: Path, edit) -> Path:
    """Open the form with openpyxl, let `edit(wb)` change it, save it back."""
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def where(path: Path, cell) -> str:
    """'FILE: SHEET!CELL' as problems print it."""
    return f"{path}: {cell.parent.title}!{cell.coordinate}"


def digest(path: Path):
    """The bytes of a file, or of every file under a folder, as hashes to compare before and after."""
    path = Path(path)
    if path.is_dir():
        return {str(p): digest(p) for p in sorted(path.rglob("*")) if p.is_file()}
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[Path]:
    """Temporary or partial files a run left behind."""
    return [p for p in Path(folder).rglob("*") if p.name.endswith(".part") or p.name.startswith(".")
            if "lo-profile" not in p.parts]


def rewrite(path: Path, part: str, change) -> Path:
    """Replace one part of a zip with `change(its bytes)`, keeping every other part as it was."""
    with zipfile.ZipFile(path) as zf:
        entries = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, change(data) if info.filename == part else data)
    return path


def sheet_part(path: Path, title: str) -> str:
    """The zip part holding the sheet called `title` (openpyxl numbers them in order)."""
    wb = load_workbook(path, read_only=True)
    index = wb.sheetnames.index(title) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"
