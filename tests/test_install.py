"""casegen as a user installs it: the templates inside the package, chosen by option, configuration or
default; exported into a folder the programme office owns; a missing one reported once."""
from __future__ import annotations

import shutil
import tomllib
import zipfile
from pathlib import Path

import pytest
from setuptools import find_packages

from casegen import __version__, config
from casegen.render import TEMPLATE_FILES, package_templates, template_path, templates_dir
from casegen.render.export import CONFIG_NAME
from helpers import lines, rewrite_part, run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_templates_variable(monkeypatch):
    monkeypatch.delenv("CASEGEN_TEMPLATES", raising=False)
    monkeypatch.delenv("CASEGEN_CONFIG", raising=False)


def document_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/document.xml").decode("utf-8")


def test_pyproject_lists_every_package_and_the_templates():
    """The packages are listed by name (for the templates' mapping): a new package must be added there."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(tool["packages"]) == set(find_packages(ROOT / "src")) | {"casegen.templates"}
    assert tool["package-dir"]["casegen.templates"] == "templates"


def test_the_package_holds_every_template():
    folder = package_templates()
    assert all((folder / name).is_file() for name in TEMPLATE_FILES.values())
    assert templates_dir() == folder


def test_option_before_configuration_before_package(tmp_path, monkeypatch):
    mine = tmp_path / "programme.toml"
    mine.write_text(config.default_text() + '\ntemplates = "office"\n')
    programme = config.load(mine)
    assert template_path("bcl", programme=programme) == tmp_path / "office" / TEMPLATE_FILES["bcl"]
    assert template_path("bcl", tmp_path / "mine", programme) == tmp_path / "mine" / TEMPLATE_FILES["bcl"]
    monkeypatch.setenv("CASEGEN_TEMPLATES", str(tmp_path / "env"))
    assert template_path("brief", programme=programme) == tmp_path / "env" / TEMPLATE_FILES["brief"]
    assert template_path("brief", tmp_path / "mine") == tmp_path / "mine" / TEMPLATE_FILES["brief"]


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.output.strip() == f"casegen, version {__version__}"


def test_export_writes_the_templates_and_a_configuration_that_points_at_them(tmp_path):
    result = run("templates", "export", tmp_path / "office")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "office").iterdir())
    assert written == sorted([*TEMPLATE_FILES.values(), CONFIG_NAME])
    programme = config.load(tmp_path / "office" / CONFIG_NAME)
    assert programme.templates.resolve() == (tmp_path / "office").resolve()
    assert programme.as_dict(exclude={"source", "templates"}) == config.load().as_dict(
        exclude={"source", "templates"})
    check = run("--config", tmp_path / "office" / CONFIG_NAME, "templates", "check")
    assert check.exit_code == 0 and check.output.strip() == f"{len(TEMPLATE_FILES)} templates OK"


def test_export_does_not_overwrite_the_office_s_edits_without_force(tmp_path):
    run("templates", "export", tmp_path)
    (tmp_path / CONFIG_NAME).write_text("# edited")
    result = run("templates", "export", tmp_path)
    assert result.exit_code == 1 and "already exist" in result.output and "--force" in result.output
    assert (tmp_path / CONFIG_NAME).read_text() == "# edited"
    assert run("templates", "export", tmp_path, "--force").exit_code == 0
    assert "templates = \".\"" in (tmp_path / CONFIG_NAME).read_text()


def _retitled_copy(folder: Path) -> None:
    """The exported templates, the Business Case Lite's heading changed as the office would in Word."""
    bcl = folder / TEMPLATE_FILES["bcl"]
    rewrite_part(bcl, "word/document.xml", lambda data: data.replace(b"Project Information", b"About the Project"))


@pytest.mark.parametrize("how", ["config", "option", "variable"])
def test_a_build_uses_the_office_s_templates(tmp_path, make_form, monkeypatch, how):
    office = tmp_path / "office"
    run("templates", "export", office)
    _retitled_copy(office)
    form = make_form("bcl-service-optimisation")
    chosen = {"config": ["--config", office / CONFIG_NAME], "option": ["--templates", office], "variable": []}[how]
    if how == "variable":
        monkeypatch.setenv("CASEGEN_TEMPLATES", str(office))
    result = run(*chosen, "build", form, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    text = document_text(tmp_path / "out" / "bcl-service-optimisation.docx")
    assert "About the Project" in text and "Project Information" not in text


def test_a_missing_template_is_one_error_not_one_a_form(tmp_path, make_form):
    office = tmp_path / "office"
    office.mkdir()
    shutil.copy(package_templates() / TEMPLATE_FILES["brief"], office)
    for i in range(3):
        make_form(edit=lambda case, i=i: setattr(case.project, "tracker_ref", f"RX-10{i}"),
                  filename=f"inputs/case-{i}.xlsx")
    result = run("--templates", office, "build", tmp_path / "inputs", "-o", tmp_path / "out")
    assert result.exit_code == 1
    missing = office / TEMPLATE_FILES["bcl"]
    assert result.output.count(str(missing)) == 1, result.output
    assert f"{missing}: cannot read the template: No such file or directory" in result.output
    assert "templates export" in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.docx"))


def test_a_template_that_is_not_a_word_document_is_named(tmp_path, make_form):
    office = tmp_path / "office"
    run("templates", "export", office)
    (office / TEMPLATE_FILES["bcl"]).write_text("saved as plain text by mistake")
    result = run("--templates", office, "build", make_form(), "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"{office / TEMPLATE_FILES['bcl']}: not a Word document (.docx)" in result.output


def test_a_template_saved_as_odt_is_told_to_be_saved_as_docx(tmp_path, make_form):
    office = tmp_path / "office"
    run("templates", "export", office)
    docx = office / TEMPLATE_FILES["bcl"]
    docx.rename(docx.with_suffix(".odt"))  # Writer's Save As kept its own format
    result = run("--templates", office, "build", make_form(), "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert (f"{docx.with_suffix('.odt')}: is a .odt file, which casegen cannot read as a template: save it as .docx "
            "(Word: File › Save As › Word Document; Writer: File › Save As › Word 2007-365) as "
            f"{docx.name}") in result.output


@pytest.mark.parametrize("make", [lambda p: p.mkdir(), lambda p: None])
def test_check_with_nothing_to_check_is_an_error(tmp_path, make):
    folder = tmp_path / "templates"
    make(folder)
    result = run("--templates", folder, "templates", "check")
    assert result.exit_code == 1
    (line,) = lines(result)
    assert line.startswith(f"{folder}: no ") and "nothing to check" in line
