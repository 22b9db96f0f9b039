"""The tracker on paper, and the summary a finance review group reads: a portfolio of fourteen varied cases
(tests/portfolio_cases.py) under the shipped configuration, which sets no targets.

Printed size: LibreOffice prints a sheet at its page set-up's scale; A4 landscape less 0.4" margins is 784 pt
wide and a column of width 1 is 5.55 pt at 100% (measured on LibreOffice's PDF), so each printed page's
columns, the repeated ones included, must fit 784 pt at that scale, and the body text (11 pt) times the scale
must be 8 pt or more."""
from __future__ import annotations

import re
import subprocess
import tomllib
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from casegen import config
from casegen.config import default_text
from casegen.render.export import exported_config
from docx_text import text as docx_text
from helpers import convert, run
from portfolio_cases import write_forms

PAGE_PT, PT_PER_WIDTH = 842 - 2 * 0.4 * 72, 5.55
SHEETS = ["Cases", "Movement", "Savings", "Pipeline", "Risks", "Heat map", "Problems"]


@pytest.fixture(scope="module")
def varied(tmp_path_factory):
    root = tmp_path_factory.mktemp("varied")
    programme = config.load()
    cases = write_forms(root / "forms", programme)
    out, summary = root / "tracker.xlsx", root / "summary.docx"
    assert run("build", root / "forms", "-o", root / "docs", "-j", "2").exit_code == 0  # each case links to its own
    result = run("portfolio", root / "forms", "-o", out, "--as-of", "2024-10-31", "--summary", summary, "-j", "2",
                 "--documents", root / "docs")
    assert result.exit_code == 0, result.output
    return {"out": out, "summary": summary, "cases": cases, "wb": load_workbook(out), "root": root,
            "values": load_workbook(out, data_only=True)}


def _width(ws, column: int) -> float:
    return ws.column_dimensions[get_column_letter(column)].width or 8.43


def _heading_rows(ws) -> list[int]:
    return [int(re.sub(r"\D", "", t.ref.split(":")[0])) for t in ws.tables.values()]


def test_the_tracker_has_its_sheets(varied):
    assert varied["wb"].sheetnames == SHEETS


def test_every_font_is_named(varied):
    with zipfile.ZipFile(varied["out"]) as zf:
        styles = zf.read("xl/styles.xml").decode()
    fonts = re.findall(r"<font>.*?</font>|<font/>", re.search(r"<fonts[^>]*>(.*?)</fonts>", styles).group(1))
    assert fonts and all("<name val=" in f for f in fonts), [f for f in fonts if "<name" not in f]
    for ws in varied["wb"]:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name in ("Calibri", "Arial"), (ws.title, cell.coordinate, cell.font.name)


def test_no_heading_breaks_inside_a_word(varied):
    """A bold letter is at most 1.1 digits wide: each heading's longest word fits its column."""
    for ws in varied["wb"]:
        rows = _heading_rows(ws) + ([4] if ws.title == "Heat map" else [])
        for r in rows:
            for cell in ws[r]:
                if isinstance(cell.value, str):
                    longest = max(cell.value.split(), key=len)
                    assert 1.1 * len(longest) + 2 <= _width(ws, cell.column), (ws.title, cell.value, longest)
                    assert cell.alignment.wrap_text or ws.title == "Heat map"
    assert varied["wb"]["Heat map"].column_dimensions["A"].width >= len("Likelihood ↓ / Impact →") * 1.1


def _printed_pages(ws) -> list[list[int]]:
    """The columns of each page across, as the sheet's breaks and print area set them."""
    last = ws.max_column
    if ws.print_area:
        last = column_index_from_string(re.search(r":\$?([A-Z]+)", ws.print_area).group(1))
    ends = [b.id for b in ws.col_breaks.brk if b.id < last] + [last]
    starts = [1] + [e + 1 for e in ends[:-1]]
    return [list(range(s, e + 1)) for s, e in zip(starts, ends, strict=True)]


def test_every_sheet_prints_at_8pt_or_more_on_a4_landscape(varied):
    for ws in varied["wb"]:
        setup = ws.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9), ws.title  # A4
        assert not ws.sheet_properties.pageSetUpPr.fitToPage, ws.title  # the scale below is the one printed
        scale = setup.scale / 100
        sizes = {cell.font.sz or 11 for row in ws.iter_rows() for cell in row if cell.value is not None}
        assert min(sizes) * scale >= 8, (ws.title, min(sizes), setup.scale)
        repeated = []
        if ws.print_title_cols:
            repeated = list(range(1, column_index_from_string(ws.print_title_cols.split(":")[1].strip("$")) + 1))
        for page in _printed_pages(ws):
            columns = repeated + [c for c in page if c not in repeated]
            printed = sum(_width(ws, c) for c in columns) * PT_PER_WIDTH * scale
            assert printed <= PAGE_PT, (ws.title, page, printed)
    cases = varied["wb"]["Cases"]
    assert cases.print_title_cols == "$A:$B" and cases.print_title_rows == "$4:$4"
    assert len(_printed_pages(cases)) == 3  # what the case is; people and money; risks, flags and form


def test_wrapped_rows_are_tall_enough(varied):
    """LibreOffice keeps a row one line high unless told: each wrapped cell's row has room for its lines."""
    ws = varied["wb"]["Risks"]
    for row in ws.iter_rows(min_row=5):
        risk = row[4].value  # wrapped in a column 40 wide: at least a line for every 48 characters
        if risk:
            assert (ws.row_dimensions[row[0].row].height or 15) >= 13 * -(-len(risk) // 48), risk


def _chart_xml(path, title: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return next(x for x in (zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/")) if title in x)


def test_the_pipeline_chart_counts_whole_cases(varied):
    xml = _chart_xml(varied["out"], "Cases by stage")
    assert '<c:majorUnit val="1"' in xml or '<majorUnit val="1"' in xml
    assert re.search(r'numFmt formatCode="0"', xml)
    for title in ("Cases by stage", "Net savings by year"):  # labels at the sheet's 11 pt, in a named font
        xml = _chart_xml(varied["out"], title)
        assert 'sz="1100"' in xml and 'typeface="Calibri"' in xml, title


def test_colour_is_never_the_only_carrier_of_meaning(varied):
    ws = varied["values"]["Risks"]
    head = [c.value for c in ws[4]]
    score, rating = head.index("Score"), head.index("Rating")
    words = {"Low": range(1, 5), "Medium": range(5, 13), "High": range(15, 26)}
    for row in ws.iter_rows(min_row=5, values_only=True):
        assert row[score] in words[row[rating]], row
    legend = [varied["values"]["Heat map"].cell(row=r, column=1).value for r in range(11, 14)]
    assert legend == ["High risk: score 15 to 25", "Medium risk: score 5 to 12", "Low risk: score up to 4"]


def test_brief_risks_read_as_one_sentence(varied):
    risks = [r[4] for r in varied["values"]["Risks"].iter_rows(min_row=5, values_only=True) if r[1] == "Brief"]
    assert ("Due to lack of information/understanding about other community working projects, there is a risk "
            "that work can be duplicated; the impact: resources are not used effectively.") in risks
    assert ("Due to the potential need for quicker results than what this model can provide, there is a risk that "
            "momentum may diminish over time; the impact: could slowdown progress if the council requires faster "
            "outcomes.") in risks  # "There is a risk" typed in the risk is not said twice
    assert any("the impact: the TOM will not provide" in r for r in risks)  # an acronym keeps its capitals
    assert not any(re.search(r"(Due to|risk|impact:) [A-Z][a-z]", r) for r in risks), risks


def test_a_brief_is_at_its_forms_stage_else_its_projects(varied):
    rows = {(r[0], r[2]): r[5] for r in varied["values"]["Cases"].iter_rows(min_row=5, values_only=True)}
    assert rows[("PE-113", "Project Brief")] == "Stage 1: Outline Business Case"  # its own form says so
    assert rows[("RX-101", "Project Brief")] == rows[("RX-101", "Business Case Lite")] == \
        "Stage 0: Opportunity Identified"  # none on its form: its project's Business Case Lite's
    text = docx_text(varied["summary"])
    assert "(no stage given)" not in text


def test_no_targets_is_said_once(varied):
    ws = varied["values"]["Savings"]
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert sum("Targets not yet set" in v for v in cells) == 1
    assert "No target" not in cells and "Target" not in cells  # no Target, Gap or Status blocks
    text = docx_text(varied["summary"])
    assert text.count("Targets not yet set") == 1 and "No target\n" not in text


def test_the_summary_names_cases_by_ref_and_kind(varied):
    text = docx_text(varied["summary"])
    assert "RX-101 BCL" in text and "Brief: Project Brief" in text


def test_the_shipped_configuration_explains_targets():
    programme = config.load()
    exported = exported_config()
    for theme in programme.themes:
        assert f'# [targets."{theme}"]' in exported
    assert exported.count('# "24/25" = ') == len(programme.themes)
    # Uncommented, the example is a configuration casegen reads: a table per theme, a figure per year.
    example = re.sub(r"^# (\[targets|\")", r"\1", default_text(), flags=re.M)
    targets = tomllib.loads(example)["targets"]
    assert set(targets) == set(programme.themes)
    assert all(set(by_year) == set(programme.financial_years) for by_year in targets.values())


@pytest.mark.slow
def test_printed_pages_break_no_heading_inside_a_word(varied, tmp_path):
    """LibreOffice's PDF of the tracker: every heading word whole, the heat map's label whole."""
    (pdf,) = convert([varied["out"]], tmp_path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    words = set(text.split())
    for ws in varied["wb"]:
        for r in _heading_rows(ws):
            for cell in ws[r]:
                if isinstance(cell.value, str):
                    assert set(cell.value.split()) <= words, (ws.title, cell.value)
    assert "Likelihood ↓ / Impact →" in text
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) <= 20


def _table_cells(ws):
    """The cells of every table of the sheet (the Excel tables, and the blocks drawn as tables)."""
    for table in ws.tables.values():
        yield from (cell for row in ws[table.ref] for cell in row)


def test_printed_tables_have_borders_and_shaded_headings(varied):
    """LibreOffice prints no Excel table style: each table's cells carry their own borders."""
    for ws in varied["wb"]:
        for table in ws.tables.values():
            rows = ws[table.ref]
            assert all(c.border.left.style == "thin" and c.border.bottom.style == "thin" for r in rows for c in r), \
                (ws.title, table.ref)
            assert all(c.fill.fgColor.rgb.endswith("D9E2F3") for c in rows[0]), (ws.title, table.ref)
    savings = varied["wb"]["Savings"]
    assert savings["A5"].border.left.style == "thin" and savings["A5"].value == "Theme"  # a block, not a table


def test_no_text_runs_into_the_next_column(varied):
    """A text either wraps in its cell or fits its column: the Risks sheet's case title never runs into the
    risk ref, a document's name is never cut."""
    from casegen.portfolio.xlsx import text_units

    for ws in varied["values"]:  # what the cells show: a formula's figure, not its text
        for cell in _table_cells(ws):
            if isinstance(cell.value, str) and not cell.alignment.wrap_text:
                assert text_units(cell.value) + 1 <= _width(ws, cell.column), (ws.title, cell.coordinate, cell.value)
    cases = varied["wb"]["Cases"]
    head = [c.value for c in cases[4]]
    for name in ("Form", "Document"):
        column = head.index(name) + 1
        for row in range(5, cases.max_row + 1):
            value = cases.cell(row=row, column=column).value
            assert value and " " not in value and text_units(value) + 1 <= _width(cases, column), value


def test_each_chart_prints_on_the_page_of_its_table(varied):
    for title in ("Savings", "Pipeline"):
        ws = varied["wb"][title]
        (chart,) = ws._charts
        top = chart.anchor._from.row + 1  # the chart's first row, counted from 1
        assert not [b.id for b in ws.row_breaks.brk if b.id < top], (title, top)  # no page ends above it
        if ws.print_area:
            last = int(re.search(r"(\d+)$", ws.print_area).group(1))
            assert top + chart.height / 2.54 * 72 / 15 <= last + 1, (title, ws.print_area)


@pytest.mark.slow
def test_printed_tracker_clips_no_text_and_keeps_charts_by_their_tables(varied, tmp_path):
    """LibreOffice's PDF of the tracker: every word of every cell of the Cases, Risks and Problems sheets on
    paper (a row too short would cut its last lines), and each chart on the page of its table."""
    (pdf,) = convert([varied["out"]], tmp_path)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
    printed = set(re.split(r"[\s-]+", " ".join(pages)))
    for title in ("Cases", "Risks", "Problems"):
        for row in varied["values"][title].iter_rows(min_row=4):
            for cell in row:
                if isinstance(cell.value, str):
                    missing = set(re.split(r"[\s-]+", cell.value)) - printed - {""}
                    assert not missing, (title, cell.coordinate, missing)
    assert any("Net savings by theme and financial year" in p and "Net savings by year, by theme" in p for p in pages)
    assert any("Pipeline: cases by stage" in p and "Cases by stage" in p for p in pages)
