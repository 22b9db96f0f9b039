"""An amount not yet known (TBC) through every command, as a lead types it: validate, build, portfolio
(tracker and summary), import of the built document, dump and changes. A total over a TBC amount is TBC;
the tracker keeps the part known so far beside it, so its sheets still add up."""
from __future__ import annotations

import json
import re
import subprocess
import zipfile
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from casegen import config
from casegen.models.values import TBC, Total, format_money
from docx_text import text as docx_text
from helpers import convert, run, table_cell

MONEY = ("one_off_investment", "one_off_savings", "recurring_investment", "recurring_savings")


def all_tbc(case):
    """Every money field of the case TBC."""
    for y in case.finance.years:
        for line in MONEY:
            setattr(y, line, TBC)
    for v in case.finance.validated:
        v.recurring_investment, v.recurring_savings = TBC, TBC
    case.qualification.financial_benefits = TBC


def one_year_tbc(case):
    """£200,000 of savings in 24/25 (as the sample has), and 25/26's savings TBC."""
    case.finance.years[2].recurring_savings = TBC


def finance_rows(docx) -> dict[str, list[str]]:
    """The Financial Delivery tables' rows, by their first cell: {'Recurring Savings': ['-', 'TBC', ..., total]}."""
    rows = {}
    for table in Document(docx).tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            rows.setdefault(cells[0], cells[1:])
    return rows


def dump(path) -> dict:
    result = run("dump", path)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def tbc_form(make_form):
    return make_form(edit=all_tbc, filename="tbc.xlsx")


def test_validate_accepts_tbc_in_every_money_field(tbc_form):
    result = run("validate", tbc_form)
    assert result.exit_code == 0, result.output
    assert "error" not in result.output


def test_the_document_prints_tbc_and_totals_over_tbc_are_tbc(tbc_form, tmp_path):
    assert run("build", tbc_form, "-o", tmp_path / "out").exit_code == 0
    rows = finance_rows(tmp_path / "out" / "tbc.docx")
    for label in ("One-off Investment", "One-off Savings", "Recurring Investment", "Recurring Savings",
                  "Net Savings"):
        found = next(cells for name, cells in rows.items() if name.lower().startswith(label.lower()))
        assert set(found) == {TBC}, (label, found)  # every year and the total
    assert "£" not in docx_text(tmp_path / "out" / "tbc.docx").split("Financial Delivery")[1].split("Non-Cashable")[0]


def test_import_of_a_built_document_with_tbc_gives_the_same_case(tbc_form, tmp_path):
    assert run("build", tbc_form, "-o", tmp_path / "out").exit_code == 0
    result = run("import", tmp_path / "out" / "tbc.docx", "-o", tmp_path / "back.xlsx")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert dump(tmp_path / "back.xlsx") == dump(tbc_form)
    assert table_cell(load_workbook(tmp_path / "back.xlsx"), "finance_years", 2, "Recurring Savings").value == TBC


def test_a_folder_import_with_tbc_goes_through_every_document(make_form, tmp_path):
    def numbered(i):
        def edit(case):
            all_tbc(case)
            case.project.tracker_ref = f"RX-00{i}"  # one tracker ref a case
        return edit

    forms = [make_form(edit=numbered(i), filename=f"in/tbc-{i}.xlsx") for i in range(3)]
    assert run("build", tmp_path / "in", "-o", tmp_path / "docs").exit_code == 0
    result = run("import", tmp_path / "docs", "-o", tmp_path / "back")
    assert result.exit_code == 0, result.output
    for form in forms:
        assert dump(tmp_path / "back" / form.name) == dump(form)


def test_portfolio_with_tbc_shows_tbc_and_the_part_known_so_far(make_form, tmp_path):
    def unknown_case(case):
        all_tbc(case)
        case.project.tracker_ref = "RX-999"

    make_form(edit=one_year_tbc, filename="in/partly.xlsx")
    make_form(edit=unknown_case, filename="in/unknown.xlsx")
    out, summary = tmp_path / "tracker.xlsx", tmp_path / "summary.docx"
    result = run("portfolio", tmp_path / "in", "-o", out, "--summary", summary)
    assert result.exit_code == 0, result.output
    values, formats = load_workbook(out, data_only=True), load_workbook(out)
    ws = values["Cases"]
    head = [c.value for c in ws[4]]
    rows = {r[head.index("Form")]: dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=5, values_only=True)}
    partly, unknown = rows["partly.xlsx"], rows["unknown.xlsx"]
    assert (partly["Net 24/25"], partly["Net 25/26"]) == (200000, TBC)
    assert all(unknown[f"Net {y}"] == TBC for y in ("23/24", "24/25", "25/26", "26/27"))
    assert unknown["One-off investment"] == TBC
    # The net total holds the part known so far (the sheets add it up) and shows it as TBC beside that part.
    assert (partly["Net total"], unknown["Net total"]) == (200000, 0)
    row = 5 + list(rows).index("partly.xlsx")
    total_format = formats["Cases"].cell(row=row, column=head.index("Net total") + 1).number_format
    assert total_format.startswith('"TBC (£"') and "known" in total_format
    savings = values["Savings"]
    theme_row = next(r for r in savings.iter_rows(min_row=5, values_only=True) if r[0] == "Resident Experience")
    assert theme_row[1:6] == (0, 200000, 0, 0, 200000)  # 23/24 .. 26/27, Total: the known figures add up
    words = docx_text(summary)
    assert "TBC (£200,000 known)" in words
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_libreoffice_shows_tbc_with_the_known_part_in_the_tracker(make_form, tmp_path):
    make_form(edit=one_year_tbc, filename="in/partly.xlsx")
    assert run("portfolio", tmp_path / "in", "-o", tmp_path / "tracker.xlsx").exit_code == 0
    pdf = convert(tmp_path / "tracker.xlsx", tmp_path / "pdf")[0]
    shown = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "TBC (£200,000 known)" in shown and "###" not in shown  # recalculated by LibreOffice, and it fits


def test_changes_says_tbc_in_the_change_log(make_form, tmp_path):
    form = make_form(filename="in/case.xlsx")
    assert run("build", tmp_path / "in", "-o", tmp_path / "out").exit_code == 0
    make_form(edit=one_year_tbc, filename="in/case.xlsx")
    assert run("build", tmp_path / "in", "-o", tmp_path / "out").exit_code == 0
    out = run("changes", tmp_path / "out").output
    assert f"{form.stem}: Finance › Recurring Savings 25/26: blank → TBC" in out


@pytest.mark.parametrize("amounts, printed", [
    ([Decimal(200000), TBC], "TBC (£200,000 known)"), ([TBC, None], TBC), ([None, None], "-"),
    ([Decimal(5), Decimal("2.5")], "£7.50"), ([Decimal(-5000), None], "-£5,000"),
])
def test_a_total_carries_tbc_and_the_part_known(amounts, printed):
    assert format_money(Total.of(amounts)) == printed


def test_one_money_formatter_for_numbers_text_and_tbc():
    assert format_money(200000) == format_money("200000.00") == format_money(Decimal(200000)) == "£200,000"
    assert format_money("TBC") == TBC and format_money(None, "blank") == "blank"
    assert (Total.of([Decimal(300)]) - TBC).amount == TBC
    assert (Total.of([Decimal(300)]) - Decimal(100)).amount == Decimal(200)


def shown(cell) -> str:
    """A money cell as Excel or Calc shows it, read from its number format's sections (positive; negative;
    zero) as the tracker writes them: the digits grouped, the quoted words kept, [Red] a colour only."""
    value, sections = cell.value, cell.number_format.split(";")
    if not isinstance(value, (int, float)):
        return str(value)
    section = sections[0] if value > 0 or len(sections) == 1 else sections[1] if value < 0 else (sections + [""])[2]
    return section.replace("[Red]", "").replace("#,##0", f"{abs(value):,.0f}").replace('"', "")


def tracker_cells(path):
    """Each sheet's cells with their cached values and their number formats: {sheet: {(row, column): cell}}."""
    values, formats = load_workbook(path, data_only=True), load_workbook(path)
    for ws in formats:
        for row in ws.iter_rows():
            for cell in row:
                cell.value = values[ws.title][cell.coordinate].value  # the formula's cached figure
    return formats


def summary_rows(path) -> dict[str, list[str]]:
    return {cells[0]: cells[1:] for cells in ([c.text.strip() for c in row.cells] for t in Document(path).tables
                                              for row in t.rows)}


def test_a_tbc_year_shows_in_every_sum_of_the_tracker_and_the_summary_alike(make_form, tmp_path):
    def whole(case):  # the same theme, at another stage, every year known
        case.project.tracker_ref, case.project.stage = "RX-998", "Stage 1: Outline Business Case"

    def partly(case):
        one_year_tbc(case)
        case.finance.years[1].one_off_investment, case.finance.years[2].one_off_investment = TBC, Decimal(50000)

    make_form(edit=partly, filename="in/partly.xlsx")
    make_form(edit=whole, filename="in/whole.xlsx")
    out, summary = tmp_path / "tracker.xlsx", tmp_path / "summary.docx"
    assert run("portfolio", tmp_path / "in", "-o", out, "--summary", summary).exit_code == 0
    wb, rows = tracker_cells(out), summary_rows(summary)

    savings = wb["Savings"]
    head = [c.value for c in savings[5]]
    by_theme = {r[0].value: {h: shown(c) for h, c in zip(head, r, strict=True)}
                for r in savings.iter_rows(min_row=6, max_row=14)}
    theme, total = by_theme["Resident Experience"], by_theme["Total"]
    # 24/25: £200,000 each; 25/26: one TBC, one none; so the theme's total is TBC beside the £400,000 known.
    assert (theme["24/25"], theme["25/26"], theme["Total"]) == ("£400,000", "TBC", "TBC (£400,000 known)")
    assert total["25/26"] == "TBC" and total["Total"] == "TBC (£400,000 known)"
    assert not any("TBC" in v for t, row in by_theme.items() if t not in ("Resident Experience", "Total")
                   for v in row.values())  # only the sums over the TBC year
    # The summary prints the same figure, in the same words, for the same sums.
    assert rows["25/26"][0] == total["25/26"] and rows["24/25"][0] == "£400,000"
    assert rows["Resident Experience"][0] == theme["Total"] and rows["Total"][0] == total["Total"]

    pipeline = wb["Pipeline"]
    stages = {r[0].value: shown(r[2]) for r in pipeline.iter_rows(min_row=5) if r[0].value}
    assert stages["Stage 0: Opportunity Identified"] == "TBC (£200,000 known)"  # the partly known case's stage
    assert stages["Stage 1: Outline Business Case"] == "£200,000" and stages["Total"] == "TBC (£400,000 known)"
    assert rows["Stage 0: Opportunity Identified"] == ["1", "TBC (£200,000 known)"]  # cases, net savings
    assert rows["Stage 1: Outline Business Case"] == ["1", "£200,000"]

    cases = wb["Cases"]
    head = [c.value for c in cases[4]]
    net = {r[0].value: shown(r[head.index("Net total")]) for r in cases.iter_rows(min_row=5)}
    assert net == {"RX-004": "TBC (£200,000 known)", "RX-998": "£200,000"}  # as each case's own row reads
    one_off = {r[0].value: shown(r[head.index("One-off investment")]) for r in cases.iter_rows(min_row=5)}
    assert one_off["RX-004"] == "TBC (£50,000 known)"  # a case's own total over its years, the same way


def test_the_savings_chart_labels_a_tbc_year_as_its_total_reads(make_form, tmp_path):
    make_form(edit=one_year_tbc, filename="in/partly.xlsx")
    out = tmp_path / "tracker.xlsx"
    assert run("portfolio", tmp_path / "in", "-o", out).exit_code == 0
    with zipfile.ZipFile(out) as zf:
        chart = next(x for x in (zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/"))
                     if "Net savings by year" in x)
    labels = re.findall(r'<(?:c:)?dLbl><(?:c:)?idx val="(\d+)"/><(?:c:)?numFmt formatCode="([^"]*)"', chart)
    years = config.load().financial_years
    assert [years[int(i)] for i, _ in labels] == ["25/26"]  # the TBC year, and only it
    assert "TBC (£" in labels[0][1].replace("&quot;", "")
