"""calamine gives the reader every value as openpyxl does (data_only=True): numbers, dates, booleans,
shared and inline strings, in forms written by casegen, by other programs and saved again by Calc."""
import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from casegen.intake.book import Book
from casegen.intake.workbook import inspect_workbook
from helpers import convert, run

FIXTURES = Path(__file__).parent / "fixtures"

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml"
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml"
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml"
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/tables/table1.xml"
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>
</Types>"""

ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""

WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PKG}">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/>
<Relationship Id="rId4" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""


def workbook_xml(date1904: bool) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{R}"><workbookPr date1904="{'1' if date1904 else '0'}"/>
<sheets><sheet name="Project" sheetId="1" r:id="rId1"/>
<sheet name="Other sheet" sheetId="2" state="hidden" r:id="rId2"/></sheets>
<definedNames>
<definedName name="project_title">Project!$B$2</definedName>
<definedName name="money">'Other sheet'!$A$1:$A$3</definedName>
<definedName name="two">Project!$B$2,'Other sheet'!$A$1</definedName>
<definedName name="rate">0.2</definedName>
<definedName name="local_only" localSheetId="1">'Other sheet'!$B$1</definedName>
<definedName name="_xlnm.Print_Area" localSheetId="0">Project!$A$1:$D$20</definedName>
<definedName name="_xlnm._FilterDatabase" hidden="1">Project!$A$10:$B$12</definedName>
</definedNames></workbook>"""


STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="{MAIN}">
<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="[h]:mm"/>
<numFmt numFmtId="166" formatCode="&quot;£&quot;#,##0"/></numFmts>
<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/>
<xf numFmtId="21"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""

SHARED = f"""<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="{MAIN}" count="5" uniqueCount="5">
<si><t>Service Optimisation</t></si>
<si><r><t xml:space="preserve">R&amp;D </t></r><r><rPr><b/></rPr><t xml:space="preserve">&lt;pilot&gt;  </t></r>
<rPh sb="0" eb="1"><t>ignored</t></rPh></si>
<si><t xml:space="preserve">  first line
second line  </t></si>
<si><t/></si>
<si><t>tab_x005F_x0009_ kept</t></si>
</sst>"""

SHEET1 = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}" xmlns:r="{R}"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c>
<c r="B1" t="inlineStr"><is><r><t xml:space="preserve">rich </t></r><r><t>inline</t></r></is></c></row>
<row r="2"><c r="A2"><v>200000</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" s="4"><v>1.5</v></c><c r="D2"><v>1E3</v></c>
</row>
<row r="3"><c r="A3" s="1"><v>45200</v></c><c r="B3" s="2"><v>45231.5</v></c><c r="C3" s="3"><v>1.25</v></c>
<c r="D3" s="5"><v>0.5</v></c></row>
<row r="4"><c r="A4" t="b"><v>1</v></c><c r="B4" t="b"><v>0</v></c>
<c r="C4" t="str"><f>A1&amp;"x"</f><v>Service Optimisationx</v></c><c r="D4" t="e"><v>#DIV/0!</v></c></row>
<row r="5"><c r="A5"><f>1+1</f></c><c r="B5" t="s"><v>2</v></c><c r="C5" t="d"><v>2023-10-01T00:00:00</v></c>
<c r="D5" t="s"><v>3</v></c></row>
<row><c t="s"><v>4</v></c><c><v>7</v></c><c r="D6" t="inlineStr"><is><t></t></is></c></row>
<row r="8" spans="1:4"><c r="A8" s="2"/><c r="B8" t="inlineStr"/><c r="C8" t="n"><v></v></c><c r="D8"><v>-0.0</v></c>
</row>
<row r="10"><c r="A10" t="inlineStr"><is><t>Merged</t></is></c><c r="B10" t="inlineStr"><is><t>covered</t></is></c>
</row>
<row r="11"><c r="A11" t="inlineStr"><is><t>covered too</t></is></c></row>
<row r="12"><c r="A12" t="inlineStr"><is><t>Ref</t></is></c><c r="B12" t="inlineStr"><is><t>Risk</t></is></c></row>
<row r="13"><c r="A13"><v>1</v></c><c r="B13" t="inlineStr"><is><t>Budget &lt;&amp;&gt; "quoted"</t></is></c></row>
</sheetData><mergeCells count="1"><mergeCell ref="A10:B11"/></mergeCells>
<tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>"""

SHEET1_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/table" Target="../tables/table1.xml"/>
</Relationships>"""

TABLE1 = f"""<?xml version="1.0" encoding="UTF-8"?>
<table xmlns="{MAIN}" id="1" name="risks" displayName="risks" ref="A12:B14" headerRowCount="1">
<tableColumns count="2"><tableColumn id="1" name="Ref"/><tableColumn id="2" name="Risk"/></tableColumns></table>"""

SHEET2 = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>3</v></c><c r="B1" t="s"><v>0</v></c></row></sheetData>
</worksheet>"""


def handmade(path, date1904=False):
    """A workbook as other programs write it: shared strings, rich text, dates, formulas, merges."""
    parts = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS, "xl/workbook.xml": workbook_xml(date1904),
             "xl/_rels/workbook.xml.rels": WORKBOOK_RELS, "xl/styles.xml": STYLES, "xl/sharedStrings.xml": SHARED,
             "xl/worksheets/sheet1.xml": SHEET1, "xl/worksheets/_rels/sheet1.xml.rels": SHEET1_RELS,
             "xl/tables/table1.xml": TABLE1, "xl/worksheets/sheet2.xml": SHEET2}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode("utf-8"))
    return path


def as_openpyxl_reads_it(path) -> dict:
    """(sheet, row, col) -> value of every cell that holds one."""
    wb = load_workbook(path, data_only=True)
    out = {(ws.title, c.row, c.column): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
           if c.value is not None and c.value != ""}
    wb.close()
    return out


def as_calamine_reads_it(path) -> dict:
    book = Book(path, inspect_workbook(path))
    out = {(s, r, c): v for s in book.sheetnames for r, c, v in book.filled(s)}
    out.update({(s, r, c): book.value(s, r, c) for s in book.sheetnames for r, row in enumerate(book.grid(s), 1)
                for c, v in enumerate(row, 1) if isinstance(v, str) and v and not v.strip()})  # blank-looking text
    book.close()
    return out


@pytest.mark.parametrize("date1904", [False, True])
def test_values_of_a_workbook_written_by_another_program(tmp_path, date1904):
    path = handmade(tmp_path / "other-program.xlsx", date1904)
    ours, theirs = as_calamine_reads_it(path), as_openpyxl_reads_it(path)
    # openpyxl drops the cells a merge covers and shows error values; the reader names both cells instead
    scan = inspect_workbook(path).sheet("Project")
    assert scan.merge_over(10, 2) == "A10:B11" and scan.merge_over(10, 1) is None
    assert scan.errors == {"D4": "#DIV/0!"} and scan.formulas_without_values == {"A5"}
    for key in [("Project", 10, 2), ("Project", 11, 1)]:
        del ours[key]
    del theirs[("Project", 4, 4)]
    assert ours == theirs
    assert ours[("Project", 2, 1)] == 200000 and type(ours[("Project", 2, 1)]) is int
    assert ours[("Project", 2, 3)] == 1.5
    assert ours[("Project", 2, 2)] == "R&D <pilot>  "  # shared, rich text, spaces kept
    assert ours[("Project", 1, 2)] == "rich inline"
    shift = dt.timedelta(days=1462 if date1904 else 0)  # a Mac workbook counts days from 1904
    assert ours[("Project", 3, 1)] == dt.datetime(2023, 10, 1) + shift  # a date, as a datetime as openpyxl gives it
    assert ours[("Project", 3, 2)] == dt.datetime(2023, 11, 1, 12) + shift
    assert ours[("Project", 4, 1)] is True and ours[("Project", 4, 2)] is False
    assert ours[("Project", 4, 3)] == "Service Optimisationx"  # a formula's saved value
    assert ours[("Project", 5, 3)] == dt.datetime(2023, 10, 1)  # an ISO date cell (t="d")
    assert ours[("Project", 6, 2)] == 7  # a cell without its r attribute
    assert ours[("Other sheet", 1, 2)] == "Service Optimisation"


def test_names_and_tables_of_a_workbook_written_by_another_program(tmp_path):
    path = handmade(tmp_path / "x.xlsx")
    facts = inspect_workbook(path)
    assert facts.names == {"project_title": ("Project", "B2"), "money": ("Other sheet", "A1:A3")}
    book = Book(path, facts)
    (table,) = book.tables.values()
    assert (table.name, table.sheet, table.ref, table.headers) == ("risks", "Project", "A12:B14", ("Ref", "Risk"))
    assert book.value("Project", 13, 2) == 'Budget <&> "quoted"'
    assert book.value("Project", 99, 9) is None
    book.close()


@pytest.mark.parametrize("form", sorted((FIXTURES / "layout1").glob("*.xlsx")) + [
    FIXTURES / "calc" / "bcl-service-optimisation.xlsx"], ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_value_of_a_form_reads_as_openpyxl_reads_it(form):
    assert as_calamine_reads_it(form) == as_openpyxl_reads_it(form)


def test_a_form_saved_again_by_calc_reads_as_the_form_casegen_wrote():
    """Calc renumbers parts, writes names without quotes, keeps tables as its own database ranges."""
    written = run("dump", FIXTURES / "layout1" / "bcl-service-optimisation.xlsx")
    saved = run("dump", FIXTURES / "calc" / "bcl-service-optimisation.xlsx")
    assert written.exit_code == saved.exit_code == 0
    assert json.loads(saved.output) == json.loads(written.output)


@pytest.mark.slow
def test_a_form_saved_by_libreoffice_today_reads_as_openpyxl_reads_it(make_form, tmp_path):
    form = make_form("bcl-service-optimisation")
    saved, = convert(form, tmp_path / "calc", "xlsx:Calc MS Excel 2007 XML")
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(saved).namelist()
    assert as_calamine_reads_it(saved) == as_openpyxl_reads_it(saved)
