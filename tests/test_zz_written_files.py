"""Every document and form the other tests wrote opens in LibreOffice, and in Word without repair.

Named to run last: it sweeps the session's temporary folder for the documents and forms casegen wrote
there, converts the documents in one LibreOffice run (about 45 s) and audits every file with
openxml-audit (about 0.1 s a file), so it is marked slow.
"""
from __future__ import annotations

import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from helpers import REWRITTEN, soffice_path
from wordclean import findings

pytestmark = pytest.mark.slow
BATCH = 100  # documents a LibreOffice process converts
AUDITED_SIZE = 2_000_000  # unpacked bytes; a test's 100,000-row table takes openxml-audit minutes


def _written_by_casegen(path: Path) -> bool:
    """A whole document or form as casegen wrote it: not a fixture a test damaged or grew on purpose, nor a
    form saved again by LibreOffice (its Application is then LibreOffice, not openpyxl)."""
    if not path.is_file() or path.is_symlink():  # a test's pipe or link
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            if zf.comment == REWRITTEN or sum(i.file_size for i in zf.infolist()) > AUDITED_SIZE:
                return False
            if path.suffix == ".docx":
                ours = b"<Application>casegen " in zf.read("docProps/app.xml")
            else:
                ours = b'name="_casegen"' in zf.read("xl/workbook.xml") and b"Openpyxl" in zf.read("docProps/app.xml")
            return ours and zf.testzip() is None
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, zlib.error):
        return False


def written_files(tmp_path_factory, suffix: str) -> list[Path]:
    base = tmp_path_factory.getbasetemp()
    return sorted(p for p in base.rglob(f"*{suffix}") if _written_by_casegen(p))


def test_every_document_the_tests_wrote_opens_in_libreoffice(tmp_path_factory, tmp_path):
    soffice = soffice_path()
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: .ci/run installs libreoffice-writer-nogui")
    docs = written_files(tmp_path_factory, ".docx")
    if not docs:
        pytest.skip("no other test wrote a document in this run")
    copies = []
    for i, doc in enumerate(docs):  # unique names: many tests write documents of the same name
        copies.append(tmp_path / f"{i:04d}.docx")
        copies[-1].write_bytes(doc.read_bytes())
    # In batches: one LibreOffice process stops converting, without a word, after about 250 documents.
    for start in range(0, len(copies), BATCH):
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                        "pdf", "--outdir", str(tmp_path), *map(str, copies[start:start + BATCH])],
                       capture_output=True, timeout=1800)
    failed = [str(doc) for doc, copy in zip(docs, copies) if not copy.with_suffix(".pdf").exists()]
    assert not failed, f"LibreOffice could not open {len(failed)} of {len(docs)} documents: {failed}"


def test_every_document_and_form_the_tests_wrote_passes_openxml_audit(tmp_path_factory):
    files = written_files(tmp_path_factory, ".docx") + written_files(tmp_path_factory, ".xlsx")
    if not files:
        pytest.skip("no other test wrote a document or a form in this run")
    found = [line for path in files for line in findings(path)]
    assert not found, f"{len(found)} finding(s) in {len(files)} files:\n" + "\n".join(found[:50])
