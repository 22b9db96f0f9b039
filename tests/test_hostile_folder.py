"""Every command over a folder of hostile inputs (issue 17): no traceback, an exit code that says so, no hang,
and no file outside the output folder changed.

The commands run as separate processes, each with a timeout, so a hang (a pipe opened for reading, a
bomb inflating) fails the test instead of stalling the suite.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers import named, ole_file, rewrite, run, spoil
from hostile_files import lying_bomb

SO = "bcl-service-optimisation"
NWM = "bcl-neighbourhood-working-model"
DTD = b'<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
TIMEOUT = 90  # seconds a command may take before it counts as a hang
CHECKED = re.compile(r"\.checked(-\d+)?\.xlsx$")


def _late_dtd(xml: bytes) -> bytes:
    """A DTD after 3 KB of comment: past the 2 KB the first guard sniffed."""
    return b'<?xml version="1.0"?><!--' + b" " * 3000 + b"-->" + DTD + re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)


def _utf16_dtd(xml: bytes) -> bytes:
    body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml).decode()
    return ('<?xml version="1.0" encoding="UTF-16"?>' + DTD.decode() + body).encode("utf-16")


def _formula_text(wb) -> None:
    """A title typed as text that looks like a formula (as Excel keeps text typed after an apostrophe)."""
    cell = named(wb, "project_title")
    cell.value = '=HYPERLINK("http://x.test/?"&B3,"click")'
    cell.data_type = "s"


def _hostile_forms(folder: Path, make_form, outside: Path) -> None:
    def form(name, sample=SO):
        made = make_form(sample, filename=f"made/{name}")
        return made.rename(folder / name)

    lying_bomb(form("bomb.xlsx"), "xl/styles.xml", inflates_to=64 * 2**20)
    rewrite(form("late-dtd.xlsx"), "xl/workbook.xml", _late_dtd)
    rewrite(form("utf16-dtd.xlsx"), "xl/styles.xml", _utf16_dtd)
    os.mkfifo(folder / "pipe.xlsx")
    data = form("truncated.xlsx").read_bytes()
    (folder / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    (folder / "renamed.xlsx").write_bytes(ole_file({"Workbook": b"\x09\x08\x10\x00" + bytes(200)}))
    (folder / "locked.xlsx").write_bytes(ole_file({"EncryptionInfo": b"\x04\x00\x04\x00" + bytes(100),
                                                   "EncryptedPackage": bytes(300)}))
    (folder / "link.xlsx").symlink_to(outside / "victim.xlsx")
    (folder / "empty.xlsx").write_bytes(b"")
    form("UPPER.XLSX", NWM)
    formula = form("formula.xlsx", "brief-neighbourhood-working-model")
    spoil(formula, _formula_text)
    (folder / "calc.ods").write_bytes(b"PK\x03\x04 not really")
    (folder / "old.XLS").write_bytes(ole_file({"Workbook": bytes(200)}))


def _hostile_documents(folder: Path, good_docx: Path, outside: Path) -> None:
    def doc(name):
        target = folder / name
        target.write_bytes(good_docx.read_bytes())
        return target

    lying_bomb(doc("bomb.docx"), "word/styles.xml", inflates_to=64 * 2**20)
    rewrite(doc("late-dtd.docx"), "word/document.xml", _late_dtd)
    rewrite(doc("utf16-dtd.docx"), "word/styles.xml", _utf16_dtd)
    os.mkfifo(folder / "pipe.docx")
    data = good_docx.read_bytes()
    (folder / "truncated.docx").write_bytes(data[: len(data) // 2])
    (folder / "renamed.docx").write_bytes(ole_file({"WordDocument": bytes(200)}))
    (folder / "link.docx").symlink_to(outside / "victim.docx")
    (folder / "empty.DOCX").write_bytes(b"")


def _digests(top: Path, out: Path) -> dict[str, str]:
    """Every regular file under `top` but outside `out` (through links: what they point at), hashed."""
    found = {}
    for path in sorted(top.rglob("*")):
        if out in path.parents or path == out or not path.is_file():  # is_file: never opens a pipe
            continue
        found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _casegen(*args, cwd: Path) -> subprocess.CompletedProcess:
    """casegen ARGS in its own process, killed after TIMEOUT seconds (which fails the test)."""
    code = "import sys; from casegen.cli import main; sys.argv = ['casegen'] + sys.argv[1:]; main()"
    try:
        return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=cwd, capture_output=True,
                              text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"casegen {' '.join(map(str, args))} did not finish in {TIMEOUT} s")


@pytest.fixture
def hostile(tmp_path, make_form):
    """tmp_path/inputs (forms), tmp_path/docs (Word documents), tmp_path/outside (what the links point at)."""
    outside, inputs, docs = tmp_path / "outside", tmp_path / "inputs", tmp_path / "docs"
    for folder in (outside, inputs, docs):
        folder.mkdir()
    make_form(SO, filename="outside/victim.xlsx")
    built = run("build", outside / "victim.xlsx", "-o", tmp_path / "built")
    assert built.exit_code == 0, built.output
    (outside / "victim.docx").write_bytes((tmp_path / "built" / "victim.docx").read_bytes())
    _hostile_forms(inputs, make_form, outside)
    _hostile_documents(docs, outside / "victim.docx", outside)
    for leftover in (tmp_path / "made", tmp_path / "built"):
        shutil.rmtree(leftover)
    return tmp_path


def _commands(top: Path) -> list[tuple[list, set[int]]]:
    """(arguments, the exit codes that are right) of every command over the hostile inputs."""
    inputs, docs, out = top / "inputs", top / "docs", top / "out"
    commands = [
        (["validate", inputs], {1}),
        (["validate", "--json", inputs], {1}),
        (["validate", "--strict", inputs / "UPPER.XLSX", inputs / "formula.xlsx"], {0, 1}),
        (["build", inputs, "-o", out], {1}),
        (["build", "--redline", "-B", "--force", "-j", "2", inputs, "-o", out], {1}),
        (["build", "--prune", inputs, "-o", out], {1}),
        (["portfolio", inputs, "-o", out / "tracker.xlsx", "--summary", out / "summary.docx"], {1}),
        (["import", docs, "-o", out / "imported"], {1}),
        (["changes", out], {0, 1}),
        (["changes", "--all", "--json", out], {0, 1}),
    ]
    for path in sorted(inputs.iterdir()):
        commands.append((["dump", path], {0} if path.name in ("UPPER.XLSX", "formula.xlsx", "link.xlsx") else {1}))
        if path.name not in ("UPPER.XLSX", "formula.xlsx", "link.xlsx"):  # upgrade rewrites a readable form in place
            commands.append((["upgrade", path], {1}))
    for path in sorted(docs.iterdir()):
        good = path.name == "link.docx"
        commands.append((["import", path, "-o", out / "one" / f"{path.stem}.xlsx"], {0} if good else {1}))
    return commands


@pytest.mark.slow
def test_every_command_over_a_folder_of_hostile_inputs(hostile):
    top, out = hostile, hostile / "out"
    before = _digests(top, out)
    failures = []
    for args, right in _commands(top):
        done = _casegen(*args, cwd=top)
        said = done.stdout + done.stderr
        if "Traceback" in said or done.returncode not in right:
            failures.append(f"casegen {' '.join(map(str, args))}: exit {done.returncode}\n{said[-2000:]}")
        after = _digests(top, out)
        changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        if changed:
            failures.append(f"casegen {' '.join(map(str, args))} changed {changed}")
            before = after
    assert not failures, "\n\n".join(failures)
    assert not (top / "inputs" / "pipe.xlsx").is_file() and (top / "inputs" / "pipe.xlsx").exists()


def test_validate_names_every_hostile_form_and_reads_the_good_ones(hostile):
    """The fast part of the run above: one line for each hostile form, the good ones read, nothing changed."""
    top, inputs = hostile, hostile / "inputs"
    before = _digests(top, top / "out")
    done = _casegen("validate", inputs, cwd=top)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
    said = {line.split(": ", 1)[0]: line for line in done.stdout.splitlines() if ": " in line}
    expected = {
        "bomb.xlsx": "inflates to more than the 1,048,576 bytes its zip directory declares (a zip bomb?)",
        "late-dtd.xlsx": "part xl/workbook.xml declares a DTD",
        "utf16-dtd.xlsx": "part xl/styles.xml declares a DTD",
        "pipe.xlsx": "is not a file that can be read as a workbook",
        "truncated.xlsx": "is damaged or incomplete",
        "renamed.xlsx": "old-style Excel 97-2003 workbook (.xls)",
        "locked.xlsx": "is protected with a password",
        "empty.xlsx": "is not an Excel workbook (.xlsx)",
        "calc.ods": "is not read: it is a LibreOffice Calc spreadsheet (.ods)",
        "old.XLS": "is not read: it is an old-style Excel 97-2003 workbook (.xls)",
    }
    for name, message in expected.items():
        assert message in said.get(str(inputs / name), ""), (name, done.stdout)
    for good in ("UPPER.XLSX", "link.xlsx"):
        assert str(inputs / good) not in said, done.stdout  # read, with no problem
    assert done.stdout.splitlines()[-1] == "3 of 11 forms OK, 8 with errors, 2 files not read (not .xlsx)", done.stdout
    assert _digests(top, top / "out") == before
    with zipfile.ZipFile(top / "outside" / "victim.xlsx") as zf:
        assert zf.testzip() is None
    assert load_workbook(top / "outside" / "victim.xlsx")  # the file the link points at, as it was


def _plant(path: Path, what: str, outside: Path) -> None:
    """A hostile file at `path`: a pipe, a link to an endless device, a 3 GB sparse file, a link out of the
    folder, or a JSON nested past any parser's depth."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if what == "pipe":
        os.mkfifo(path)
    elif what == "endless":
        path.symlink_to("/dev/zero")
    elif what == "sparse":
        with open(path, "wb") as f:
            f.truncate(3 * 1024**3)
    elif what == "link-out":
        path.symlink_to(outside / "victim.docx")
    elif what == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("what", ["pipe", "endless", "sparse", "link-out", "deep"])
def test_casegens_own_state_and_settings_as_hostile_files(hostile, what):
    """casegen's store and lock, the configuration, a template and `new --data`, each planted as a hostile file:
    every command says so in a line (or sets the store aside) and goes on; nothing hangs, nothing outside changes."""
    top = hostile
    good = top / "good"
    good.mkdir()
    sample = Path(__file__).parents[1] / "samples" / f"{SO}.json"
    assert run("new", "bcl", good / "case.xlsx", "--data", sample).exit_code == 0
    out, office = top / "out", top / "office"
    assert run("build", good, "-o", out).exit_code == 0
    assert run("templates", "export", office).exit_code == 0
    store = out / ".casegen" / "state.sqlite3"
    store.unlink()
    _plant(store, what, top / "outside")
    _plant(top / "config.toml", what, top / "outside")
    (office / "business_case_lite.docx").unlink()
    _plant(office / "business_case_lite.docx", what, top / "outside")
    _plant(top / "data.json", what, top / "outside")
    before = _digests(top, out)
    readable = {0, 1} if what == "link-out" else {1}
    commands = [
        (["build", good, "-o", out], {0, 1}),
        (["build", "--redline", "-B", good, "-o", out], {0, 1}),
        (["changes", out], {0, 1}),
        (["portfolio", good, "-o", out / "tracker.xlsx", "--summary", out / "summary.docx"], {0, 1}),
        (["--config", top / "config.toml", "validate", good], {1, 2}),
        # a template linked to a real document elsewhere is read through the link (never written): it may build
        (["--config", office / "programme.toml", "build", good, "-o", top / "out-office"], readable),
        (["--config", office / "programme.toml", "templates", "check"], readable),
        (["new", "bcl", top / "made.xlsx", "--data", top / "data.json"], {1, 2}),
    ]
    failures = []
    for args, right in commands:
        done = _casegen(*args, cwd=top)
        said = done.stdout + done.stderr
        if "Traceback" in said or "MemoryError" in said or done.returncode not in right:
            failures.append(f"casegen {' '.join(map(str, args))}: exit {done.returncode}\n{said[-2000:]}")
    after = _digests(top, out)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p)
                     and not p.startswith(str(top / "out-office")) and not p.startswith(str(top / "made")))
    assert not failures, "\n\n".join(failures)
    assert not changed, f"changed {changed}"
    assert (top / "outside" / "victim.docx").read_bytes().startswith(b"PK")
