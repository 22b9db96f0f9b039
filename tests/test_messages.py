"""Messages in the form's words: labels the lead sees, hidden characters named, a code on every line,
a summary, a finding across forms stated once, files in other formats named; and the values a lead
types (TBC, a pasted line break) as the document prints them."""
import json
import re
import shutil
import zipfile

from docx import Document
from openpyxl import load_workbook

from helpers import built, lines, named, rewrite, run, spoil, table_cell, where

SO = "bcl-service-optimisation"
NWM = "bcl-neighbourhood-working-model"


def test_a_money_cell_is_named_by_its_label_and_year(make_form):
    path = make_form(SO)
    spoil(path, lambda wb: setattr(table_cell(wb, "finance_years", 2, "Recurring Savings"), "value", "£1,5m"))
    cell = table_cell(load_workbook(path), "finance_years", 2, "Recurring Savings")
    assert lines(run("validate", path)) == [
        f"{where(path, cell)}: Recurring Savings 24/25: '£1,5m' could be £1.5m or £15m; casegen will not guess: "
        "type 1500000 or £1.5m [value-money]"]


def test_labels_not_field_names_and_hidden_characters_named(make_form):
    path = make_form(SO)

    def edit(wb):
        table_cell(wb, "finance_years", 3, "One-off Investment").value = "£250\xa0000 approx"
        named(wb, "project_tracker_ref").value = None

    spoil(path, edit)
    output = run("validate", path).output
    assert "One-off Investment 25/26: must be an amount in pounds such as 200000 or £200,000, got " \
           "'£250 000 approx' (it contains a non-breaking space) [value-money]" in output
    assert "Portfolio Tracker ref: is required; fill it in [value-required]" in output
    assert not re.search(r"one_off_investment|tracker_ref|\\xa0", output)


def test_every_message_has_a_code(make_form):
    values = make_form(SO)

    def edit(wb):
        table_cell(wb, "risks", 1, "Likelihood").value = "high"
        table_cell(wb, "deliverables", 1, "Start").value = "soon"

    spoil(values, edit)
    rule = make_form(SO, filename="rule.xlsx")
    spoil(rule, lambda wb: setattr(named(wb, "qualification_financial_benefits"), "value", 1))
    found = lines(run("validate", values)) + lines(run("validate", rule))
    assert [re.search(r" \[([a-z-]+)\]$", line).group(1) for line in found] == [
        "value-rating", "value-date", "benefits-net-savings"], found


def test_contributory_themes_are_checked_against_the_programme(make_form):
    path = make_form(SO)
    spoil(path, lambda wb: setattr(
        table_cell(wb, "project_contributory_themes", 1, "Contributory Transformation Theme(s)"), "value", "Parks"))
    cell = table_cell(load_workbook(path), "project_contributory_themes", 1, "Contributory Transformation Theme(s)")
    (line,) = lines(run("validate", path))
    assert line.startswith(f"{where(path, cell)}: Contributory Transformation Theme(s): must be one of: "
                           "Resident Experience; Partners;")
    assert line.endswith("got 'Parks' [value-choice]")


def test_a_summary_line_after_validate(make_form, tmp_path):
    make_form(SO)
    make_form(NWM)
    broken = make_form(SO, filename="broken.xlsx")
    spoil(broken, lambda wb: setattr(table_cell(wb, "risks", 1, "Impact"), "value", 9))
    spoil(broken, lambda wb: setattr(named(wb, "project_tracker_ref"), "value", "RX-999"))
    result = run("validate", tmp_path)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "2 of 3 forms OK, 1 with errors"
    assert run("validate", tmp_path / f"{NWM}.xlsx").output == "1 form OK\n"


def test_thirty_forms_sharing_a_tracker_ref_are_one_finding(make_form, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    first = make_form(SO, filename="forms/a.xlsx")
    for name in ["b", "c"] + [f"d{i:02d}" for i in range(27)]:
        shutil.copy(first, folder / f"{name}.xlsx")
    result = run("validate", folder)
    assert result.exit_code == 1
    (line,) = lines(result)
    assert line == (f"{first}: Project!B5: Portfolio Tracker ref: RX-004 is the tracker ref of 30 forms: a.xlsx, "
                    "b.xlsx, c.xlsx and 27 more; give each project its own ref (a copied form keeps the ref of the "
                    "one it was copied from) [tracker-ref-duplicate]")
    assert result.output.splitlines()[-1] == "0 of 30 forms OK, 30 with errors"
    as_json = json.loads(run("validate", folder, "--json").output)["problems"]
    assert [p["code"] for p in as_json] == ["tracker-ref-duplicate"] and as_json[0]["file"] == str(first)


def test_files_in_other_formats_are_named_with_how_to_save_them(make_form, tmp_path):
    make_form(SO)
    (tmp_path / "draft.ods").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "export.csv").write_text("a,b\n")
    result = run("validate", tmp_path)
    assert result.exit_code == 1
    found = lines(result)
    assert f"{tmp_path / 'draft.ods'}: is not read: it is a LibreOffice Calc spreadsheet (.ods); open it in " \
           "LibreOffice Calc and use File › Save As › Excel 2007-365 (.xlsx), then check the new file " \
           "[form-not-xlsx]" in found
    assert any(line.startswith(f"{tmp_path / 'old.xls'}: is not read: it is an old-style Excel 97-2003 workbook "
                               "(.xls); open it in Excel and use File › Save As › Excel Workbook (.xlsx)")
               for line in found)
    assert any(line.startswith(f"{tmp_path / 'export.csv'}: is not read: it is a CSV file") for line in found)
    assert result.output.splitlines()[-1] == "1 form OK, 3 files not read (not .xlsx)"
    built = run("build", tmp_path, "-o", tmp_path / "out")
    assert built.exit_code == 1 and "1 built, 0 up to date, 3 failed" in built.output
    assert f"failed {tmp_path / 'draft.ods'}:" in built.output and "File › Save As › Excel 2007-365" in built.output
    assert (tmp_path / "out" / f"{SO}.docx").exists()


def test_an_ods_beside_its_xlsx_is_a_warning(make_form, tmp_path):
    make_form(SO)
    (tmp_path / f"{SO}.ods").write_bytes(b"PK")
    result = run("validate", tmp_path)
    assert result.exit_code == 0
    assert f"{tmp_path / (SO + '.ods')}: warning: is not read; {SO}.xlsx beside it is" in result.output


def test_tbc_money_prints_tbc_and_so_does_its_total(make_form, tmp_path, programme):
    path = make_form(SO)
    spoil(path, lambda wb: setattr(table_cell(wb, "finance_years", 3, "Recurring Savings"), "value", "TBC"))
    result = run("build", path, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output  # Financial Benefits £200,000 is not contradicted by savings not yet known
    target = tmp_path / "out" / f"{SO}.docx"
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in Document(target).tables]
    ongoing = next(t for t in tables if t[1][0] == "Recurring Investment" and t[0][-1] == "Total")
    assert ongoing[2] == ["Recurring Savings", "-", "£200,000", "TBC", "-", "TBC"]
    assert ongoing[3] == ["Net Savings", "-", "£200,000", "TBC", "-", "TBC"]
    assert ongoing[1] == ["Recurring Investment", "-", "-", "-", "-", "-"]  # none stays "-"


def test_a_pasted_word_line_break_is_a_line_break(make_form, tmp_path, programme):
    path = make_form(SO)
    spoil(path, lambda wb: setattr(named(wb, "resources_direct_team"), "value", "Line one BREAKHERE line two"))
    with zipfile.ZipFile(path) as zf:  # Excel saves the vertical tab of Word's line break as _x000B_
        part = next(n for n in zf.namelist() if b"BREAKHERE" in zf.read(n))
    rewrite(path, part, lambda xml: xml.replace(b" BREAKHERE ", b"_x000B_"))
    target = built(path, tmp_path / "out")
    with zipfile.ZipFile(target) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    assert re.search(r"Line one</w:t>.*?<w:br/>.*?<w:t[^>]*>line two", xml)
    assert "Line oneline two" not in xml


def test_validate_of_only_files_in_other_formats_fails(tmp_path, make_form):
    make_form(filename="case.xlsx")
    ods = tmp_path / "case.ods"
    ods.write_bytes(b"PK\x03\x04 a spreadsheet Calc saved")
    result = run("validate", ods)  # its .xlsx twin is beside it, but only the .ods was named
    assert result.exit_code == 1
    assert "0 forms OK, 1 file not read (not .xlsx)" in result.output
