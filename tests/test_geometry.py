"""Tables print at the template's widths whatever Word or Writer wrote for them, and hold their amounts.

Word's save of a template is covered by its XML here (the table properties as Word writes them); Writer's, by
the slow test in test_template_office.py that saves every template in LibreOffice and compares the prints.
"""
import shutil
import zipfile
from decimal import Decimal

import pytest
from lxml import etree

from casegen.models.bcl import FinanceYear
from casegen.ooxml import W
from casegen.render import TEMPLATE_FILES, render_case, templates_dir
from casegen.templating.geometry import AMOUNT, fit, word_width
from helpers import rewrite, run, sample_case

BCL = templates_dir() / TEMPLATE_FILES["bcl"]
TEXT_WIDTH = 9638  # twips: A4 less two 2 cm margins, the shipped template's page


def _tables(docx) -> list:
    with zipfile.ZipFile(docx) as zf:
        body = etree.fromstring(zf.read("word/document.xml")).find(f"{W}body")
    return list(body.iter(f"{W}tbl"))


def _texts(tbl) -> list[list[str]]:
    return [["".join(t.text or "" for t in tc.iter(f"{W}t")) for tc in tr.findall(f"{W}tc")]
            for tr in tbl.findall(f"{W}tr")]


def _finance_tables(docx) -> list:
    """The One-off and Ongoing tables: a column a year and a Total."""
    return [t for t in _tables(docx) if _texts(t)[0][-1] == "Total" and _texts(t)[1][0] in
            ("One-off Investment", "Recurring Investment")]


def _grid(tbl) -> list[int]:
    return [int(c.get(f"{W}w")) for c in tbl.find(f"{W}tblGrid")]


def _as_word_saves(table_width: str, layout: str | None, cells: str, margin: int | None):
    """A change to word/document.xml that writes every table's properties as Word does when it saves one."""
    def change(data: bytes) -> bytes:
        root = etree.fromstring(data)
        for tbl in root.iter(f"{W}tbl"):
            grid = _grid(tbl)
            props = tbl.find(f"{W}tblPr")
            tblw = props.find(f"{W}tblW")
            tblw.set(f"{W}type", {"auto": "auto", "dxa": "dxa", "pct": "pct"}[table_width])
            tblw.set(f"{W}w", {"auto": "0", "dxa": str(sum(grid)), "pct": "5000"}[table_width])
            fixed = props.find(f"{W}tblLayout")
            if layout is None:
                props.remove(fixed)
            else:
                fixed.set(f"{W}type", layout)
            if margin is not None:
                mar = etree.Element(f"{W}tblCellMar")
                for side in ("top", "left", "bottom", "right"):
                    etree.SubElement(mar, f"{W}{side}", {f"{W}w": str(margin if side in ("left", "right") else 0),
                                                         f"{W}type": "dxa"})
                props.insert(list(props).index(props.find(f"{W}tblLook")), mar)
            for tr in tbl.findall(f"{W}tr"):
                for tc, width in zip(tr.findall(f"{W}tc"), grid, strict=False):
                    tcw = tc.find(f"{W}tcPr/{W}tcW")
                    if cells == "pct":  # fiftieths of a percent of the table's width
                        tcw.set(f"{W}w", str(round(5000 * width / sum(grid))))
                        tcw.set(f"{W}type", "pct")
                    else:
                        tcw.set(f"{W}w", str(width))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return change


WORD_SAVES = {
    "table width auto, fixed layout, cell widths in twips": ("auto", "fixed", "dxa", None),
    "table width in twips (Word's and Writer's usual)": ("dxa", "fixed", "dxa", None),
    "table width 100%, autofit layout": ("pct", "autofit", "dxa", None),
    "no layout given (autofit), cell widths in percent": ("dxa", None, "pct", None),
    "wider cell margins": ("dxa", "fixed", "dxa", 170),
}


@pytest.mark.parametrize("save", WORD_SAVES, ids=list(WORD_SAVES))
def test_a_template_saved_by_word_prints_finance_tables_across_the_page(tmp_path, programme, save):
    (tmp_path / "word").mkdir()
    template = rewrite(shutil.copy(BCL, tmp_path / "word" / BCL.name), "word/document.xml",
                       _as_word_saves(*WORD_SAVES[save]))
    out = tmp_path / "built.docx"
    out.write_bytes(render_case(sample_case("bcl-service-optimisation", programme), programme, template=template))
    tables = _finance_tables(out)
    assert len(tables) == 2
    for tbl in tables:
        grid = _grid(tbl)
        assert len(grid) == 6 and abs(sum(grid) - TEXT_WIDTH) <= 10, grid  # label, four years, Total
        for tr in tbl.findall(f"{W}tr"):
            assert [int(w.get(f"{W}w")) for w in tr.iter(f"{W}tcW")] == grid
            assert {w.get(f"{W}type") for w in tr.iter(f"{W}tcW")} == {"dxa"}
        tblw = tbl.find(f"{W}tblPr/{W}tblW")
        if tblw.get(f"{W}type") == "dxa":
            assert int(tblw.get(f"{W}w")) == sum(grid)
    assert run("templates", "check", template).exit_code == 0


def _long_case(programme, years: int, amount: str):
    case = sample_case("bcl-service-optimisation", programme)
    names = [f"{23 + i}/{24 + i}" for i in range(years)]
    case.finance.years = [FinanceYear(year=y, one_off_investment=Decimal(amount), one_off_savings=Decimal(amount),
                                      recurring_investment=Decimal(amount), recurring_savings=Decimal(amount))
                          for y in names]
    return case


@pytest.mark.parametrize("years, amount", [(4, "12345678"), (5, "9876543"), (2, "1000000")])
def test_long_amounts_and_many_years_keep_whole_within_the_page(tmp_path, programme, years, amount):
    out = tmp_path / "long.docx"
    out.write_bytes(render_case(_long_case(programme, years, amount), programme))
    for tbl in _finance_tables(out):
        grid = _grid(tbl)
        assert len(grid) == years + 2 and sum(grid) <= TEXT_WIDTH
        for texts in _texts(tbl)[1:]:
            for width, text in zip(grid[1:], texts[1:], strict=True):
                assert width >= word_width(text, 20) + 216, (text, width)  # 10 pt, and Word's cell margins


def test_a_narrow_column_takes_room_from_the_others_and_never_passes_the_page():
    # in proportion to the room each has to spare
    assert fit([3000, 1000, 1000], [1500, 1300, 600], 9638) == [2763, 1300, 936]
    assert fit([3000, 1000], [1000, 900], 9638) == [3000, 1000]  # nothing to do: the template's widths
    assert fit([6000, 6000], [1000, 1000], 9638) == [4819, 4819]  # a table wider than the page is brought in
    assert sum(fit([9000, 500], [1000, 1400], 9638)) <= 9638


def test_templates_check_names_a_table_too_narrow_for_its_amounts(tmp_path):
    """The office narrows the year column to 1 cm and widens the label's so the table still spans the page."""
    (tmp_path / "edited").mkdir()

    def narrow(data: bytes) -> bytes:
        root = etree.fromstring(data)
        for tbl in _finance_like(root):
            cols = tbl.find(f"{W}tblGrid").findall(f"{W}gridCol")
            new = [TEXT_WIDTH - 567 - 2 * 227 - 1361, 227, 567, 227, 1361][:len(cols)]
            for col, width in zip(cols, new, strict=False):
                col.set(f"{W}w", str(width))
            for tr in tbl.findall(f"{W}tr"):
                for tc, width in zip(tr.findall(f"{W}tc"), new, strict=False):
                    tc.find(f"{W}tcPr/{W}tcW").set(f"{W}w", str(width))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    template = rewrite(shutil.copy(BCL, tmp_path / "edited" / BCL.name), "word/document.xml", narrow)
    result = run("templates", "check", template)
    assert "Financial Delivery, table" in result.output and "column 3 is 1.0 cm wide" in result.output, result.output
    assert "[template-geometry]" in result.output
    assert "cm wide" not in run("templates", "check", BCL).output


def _finance_like(root):
    return [t for t in root.iter(f"{W}tbl") if "{%tc for y in finance.years %}" in "".join(
        x.text or "" for x in t.iter(f"{W}t"))]


def test_word_width_measures_an_amount_as_arial_prints_it():
    # Arial's digits and £ are 0.556 em, its comma 0.278 em: £200,000 at 10 pt is 41.7 pt (834 twips), as
    # LibreOffice prints it (pdftotext -bbox of a built document: 41.6 pt)
    assert word_width("£200,000", 20) == 834
    assert word_width(AMOUNT, 20) > word_width("£9,999,999", 20)


def test_a_loop_that_makes_as_many_columns_as_the_template_draws_still_gets_its_widths(tmp_path, programme):
    """Three validated years make four cells, as many as the template's grid has columns (label, loop tag, year,
    loop tag): the grid still follows the cells, not the tag columns' 0.4 cm."""
    case = sample_case("bcl-service-optimisation", programme)
    case.finance.validated = [type(case.finance.validated[0])(year=y, recurring_savings=Decimal("1000"))
                              for y in ("23/24", "24/25", "25/26")]
    out = tmp_path / "three.docx"
    out.write_bytes(render_case(case, programme))
    validated = next(t for t in _tables(out) if _texts(t)[0] == ["", "23/24", "24/25", "25/26"])
    assert _grid(validated) == [2835, 1361, 1361, 1361]
