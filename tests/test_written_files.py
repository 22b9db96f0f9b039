"""Every kind of file casegen writes opens in Word without repair and is accessible.

One of each kind of output, made as a user makes it (blank and filled forms, every sample's document, a
redline, the tracker and the summary, an annotated copy, an imported form) and a few drawn cases' documents,
each checked by openxml-audit (the OOXML validator Word's checks are modelled on) and, for a Word document,
by the accessibility checks of wordclean.py. This replaces auditing every file every test leaves behind
after each test (about two minutes a run); `pytest --audit-all` (`make audit`) still does that.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings

import strategies
from casegen import config
from casegen.models import KINDS
from casegen.render import render_case
from helpers import SAMPLES, run
from profiles import EXAMPLE_SCALE
from wordclean import audited, written_by_casegen

PROGRAMME = config.load()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    """One file of each kind casegen writes, by what it is."""
    top = tmp_path_factory.mktemp("corpus")
    forms, out = top / "forms", top / "out"
    forms.mkdir()
    made: dict[str, Path] = {}
    for kind in ("bcl", "brief"):
        made[f"blank {kind} form"] = top / f"blank-{kind}.xlsx"
        assert run("new", kind, made[f"blank {kind} form"]).exit_code == 0
    for sample in sorted(SAMPLES.glob("*.json")):
        form = forms / f"{sample.stem}.xlsx"
        assert run("new", sample.stem.split("-", 1)[0], form, "--data", sample).exit_code == 0
        made[f"filled form {sample.stem}"] = form
    assert run("build", forms, "-o", out).exit_code == 0
    for document in sorted(out.glob("*.docx")):
        made[f"document {document.stem}"] = document
    # an edited form rebuilt with --redline: the tracked-changes document
    edited = json.loads((SAMPLES / "bcl-service-optimisation.json").read_text(encoding="utf-8"))
    edited["project"]["title"] += " (revised)"
    data = top / "edited.json"
    data.write_text(json.dumps(edited), encoding="utf-8")
    assert run("new", "bcl", forms / "bcl-service-optimisation.xlsx", "--data", data, "--force").exit_code == 0
    assert run("build", forms, "-o", out, "--redline").exit_code == 0
    made["redline"] = out / "redlines" / "bcl-service-optimisation.docx"
    made["tracker"], made["summary"] = top / "tracker.xlsx", top / "summary.docx"
    assert run("portfolio", forms, "-o", made["tracker"], "--summary", made["summary"],
               "--documents", out).exit_code == 0
    made["imported form"] = top / "imported.xlsx"
    assert run("import", out / "bcl-neighbourhood-working-model.docx", "-o", made["imported form"]).exit_code == 0
    spoiled = top / "spoiled.xlsx"
    shutil.copy(made["blank bcl form"], spoiled)
    assert run("validate", "--annotate", spoiled).exit_code == 1
    made["annotated copy"] = top / "spoiled.checked.xlsx"
    return made


KINDS_OF_OUTPUT = ["blank bcl form", "blank brief form", "filled form bcl-service-optimisation",
                   "filled form brief-neighbourhood-working-model", "document bcl-service-optimisation",
                   "document bcl-neighbourhood-working-model", "document brief-neighbourhood-working-model",
                   "redline", "tracker", "summary", "imported form", "annotated copy"]


@pytest.mark.parametrize("what", KINDS_OF_OUTPUT)
def test_each_kind_of_output_opens_without_repair_and_is_accessible(corpus, what):
    path = corpus[what]
    assert path.is_file(), f"{what} was not written"
    assert written_by_casegen(path), f"{path} does not carry casegen's mark"
    assert audited(path) == []


@pytest.mark.parametrize("kind", ["bcl", "brief"])
def test_documents_of_drawn_cases_open_without_repair(tmp_path_factory, kind):
    @given(strategies.cases(kind, PROGRAMME))
    @settings(max_examples=3 * EXAMPLE_SCALE)
    def check(data):
        case = KINDS[kind].model_validate(json.loads(json.dumps(data)), context={"programme": PROGRAMME})
        document = tmp_path_factory.mktemp(kind) / "drawn.docx"
        document.write_bytes(render_case(case, PROGRAMME))
        assert audited(document) == []

    check()

