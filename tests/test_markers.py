"""List markers typed by a lead ("- Housing repairs", "• Review…", "1. …", "a) …", "(i) …") before a list's
row: read off (form and Word import), never printed twice, never a word of the text; a nested marker makes a
bullet under the one above. In a text cell the marked lines are bullets (written "- " in the case, printed as
Word's bullets: test_bullets.py). A minus or a hyphen is not a marker."""
from __future__ import annotations

import json
from itertools import cycle

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel

from casegen.models.base import Bullet, form_kind
from casegen.models.brief import StageItem
from casegen.models.common import Item
from casegen.models.values import unmarked
from docx_text import text as docx_text
from helpers import run, table_cell

LEVEL_ONE = ["- ", "– ", "— ", "• ", "* ", "· ", "1. ", "2) ", "a) ", "(iv) ", "-\t"]
LISTS = (Bullet, Item, StageItem)  # the models whose `text` is a list's row
PROSE = ("note", "explanation")  # long texts whose markers are read off (models.values.ProseText)


def typed_like_a_lead(case):
    """A marker before every list row and every line of every multi-line cell of `case`."""
    markers = cycle(LEVEL_ONE)

    def walk(model: BaseModel):
        for name, info in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(model, LISTS) and name == "text":
                nested = isinstance(model, Bullet) and model.level == 2
                setattr(model, name, ("o " if nested else next(markers)) + value)
            elif isinstance(value, str) and value and form_kind(info) and form_kind(info).kind == "longtext":
                setattr(model, name, "\n".join(next(markers) + line if line else line for line in value.split("\n")))
            elif isinstance(value, BaseModel):
                walk(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, BaseModel):
                        walk(item)

    walk(case)


def longtext_as_bullets(case):
    """What typed_like_a_lead's text cells hold once read: every marked line a bullet, written "- " (blank lines
    beside a bullet go: a list's lines are not paragraphs)."""
    def walk(model: BaseModel):
        for name, info in type(model).model_fields.items():
            value = getattr(model, name)
            if name in PROSE:  # read off, as a list's row's
                setattr(model, name, "\n".join(line for line in value.split("\n")))
            elif isinstance(value, str) and value and form_kind(info) and form_kind(info).kind == "longtext":
                setattr(model, name, "\n".join("- " + line for line in value.split("\n") if line))
            elif isinstance(value, BaseModel):
                walk(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, BaseModel):
                        walk(item)

    walk(case)


def dump(path) -> dict:
    result = run("dump", path)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("sample", ["bcl-service-optimisation", "bcl-neighbourhood-working-model",
                                    "brief-neighbourhood-working-model"])
def test_markers_in_every_list_and_cell_are_read_off_through_build_and_import(sample, make_form, tmp_path):
    clean = make_form(sample, filename="clean.xlsx")
    typed = make_form(sample, typed_like_a_lead, filename="typed.xlsx")
    assert run("validate", typed).exit_code == 0
    assert findings(typed) == findings(clean)  # no warning about the markers: they are read off
    wb = load_workbook(typed)
    first = table_cell(wb, "dependencies", 1, "Text")
    assert unmarked(first.value)[0] != first.value  # the form holds the markers as typed
    bulleted = make_form(sample, longtext_as_bullets, filename="bulleted.xlsx")  # a text cell's marked lines: bullets
    assert dump(typed) == dump(bulleted)
    assert run("build", typed, "-o", tmp_path / "out").exit_code == 0
    printed = docx_text(tmp_path / "out" / "typed.docx")
    for marker in ("• -", "• •", "- Housing", "\n- ", "\n• ", "\n1. ", "\n(iv) ", "\na) "):
        assert marker not in printed, marker
    result = run("import", tmp_path / "out" / "typed.docx", "-o", tmp_path / "back.xlsx")
    assert result.exit_code == 0, result.output
    assert dump(tmp_path / "back.xlsx") == dump(bulleted)


def findings(form) -> list[str]:
    """What validate says of a form, less its file name and the summary line."""
    return [line.split(": ", 1)[1] for line in run("validate", form).output.splitlines()[:-1]]


def test_a_typed_bullet_is_printed_once_and_nested_markers_make_level_two(make_form, tmp_path):
    def edit(case):
        case.scope_in[:] = [Bullet(text="- Housing repairs"), Bullet(text="  - sub item"),
                            Bullet(text="o another sub item"), Bullet(text="• Review all contracts")]
        case.risks[0].mitigations = "- Account management\n- Contract review"
        case.benefits[0].description = ""

    form = make_form(edit=edit, filename="typed.xlsx")
    case = dump(form)
    assert case["scope_in"] == [{"level": 1, "text": "Housing repairs"}, {"level": 2, "text": "sub item"},
                                {"level": 2, "text": "another sub item"}, {"level": 1, "text": "Review all contracts"}]
    assert case["risks"][0]["mitigations"] == "- Account management\n- Contract review"  # a cell's bullets
    assert run("build", form, "-o", tmp_path / "out").exit_code == 0
    printed = docx_text(tmp_path / "out" / "typed.docx")
    assert "Housing repairs" in printed and "- Housing repairs" not in printed
    assert "Account management\nContract review" in printed
    assert run("import", tmp_path / "out" / "typed.docx", "-o", tmp_path / "back.xlsx").exit_code == 0
    back = dump(tmp_path / "back.xlsx")
    assert back == case
    assert back["benefits"][0]["description"] == ""  # the document's "-" for an empty cell is not text
    wb = load_workbook(tmp_path / "back.xlsx")
    assert table_cell(wb, "scope_in", 2, "Level").value == 2


@pytest.mark.parametrize("line, text, nested", [
    ("- Housing repairs", "Housing repairs", False), ("– Review", "Review", False), ("•\tReview", "Review", False),
    ("1. First", "First", False), ("12) Twelfth", "Twelfth", False), ("a) First", "First", False),
    ("(iv) Fourth", "Fourth", False), ("  - sub item", "sub item", True), ("o sub item", "sub item", True),
    ("◦ sub", "sub", True), ("-5000", "-5000", False), ("e-mail the team", "e-mail the team", False),
    ("-", "", False), ("1.5 million residents", "1.5 million residents", False),
    ("2024. A year", "2024. A year", False), ("ongoing work", "ongoing work", False),
])
def test_what_is_a_marker(line, text, nested):
    assert unmarked(line) == (text, nested)


def test_a_minus_in_a_money_cell_is_a_number_not_a_marker(make_form):
    form = make_form(edit=lambda case: setattr(case.finance.years[1], "recurring_savings", "-5000"))
    assert dump(form)["finance"]["years"][1]["recurring_savings"] == "-5000.00"
