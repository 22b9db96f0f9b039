"""Ready for Windows desktops and careful with names, tested by simulation on Linux: a console on code page
cp1252 or cp437 (PYTHONIOENCODING, as Windows sets it for a redirected output), the C locale without UTF-8,
a document open in Word (os.replace refused, as Windows refuses it), the spawn start method Windows uses,
names Windows cannot create, and file names that hold terminal controls."""
from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from openpyxl import load_workbook

from casegen.batch import check as batch_check
from casegen.batch import pdf
from casegen.intake.form import write_form
from docx_text import text as docx_text
from helpers import run, sample_case

SO = "bcl-service-optimisation"
# Outside cp1252 and cp437: Polish, a snowman; and a control sequence that would set a terminal's title.
TITLE = "Łódź ☃ review"
TITLE_ESCAPE = "\x1b]0;pwned\x07"


def casegen(*args, cwd: Path, **env) -> subprocess.CompletedProcess:
    """casegen run as a lead runs it, in a process of its own with the environment given."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "LC_ALL")}
    return subprocess.run([sys.executable, "-m", "casegen", *map(str, args)], cwd=cwd, capture_output=True,
                          env={**environ, **env}, timeout=120)


def no_traceback(done: subprocess.CompletedProcess, encoding: str = "utf-8") -> str:
    out = done.stdout.decode(encoding) + done.stderr.decode(encoding)
    assert "Traceback" not in out and "UnicodeEncodeError" not in out, out
    return out


def forms(folder: Path, programme, *names: str) -> None:
    """A Business Case Lite form for each name, each with a tracker ref of its own (one ref on two forms is an
    error across forms)."""
    for i, name in enumerate(names):
        case = sample_case(SO, programme)
        case.project.tracker_ref = f"RX-9{i:02d}"
        write_form("bcl", folder / f"{name}.xlsx", programme, case)


@pytest.fixture
def polish(tmp_path, programme) -> Path:
    """A form with a name and a title outside the Windows code pages, and one bad amount whose message quotes it."""
    case = sample_case(SO, programme)
    case.project.title = TITLE
    form = write_form("bcl", tmp_path / "in" / "Łódź ☃.xlsx", programme, case)
    return form


@pytest.mark.parametrize("codepage", ["cp1252", pytest.param("cp437", marks=pytest.mark.slow)])
def test_validate_build_and_dump_never_fail_on_a_windows_code_page(tmp_path, polish, codepage):
    validated = casegen("validate", polish, cwd=tmp_path, PYTHONIOENCODING=codepage)
    assert validated.returncode == 0 and "1 form OK" in no_traceback(validated, codepage)
    built = casegen("build", polish.parent, "-o", tmp_path / "out", cwd=tmp_path, PYTHONIOENCODING=codepage)
    out = no_traceback(built, codepage)
    assert built.returncode == 0, out
    # the name shown, escaped where the code page has no letter
    assert "\\u0141ódź" not in out and "\\u0141ód\\u017a \\u2603.docx" in out
    assert TITLE in docx_text(tmp_path / "out" / "Łódź ☃.docx")
    dumped = casegen("dump", polish, cwd=tmp_path, PYTHONIOENCODING=codepage)
    assert dumped.returncode == 0 and '"title": "\\u0141ód\\u017a \\u2603 review"' in no_traceback(dumped, codepage)


def test_a_problem_quoting_a_value_outside_the_code_page_is_one_line(tmp_path, polish):
    from helpers import spoil, table_cell
    spoil(polish, lambda wb: setattr(table_cell(wb, "finance_years", 1, "Recurring Investment"), "value", "£2☃0"))
    done = casegen("validate", polish, cwd=tmp_path, PYTHONIOENCODING="cp1252")
    out = no_traceback(done, "cp1252")
    assert done.returncode == 1
    assert "got '£2\\u26030' [value-money]" in out


def test_file_names_are_read_in_the_c_locale_without_utf8(tmp_path, polish):
    """A folder built under a UTF-8 locale, built again and pruned under LC_ALL=C with UTF-8 mode turned off:
    the form is found (not "gone") and nothing fails."""
    first = casegen("build", polish.parent, "-o", tmp_path / "out", cwd=tmp_path)
    assert first.returncode == 0, no_traceback(first)
    c_locale = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    again = casegen("build", polish.parent, "-o", tmp_path / "out", "--prune", cwd=tmp_path, **c_locale)
    out = no_traceback(again)
    assert again.returncode == 0, out
    assert "0 built, 1 up to date, 0 failed" in out and "gone" not in out
    assert casegen("validate", polish.parent, cwd=tmp_path, **c_locale).returncode == 0


def test_control_characters_in_a_name_or_value_reach_the_terminal_escaped(tmp_path, programme):
    case = sample_case(SO, programme)
    form = write_form("bcl", tmp_path / f"x{TITLE_ESCAPE}.xlsx", programme, case)
    from helpers import spoil, table_cell
    spoil(form, lambda wb: setattr(table_cell(wb, "finance_years", 1, "Recurring Investment"), "value", "\x9b2J9"))
    # (a cell cannot hold ESC itself; CSI, U+009B, is ESC [ in one character to many terminals)
    for result in (run("validate", form), run("build", form, "-o", tmp_path / "out"), run("dump", form)):
        assert not {"\x1b", "\x07", "\x9b"} & set(result.output), result.output
    validated = run("validate", form)
    assert f"{tmp_path}/x\\x1b]0;pwned\\x07.xlsx: Finance!" in validated.output
    assert "got '\\x9b2J9'" in validated.output


def test_a_document_open_in_word_fails_alone_with_what_to_do(tmp_path, programme, monkeypatch):
    """Windows refuses to replace a file another program holds open: os.replace raises PermissionError."""
    forms(tmp_path / "in", programme, "open", "closed")
    assert run("build", tmp_path / "in", "-o", tmp_path / "out").exit_code == 0
    before = (tmp_path / "out" / "open.docx").read_bytes()
    real = os.replace

    def held_by_word(src, dst, *args, **kwargs):
        if Path(dst).name == "open.docx":
            raise PermissionError(13, "The process cannot access the file because it is being used by another "
                                      "process", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", held_by_word)
    result = run("build", tmp_path / "in", "-o", tmp_path / "out", "--force", "-j", "1")
    assert result.exit_code == 1
    assert (f"{tmp_path / 'out' / 'open.docx'}: it is open in another program (Word, say), which holds it: close it "
            "in Word and build again") in result.output
    assert "built       " in result.output and "closed.docx" in result.output
    assert (tmp_path / "out" / "open.docx").read_bytes() == before
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".part")]


@pytest.mark.slow  # a process each, started from nothing: seconds
def test_a_build_with_the_spawn_start_method(tmp_path, programme, monkeypatch):
    """Windows starts workers by spawning a fresh interpreter, not forking: a build's workers still work."""
    forms(tmp_path / "in", programme, "one", "two", "three")
    spawn = multiprocessing.get_context("spawn")
    started = []

    class SpawnPool(ProcessPoolExecutor):
        def __init__(self, workers, **kwargs):
            started.append(workers)
            super().__init__(workers, mp_context=spawn, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", SpawnPool)
    result = run("build", tmp_path / "in", "-o", tmp_path / "out", "-j", "2")
    assert result.exit_code == 0, result.output
    assert started and all(n == 2 for n in started)
    assert all("Service Optimisation" in docx_text(tmp_path / "out" / f"{n}.docx") for n in ("one", "two", "three"))


def test_jobs_are_capped_at_the_cpus_with_a_note(tmp_path, programme, monkeypatch):
    forms(tmp_path, programme, "one", "two", "three")
    started = []

    class CountingPool(ProcessPoolExecutor):
        def __init__(self, workers, **kwargs):
            started.append(workers)
            super().__init__(workers, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountingPool)
    monkeypatch.setattr(batch_check, "usable_cpus", lambda: 2)
    result = run("validate", tmp_path, "-j", "100000")
    assert result.exit_code == 0, result.output
    assert "note: -j 100000 is more than this computer's 2 CPUs; 2 are used" in result.output
    assert started == [2]
    started.clear()
    assert batch_check.Workers.start(100000, 50).pool._max_workers == 2  # the library caps it too


@pytest.mark.parametrize("name, why", [
    ("CON", "CON is a name Windows keeps for a device"),
    ("nul.backup", "NUL is a name Windows keeps for a device"),
    ("LPT9", "LPT9 is a name Windows keeps for a device"),
    ("a:b", "Windows does not allow : in a file name"),
    ("what?", "Windows does not allow ? in a file name"),
    ('say "hi"', 'Windows does not allow " in a file name'),
    ("\\\\host\\share\\x", "Windows does not allow \\ in a file name"),
    ("http:evil.example", "Windows does not allow : in a file name"),
    ("a|b<c>*", "Windows does not allow * < > | in a file name"),
])
def test_a_name_windows_cannot_create_is_refused_with_advice(tmp_path, programme, name, why):
    forms(tmp_path / "in", programme, name, "fine")
    form = tmp_path / "in" / f"{name}.xlsx"
    result = run("build", tmp_path / "in", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert (f"{form}: would make {name + '.docx'!r}, a name Windows cannot create ({why}), so the folder would not "
            "open on a Windows desktop: rename the form [build-name-windows]") in result.output
    assert sorted(p.name for p in (tmp_path / "out").glob("*.docx")) == ["fine.docx"]


def test_a_path_longer_than_windows_opens_is_named(tmp_path, programme):
    deep = tmp_path / ("d" * 120) / ("e" * 120)
    form = write_form("bcl", tmp_path / "in" / "case.xlsx", programme, sample_case(SO, programme))
    result = run("build", form, "-o", deep)
    assert result.exit_code == 0, result.output
    length = len(str(deep / "case.docx"))
    assert (f"{form}: warning: its document's path is {length} characters, longer than the 259 a Windows desktop "
            "opens: build into a folder with a shorter path, or shorten the form's name [build-path-long]") \
        in result.output


def test_tracker_links_are_relative_and_encoded(tmp_path, programme):
    """A name becomes a link to the document casegen wrote, never a share, a web address or a fragment."""
    names = ("a#b", "plain case", "\\\\host\\share\\x", "http:evil.example")
    forms(tmp_path / "forms", programme, *names)
    (tmp_path / "docs").mkdir()
    for name in names:
        (tmp_path / "docs" / f"{name}.docx").write_bytes(b"a document")  # as if built elsewhere
    run("portfolio", tmp_path / "forms", "-o", tmp_path / "t.xlsx", "--documents", tmp_path / "docs")
    cases = load_workbook(tmp_path / "t.xlsx")["Cases"]
    links = {c.value: c.hyperlink.target for row in cases.iter_rows() for c in row if c.hyperlink is not None}
    assert links == {"a#b.docx": "docs/a%23b.docx", "plain case.docx": "docs/plain%20case.docx"}


def test_a_document_named_like_an_option_is_given_to_libreoffice_as_a_file(tmp_path, monkeypatch):
    """`build -o . --pdf` with a form named `--infilter=x.xlsx`: LibreOffice gets absolute paths only."""
    monkeypatch.chdir(tmp_path)
    doc = Path("--infilter=x.docx")
    doc.write_bytes(b"a document")
    seen = []
    monkeypatch.setattr(pdf, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(pdf.subprocess, "run", lambda command, **kw: seen.append(command) or
                        subprocess.CompletedProcess(command, 0, "", ""))
    pdf.convert([doc], Path("."))
    (command,) = seen
    files = command[command.index("--outdir") + 2:]
    assert files == [str(tmp_path / "--infilter=x.docx")]
    assert all(not arg.startswith("-") or arg in ("--headless", "--convert-to", "--outdir") or arg.startswith("-env:")
               for arg in command[1:] if arg != pdf.PDF_FILTER)


@pytest.mark.slow  # LibreOffice makes the PDF
def test_a_form_named_like_a_libreoffice_option_gets_its_pdf(tmp_path, programme, monkeypatch):
    """`casegen build -o . --pdf -- --infilter=x.xlsx`, run in the form's folder, as the issue found it."""
    monkeypatch.chdir(tmp_path)
    forms(tmp_path, programme, "--infilter=x")
    result = run("build", "-o", ".", "--pdf", "--", "--infilter=x.xlsx")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "--infilter=x.pdf").read_bytes().startswith(b"%PDF")


def test_a_tracker_open_in_excel_is_named_with_what_to_do(tmp_path, programme, monkeypatch):
    forms(tmp_path / "in", programme, "one")
    assert run("portfolio", tmp_path / "in", "-o", tmp_path / "t.xlsx").exit_code == 0
    before = (tmp_path / "t.xlsx").read_bytes()
    real = os.replace

    def held_by_excel(src, dst, *args, **kwargs):
        if Path(dst).name == "t.xlsx":
            raise PermissionError(13, "Permission denied", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", held_by_excel)
    result = run("portfolio", tmp_path / "in", "-o", tmp_path / "t.xlsx", "-j", "1")
    assert result.exit_code == 1
    assert result.output.strip().endswith(f"{tmp_path / 't.xlsx'}: it is open in another program (Excel, say), which "
                                          "holds it: close it in Excel and run the command again")
    assert (tmp_path / "t.xlsx").read_bytes() == before
