"""Whatever a lead types appears in the document exactly as typed (property-based, with hypothesis).

Each example is a case with arbitrary text and numbers, written through the form writer, built by
the CLI, then read back from the .docx: every value must be in the document's text, and the
document must open in python-docx. A handful of the documents are also converted by LibreOffice.
"""
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from hypothesis import HealthCheck, example, given, settings, strategies as st

import docx_text
from casegen.cli import cli
from casegen.intake.form import write_form
from casegen.models.values import MONTHS, format_money
from helpers import convert, sample_case

SO = "bcl-service-optimisation"
LIBREOFFICE_EXAMPLES = 3
# Characters XML 1.0 (so Word) cannot hold, and \r (a line break is \n once typed): see values.py.
UNHOLDABLE = "".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32), 13, 0xFFFE, 0xFFFF]))


def _typeable(text: str) -> bool:
    # _xHHHH_ is how Excel stores a control character: openpyxl neither escapes nor unescapes it.
    return bool(text) and not re.search(r"_x[0-9A-Fa-f]{4}_", text)


TEXT = (st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=UNHOLDABLE), min_size=1,
                max_size=120).map(str.strip).filter(_typeable))
LONG = st.lists(TEXT, min_size=1, max_size=3).map("\n".join)  # text with line breaks (Alt+Enter)
MONEY = st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
WHEN = st.builds(lambda m, y: f"{MONTHS[m]} {y}", st.integers(0, 11), st.integers(1990, 2100))
RATING = st.integers(1, 5)
NASTY = {"title": 'R&D <pilot> "phase 2" {{ 7*7 }} {% if %} 😀 مرحبا بالعالم שלום',
         "department": "a 10,000-character paragraph " + "x" * 10000,
         "objective": "first line\nsecond line\n\n  indented {%p endfor %}", "risk": "Risk & <b>bold</b>",
         "mitigation": "‏עברית‎ and 中文 and \t tab", "deliverable": "{{ project.title }}"}


def _case(programme, values: dict):
    case = sample_case(SO, programme)
    case.project.title, case.project.department = values["title"], values["department"]
    case.objectives[0].text = values["objective"]
    case.risks[0].risk, case.risks[0].mitigations = values["risk"], values["mitigation"]
    case.risks[0].likelihood, case.risks[0].impact = values["likelihood"], values["impact"]
    case.deliverables[0].deliverable = values["deliverable"]
    case.deliverables[0].start, case.deliverables[0].finish = sorted(values["dates"], key=_month_order)
    case.qualification.financial_benefits = values["benefits"]
    case.finance.years[1].recurring_savings = values["savings"]
    return case


def _month_order(when: str):
    month, year = when.split()
    return int(year), MONTHS.index(month)


def _expected(values: dict) -> list[str]:
    """What the document must say, as the templates print it."""
    return [values[k] for k in ("title", "department", "objective", "risk", "mitigation", "deliverable")] + [
        format_money(values["benefits"]), format_money(values["savings"]), *values["dates"],
        str(values["likelihood"] * values["impact"])]


def _build(programme, values: dict, folder: Path) -> Path:
    form = write_form("bcl", folder / "case.xlsx", programme, _case(programme, values))
    result = CliRunner().invoke(cli, ["build", str(form), "-o", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder / "out" / "case.docx"


def _libreoffice(documents: list[Path], out: Path) -> None:
    copies = []
    for i, doc in enumerate(documents):
        copies.append(out / f"case{i}.docx")
        shutil.copy(doc, copies[-1])
    for copy, pdf in zip(copies, convert(copies, out)):
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), f"LibreOffice could not convert {copy}"


@pytest.mark.slow
def test_every_value_typed_appears_in_the_document_exactly(tmp_path, programme):
    converted: list[Path] = []

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.fixed_dictionaries({
        "title": TEXT, "department": TEXT, "objective": LONG, "risk": LONG, "mitigation": LONG,
        "deliverable": TEXT, "likelihood": RATING, "impact": RATING, "dates": st.tuples(WHEN, WHEN),
        "benefits": MONEY, "savings": MONEY}))
    @example({**NASTY, "likelihood": 2, "impact": 3, "dates": ("Dec 2023", "Jan 2024"),
              "benefits": Decimal("200000"), "savings": Decimal("-1234.56")})
    def check(values):
        folder = Path(tempfile.mkdtemp(dir=tmp_path))
        document = _build(programme, values, folder)
        Document(document)  # a valid .docx: python-docx opens it
        text = docx_text.text(document)
        for value in _expected(values):
            assert value in text, f"{value!r} is not in the document"
        if len(converted) < LIBREOFFICE_EXAMPLES:
            converted.append(document)

    check()
    _libreoffice(converted, tmp_path)
