"""Fixtures the tests share; plain helpers are in helpers.py.

One runs around tests of its own accord: every test marked slow shares one LibreOffice, started once a
session (`office`). The files casegen writes are audited by tests/test_written_files.py (one of each kind of
output); `pytest --audit-all` (`make audit`) audits every file every test leaves behind as well.
The Hypothesis profile (tests/profiles.py) is loaded here, before any test module is imported.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import helpers
import profiles  # noqa: F401  (registers and loads the Hypothesis profile before any test is collected)
from casegen import config
from casegen.intake.form import write_form
from helpers import sample_case, soffice_path
from wordclean import audited, content_key, whole, written_by_casegen


@pytest.fixture(scope="session")
def programme():
    return config.load()


@pytest.fixture(scope="session")
def _sample_forms(tmp_path_factory, programme):
    """Each sample's form, written once a session: most tests want one as it is (a copy costs a tenth)."""
    folder = tmp_path_factory.mktemp("sample-forms")
    made: dict[str, Path] = {}

    def form(name: str) -> Path:
        if name not in made:
            case = sample_case(name, programme)
            made[name] = write_form(case.kind, folder / f"{name}.xlsx", programme, case)
        return made[name]

    return form


@pytest.fixture
def make_form(tmp_path, programme, _sample_forms):
    """Write a filled intake form for a sample (optionally changed by `edit`) into tmp_path."""

    def make(name: str = "bcl-service-optimisation", edit=None, filename: str | None = None) -> Path:
        target = tmp_path / (filename or f"{name}.xlsx")
        if edit is None:  # the sample as it is: the session's copy
            target.parent.mkdir(parents=True, exist_ok=True)
            return Path(shutil.copyfile(_sample_forms(name), target))
        case = sample_case(name, programme)
        edit(case)
        return write_form(case.kind, target, programme, case)

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


def pytest_addoption(parser):
    parser.addoption("--audit-all", action="store_true",
                     help="also audit every .docx and .xlsx any test leaves behind (slow: `make audit`); "
                          "tests/test_written_files.py audits one of each kind of output in every run")


def pytest_configure(config):
    # casegen's cache (kept LibreOffice profiles) in a folder of the run's, never the user's ~/.cache
    os.environ.setdefault("CASEGEN_CACHE", tempfile.mkdtemp(prefix="casegen-test-cache-"))
    if config.getoption("--audit-all"):
        config.pluginmanager.register(_AuditAll(), "casegen-audit-all")


@pytest.fixture(autouse=True, scope="session")
def _audit_base(request, tmp_path_factory):
    """Tells --audit-all where the session's temporary folder is (pytest's public way to it)."""
    audit = request.config.pluginmanager.get_plugin("casegen-audit-all")
    if audit is not None:
        audit.base = tmp_path_factory.getbasetemp()


class _AuditAll:
    """With --audit-all: when each test ends, every document and form casegen wrote in it (found under the
    session's temporary folder, new or changed since the last look) is audited; the same content once."""

    def __init__(self):
        self.clean: set[str] = set()
        self.seen: dict[Path, tuple[int, int]] = {}
        self.base: Path | None = None  # the session's temporary folder, told by _audit_base

    def _new_files(self, base: Path) -> list[Path]:
        out = []
        for folder, _, names in os.walk(base):
            for name in names:
                if name.endswith((".docx", ".xlsx")):
                    path = Path(folder, name)
                    try:
                        stat = path.stat()
                    except OSError:
                        continue
                    if self.seen.get(path) != (stat.st_size, stat.st_mtime_ns):
                        self.seen[path] = (stat.st_size, stat.st_mtime_ns)
                        out.append(path)
        return out

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item):
        yield
        found = {}
        for path in self._new_files(self.base) if self.base is not None else ():
            key = content_key(path) if written_by_casegen(path) and whole(path) else None
            if key and key not in self.clean:
                lines = audited(path)
                if lines:
                    found[path] = lines
                else:
                    self.clean.add(key)
        if found:
            item.add_report_section("teardown", "audit",
                                    "\n".join(f"{p}: {line}" for p, ls in found.items() for line in ls))
            pytest.fail("\n".join(f"{p}: {line}" for p, ls in found.items() for line in ls), pytrace=False)
