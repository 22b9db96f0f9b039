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


def _written_by_casegen(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return b"<Application>casegen " in zf.read("docProps/app.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def pytest_sessionfinish(session, exitstatus):
    """Every document the tests made with casegen must open in LibreOffice: converted in one batch."""
    if exitstatus != 0 or session.config.option.collectonly:
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    base = factory.getbasetemp()
    docs = sorted(p for p in base.rglob("*.docx") if _written_by_casegen(p))
    if not docs:
        return
    out = base / "libreoffice-check"
    out.mkdir(exist_ok=True)
    for i, doc in enumerate(docs):  # unique names: many tests write documents of the same name
        (out / f"{i:04d}.docx").write_bytes(doc.read_bytes())
    soffice = shutil.which("soffice")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write("\n")
        reporter.write_sep("-", "every document the tests wrote, opened in LibreOffice")
    if not soffice:
        session.exitstatus = 1
        if reporter:
            reporter.write_line("LibreOffice (soffice) is not installed: .ci/run installs libreoffice-writer-nogui", red=True)
        return
    subprocess.run([soffice, f"-env:UserInstallation=file://{out}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *sorted(map(str, out.glob("*.docx")))],
                   capture_output=True, timeout=1800)
    failed = [str(doc) for i, doc in enumerate(docs) if not (out / f"{i:04d}.pdf").exists()]
    if failed:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(f"LibreOffice could not open {len(failed)} document(s) the tests wrote:", red=True)
            for f in failed:
                reporter.write_line(f"  {f}")
    elif reporter:
        reporter.write_line(f"LibreOffice opened all {len(docs)} documents the tests wrote")
