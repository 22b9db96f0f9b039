"""PDF copies of built documents, through one LibreOffice (soffice) process for the whole batch."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from casegen.fileio import cache_home, write_bytes_atomic

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


# LibreOffice builds a new user profile on its first start (about half of its start-up): casegen keeps its
# profiles in the user's cache and reuses them, one a process converting at once, each held by a lock while in
# use (a second build at the same time takes the next, or a throwaway one). A private profile, never the
# user's own: a LibreOffice the user has open would otherwise take the job and do nothing.
PROFILE_SLOTS = 4
DOCUMENTS_A_PROCESS = 8  # fewer per process and LibreOffice's start-up (0.4 s, measured) costs more than it saves


def profile_home() -> Path:
    """Where casegen keeps LibreOffice profiles: in its cache (fileio.cache_home)."""
    return cache_home() / "libreoffice"


@contextmanager
def _profile(slot: int, spare: Path) -> Iterator[Path]:
    """A kept profile free for this process (locked while LibreOffice uses it), else a throwaway in `spare`."""
    from filelock import FileLock, Timeout  # only --pdf needs it here

    home = profile_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:
        yield spare
        return
    for n in [*range(slot, PROFILE_SLOTS), *range(slot)]:
        lock = FileLock(str(home / f"profile-{n}.lock"))
        try:
            lock.acquire(timeout=0)
        except (Timeout, OSError):
            continue
        try:
            yield home / f"profile-{n}"
        finally:
            lock.release()
        return
    yield spare


def batches(documents: list[Path], jobs: int) -> list[list[Path]]:
    """`documents` in at most `jobs` groups of at least DOCUMENTS_A_PROCESS (but one group for a few)."""
    count = max(1, min(jobs, PROFILE_SLOTS, len(documents) // DOCUMENTS_A_PROCESS))
    return [documents[i::count] for i in range(count)]


def convert(documents: list[Path], out_dir: Path, jobs: int = 1) -> PdfResult:
    """DOCUMENT.pdf beside each of `documents` (all in `out_dir`), each PDF replaced atomically; a large batch is
    shared between up to `jobs` LibreOffice processes."""
    if not documents:
        return PdfResult()
    soffice = find_soffice()
    if not soffice:
        return PdfResult(failed=list(documents), message=NOT_INSTALLED)
    with tempfile.TemporaryDirectory(prefix=".casegen-pdf-", dir=out_dir) as tmp:
        work = Path(tmp)
        groups = batches(list(documents), jobs)
        with ThreadPoolExecutor(len(groups)) as pool:
            troubles = list(pool.map(lambda n: _convert_group(soffice, groups[n], work / str(n), n),
                                     range(len(groups))))
        result = PdfResult(message=next((t for t in troubles if t), ""))
        for n, group in enumerate(groups):
            part = _collect(group, work / str(n), out_dir, "")
            result.made += part.made
            result.failed += part.failed
        if result.failed and not result.message:
            result.message = "LibreOffice did not convert every document"
        return result


def _convert_group(soffice: str, documents: list[Path], work: Path, slot: int) -> str:
    work.mkdir()
    with _profile(slot, work / "profile") as profile:
        trouble = _run(soffice, documents, work, profile)
        if profile != work / "profile":
            settle(soffice, profile)
        return trouble


# LibreOffice (7.2 and later) runs its graphics self-tests (about 0.9 s of its 1.3 s start, measured with 7.4) on
# every start whose profile says an older version last ran it; only the start centre's "what's new" records the
# version, and a headless start never shows it, so a kept profile would run them on every build. Once LibreOffice
# has run them in a kept profile (it leaves their log there), the profile is told the version that runs it.
_TESTS_LOG = Path("user") / "GraphicsRenderTests.log"
_SETTINGS = Path("user") / "registrymodifications.xcu"
_LAST_VERSION = re.compile(r'<item oor:path="/org\.openoffice\.Setup/Product"><prop oor:name="ooSetupLastVersion"'
                           r"[^>]*>.*?</item>\n?", re.DOTALL)


def settle(soffice: str, profile: Path) -> None:
    """Record in a kept profile the version of LibreOffice that used it, if LibreOffice ran its start-up self-tests
    there (so that it skips them from the next start); a profile it cannot be recorded in is left as it is."""
    log, settings = profile / _TESTS_LOG, profile / _SETTINGS
    try:
        if not log.is_file() or not settings.is_file():
            return
        version = libreoffice_version(soffice)
        text = settings.read_text(encoding="utf-8")
        if version is None or "</oor:items>" not in text:
            return
        item = ('<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" oor:op="fuse">'
                f"<value>{version}</value></prop></item>\n")
        text = _LAST_VERSION.sub("", text).replace("</oor:items>", item + "</oor:items>", 1)
        write_bytes_atomic(settings, text.encode("utf-8"))
        log.unlink()
    except OSError:
        return  # the next build tries again; LibreOffice only starts more slowly meanwhile


def libreoffice_version(soffice: str) -> str | None:
    """"7.4" for LibreOffice 7.4.7.2 (as LibreOffice compares versions: major and minor), None if not known."""
    try:
        done = subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"\b(\d+)\.(\d+)\.\d+", done.stdout or "")
    return f"{found.group(1)}.{found.group(2)}" if found and done.returncode == 0 else None


def _run(soffice: str, documents: list[Path], work: Path, profile: Path) -> str:
    command = [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
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
