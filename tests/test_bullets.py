"""Bullets typed in a text cell (a Summary, a mitigation, a benefit's description, a brief's background) print as
Word's own bulleted list under the lines before them, nested markers one level down, and import back the same."""
import json

import pytest
from docx import Document

from casegen.models.values import _long_text
from helpers import run

SUMMARY = "The redesign will:\n- extend opening hours\n- merge two teams\n  - nested"


def _dump(path) -> dict:
    result = run("dump", path)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _listed(paragraph) -> bool:
    """A paragraph in a Word list: numbering on it or on its style (List Bullet, List Bullet 2)."""
    style = paragraph.style.element
    return (paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None) or (
        style.pPr is not None and style.pPr.numPr is not None)


def _paragraphs(doc, start: str, count: int):
    paras = doc.paragraphs
    first = next(i for i, p in enumerate(paras) if p.text == start)
    return paras[first:first + count]


def test_a_summary_typed_with_dashes_prints_a_list_under_its_lead_in(make_form, tmp_path):
    form = make_form(edit=lambda case: setattr(case, "summary", SUMMARY))
    assert _dump(form)["summary"] == SUMMARY
    assert run("build", form, "-o", tmp_path / "out").exit_code == 0
    doc = Document(tmp_path / "out" / f"{form.stem}.docx")
    lead, one, two, nested = _paragraphs(doc, "The redesign will:", 4)
    assert not _listed(lead) and lead.style.name == "Normal"
    assert [p.text for p in (one, two, nested)] == ["extend opening hours", "merge two teams", "nested"]
    assert [p.style.name for p in (one, two, nested)] == ["List Bullet", "List Bullet", "List Bullet 2"]
    assert all(_listed(p) for p in (one, two, nested))
    assert "- " not in "\n".join(p.text for p in doc.paragraphs)  # the marker is Word's bullet now, not a word
    result = run("import", tmp_path / "out" / f"{form.stem}.docx", "-o", tmp_path / "back.xlsx")
    assert result.exit_code == 0, result.output
    assert _dump(tmp_path / "back.xlsx") == _dump(form)


def test_bullets_in_table_cells_and_a_brief_background_come_back_the_same(make_form, tmp_path):
    def bcl(case):
        case.risks[0].mitigations = "Two steps:\n• Account management\n• Contract review\n  o weekly"
        case.benefits[0].description = "1. faster answers\n2. fewer calls"

    def brief(case):
        case.background = "Why now:\n\n- budgets\n- demand\n\nA closing paragraph."

    for name, edit in (("bcl-service-optimisation", bcl), ("brief-neighbourhood-working-model", brief)):
        form = make_form(name, edit)
        assert run("build", form, "-o", tmp_path / "out").exit_code == 0
        built = tmp_path / "out" / f"{form.stem}.docx"
        result = run("import", built, "-o", tmp_path / f"{name}.back.xlsx")
        assert result.exit_code == 0, result.output
        assert _dump(tmp_path / f"{name}.back.xlsx") == _dump(form), name
    case = _dump(make_form("bcl-service-optimisation", bcl))
    assert case["risks"][0]["mitigations"] == "Two steps:\n- Account management\n- Contract review\n  - weekly"
    doc = Document(tmp_path / "out" / "bcl-service-optimisation.docx")
    risks = next(t for t in doc.tables if t.rows[0].cells[0].text == "Ref")
    cell = risks.rows[1].cells[5]
    assert [(p.text, p.style.name) for p in cell.paragraphs] == [
        ("Two steps:", "Normal"), ("Account management", "List Bullet"), ("Contract review", "List Bullet"),
        ("weekly", "List Bullet 2")]


@pytest.mark.parametrize("typed, held", [
    (SUMMARY, SUMMARY),
    ("Intro\n\n• one\n\n* two\n\nAfter", "Intro\n- one\n- two\nAfter"),  # blank lines beside a bullet go
    ("a) first\n(ii) second\no under", "- first\n- second\n  - under"),
    ("First paragraph\nsame paragraph\n\nSecond", "First paragraph\nsame paragraph\n\nSecond"),
    ("-5000 is not a bullet\ne-mail", "-5000 is not a bullet\ne-mail"),
])
def test_a_text_cell_holds_its_bullets_one_way(typed, held):
    assert _long_text(typed) == held
    assert _long_text(held) == held  # read again, unchanged
