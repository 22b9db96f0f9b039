"""Fixtures the tests share; plain helpers are in helpers.py.

Two run around tests of their own accord: every test marked slow shares one LibreOffice, started once a
session (`office`), and every document and form casegen writes in a test is audited when that test ends
(`audit_written_files`): openxml-audit, and for a Word document the accessibility checks of wordclean.py.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

import helpers
from casegen import config
from casegen.intake.form import write_form
from helpers import sample_case, soffice_path
from wordclean import accessibility_findings, content_key, findings, written_by_casegen


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
    if request.node.get_closest_marker("slow"):
        request.getfixturevalue("office")


_audited: dict[str, list[str]] = {}  # content_key -> the findings in a file of that content
_seen: dict[Path, tuple[int, int]] = {}  # path -> (size, mtime) when it was last looked at


def _new_files(base: Path) -> list[Path]:
    """Documents and forms under `base` that are new or changed since the last look."""
    out = []
    for folder, _, names in os.walk(base):
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
    key = content_key(path)
    if key not in _audited:
        found = findings(path)
        if path.suffix == ".docx":
            found += accessibility_findings(path)
        _audited[key] = found
    return [line.replace(f"{path}: ", "", 1) for line in _audited[key]]


@pytest.fixture(autouse=True)
def audit_written_files(tmp_path_factory):
    """Every document and form casegen wrote during the test (in its tmp_path or a shared fixture's folder)
    opens in Word without repair and is accessible; the same content is audited once a session."""
    yield
    found = {path: lines for path in _new_files(tmp_path_factory.getbasetemp())
             if written_by_casegen(path) and (lines := _audit(path))}
    assert not found, "\n".join(f"{path}: {line}" for path, lines in found.items() for line in lines)
