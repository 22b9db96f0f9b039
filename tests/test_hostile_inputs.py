"""The inputs that are not forms, as an attacker or a careless day gives them: a pipe, /dev/zero or a 3 GB
sparse file as the configuration, as a template or as `new --data`, and JSON nested thousands deep. Each is one
line naming the file, in a second, never a hang, a MemoryError or a RecursionError."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from casegen.errors import TemplateProblem
from casegen.render import TEMPLATE_FILES
from casegen.render.engine import CompiledTemplate
from helpers import run, sample_case

SO = "bcl-service-optimisation"


def _fifo(path: Path) -> Path:
    os.mkfifo(path)  # nothing ever writes to it: a plain read would wait for ever
    return path


def _sparse(path: Path) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(3 * 2**30)  # 3 GB that take no disk
    return path


HOSTILE = {"a pipe": _fifo, "/dev/zero": lambda path: Path("/dev/zero"), "a 3 GB file": _sparse}
REFUSAL = {"a pipe": "is not a file (a pipe, a socket or a device), so it is not read as the {what}: give the "
                     "file itself",
           "/dev/zero": "is not a file (a pipe, a socket or a device), so it is not read as the {what}: give the "
                        "file itself",
           "a 3 GB file": "is more than {limit} KB, far more than any {what}: give the right file"}


def quick(*args):
    started = time.monotonic()
    result = run(*args)
    assert time.monotonic() - started < 20
    return result


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_configuration_is_one_line(tmp_path, make_form, kind):
    config = HOSTILE[kind](tmp_path / "programme.toml")
    result = quick("--config", config, "validate", make_form(SO))
    assert result.exit_code == 1
    message = REFUSAL[kind].format(what="configuration", limit="1,024")
    assert result.output == f"Error: {config}: {message}\n"


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_data_for_a_new_form_is_one_line(tmp_path, kind):
    data = HOSTILE[kind](tmp_path / "case.json")
    result = quick("new", "bcl", tmp_path / "case.xlsx", "--data", data)
    assert result.exit_code == 1
    message = REFUSAL[kind].format(what="case's data", limit="10,240")
    assert f"{data}: {message}" in result.output
    assert not (tmp_path / "case.xlsx").exists()


@pytest.mark.parametrize("depth", [100_000, 40])
def test_deeply_nested_json_data_is_a_message(tmp_path, depth):
    data = tmp_path / "case.json"
    data.write_text('{"project": ' + "[" * depth + "]" * depth + "}")
    result = quick("new", "bcl", tmp_path / "case.xlsx", "--data", data)
    assert result.exit_code == 1
    assert f"{data}: cannot read the JSON: it is nested far more deeply than any case" in result.output


def test_json_data_of_an_ordinary_case_still_makes_a_form(tmp_path, programme):
    data = tmp_path / "case.json"
    data.write_text(sample_case(SO, programme).model_dump_json())
    assert run("new", "bcl", tmp_path / "case.xlsx", "--data", data).exit_code == 0
    assert json.loads(run("dump", tmp_path / "case.xlsx").output)["project"]["title"] == "Service Optimisation"


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_template_is_one_line_in_the_check_and_the_renderer(tmp_path, kind):
    template = HOSTILE[kind](tmp_path / TEMPLATE_FILES["bcl"])
    checked = quick("templates", "check", "--kind", "bcl", template)
    assert checked.exit_code == 1
    why = ("is 3072 MB, far more than any template; it is not a template casegen will open" if kind == "a 3 GB file"
           else "is not a file that can be read as a Word template")
    assert checked.output == f"{template}: cannot read the template: it {why} [template-format]\n"
    started = time.monotonic()
    with pytest.raises(TemplateProblem, match="cannot read the template: it " + why.split(",")[0]):
        CompiledTemplate(template)
    assert time.monotonic() - started < 5


def test_a_zip_bomb_template_is_refused(tmp_path):
    import shutil

    from casegen.render import templates_dir
    from hostile_files import lying_bomb
    template = shutil.copy(templates_dir() / TEMPLATE_FILES["bcl"], tmp_path / TEMPLATE_FILES["bcl"])
    lying_bomb(template, "word/document.xml", inflates_to=2**30)
    checked = quick("templates", "check", "--kind", "bcl", template)
    assert checked.exit_code == 1 and "(a zip bomb?)" in checked.output and checked.output.count("\n") == 1


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_build_with_a_hostile_template_fails_its_kind_in_a_line(tmp_path, make_form, monkeypatch, kind):
    (tmp_path / "templates").mkdir()
    HOSTILE[kind](tmp_path / "templates" / TEMPLATE_FILES["bcl"])
    if kind == "/dev/zero":
        os.symlink("/dev/zero", tmp_path / "templates" / TEMPLATE_FILES["bcl"])
    monkeypatch.setenv("CASEGEN_TEMPLATES", str(tmp_path / "templates"))
    result = quick("build", make_form(SO), "-o", tmp_path / "out")
    assert result.exit_code == 1
    why = ("not a Word document (.docx)" if kind == "a 3 GB file" else
           "cannot read the template: it is not a file that can be read as a Word template")
    assert f"{tmp_path / 'templates' / TEMPLATE_FILES['bcl']}: {why}" in result.output
    assert not list((tmp_path / "out").glob("*.docx"))
