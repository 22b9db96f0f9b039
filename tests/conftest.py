from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from casegen import config  # noqa: E402
from casegen.intake.form import write_form  # noqa: E402
from casegen.models.load import load_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEEDS = Path(__file__).parent / "seeds"


@pytest.fixture(scope="session")
def programme():
    return config.load()


def sample_case(name: str, programme=None):
    programme = programme or config.load()
    return load_json(SAMPLES / f"{name}.json", name.split("-", 1)[0], programme)


@pytest.fixture
def make_form(tmp_path, programme):
    """Write a filled intake form for a sample (optionally changed by `edit`) into tmp_path."""

    def make(name: str = "bcl-service-optimisation", edit=None, filename: str | None = None) -> Path:
        case = sample_case(name, programme)
        if edit:
            edit(case)
        return write_form(case.kind, tmp_path / (filename or f"{name}.xlsx"), programme, case)

    return make


def to_pdf(docx: Path, out_dir: Path) -> Path:
    """Convert with LibreOffice headless, as a reader of the document would open it."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.fail("LibreOffice (soffice) is not installed: .ci/run installs libreoffice-writer-nogui")
    profile = out_dir / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out_dir), str(docx)], check=True, capture_output=True, timeout=180)
    pdf = out_dir / (docx.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 1000, f"LibreOffice did not convert {docx}"
    return pdf
