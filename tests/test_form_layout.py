"""The form as a person sees it in Calc or Excel, and as a later casegen finds it: sizes, print, gaps, version."""
import math

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from casegen.intake import spec
from casegen.intake.form import write_form
from casegen.models import KINDS
from casegen.models.base import field
from helpers import sample_case

SAMPLES = {"bcl": "bcl-service-optimisation", "brief": "brief-neighbourhood-working-model"}
GENEROUS = 1.4  # more characters a width unit than any font fits: a bound the writer's estimate cannot hide behind


@pytest.fixture(params=[(k, f) for k in SAMPLES for f in ("blank", "filled")], ids=lambda p: "-".join(p))
def form(request, tmp_path, programme):
    kind, fill = request.param
    case = sample_case(SAMPLES[kind], programme) if fill == "filled" else None
    return kind, load_workbook(write_form(kind, tmp_path / f"{kind}-{fill}.xlsx", programme, case))


def _width(ws, column: int) -> float:
    return ws.column_dimensions[get_column_letter(column)].width


def _input_sheets(wb, kind):
    return [(sheet, wb[sheet.title]) for sheet in spec.sheets(KINDS[kind])]


def _anchors(wb, ws) -> dict[str, int]:
    """Where the workbook has each named block now: a named cell's row, a table's header row."""
    rows = {t.displayName: range_boundaries(t.ref)[1] for t in ws.tables.values()}
    for name, dn in wb.defined_names.items():
        for sheet, coord in dn.destinations:
            if sheet == ws.title and not name.startswith("list_"):
                rows[name] = range_boundaries(coord.replace("$", ""))[1]
    return rows


def test_wrapped_text_gets_the_lines_it_needs(form):
    """Calc keeps a row's height as written: a row whose text wraps is tall enough for every line."""
    _, wb = form
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                    continue
                per_line = _width(ws, cell.column) * GENEROUS * 11 / (cell.font.sz or 11)
                need = sum(math.ceil(max(1, len(part)) / per_line) for part in cell.value.split("\n"))
                if need > 1:
                    height = ws.row_dimensions[cell.row].height
                    assert height and height >= need * 15, (ws.title, cell.coordinate, cell.value[:40], height)


def test_table_columns_fit_their_headings(form):
    """Each heading reads in full on one line ("Recurring Savings", not "Recurring"), up to 36 characters."""
    _, wb = form
    for ws in wb.worksheets:
        for table in ws.tables.values():
            min_col, head, max_col, _ = range_boundaries(table.ref)
            for c in range(min_col, max_col + 1):
                label = ws.cell(row=head, column=c).value
                assert _width(ws, c) >= min(len(label), 36), (ws.title, label, _width(ws, c))


def test_columns_are_sized_for_their_tables_not_the_labels(tmp_path, programme):
    wb = load_workbook(write_form("bcl", tmp_path / "f.xlsx", programme))
    assert _width(wb["Scope"], 1) <= 10  # the Level column, not a label column 40 wide
    assert _width(wb["Scope"], 2) >= 55  # the bullets' Text
    assert _width(wb["Risks"], 1) <= 10  # Ref
    finance = wb["Finance"]
    head = range_boundaries(finance.tables["finance_years"].ref)[1]
    assert [finance.cell(row=head, column=c).value for c in range(2, 6)] == [
        "One-off Investment", "One-off Savings", "Recurring Investment", "Recurring Savings"]


def test_no_filter_button_covers_a_heading(form):
    _, wb = form
    for ws in wb.worksheets:
        for table in ws.tables.values():
            assert table.autoFilter is None, (ws.title, table.displayName)


def test_every_sheet_prints_on_a4_one_page_wide(form):
    kind, wb = form
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        setup = ws.page_setup
        assert (int(setup.paperSize), ws.sheet_properties.pageSetUpPr.fitToPage) == (9, True), ws.title
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0), ws.title
        assert not ws.print_options.gridLines
        wide = sum(d.width for d in ws.column_dimensions.values() if d.width) > 120
        assert setup.orientation == ("landscape" if wide else "portrait"), ws.title
    # Calc shrinks many columns to a page, never a single one: the Guide's one column fits as it is
    assert wb["Guide"].column_dimensions["A"].width <= 95
    # a sheet ending in its one table repeats its header row on the pages the table runs on to
    for sheet, ws in _input_sheets(wb, kind):
        tables = [b for b in sheet.blocks if isinstance(b, spec.Table)]
        if len(tables) == 1 and sheet.blocks[-1] == tables[0]:
            head = range_boundaries(ws.tables[tables[0].name].ref)[1]
            assert ws.print_title_rows == f"${head}:${head}", ws.title


def rows_above(sheet: spec.Sheet) -> dict[str, int]:
    """How many rows of the form above each named block's anchor belong to it.

    The anchor is a Scalar's named cell or a Table's header row; above them the writer puts a group
    heading (when the block opens a group), a top-level field's heading, a table's caption and help line.
    """
    above, heading = {}, False
    for block in sheet.blocks:
        if isinstance(block, str):
            heading = True
            continue
        own = 2 if isinstance(block, spec.Table) else (1 if len(block.path) == 1 else 0)
        above[spec.block_name(block)] = own + heading
        heading = False
    return above


def block_rows(sheet: spec.Sheet, anchors: dict[str, int]) -> dict[str, tuple[int, int | None]]:
    """The rows each named block of `sheet` owns, as the writer lays them out, from the anchors found in a
    workbook (what the reader finds from the workbook itself, intake/layout.py, for the tables).

    `anchors` maps a block's name (defined name or table name) to its anchor row as the workbook has it
    now (rows inserted by a lead move them). A block owns the rows from its first row (heading or
    caption) to the row before the next block's first row; the last block of a sheet runs on (None).
    So the rows under a table, up to the next heading, belong to the table.
    """
    above = rows_above(sheet)
    firsts = sorted((row - above[name], name) for name, row in anchors.items() if name in above)
    out = {}
    for (first, name), after in zip(firsts, firsts[1:] + [(None, None)], strict=True):
        out[name] = (first, None if after[0] is None else after[0] - 1)
    return out


def _rules_at(ws, coord: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if coord in dv.sqref]


def test_the_rows_below_a_table_have_its_checks_up_to_the_next_block(form):
    """What a lead types under a table belongs to it: same dropdowns and checks, down to the next heading."""
    kind, wb = form
    for sheet, ws in _input_sheets(wb, kind):
        owned = block_rows(sheet, _anchors(wb, ws))
        for block in (b for b in sheet.blocks if isinstance(b, spec.Table)):
            min_col, head, max_col, last = range_boundaries(ws.tables[block.name].ref)
            first, end = owned[block.name]
            assert ws.cell(row=head - 2, column=1).value == block.label
            assert ws.cell(row=first, column=1).value  # a block starts at its caption, or the heading above it
            end = end or last + 200
            assert not any(ws.cell(row=end, column=c).value for c in range(1, 6))  # and ends on a blank row
            for c, col in zip(range(min_col, max_col + 1), block.columns, strict=True):
                checked = [dv for dv in _rules_at(ws, f"{get_column_letter(c)}{head + 1}") if dv.type != "none"]
                for dv in checked:  # the same rule reaches the last row the table owns, and not one row more
                    assert f"{get_column_letter(c)}{end}" in dv.sqref, (ws.title, block.name, col.name)
                    assert f"{get_column_letter(c)}{end + 1}" not in dv.sqref
                gap = ws.cell(row=last + 1, column=c)
                assert gap.fill.fgColor.rgb.endswith("FFF2CC"), (ws.title, block.name)  # yellow: type here


def test_the_tenth_row_below_the_last_risk_has_the_rating_check(tmp_path, programme):
    wb = load_workbook(write_form("bcl", tmp_path / "f.xlsx", programme, sample_case(SAMPLES["bcl"], programme)))
    ws = wb["Risks"]
    head = range_boundaries(ws.tables["risks"].ref)[1]
    last_risk = head + len(sample_case(SAMPLES["bcl"], programme).risks)
    headings = [c.value for c in ws[head]]
    likelihood = get_column_letter(headings.index("Likelihood") + 1)
    (rule,) = _rules_at(ws, f"{likelihood}{last_risk + 10}")
    assert (rule.type, rule.formula1, rule.formula2) == ("whole", "1", "5")
    assert rule.prompt  # and its input message


def test_block_rows_follow_the_workbook_when_rows_are_inserted(tmp_path, programme):
    wb = load_workbook(write_form("brief", tmp_path / "f.xlsx", programme))
    sheet = next(s for s in spec.sheets(KINDS["brief"]) if s.title == "Risks")
    anchors = _anchors(wb, wb["Risks"])
    before = block_rows(sheet, anchors)
    moved = block_rows(sheet, {n: r + 3 for n, r in anchors.items()})
    assert moved == {n: (a + 3, b and b + 3) for n, (a, b) in before.items()}
    assert before["risks"][1] == before["disbenefits"][0] - 1 and before["disbenefits"][1] is None


def test_the_guide_says_what_the_reader_does(tmp_path, programme):
    guide = load_workbook(write_form("bcl", tmp_path / "f.xlsx", programme))["Guide"]
    text = " ".join(str(c.value) for c in guide["A"])
    assert "type directly below the table, as many rows as you need, up to the next heading" in text
    assert "Blank rows are skipped; to delete an item, clear its row" in text
    assert "right-click" not in text


def _wider(model):
    class Wider(model):
        sponsor_phone: str | None = field("Sponsor's phone", sheet="Project", default=None)
    return Wider


def test_the_version_follows_the_layout(monkeypatch):
    bcl = KINDS["bcl"]
    assert spec.form_version(bcl) == spec.form_version(bcl)
    assert spec.form_version(type("Same", (bcl,), {})) == spec.form_version(bcl)  # nothing changed
    assert spec.form_version(_wider(bcl)) != spec.form_version(bcl)  # a field added
    assert spec.form_version(KINDS["brief"]) != spec.form_version(bcl)
    monkeypatch.setattr(bcl.model_fields["summary"], "title", "Executive summary")
    assert spec.form_version(bcl) != spec.form_version(_wider(KINDS["brief"]))
    relabelled = spec.form_version(bcl)
    monkeypatch.undo()
    assert relabelled != spec.form_version(bcl)  # a label the reader looks for changed


def test_the_control_sheet_records_version_and_layout(tmp_path, programme, monkeypatch):
    wb = load_workbook(write_form("bcl", tmp_path / "f.xlsx", programme))
    ws = wb["_casegen"]
    assert (ws["A1"].value, ws["B1"].value) == ("kind", "bcl")
    assert (ws["A2"].value, ws["B2"].value) == ("form_version", spec.form_version(KINDS["bcl"]))
    rows = [tuple(r) for r in ws.iter_rows(min_col=4, max_col=7, values_only=True) if r[0]]
    assert rows[0] == spec.LAYOUT_HEADER
    assert rows[1:] == spec.layout(KINDS["bcl"])
    assert ("Risks", "risks.likelihood", "Likelihood", "rating") in rows
    # a form written by a casegen whose model has one more field says so
    monkeypatch.setitem(KINDS, "bcl", _wider(KINDS["bcl"]))
    wider = load_workbook(write_form("bcl", tmp_path / "g.xlsx", programme))["_casegen"]
    assert wider["B2"].value != ws["B2"].value
    assert ("Project", "sponsor_phone", "Sponsor's phone", "text") in [
        tuple(r) for r in wider.iter_rows(min_col=4, max_col=7, values_only=True)]
