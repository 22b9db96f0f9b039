"""The fast workbook loader reads every value exactly as openpyxl does (data_only=True)."""
import zipfile

import pytest
from openpyxl import load_workbook

from casegen.intake import fastbook
from helpers import convert

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/tables/table1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>
</Types>"""

ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""

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
<sheets><sheet name="Project" sheetId="1" r:id="rId1"/><sheet name="Other sheet" sheetId="2" state="hidden" r:id="rId2"/></sheets>
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
<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="21"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""

SHARED = f"""<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="{MAIN}" count="5" uniqueCount="5">
<si><t>Service Optimisation</t></si>
<si><r><t>R&amp;D </t></r><r><rPr><b/></rPr><t xml:space="preserve">&lt;pilot&gt;  </t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si>
<si><t xml:space="preserve">  first line
second line  </t></si>
<si><t/></si>
<si><t>tab_x005F_x0009_ kept</t></si>
</sst>"""

SHEET1 = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}" xmlns:r="{R}"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><r><t>rich </t></r><r><t>inline</t></r></is></c></row>
<row r="2"><c r="A2"><v>200000</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" s="4"><v>1.5</v></c><c r="D2"><v>1E3</v></c></row>
<row r="3"><c r="A3" s="1"><v>45200</v></c><c r="B3" s="2"><v>45231.5</v></c><c r="C3" s="3"><v>1.25</v></c><c r="D3" s="5"><v>0.5</v></c></row>
<row r="4"><c r="A4" t="b"><v>1</v></c><c r="B4" t="b"><v>0</v></c><c r="C4" t="str"><f>A1&amp;"x"</f><v>Service Optimisationx</v></c><c r="D4" t="e"><v>#DIV/0!</v></c></row>
<row r="5"><c r="A5"><f>1+1</f></c><c r="B5" t="s"><v>2</v></c><c r="C5" t="d"><v>2023-10-01T00:00:00</v></c><c r="D5" t="s"><v>3</v></c></row>
<row><c t="s"><v>4</v></c><c><v>7</v></c><c r="D6" t="inlineStr"><is><t></t></is></c></row>
<row r="8" spans="1:4"><c r="A8" s="2"/><c r="B8" t="inlineStr"/><c r="C8" t="n"><v></v></c><c r="D8"><v>-0.0</v></c></row>
<row r="10"><c r="A10" t="inlineStr"><is><t>Merged</t></is></c><c r="B10" t="inlineStr"><is><t>covered</t></is></c></row>
<row r="11"><c r="A11" t="inlineStr"><is><t>covered too</t></is></c></row>
<row r="12"><c r="A12" t="inlineStr"><is><t>Ref</t></is></c><c r="B12" t="inlineStr"><is><t>Risk</t></is></c></row>
<row r="13"><c r="A13"><v>1</v></c><c r="B13" t="inlineStr"><is><t>Budget &lt;&amp;&gt; "quoted"</t></is></c></row>
</sheetData><mergeCells count="1"><mergeCell ref="A10:B11"/></mergeCells>
<tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>"""

SHEET1_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/table" Target="../tables/table1.xml"/></Relationships>"""

TABLE1 = f"""<?xml version="1.0" encoding="UTF-8"?>
<table xmlns="{MAIN}" id="1" name="risks" displayName="risks" ref="A12:B14" headerRowCount="1">
<tableColumns count="2"><tableColumn id="1" name="Ref"/><tableColumn id="2" name="Risk"/></tableColumns></table>"""

SHEET2 = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>3</v></c><c r="B1" t="s"><v>0</v></c></row></sheetData></worksheet>"""


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


def _names(names) -> dict:
    return {n: (d.type, list(d.destinations) if d.type == "RANGE" else d.value) for n, d in names.items()}


def _snapshot(wb) -> dict:
    out = {"sheets": wb.sheetnames, "names": _names(wb.defined_names)}
    for ws in wb.worksheets:
        cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row}
        out[ws.title] = (cells, dict(ws.tables.items()), ws.max_row, ws.max_column, _names(ws.defined_names),
                         ws.sheet_state)
    wb.close()
    return out


def as_openpyxl_reads_it(path) -> dict:
    return _snapshot(load_workbook(path, data_only=True))


def as_fastbook_reads_it(path) -> dict:
    return _snapshot(fastbook.load(path))


def _typed(snapshot: dict) -> dict:
    """Values with their types, so 1 and 1.0 and True differ."""
    return {k: ({c: (type(v).__name__, v) for c, v in v[0].items()},) + v[1:] if isinstance(v, tuple) else v
            for k, v in snapshot.items()}


@pytest.mark.parametrize("date1904", [False, True])
def test_handmade_workbook_reads_as_openpyxl_reads_it(tmp_path, date1904):
    path = handmade(tmp_path / "other-program.xlsx", date1904)
    expected = _typed(as_openpyxl_reads_it(path))
    assert _typed(as_fastbook_reads_it(path)) == expected
    cells = expected["Project"][0]
    assert cells[(2, 2)] == ("str", "R&D <pilot>  ")  # proves the workbook exercises what it should
    assert cells[(10, 2)] == ("NoneType", None)
    assert cells[(3, 1)][0] == "datetime"


def test_single_cells_names_and_tables_as_the_reader_uses_them(tmp_path):
    wb = fastbook.load(handmade(tmp_path / "x.xlsx"))
    sheet, coord = next(wb.defined_names["project_title"].destinations)
    assert (sheet, coord) == ("Project", "$B$2")
    assert wb[sheet][coord.replace("$", "")].value == "R&D <pilot>  "
    assert wb["Project"].cell(row=13, column=2).value == 'Budget <&> "quoted"'
    assert wb["Project"].cell(row=99, column=9).value is None
    assert "risks" in wb["Project"].tables and wb["Project"].tables["risks"].ref == "A12:B14"
    assert [r for r in wb["Other sheet"].iter_rows(min_row=1, max_row=2, max_col=2, values_only=True)] == \
        [(3, "Service Optimisation"), (None, None)]
    with pytest.raises(KeyError):
        wb["Nowhere"]
    wb.close()


def test_every_sample_form_reads_as_openpyxl_reads_it(make_form):
    for name in ("bcl-service-optimisation", "bcl-neighbourhood-working-model"):
        path = make_form(name)
        assert _typed(as_fastbook_reads_it(path)) == _typed(as_openpyxl_reads_it(path))


@pytest.mark.slow
def test_a_form_saved_by_libreoffice_reads_as_openpyxl_reads_it(make_form, tmp_path):
    form = make_form("bcl-service-optimisation")
    saved, = convert(form, tmp_path / "calc", "xlsx:Calc MS Excel 2007 XML")
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(saved).namelist()
    assert _typed(as_fastbook_reads_it(saved)) == _typed(as_openpyxl_reads_it(saved))
