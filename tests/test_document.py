"""The Word documents: the seeds' text, the computed figures, exact text, and a real office suite."""
import json

import pytest
from docx import Document

import docx_text
from casegen.render import render_case
from helpers import SEEDS, built, run, sample_case, to_pdf

BCLS = [("bcl-service-optimisation", "business-case-lite_service-optimisation.txt"),
        ("bcl-neighbourhood-working-model", "business-case-lite_neighbourhood-working-model.txt")]


@pytest.mark.parametrize("name, seed", BCLS)
def test_document_reproduces_the_seed(name, seed, make_form, tmp_path):
    target = built(make_form(name), tmp_path / "out")
    assert target == tmp_path / "out" / f"{name}.docx"
    recall, missing = docx_text.fidelity(target, (SEEDS / seed).read_text(encoding="utf-8"))
    assert recall >= 0.97, missing


def _risk_rows(path):
    for table in Document(path).tables:
        if table.rows[0].cells[0].text == "Ref":
            return [[c.text for c in row.cells] for row in table.rows]


def test_risk_total_printed_is_computed(make_form, tmp_path):
    target = built(make_form("bcl-service-optimisation"), tmp_path)
    rows = _risk_rows(target)
    assert rows[0] == ["Ref", "Risk", "Likelihood", "Impact", "Total", "Mitigations"]
    assert rows[1][2:5] == ["2", "3", "6"]


def test_finance_tables_print_money_and_dashes(make_form, tmp_path):
    target = built(make_form("bcl-service-optimisation"), tmp_path)
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in Document(target).tables]
    ongoing = next(t for t in tables if t[1][0] == "Recurring Investment" and t[0][-1] == "Total")
    assert ongoing[0] == ["", "23/24", "24/25", "25/26", "26/27", "Total"]
    assert ongoing[2] == ["Recurring Savings", "-", "£200,000", "-", "-", "£200,000"]
    assert ongoing[3] == ["Net Savings", "-", "£200,000", "-", "-", "£200,000"]
    validated = next(t for t in tables if t[0] == ["", "23/24", "24/25"])
    assert validated[2] == ["Recurring Savings", "-", "£0"]
    text = docx_text.text(target)
    assert "resulting in confidence of 0% of the total proposed savings for 24/25 by default" in text
    assert "categorised as a ‘Budget Saving’" in text


def test_optional_parts_appear_only_when_given(make_form, tmp_path):
    nwm = built(make_form("bcl-neighbourhood-working-model"), tmp_path)
    text = docx_text.text(nwm)
    assert "Validated Figures" not in text and "Realisation date" not in text
    assert "Grand Total\n287" in text
    assert "£ N/A" in text
    so = docx_text.text(built(make_form("bcl-service-optimisation"), tmp_path))
    assert "Realisation date" in so and "Grand Total" not in so


def test_text_appears_exactly_as_typed(tmp_path, programme):
    case = sample_case("bcl-service-optimisation", programme)
    typed = 'R&D <pilot> "phase 2" {{ 7*7 }} {% if %} – 😀 مرحبا'
    case.project.title = typed
    case.objectives[0].text = "first line\nsecond line"
    path = tmp_path / "exact.docx"
    path.write_bytes(render_case(case, programme))
    text = docx_text.text(path)
    assert typed in text
    assert "first line\nsecond line" in text
    assert "None" not in text


@pytest.mark.slow
@pytest.mark.parametrize("name, seed", BCLS)
def test_documents_open_in_libreoffice(name, seed, make_form, tmp_path):
    target = built(make_form(name), tmp_path)
    pdf = to_pdf(target, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")


NOT_VALIDATED = ("Finance have not validated the figures, resulting in confidence of 0% of the total proposed savings "
                 "for 24/25 by default.")
MTFS = "The Transformation Programme and the MTFS may reflect different figures."


def test_savings_finance_has_not_validated_print_the_seeds_statement(make_form, tmp_path):
    """The form says to leave Validated Figures empty until Finance has looked: the document says so, as the
    Service Optimisation seed does (its first year with savings, 24/25, at 0%), with no table of figures."""
    form = make_form(edit=lambda case: case.finance.validated.clear())
    target = built(form, tmp_path / "out")
    text = docx_text.text(target)
    assert "Finance’s Validated Figures:\n" + NOT_VALIDATED + "\n" + MTFS in text
    tables = [[c.text for c in t.rows[0].cells] for t in Document(target).tables]
    assert ["", "23/24", "24/25", "25/26", "26/27"] not in tables and ["", "23/24", "24/25"] not in tables
    result = run("import", target, "-o", tmp_path / "back.xlsx")
    assert result.exit_code == 0, result.output
    assert json.loads(run("dump", tmp_path / "back.xlsx").output) == json.loads(run("dump", form).output)


def test_a_case_with_no_savings_prints_no_finance_statement(make_form, tmp_path):
    text = docx_text.text(built(make_form("bcl-neighbourhood-working-model"), tmp_path))
    assert "Validated Figures" not in text and "MTFS" not in text and "Finance have" not in text


def test_a_tbc_saving_is_a_saving_finance_has_not_validated(make_form, tmp_path):
    def edit(case):
        case.finance.validated.clear()
        case.finance.years[1].recurring_savings = None
        case.finance.years[2].one_off_savings = "TBC"

    text = docx_text.text(built(make_form(edit=edit), tmp_path))
    assert NOT_VALIDATED.replace("24/25", "25/26") in text and MTFS in text
