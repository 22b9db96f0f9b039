"""Whose document it is, and why it was built again (issue 24 item 2, issue 25 item 6).

A person's edit of a built document is never replaced silently: it is kept aside under a dated name before
the new build is written, the build says where, and `changes` says so. Every rebuilt document says why, by
the content of what it is made of, in the build's line, its JSON and `changes`.
"""
from __future__ import annotations

import json
import zipfile
from decimal import Decimal

import docx
import pytest

from casegen.batch.store import Store
from helpers import rewrite, run

FORM, OTHER = "bcl-service-optimisation", "brief-neighbourhood-working-model"


@pytest.fixture
def built(make_form, tmp_path):
    for name in (FORM, OTHER):
        make_form(name, filename=f"inputs/{name}.xlsx")
    out = tmp_path / "out"
    assert run("build", tmp_path / "inputs", "-o", out).exit_code == 0
    return out


def lowered(case):
    case.finance.years[1].recurring_savings = Decimal(150000)  # 24/25, £200,000 in the sample


def edit_in_word(document, note="Agreed with the sponsor on Tuesday.", by="A. Person"):
    """What a person does in Word: add a line and save (Word names them as the last author)."""
    opened = docx.Document(document)
    opened.add_paragraph(note)
    opened.core_properties.last_modified_by = by
    opened.save(document)


def words(path) -> str:
    return "\n".join(p.text for p in docx.Document(path).paragraphs)


def kept_aside(out):
    return sorted(out.glob(f"{FORM}.edited-*.docx"))


@pytest.mark.parametrize("how", ["form changed", "--force", "form changed and --force"])
def test_a_document_edited_in_word_is_kept_aside_before_the_new_build(how, built, make_form, tmp_path):
    edit_in_word(built / f"{FORM}.docx")
    if how.startswith("form changed"):
        make_form(FORM, lowered, filename=f"inputs/{FORM}.xlsx")
    options = ["--force"] if how.endswith("--force") else []
    result = run("build", tmp_path / "inputs", "-o", built, *options)
    assert result.exit_code == 0, result.output
    [aside] = kept_aside(built)
    assert "Agreed with the sponsor on Tuesday." in words(aside)
    assert "Agreed with the sponsor" not in words(built / f"{FORM}.docx")  # the new build in its place
    [warning] = [line for line in result.output.splitlines() if "edited since casegen built it" in line]
    assert warning == (f"{built / FORM}.docx: edited since casegen built it (last saved by A. Person); kept as "
                       f"{aside}, and the new build written in its place")
    assert f"{FORM}: edited since casegen built it; kept as {aside.name}" in run("changes", built, "--all").output
    again = run("build", tmp_path / "inputs", "-o", built, *options)  # casegen's own again: replaced, no new copy
    assert again.exit_code == 0 and kept_aside(built) == [aside]


def test_an_edit_that_keeps_casegen_as_the_author_is_still_kept(built, make_form, tmp_path):
    """A tool that leaves the document's properties as they were: the bytes differ from those recorded."""
    rewrite(built / f"{FORM}.docx", "word/document.xml", lambda xml: xml.replace(b"Service", b"SERVICE-EDITED", 1))
    make_form(FORM, lowered, filename=f"inputs/{FORM}.xlsx")
    result = run("build", tmp_path / "inputs", "-o", built)
    assert result.exit_code == 0 and "edited since casegen built it" in result.output
    [aside] = kept_aside(built)
    assert b"SERVICE-EDITED" in zipfile.ZipFile(aside).read("word/document.xml")


def test_an_edited_document_whose_form_did_not_change_is_left_alone(built, tmp_path):
    edit_in_word(built / f"{FORM}.docx")
    result = run("build", tmp_path / "inputs", "-o", built)
    assert result.exit_code == 0 and "0 built, 2 up to date" in result.output
    assert "Agreed with the sponsor" in words(built / f"{FORM}.docx") and not kept_aside(built)


def test_an_edited_document_whose_form_is_gone_is_not_pruned(built, tmp_path):
    edit_in_word(built / f"{FORM}.docx", by="casegen")  # even where the author still reads casegen
    (tmp_path / "inputs" / f"{FORM}.xlsx").unlink()
    result = run("build", tmp_path / "inputs", "-o", built, "--prune")
    assert f"{built / FORM}.docx: not pruned, it was edited since casegen built it" in result.output
    assert "Agreed with the sponsor" in words(built / f"{FORM}.docx")


# why each document is built again

def reasons(result) -> dict[str, str]:
    return {line.split()[1].rsplit("/", 1)[-1]: line.split("(", 1)[1].rstrip(")")
            for line in result.output.splitlines() if line.startswith("built ")}


def test_every_rebuilt_document_says_why(built, make_form, tmp_path, monkeypatch):
    inputs = tmp_path / "inputs"
    make_form(FORM, lowered, filename=f"inputs/{FORM}.xlsx")
    assert reasons(run("build", inputs, "-o", built)) == {f"{FORM}.docx": "form changed"}
    (built / f"{OTHER}.docx").unlink()
    assert reasons(run("build", inputs, "-o", built)) == {f"{OTHER}.docx": "document missing"}
    assert reasons(run("build", inputs, "-o", built, "--force")) == {f"{FORM}.docx": "forced",
                                                                      f"{OTHER}.docx": "forced"}
    monkeypatch.setattr("casegen.batch.build.__version__", "99.0")
    assert set(reasons(run("build", inputs, "-o", built)).values()) == {"casegen upgraded"}
    shown = run("changes", built, "--all").output
    assert f"  {FORM}: built (form changed)" in shown and f"  {OTHER}: built (casegen upgraded)" in shown


def test_the_reason_is_in_the_json_of_the_build(built, make_form, tmp_path):
    make_form(FORM, lowered, filename=f"inputs/{FORM}.xlsx")
    result = run("build", tmp_path / "inputs", "-o", built, "--json")
    assert result.exit_code == 0, result.output
    documents = {d["document"].rsplit("/", 1)[-1]: d for d in json.loads(result.stdout)["documents"]}
    assert documents[f"{FORM}.docx"]["status"] == "built" and documents[f"{FORM}.docx"]["reason"] == "form changed"
    assert documents[f"{OTHER}.docx"] == {**documents[f"{OTHER}.docx"], "status": "up to date", "reason": ""}


def test_exported_unchanged_templates_and_configuration_rebuild_nothing(built, tmp_path):
    office = tmp_path / "office"
    assert run("templates", "export", office).exit_code == 0
    same = run("--config", office / "programme.toml", "build", tmp_path / "inputs", "-o", built)
    assert same.exit_code == 0 and "0 built, 2 up to date" in same.output, same.output
    (office / "programme.toml").write_text((office / "programme.toml").read_text().replace(
        '"Communications"]', '"Communications", "Parking"]'))
    changed = run("--config", office / "programme.toml", "build", tmp_path / "inputs", "-o", built)
    assert set(reasons(changed).values()) == {"configuration changed"}, changed.output
    rewrite(office / "business_case_lite.docx", "word/document.xml", lambda xml: xml.replace(
        b">Project Information<", b">Key Facts<", 1))
    retemplated = run("--config", office / "programme.toml", "build", tmp_path / "inputs", "-o", built)
    assert reasons(retemplated) == {f"{FORM}.docx": "template changed"}, retemplated.output


def test_the_store_records_the_document_as_written(built):
    with Store.open(built) as store:
        assert store.document(f"{FORM}.docx") == (built / f"{FORM}.docx").read_bytes()
