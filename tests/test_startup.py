"""Start-up for one form (issue 27 item 4): a template compiled and checked once is kept in the user's cache by its
digest; a build with nothing to do opens no workbook it has read before, and loads neither the models nor the
renderer."""
from __future__ import annotations

import hashlib
import marshal
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casegen import config
from casegen.errors import TemplateProblem
from casegen.render import context, package_templates
from casegen.render.engine import CompiledTemplate
from casegen.templating import cache, check
from docx_text import text as docx_text
from helpers import rewrite_part, run, sample_case

WHEN = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
POSIX = pytest.mark.skipif(os.name != "posix", reason="owners and modes are POSIX's")


@pytest.fixture
def cached(tmp_path, monkeypatch):
    """A cache of this test's own, a copy of the Business Case Lite template, and the count of full checks."""
    monkeypatch.setenv("CASEGEN_CACHE", str(tmp_path / "cache"))
    template = tmp_path / "templates" / "business_case_lite.docx"
    template.parent.mkdir()
    shutil.copy(package_templates() / template.name, template)
    checks = []
    real = check.explain
    monkeypatch.setattr(check, "explain", lambda path: checks.append(path) or real(path))
    return template, checks


def _entries(tmp_path) -> list[Path]:
    return sorted((tmp_path / "cache" / "templates").glob("*.bin"))


def _render(template: Path) -> bytes:
    programme = config.load()
    return CompiledTemplate(template).render(context(sample_case("bcl-service-optimisation", programme), programme),
                                             WHEN)


def _touch(template: Path) -> None:
    """One byte's worth of change a person would not see: a description in the template's properties."""
    rewrite_part(template, "docProps/core.xml", lambda blob: blob.replace(
        b"</cp:coreProperties>", b"<dc:description>x</dc:description></cp:coreProperties>"))


@pytest.mark.parametrize("opened", ["within its folder", "by its path (Windows)"])
def test_a_template_is_checked_once_then_its_compiled_form_is_used(cached, tmp_path, monkeypatch, opened):
    template, checks = cached
    if opened != "within its folder":
        monkeypatch.setattr(os, "supports_dir_fd", set())
    first = _render(template)
    assert len(checks) == 1 and len(_entries(tmp_path)) == 1
    again = _render(template)
    assert len(checks) == 1, "the second run checks nothing: the template's compiled form came from the cache"
    assert again == first
    _touch(template)
    changed = _render(template)
    assert len(checks) == 2 and len(_entries(tmp_path)) == 2  # a changed byte: checked and compiled again
    assert docx_text(_write(tmp_path / "changed.docx", changed)) == docx_text(_write(tmp_path / "first.docx", first))


def _write(path: Path, blob: bytes) -> Path:
    path.write_bytes(blob)
    return path


@pytest.mark.parametrize("spoil", ["a byte changed", "cut short", "emptied", "another key's code", "not code"])
def test_a_damaged_or_foreign_entry_is_ignored_and_written_again(cached, tmp_path, spoil):
    template, checks = cached
    first = _render(template)
    entry = _entries(tmp_path)[0]
    data = entry.read_bytes()
    if spoil == "a byte changed":
        data = data[:-100] + bytes([data[-100] ^ 1]) + data[-99:]
    elif spoil == "cut short":
        data = data[: len(data) // 2]
    elif spoil == "emptied":
        data = b""
    else:  # well formed and with the right digest, but not what this key holds
        body = marshal.dumps(("another key", {}) if spoil == "another key's code" else ("x" * 40, [1, 2]))
        data = cache.MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
    entry.write_bytes(data)
    assert _render(template) == first
    assert len(checks) == 2  # checked and compiled again, as with no entry
    assert entry.read_bytes() != data  # and written again
    assert _render(template) == first and len(checks) == 2


def test_a_damaged_entry_is_no_error_for_a_build(cached, tmp_path, make_form):
    template, _ = cached
    form = make_form()
    assert run("--templates", template.parent, "build", form, "-o", tmp_path / "one").exit_code == 0
    for entry in _entries(tmp_path):
        entry.write_bytes(entry.read_bytes()[:200])
    result = run("--templates", template.parent, "build", form, "-o", tmp_path / "two")
    assert result.exit_code == 0, result.output
    assert docx_text(tmp_path / "two" / f"{form.stem}.docx") == docx_text(tmp_path / "one" / f"{form.stem}.docx")


@POSIX
def test_an_entry_or_cache_another_user_could_write_is_never_run(cached, tmp_path):
    template, checks = cached
    _render(template)
    entry = _entries(tmp_path)[0]
    entry.chmod(0o666)  # anyone may write it: its code is not run
    _render(template)
    assert len(checks) == 2
    assert entry.stat().st_mode & 0o077 == 0  # written again, private
    folder = entry.parent
    folder.chmod(0o777)  # anyone may put files there: nothing of it is run, and nothing written
    _render(template)
    assert len(checks) == 3
    folder.chmod(0o700)


def test_a_template_with_a_mistake_is_never_kept(cached, tmp_path):
    template, checks = cached
    with zipfile.ZipFile(template) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, blob in parts:
            if info.filename == "word/document.xml":
                blob = blob.replace(b"{{ project.title }}", b"{{ project.nosuch }}", 1)
            zf.writestr(info, blob)
    for _ in range(2):
        with pytest.raises(TemplateProblem, match="nosuch"):
            CompiledTemplate(template)
    assert len(checks) == 2 and not _entries(tmp_path)


def test_a_template_changed_while_it_is_checked_is_not_kept(cached, tmp_path, monkeypatch):
    """The check reads the file again: what it checked must be the bytes compiled, or nothing is kept."""
    template, checks = cached
    counting = check.explain
    monkeypatch.setattr(check, "explain", lambda path: (counting(path), _touch(template))[0])
    CompiledTemplate(template)
    assert len(checks) == 1 and not _entries(tmp_path)


# a build with nothing to do

@pytest.fixture
def opened(monkeypatch):
    """The zips opened (by their paths) while the fixture is in use."""
    paths: list[str] = []
    real = zipfile.ZipFile.__init__

    def counting(self, file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)):
            paths.append(os.fspath(file))
        real(self, file, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting)
    return paths


def test_a_no_op_build_opens_no_workbook_yet_a_new_tracker_is_told_apart(tmp_path, make_form, opened):
    for name in ("bcl-service-optimisation", "brief-neighbourhood-working-model"):
        make_form(name, filename=f"inputs/{name}.xlsx")
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    assert run("build", inputs, "-o", out).exit_code == 0
    os.utime(inputs / "bcl-service-optimisation.xlsx", ns=(0, 0))  # as a form saved long ago (no racy time)
    os.utime(inputs / "brief-neighbourhood-working-model.xlsx", ns=(0, 0))
    assert run("build", inputs, "-o", out, "-B").exit_code == 0  # recorded with those times
    opened.clear()
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 0 and "0 built, 2 up to date" in result.output
    assert not [p for p in opened if p.endswith(".xlsx")], opened
    assert run("portfolio", inputs, "-o", inputs / "tracker.xlsx").exit_code == 0  # a tracker dropped in
    opened.clear()
    result = run("build", inputs, "-o", out)
    assert result.exit_code == 0 and "0 built, 2 up to date" in result.output, result.output
    assert [p for p in opened if p.endswith(".xlsx")] == [str(inputs / "tracker.xlsx")]
    assert not (out / "tracker.docx").exists()
    shutil.copy(inputs / "tracker.xlsx", inputs / "bcl-service-optimisation.xlsx")  # a tracker in a form's place
    opened.clear()
    result = run("build", inputs, "-o", out)
    assert str(inputs / "bcl-service-optimisation.xlsx") in opened  # its size and times changed: opened again
    assert "0 built, 1 up to date" in result.output, result.output


WATCHED = ('pydantic', 'docxtpl', 'docx', 'jinja2', 'lxml', 'openpyxl', 'PIL', 'concurrent.futures',
           'casegen.templating.check')


def _modules_after(args: list[str], cwd: Path, watched: tuple[str, ...] = WATCHED) -> list[str]:
    probe = ("import sys; from casegen.cli import main\n"
             f"sys.argv = ['casegen', *{args!r}]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             f"print(sorted(m for m in {watched!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return re.findall(r"'([\w.]+)'", done.stdout.strip().splitlines()[-1])


def test_validate_loads_no_workbook_writer(tmp_path, make_form):
    """`validate` reads with calamine: openpyxl (and PIL) only for --annotate's copies."""
    assert "openpyxl" not in _modules_after(["validate", str(make_form())], tmp_path)


def test_a_build_loads_only_what_it_uses(tmp_path, make_form):
    """A build with nothing to do loads neither the models (pydantic) nor the renderer; a one-form build of a
    template compiled before loads neither docxtpl (python-docx) nor the template check."""
    form = make_form()
    out = tmp_path / "out"
    assert run("build", form, "-o", out).exit_code == 0  # the template's compiled form is now in the cache
    assert _modules_after(["build", str(form), "-o", str(out)], tmp_path) == []
    shutil.rmtree(out)
    assert _modules_after(["build", str(form), "-o", str(out)], tmp_path) == ["jinja2", "lxml", "pydantic"]


def test_a_build_of_one_kind_of_form_builds_only_that_kinds_models(tmp_path, make_form):
    """The models of a kind are built (by pydantic) when a form of that kind is read: a folder of Business Case
    Lites never builds the Project Brief's, nor the other way round."""
    watched = ("casegen.models.bcl", "casegen.models.brief")
    bcl, brief = make_form(), make_form("brief-neighbourhood-working-model")
    assert _modules_after(["build", str(bcl), "-o", str(tmp_path / "a")], tmp_path, watched) == [watched[0]]
    assert _modules_after(["build", str(brief), "-o", str(tmp_path / "b")], tmp_path, watched) == [watched[1]]
    assert (tmp_path / "a" / f"{bcl.stem}.docx").exists() and (tmp_path / "b" / f"{brief.stem}.docx").exists()


def test_the_command_line_looks_for_no_pydantic_plugins_yet_a_library_user_keeps_them(tmp_path, make_form):
    """pydantic's search for plugins (package metadata: importlib.metadata, the email package) is left out of the
    command line's own process; casegen imported as a library changes nothing of pydantic's."""
    form = make_form()
    assert run("build", form, "-o", tmp_path / "warm").exit_code == 0  # the template's compiled form cached
    assert _modules_after(["build", str(form), "-o", str(tmp_path / "out")], tmp_path, ("importlib.metadata",)) == []
    assert (tmp_path / "out" / f"{form.stem}.docx").exists()
    library = ("import sys\nfrom casegen.models import KINDS\nKINDS['bcl']\n"
               "print(type(sys.modules['pydantic.plugin._loader']).__name__, 'importlib.metadata' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", library], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.stdout.split() == ["module", "True"], done.stderr
    other = ("from casegen.cli import _without_pydantic_plugins\n_without_pydantic_plugins()\n"
             "from pydantic.plugin._loader import get_plugins\nassert list(get_plugins()) == []\n"
             "from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP\nprint(PYDANTIC_ENTRY_POINT_GROUP)")
    done = subprocess.run([sys.executable, "-c", other], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.stdout.strip() == "pydantic", done.stderr  # any other name: from pydantic's own loader


def test_only_casegens_own_process_has_the_collector_pass_over_what_its_imports_made(tmp_path, make_form):
    """gc.freeze once a build's modules are imported: in the `casegen` command's own process, never in a test's or
    another program's that calls its commands."""
    import gc

    form, before = make_form(), gc.get_freeze_count()
    assert run("build", form, "-o", tmp_path / "here").exit_code == 0
    assert gc.get_freeze_count() == before
    probe = ("import gc, sys\nfrom casegen.cli import main\n"
             f"sys.argv = ['casegen', 'build', {str(form)!r}, '-o', {str(tmp_path / 'own')!r}]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\nprint(gc.get_freeze_count())")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert int(done.stdout.split()[-1]) > 1000, done.stdout + done.stderr
    assert docx_text(tmp_path / "own" / f"{form.stem}.docx") == docx_text(tmp_path / "here" / f"{form.stem}.docx")


@POSIX
def test_one_walk_of_the_folders_finds_what_a_walk_of_every_entry_did(tmp_path, make_form):
    """intake.files.Scan (one stat a workbook, hidden folders not entered) against the definition it replaced:
    every entry of Path.rglob, each asked its suffix, its name, its folder's, and its kind."""
    from casegen.intake import files

    top = tmp_path / "in"
    form = make_form(filename="in/a.xlsx")
    assert run("portfolio", top, "-o", top / "tracker.xlsx").exit_code == 0  # a tracker: not a form
    for name in ("sub/B.XLSX", "sub/deep/c.xlsm", ".hidden/d.xlsx", "sub/.git/e.xlsx", "~$a.xlsx",
                 "a.checked.xlsx", "a.backup-20260101-120000.xlsx", "old.xls", "sub/sheet.ODS", "x.csv", ".xlsx",
                 "noext", "trail.xlsx."):
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(form, top / name)
    (top / "folder.xlsx").mkdir()
    os.mkfifo(top / "pipe.xlsx")
    os.mkfifo(top / "pipe.ods")
    (top / "broken.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    (top / "linked.xlsx").symlink_to(form)
    (top / "linked-folder").symlink_to(top / "sub")  # never walked into, as rglob

    def named(path: Path) -> bool:
        hidden = any(part.startswith(".") for part in path.parent.parts[len(top.parts):])
        return not hidden and files._named_as_form(path.name)

    def kind(path: Path) -> str:
        try:
            mode = path.stat().st_mode
        except OSError:
            return "missing"
        return "folder" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "special"

    entries = sorted(top.rglob("*"))
    forms = [p for p in entries if files._suffix(p) in files.FORM_SUFFIXES and named(p)
             and kind(p) in ("file", "missing") and not files.is_tracker(p)]
    others = [p for p in entries if named(p) and (files._suffix(p) in files.OTHER_FORMATS and kind(p) == "file"
                                                  or files._suffix(p) in (*files.FORM_SUFFIXES, *files.OTHER_FORMATS)
                                                  and kind(p) == "special")]
    assert files.find_forms([top]) == forms and files.not_forms([top]) == others
    assert [p.name for p in forms] == ["a.xlsx", "broken.xlsx", "linked.xlsx", "B.XLSX", "c.xlsm"]
    assert [p.name for p in others] == ["old.xls", "pipe.ods", "pipe.xlsx", "sheet.ODS", "x.csv"]
