"""The Project Brief end to end: its form, its document in the seed's format, and the command line."""
import json
import subprocess
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

import docx_text
from casegen.intake.form import write_form
from casegen.intake.reader import read_workbook
from casegen.models.brief import ProjectBrief
from casegen.render import render_case
from helpers import SEEDS, built, convert, run, sample_case, to_pdf

NAME = "brief-neighbourhood-working-model"
SEED = SEEDS / "project-brief_neighbourhood-working-model.txt"
SHEETS = ["Guide", "Project", "Scope", "Phase End", "Stages", "Dependencies", "Risks", "Benefits", "Stakeholders",
          "Departments", "Personal Data"]


def _rules(ws) -> dict[str, object]:
    """The sheet's data validations by the first range each covers."""
    return {str(r.sqref).split()[0].split(":")[0]: r for r in ws.data_validations.dataValidation}


def _body(ws, table: str) -> tuple[int, int]:
    """First and last row of a table's body (below its header)."""
    first, last = ws.tables[table].ref.split(":")
    return int(first[1:]) + 1, int(last[1:])


def _tables(path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(path).tables]


def _table_headed(path, first_cell: str) -> list[list[str]]:
    return next(t for t in _tables(path) if t[0][0] == first_cell)


# The form


def test_round_trip_gives_the_same_brief(tmp_path, programme):
    case = sample_case(NAME, programme)
    path = write_form("brief", tmp_path / "brief.xlsx", programme, case)
    again, warnings = read_workbook(path, programme)
    assert warnings == []
    assert again == case
    ws = load_workbook(path)["Stakeholders"]
    first, _ = _body(ws, "raci")
    assert [c.value for c in ws[first]][:5] == [
        "Project Sponsor: Mark Fowler, Adam Divney, Mark Turner, Roger Kirk", None, "X", None, None]


def test_blank_form_has_guide_sheets_and_tables(tmp_path, programme):
    wb = load_workbook(write_form("brief", tmp_path / "blank.xlsx", programme))
    assert [s for s in wb.sheetnames if wb[s].sheet_state == "visible"] == SHEETS
    guide = " ".join(str(c.value) for c in wb["Guide"]["A"])
    assert "Project Brief – Luton Transformation Programme: intake form" in guide
    assert "Stakeholders: RACI" in guide and "Departments: Council Departments involved" in guide
    assert wb["_casegen"]["B1"].value == "brief"
    assert set(wb["Stages"].tables) == {"stages", "stage_items"}
    assert set(wb["Stakeholders"].tables) == {"raci"} and set(wb["Departments"].tables) == {"departments"}
    assert set(wb["Risks"].tables) == {"risks", "disbenefits"}
    heads = [c.value for c in wb["Risks"][_body(wb["Risks"], "risks")[0] - 1]][:5]
    assert heads == ["Due to", "There is a Risk", "The Impact", "Likelihood", "Impact"]


def test_blank_form_lists_the_configured_departments(tmp_path, programme):
    ws = load_workbook(write_form("brief", tmp_path / "blank.xlsx", programme))["Departments"]
    first, last = _body(ws, "departments")
    assert [ws.cell(row=r, column=1).value for r in range(first, last + 1)] == programme.departments


def test_blank_form_dropdowns_and_input_messages(tmp_path, programme):
    wb = load_workbook(write_form("brief", tmp_path / "blank.xlsx", programme))
    people = wb["Stakeholders"]
    raci, _ = _body(people, "raci")
    assert [_rules(people)[f"{c}{raci}"].formula1 for c in "BCDE"] == ['"X"'] * 4  # RACI marks
    rules = _rules(wb["Departments"])
    depts, _ = _body(wb["Departments"], "departments")
    assert rules[f"B{depts}"].formula1 == '"Yes,No"'
    assert rules[f"C{depts}"].formula1 == "list_involvement_levels"
    assert rules[f"C{depts}"].prompt == "Low, Medium or High; only for departments that are involved"
    benefits = wb["Benefits"]
    assert _rules(benefits)[f"C{_body(benefits, 'benefits')[0]}"].formula1 == "list_attributions"
    risks = wb["Risks"]
    first = _body(risks, "risks")[0]
    for column in "DE":  # likelihood and impact
        rule = _rules(risks)[f"{column}{first}"]
        assert (rule.type, rule.formula1, rule.formula2) == ("whole", "1", "5") and rule.prompt


def test_stage_column_offers_the_stages_typed_above(tmp_path, programme):
    """Each deliverable's Stage is picked from the names in the Stages table, and only those."""
    ws = load_workbook(write_form("brief", tmp_path / "f.xlsx", programme, sample_case(NAME, programme)))["Stages"]
    first, _ = _body(ws, "stages")
    items = _body(ws, "stage_items")[0]
    # every row the Stages table owns (its gap included), stopping above the deliverables' caption
    assert _rules(ws)[f"A{items}"].formula1 == f"'Stages'!$A${first}:$A${items - 4}"


def test_no_cell_has_two_validations(tmp_path, programme):
    """A table's dropdowns stop short of the next block on its sheet; Calc drops one of two that overlap."""
    from openpyxl.worksheet.cell_range import CellRange

    for kind in ("brief", "bcl"):
        wb = load_workbook(write_form(kind, tmp_path / f"{kind}.xlsx", programme))
        for ws in wb.worksheets:
            ranges = [CellRange(r) for dv in ws.data_validations.dataValidation for r in str(dv.sqref).split()]
            clashes = [(str(a), str(b)) for i, a in enumerate(ranges) for b in ranges[i + 1:] if not a.isdisjoint(b)]
            assert clashes == [], (kind, ws.title)


@pytest.mark.slow
def test_form_saved_by_libreoffice_calc_reads_back_the_same(tmp_path, programme):
    case = sample_case(NAME, programme)
    path = write_form("brief", tmp_path / "form.xlsx", programme, case)
    saved, = convert(path, tmp_path / "calc", "xlsx:Calc MS Excel 2007 XML")
    again, warnings = read_workbook(saved, programme)
    assert again == case and warnings == []


# The document


def test_document_reproduces_the_seed(make_form, tmp_path, programme):
    target = built(make_form(NAME), tmp_path / "out")
    recall, missing = docx_text.fidelity(target, SEED.read_text(encoding="utf-8"))
    assert recall >= 0.97, missing


def test_header_block_and_title(make_form, tmp_path, programme):
    target = built(make_form(NAME), tmp_path)
    assert docx_text.blocks(target)[1] == "Project Brief – Luton Transformation Programme"
    header = dict(map(tuple, _table_headed(target, "Item")[1:]))  # under its header row, Item | Details
    assert header == {"Project Title": "Neighbourhood Working Model", "Portfolio Tracker ref": "Part-002",
                      "Project Sponsor": "Mark Fowler, Adam Divney, Mark Turner, Roger Kirk",
                      "Project Lead": "Tom Mills", "Date": "TBC", "Version": "-"}


def test_stages_print_their_own_deliverables(make_form, tmp_path, programme):
    target = built(make_form(NAME), tmp_path)
    rows = _table_headed(target, "Stage")
    assert rows[0] == ["Stage", "Estimated Timeframe"]
    assert [r[1] for r in rows[1:]] == ["2 weeks", "5 weeks", "4 weeks"]
    march = rows[2][0].split("\n")
    assert march[0] == "Deliverables and Activities by end of March"
    assert march[1:] == ["2nd engagement to Community Hubs Project Group",
                         "Dependency mapping across all LBC projects linking to community working",
                         "TOM workshop(s) with internal stakeholders, themed by TOM section",
                         "Community engagement to complete empathy maps and vision boards",
                         "Target Operating Model drafted"]


def test_risks_are_written_due_to_risk_impact_with_scores(make_form, tmp_path, programme):
    target = built(make_form(NAME), tmp_path)
    rows = _table_headed(target, "Risk")
    assert rows[0] == ["Risk", "Likelihood (1-5)", "Impact (1-5)"]
    assert [r[1:] for r in rows[1:]] == [["2", "3"], ["3", "4"], ["2", "5"], ["2", "4"]]
    assert rows[3][0] == ("Due to: Unavailability of built assets\nThere is a Risk: That face to face delivery "
                          "cannot take place\nThe Impact: Engagement with community groups is limited, making it "
                          "harder to capture important data")


def test_raci_departments_and_benefits_tables(make_form, tmp_path, programme):
    target = built(make_form(NAME), tmp_path)
    raci = _table_headed(target, "Person or team")
    assert raci[0] == ["Person or team", "Responsible", "Accountable", "Consulted", "Informed"]
    assert raci[5] == ["Finance Business Partner: Darren Lambert", "", "", "X", ""]
    assert raci[7] == ["Strategic Change: Maria Pryce, Karen Headlam", "", "", "", "X"]
    depts = _table_headed(target, "")
    assert depts[0][1:] == ["Is this department involved? Yes/No", "Low, medium or high involvement?"]
    assert depts[3] == ["Finance", "Yes", "Medium"]
    benefits = _table_headed(target, "Description")
    assert benefits[0] == ["Description", "Observable Outcomes", "Attribution", "Measurement"]
    assert benefits[3][2:] == ["Fully", "No. of assets required and business cases to develop"]


def test_personal_data_answer_and_methodology(make_form, tmp_path, programme):
    target = built(make_form(NAME), tmp_path)
    text = docx_text.text(target)
    assert "Project involves processing of personal data? Yes" in text
    assert "This project will run under a linear methodology." in text
    assert "Egress, the Council’s secure mail system." in text
    case = sample_case(NAME, programme)
    case.methodology = "agile"
    agile = tmp_path / "agile.docx"
    agile.write_bytes(render_case(case, programme))
    assert "This project will run under an agile methodology." in docx_text.text(agile)


def test_optional_parts_appear_only_when_given(tmp_path, programme):
    from casegen.models.base import Bullet

    case = sample_case(NAME, programme)
    plain = tmp_path / "plain.docx"
    plain.write_bytes(render_case(case, programme))
    assert "\nDis-benefits\n" not in docx_text.text(plain)  # the label, not the section's title
    assert "Current Stage / Gate" not in docx_text.text(plain)
    case.disbenefits = [Bullet(text="Staff time taken from day-to-day work")]
    case.project.stage = "Stage 1: Outline Business Case"
    fuller = tmp_path / "fuller.docx"
    fuller.write_bytes(render_case(case, programme))
    text = docx_text.text(fuller)
    assert "Dis-benefits\nStaff time taken from day-to-day work" in text
    assert "Current Stage / Gate\nStage 1: Outline Business Case" in text


def test_footer_numbers_the_pages(make_form, tmp_path, programme):
    target = built(make_form(NAME), tmp_path)
    with zipfile.ZipFile(target) as zf:
        footer = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("word/footer"))
    assert "Neighbourhood Working Model – Project Brief" in footer
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer


@pytest.mark.slow
def test_document_opens_in_libreoffice(make_form, tmp_path, programme):
    target = built(make_form(NAME), tmp_path)
    pdf = to_pdf(target, tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Page 1 of 4" in text
    assert "Key Risks and Dis-benefits" in text and "Estimated Timeframe" in text


# The command line


def test_new_brief_then_validate_names_the_empty_cells(tmp_path):
    form = tmp_path / "brief.xlsx"
    assert run("new", "brief", form).exit_code == 0
    result = run("validate", form)
    assert result.exit_code == 1
    assert f"{form}: Project!B4: Project Title: is required; fill it in [value-required]" in result.output
    assert f"{form}: Phase End!" in result.output and "methodology: is required" in result.output


def test_validate_a_filled_brief(make_form):
    result = run("validate", make_form(NAME))
    assert result.exit_code == 0 and "1 form OK" in result.output


def test_build_tells_kinds_apart_from_the_workbook_alone(make_form, tmp_path):
    """Forms named without a hint of their kind: each becomes its own kind of document."""
    make_form(NAME, filename="first.xlsx")
    make_form("bcl-neighbourhood-working-model", filename="second.xlsx")
    result = run("build", tmp_path, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert docx_text.blocks(tmp_path / "out" / "first.docx")[1] == "Project Brief – Luton Transformation Programme"
    assert docx_text.blocks(tmp_path / "out" / "second.docx")[1] == \
        "Business Case Lite – Luton Transformation Programme"


def test_dump_and_new_from_dump_round_trip(make_form, tmp_path):
    dumped = run("dump", make_form(NAME))
    assert dumped.exit_code == 0
    data = json.loads(dumped.output)
    assert data["kind"] == "brief" and data["project"]["lead"] == "Tom Mills"
    assert [len(s["items"]) for s in data["stage_plan"]] == [6, 5, 6]
    assert data["risks"][1]["total"] == 12
    saved = tmp_path / "case.json"
    saved.write_text(dumped.output)
    assert run("new", "brief", tmp_path / "again.xlsx", "--data", saved).exit_code == 0
    assert json.loads(run("dump", tmp_path / "again.xlsx").output) == data


def test_schema_brief():
    result = run("schema", "brief")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert {"raci", "departments", "stages", "stage_items", "personal_data"} <= set(schema["properties"])
    assert schema == json.loads(json.dumps(ProjectBrief.model_json_schema(mode="serialization")))
