"""PDF copies of built documents, through one LibreOffice (soffice) process for the whole batch."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

NOT_INSTALLED = ("LibreOffice is not installed (no `soffice` or `libreoffice` on PATH), so no PDFs were made; "
                 "the Word documents were built. Install LibreOffice (Debian: apt install libreoffice-writer-nogui) "
                 "and run the build again with --pdf")


# Tagged PDF/UA (a structure tree of headings, tables and reading order; /Lang and the title from the document's
# properties, the title shown as the window's), as published council papers must be. LibreOffice reads filter
# options written as JSON from 7.4; an older one refuses the conversion, and the message says so.
EXPORT_OPTIONS = {"UseTaggedPDF": True, "PDFUACompliance": True, "DisplayPDFDocumentTitle": True}
PDF_FILTER = "pdf:writer_pdf_Export:" + json.dumps(
    {name: {"type": "boolean", "value": str(value).lower()} for name, value in EXPORT_OPTIONS.items()},
    separators=(",", ":"))


@dataclass
class PdfResult:
    made: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)  # documents with no PDF
    message: str = ""  # why, when something went wrong

    @property
    def ok(self) -> bool:
        return not self.failed and not self.message


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def timeout_for(count: int) -> float:
    return 120 + 10 * count  # the first document waits for LibreOffice to start


def convert(documents: list[Path], out_dir: Path) -> PdfResult:
    """DOCUMENT.pdf beside each of `documents` (all in `out_dir`), each PDF replaced atomically."""
    if not documents:
        return PdfResult()
    soffice = find_soffice()
    if not soffice:
        return PdfResult(failed=list(documents), message=NOT_INSTALLED)
    # A private profile: a LibreOffice the user has open would otherwise take the job and do nothing.
    with tempfile.TemporaryDirectory(prefix=".casegen-pdf-", dir=out_dir) as tmp:
        work = Path(tmp)
        trouble = _run(soffice, documents, work)
        return _collect(documents, work, out_dir, trouble)


def _run(soffice: str, documents: list[Path], work: Path) -> str:
    command = [soffice, f"-env:UserInstallation={(work / 'profile').resolve().as_uri()}", "--headless",
               "--convert-to", PDF_FILTER, "--outdir", os.path.abspath(work / "pdf"),
               # absolute: a document named `--infilter=x.docx` is a file to LibreOffice, never an option
               *(os.path.abspath(doc) for doc in documents)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_for(len(documents)))
    except subprocess.TimeoutExpired:
        return f"LibreOffice did not finish within {timeout_for(len(documents)):.0f} s"
    except OSError as exc:
        return f"LibreOffice could not be started: {exc}"
    if done.returncode != 0:
        return f"LibreOffice failed (exit code {done.returncode}): {(done.stderr or done.stdout).strip()[:300]}"
    return ""


def _collect(documents: list[Path], work: Path, out_dir: Path, trouble: str) -> PdfResult:
    result = PdfResult(message=trouble)
    for doc in documents:
        made = work / "pdf" / (doc.stem + ".pdf")
        if made.is_file() and made.stat().st_size > 0:
            target = out_dir / made.name
            os.replace(made, target)  # same folder, so one step
            result.made.append(target)
        else:
            result.failed.append(doc)
    if result.failed and not result.message:
        result.message = "LibreOffice did not convert every document"
    return result


def stale_pdfs(documents: list[Path]) -> list[Path]:
    """Those of `documents` whose PDF is missing or older than the document."""
    out = []
    for doc in documents:
        pdf = doc.with_suffix(".pdf")
        if not pdf.exists() or pdf.stat().st_mtime_ns < doc.stat().st_mtime_ns:
            out.append(doc)
    return out
