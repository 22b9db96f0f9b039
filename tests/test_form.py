"""The intake form: generated from the models, read back to the same case, works as a form."""
import hashlib

import pytest
from openpyxl import load_workbook

from casegen.intake.form import write_form
from casegen.intake.reader import read_workbook
from helpers import convert, sample_case


def test_round_trip_gives_the_same_case(tmp_path, programme):
    for name in ("bcl-service-optimisation", "bcl-neighbourhood-working-model"):
        case = sample_case(name, programme)
        path = write_form("bcl", tmp_path / f"{name}.xlsx", programme, case)
        again, warnings = read_workbook(path, programme)
        assert warnings == []
        assert again == case


def test_blank_form_has_guide_dropdowns_messages_and_tables(tmp_path, programme):
    path = write_form("bcl", tmp_path / "blank.xlsx", programme)
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "Guide"
    assert "Type only in the yellow cells" in " ".join(str(c.value) for c in wb["Guide"]["A"])
    assert {"Project", "Scope", "Finance", "Risks", "Timetable"} <= set(wb.sheetnames)
    assert wb["_casegen"]["B1"].value == "bcl" and wb["_casegen"].sheet_state == "hidden"
    # every choice is a dropdown over the programme's vocabulary
    stage = wb.defined_names["project_stage"]
    sheet, cell = next(stage.destinations)
    rules = {str(r.sqref): r for r in wb[sheet].data_validations.dataValidation}
    assert rules[cell.replace("$", "")].formula1 == "list_stages"
    assert rules[cell.replace("$", "")].prompt  # an input message
    lists = wb.defined_names["list_themes"]
    lsheet, lref = next(lists.destinations)
    themes = [c[0].value for c in wb[lsheet][lref.replace("$", "")]]
    assert themes == programme.themes
    # ratings are whole numbers 1-5
    risks = wb["Risks"]
    whole = [r for r in risks.data_validations.dataValidation if r.type == "whole"]
    assert whole and all((r.formula1, r.formula2) == ("1", "5") for r in whole)
    # repeating lists are Excel tables; fixed lists come prefilled from the configuration
    assert "risks" in risks.tables
    gates = wb["Timetable"].tables["gate_dates"]
    first = int(gates.ref.split(":")[0][1:]) + 1
    assert [wb["Timetable"].cell(row=first + i, column=1).value for i in range(6)] == programme.gates


def test_reader_finds_fields_by_name_not_position(tmp_path, programme):
    """A lead inserts rows above everything: fields and tables move, the reader still finds them."""
    case = sample_case("bcl-service-optimisation", programme)
    path = write_form("bcl", tmp_path / "moved.xlsx", programme, case)
    wb = load_workbook(path)
    for title in ("Project", "Risks"):
        wb[title].insert_rows(1, amount=3)
    # openpyxl does not move names and tables with inserted rows: move them as Excel would
    for name in list(wb.defined_names):
        dn = wb.defined_names[name]
        sheet, cell = next(dn.destinations)
        if sheet in ("Project", "Risks"):
            col, row = cell.replace("$", "").rstrip("0123456789"), int("".join(filter(str.isdigit, cell)))
            dn.attr_text = f"'{sheet}'!${col}${row + 3}"
    def shift(ref):
        return "".join(filter(str.isalpha, ref)) + str(int("".join(filter(str.isdigit, ref))) + 3)

    for title in ("Project", "Risks"):
        for t in wb[title].tables.values():
            a, b = t.ref.split(":")
            t.ref = f"{shift(a)}:{shift(b)}"
    wb.save(path)
    again, _ = read_workbook(path, programme)
    assert again == case


def test_rows_typed_below_a_table_are_read(tmp_path, programme):
    """LibreOffice does not grow a table when a row is typed under it: casegen reads it anyway."""
    case = sample_case("bcl-service-optimisation", programme)
    path = write_form("bcl", tmp_path / "grown.xlsx", programme, case)
    wb = load_workbook(path)
    ws = wb["Scope"]
    table = ws.tables["linked_obcs"]
    first, last = table.ref.split(":")
    ws[f"{first[0]}{int(last[1:]) + 1}"] = "Town Centre Regeneration Programme"
    wb.save(path)
    again, _ = read_workbook(path, programme)
    assert [i.text for i in again.linked_obcs][-1] == "Town Centre Regeneration Programme"


def test_values_typed_as_people_type_them(tmp_path, programme):
    case = sample_case("bcl-service-optimisation", programme)
    path = write_form("bcl", tmp_path / "typed.xlsx", programme, case)
    wb = load_workbook(path)
    ws = wb["Finance"]
    table = ws.tables["finance_years"]
    head = int(table.ref.split(":")[0][1:])
    ws.cell(row=head + 1, column=2, value="£12,500")       # 23/24 one-off investment, as text
    ws.cell(row=head + 2, column=2, value="12,500.00")     # 24/25
    ws.cell(row=head + 3, column=2, value="-")              # 25/26: none
    import datetime
    tt = wb["Timetable"]
    g = int(tt.tables["gate_dates"].ref.split(":")[0][1:])
    tt.cell(row=g + 1, column=2, value=datetime.datetime(2023, 11, 1))  # an Excel date
    tt.cell(row=g + 2, column=2, value="tbc")
    wb.save(path)
    again, _ = read_workbook(path, programme)
    years = {y.year: y for y in again.finance.years}
    assert str(years["23/24"].one_off_investment) == "12500.00"
    assert str(years["24/25"].one_off_investment) == "12500.00"
    assert years["25/26"].one_off_investment is None
    assert [g.date for g in again.gate_dates[:2]] == ["Nov 2023", "TBC"]


def test_reading_never_changes_the_form(tmp_path, programme):
    case = sample_case("bcl-neighbourhood-working-model", programme)
    path = write_form("bcl", tmp_path / "f.xlsx", programme, case)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    read_workbook(path, programme)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


@pytest.mark.slow
def test_form_saved_by_libreoffice_calc_reads_back_the_same(tmp_path, programme):
    """A lead using LibreOffice Calc: the form survives Calc's save, dropdowns and all."""
    case = sample_case("bcl-service-optimisation", programme)
    path = write_form("bcl", tmp_path / "form.xlsx", programme, case)
    saved, = convert(path, tmp_path / "calc", "xlsx:Calc MS Excel 2007 XML")
    again, warnings = read_workbook(saved, programme)
    assert again == case and warnings == []
    wb = load_workbook(saved)
    rules = [r for r in wb["Project"].data_validations.dataValidation if r.type == "list"]
    assert any(r.formula1 == "list_themes" or r.formula1 == "list_themes" for r in rules)


def test_text_that_looks_like_a_formula_stays_text(tmp_path, programme):
    case = sample_case("bcl-service-optimisation", programme)
    case.project.title = "=SUM(A1) is not a formula"
    case.objectives[0].text = "=1+1"
    path = write_form("bcl", tmp_path / "eq.xlsx", programme, case)
    again, warnings = read_workbook(path, programme)
    assert (again.project.title, again.objectives[0].text) == ("=SUM(A1) is not a formula", "=1+1")
    assert warnings == []


def test_risk_columns_follow_the_document(tmp_path, programme):
    wb = load_workbook(write_form("bcl", tmp_path / "blank.xlsx", programme))
    ws = wb["Risks"]
    head = int(ws.tables["risks"].ref.split(":")[0][1:])
    assert [c.value for c in ws[head]][:5] == ["Ref", "Risk", "Likelihood", "Impact", "Mitigations"]
