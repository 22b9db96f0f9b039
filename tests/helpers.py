"""What the tests share (no tests of its own): the samples, LibreOffice, the CLI as a user runs it.

Run the CLI as a user does, find a form's cells by name or by table, row and heading, and spoil a
workbook's parts at the zip level where openpyxl would refuse to.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from casegen import config
from casegen.cli import cli
from casegen.models.load import load_json

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEEDS = Path(__file__).parent / "seeds"


def sample_case(name: str, programme=None):
    programme = programme or config.load()
    return load_json(SAMPLES / f"{name}.json", name.split("-", 1)[0], programme)


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


# The profile of the LibreOffice the session started (conftest's `office` fixture), or None: `convert` then hands
# its files to that one running LibreOffice (about 0.1 s a document) instead of starting one (about 2 s).
OFFICE_PROFILE: Path | None = None


def convert(paths, out_dir: Path, to: str = "pdf") -> list[Path]:
    """Convert files with LibreOffice headless (tests marked slow): the session's LibreOffice, or one for them all.

    `to` is a LibreOffice filter spec ("pdf", "xls", "csv", "xlsx:Calc MS Excel 2007 XML"); returns the
    converted files, in the order given, whether or not each was made.
    """
    soffice = soffice_path()
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: .ci/run installs libreoffice-writer-nogui")
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = OFFICE_PROFILE or out_dir / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--convert-to",
                    to, "--outdir", str(out_dir), *map(str, paths)], check=True, capture_output=True, timeout=600)
    return [out_dir / f"{p.stem}.{to.split(':')[0]}" for p in paths]


def to_pdf(docx: Path, out_dir: Path) -> Path:
    """A document as a reader of it would open it: converted to PDF by LibreOffice."""
    pdf = convert(docx, out_dir)[0]
    assert pdf.exists() and pdf.stat().st_size > 1000, f"LibreOffice did not convert {docx}"
    return pdf


def run(*args):
    """The CLI's result; never a traceback, whatever it was given."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def built(form: Path, out_dir: Path) -> Path:
    """`casegen build FORM -o OUT_DIR`, as a lead runs it: the document it wrote."""
    result = run("build", form, "-o", out_dir)
    assert result.exit_code == 0, result.output
    return Path(out_dir) / f"{Path(form).stem}.docx"


SUMMARY = re.compile(r"\d+ (of \d+ )?forms? OK\b.*")  # validate's last line: 2 of 3 forms OK, 1 with errors


def lines(result) -> list[str]:
    """The lines a command printed, less validate's summary line (tests of the summary read `output`)."""
    out = result.output.splitlines()
    return out[:-1] if out and SUMMARY.fullmatch(out[-1]) else out


def named(wb, name: str):
    """The cell a defined name points at."""
    sheet, coord = next(wb.defined_names[name].destinations)
    return wb[sheet][coord.replace("$", "")]


def table_rows(wb, table: str):
    """(sheet, header row, last row) of the Excel table `table`, wherever it is in the workbook."""
    ws = next(ws for ws in wb.worksheets if table in ws.tables)
    first, last = ws.tables[table].ref.split(":")
    return ws, int("".join(filter(str.isdigit, first))), int("".join(filter(str.isdigit, last)))


def table_cell(wb, table: str, row: int, heading: str):
    """The cell of data row `row` (1 is the first) under `heading` in the Excel table `table`."""
    ws, head, _ = table_rows(wb, table)
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
    """Partial files a run left behind (casegen writes NAME.RANDOM.part, then renames it into place)."""
    return [p for p in Path(folder).rglob("*.part")]


REWRITTEN = b"changed by a test (helpers.rewrite)"


def rewrite(path: Path, part: str, change) -> Path:
    """Replace one part of a zip with `change(its bytes)`, keeping every other part as it was."""
    with zipfile.ZipFile(path) as zf:
        entries = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, change(data) if info.filename == part else data)
        zf.comment = REWRITTEN  # not as casegen wrote it: conftest's audit leaves it alone
    return path


def sheet_part(path: Path, title: str) -> str:
    """The zip part holding the sheet called `title` (openpyxl numbers them in order)."""
    wb = load_workbook(path, read_only=True)
    index = wb.sheetnames.index(title) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A Compound File (the container of .xls files and of password-protected .xlsx) holding `streams`.

    Version 3, 512-byte sectors: a FAT sector, a directory sector, then each stream padded to 4,096
    bytes so that it lives in ordinary sectors (no mini stream). At most three streams.
    """
    import struct

    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # the directory's order of names
    fat = [fat_sect, end]
    starts = []
    for _ in names:
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(7)] + [end]
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, nostream, right, child)
                + b"\0" * 36 + struct.pack("<IQ", start, size))

    entries = [entry("Root Entry", 5, 1, nostream, end, 0)]
    for i, name in enumerate(names):
        entries.append(entry(name, 2, nostream, i + 2 if i + 1 < len(names) else nostream, starts[i], 4096))
    entries += [b"\0" * 64 + struct.pack("<HBBIII", 0, 0, 0, nostream, nostream, nostream) + b"\0" * 52] * (
        4 - len(entries))
    header = (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    body = b"".join(streams[n].ljust(4096, b"\0")[:4096] for n in names)
    return header + struct.pack("<128I", *fat) + b"".join(entries) + body


def rewrite_part(path: Path, part: str, change) -> None:
    """Rewrite one part of an Office file in place, as a person's save would: `change(bytes) -> bytes`."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, blob in parts:
            zf.writestr(info, change(blob) if info.filename == part else blob)
