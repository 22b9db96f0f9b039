"""Fixtures the tests share; plain helpers are in helpers.py.

Two run around tests of their own accord: every test marked slow shares one LibreOffice, started once a
session (`office`), and every document and form casegen writes in a test is audited when that test ends
(`audit_written_files`): openxml-audit, and for a Word document the accessibility checks of wordclean.py.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

import helpers
import wordclean
from casegen import config
from casegen.intake.form import write_form
from helpers import sample_case, soffice_path
from wordclean import accessibility_findings, content_key, findings, openxml_audit, whole, written_by_casegen


@pytest.fixture(scope="session")
def programme():
    return config.load()


@pytest.fixture
def make_form(tmp_path, programme):
    """Write a filled intake form for a sample (optionally changed by `edit`) into tmp_path."""

    def make(name: str = "bcl-service-optimisation", edit=None, filename: str | None = None) -> Path:
        case = sample_case(name, programme)
        if edit:
            edit(case)
        return write_form(case.kind, tmp_path / (filename or f"{name}.xlsx"), programme, case)

    return make


@pytest.fixture(scope="session")
def office(tmp_path_factory):
    """One LibreOffice for the session's slow tests: helpers.convert hands it each conversion.

    It is kept running by a document held open (with none open, LibreOffice quits after the first conversion
    handed to it); it is ready once it has locked that document. If it dies, convert starts one of its own.
    """
    soffice = soffice_path()
    if not soffice:
        yield None
        return
    home = tmp_path_factory.mktemp("office")
    keep = home / "keep-open.txt"
    keep.write_text("LibreOffice stays running while this is open.\n")
    started = subprocess.Popen([soffice, f"-env:UserInstallation={(home / 'profile').as_uri()}", "--headless",
                                "--norestore", str(keep)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while not (home / f".~lock.{keep.name}#").exists() and started.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    helpers.OFFICE_PROFILE = home / "profile" if started.poll() is None else None
    yield started
    helpers.OFFICE_PROFILE = None
    os.killpg(started.pid, signal.SIGTERM)  # its own process group: LibreOffice's launcher and soffice.bin
    try:
        started.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(started.pid, signal.SIGKILL)


@pytest.fixture(autouse=True)
def _office_for_slow_tests(request):
    """A test marked slow converts through the session's LibreOffice (started by the first that needs it)."""
    if request.node.get_closest_marker("slow"):
        request.getfixturevalue("office")


# Content keys of files found clean: this session's, and (in pytest's cache) earlier runs' by the same checks.
_CLEAN = (f"casegen/audited-clean/openxml-audit-{openxml_audit.__version__}-checks-"
          + hashlib.sha256(Path(wordclean.__file__).read_bytes()).hexdigest()[:12])
_clean: set[str] = set()
_seen: dict[Path, tuple[int, int]] = {}  # path -> (size, mtime) when it was last looked at
_finished: set[Path] = set()  # the tmp_path of each test that has ended: nothing writes there again


def _new_files(base: Path) -> list[Path]:
    """Documents and forms under `base` that are new or changed since the last look, but in finished tests'
    folders."""
    out = []
    for top in os.scandir(base):
        if not top.is_dir(follow_symlinks=False) or Path(top.path) in _finished:
            continue
        for folder, _, names in os.walk(top.path):
            for name in names:
                if name.endswith((".docx", ".xlsx")):
                    path = Path(folder, name)
                    try:
                        stat = path.stat()
                    except OSError:
                        continue
                    if _seen.get(path) != (stat.st_size, stat.st_mtime_ns):
                        _seen[path] = (stat.st_size, stat.st_mtime_ns)
                        out.append(path)
    return out


def _audit(path: Path) -> list[str]:
    """What openxml-audit and the accessibility checks find in a file casegen wrote (none if it is clean)."""
    key = content_key(path)
    if key in _clean or not whole(path):
        return []
    found = findings(path) + (accessibility_findings(path) if path.suffix == ".docx" else [])
    if not found:
        _clean.add(key)
    return [line.replace(f"{path}: ", "", 1) for line in found]


@pytest.fixture(scope="session")
def _audit_cache(request):
    """The clean keys of earlier runs (pytest's cache, when it is on), and this run's kept for the next."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        _clean.update(cache.get(_CLEAN, []))
    yield
    if cache is not None:
        cache.set(_CLEAN, sorted(_clean))


@pytest.fixture(autouse=True)
def audit_written_files(request, tmp_path_factory, _audit_cache):
    """Every document and form casegen wrote during the test (in its tmp_path or a shared fixture's folder)
    opens in Word without repair and is accessible; the same content is audited once."""
    yield
    base = tmp_path_factory.getbasetemp()
    found = {path: lines for path in _new_files(base) if written_by_casegen(path) and (lines := _audit(path))}
    if "tmp_path" in request.node.funcargs:
        _finished.add(Path(request.node.funcargs["tmp_path"]))
    assert not found, "\n".join(f"{path}: {line}" for path, lines in found.items() for line in lines)
