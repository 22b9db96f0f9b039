"""Every document the other tests wrote opens in LibreOffice.

Named to run last: it sweeps the session's temporary folder for the documents casegen wrote there,
and converts them all in one LibreOffice run (about 45 s), so it is marked slow.
"""
from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from helpers import soffice_path

pytestmark = pytest.mark.slow


def _written_by_casegen(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return b"<Application>casegen " in zf.read("docProps/app.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def written_documents(tmp_path_factory) -> list[Path]:
    base = tmp_path_factory.getbasetemp()
    return sorted(p for p in base.rglob("*.docx") if _written_by_casegen(p))


def test_every_document_the_tests_wrote_opens_in_libreoffice(tmp_path_factory, tmp_path):
    soffice = soffice_path()
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: .ci/run installs libreoffice-writer-nogui")
    docs = written_documents(tmp_path_factory)
    if not docs:
        pytest.skip("no other test wrote a document in this run")
    for i, doc in enumerate(docs):  # unique names: many tests write documents of the same name
        (tmp_path / f"{i:04d}.docx").write_bytes(doc.read_bytes())
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), *sorted(map(str, tmp_path.glob("*.docx")))],
                   capture_output=True, timeout=1800)
    failed = [str(doc) for i, doc in enumerate(docs) if not (tmp_path / f"{i:04d}.pdf").exists()]
    assert not failed, f"LibreOffice could not open {len(failed)} of {len(docs)} documents: {failed}"
