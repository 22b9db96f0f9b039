"""A document's tables are measured and fitted again only where a loop can change their columns (or the template
draws them wider than the page, or with widths Word wrote in percent); every other table prints as drawn."""
import io
import re
import shutil
import zipfile

import pytest
from lxml import etree

from casegen.ooxml import W
from casegen.render import TEMPLATE_FILES, render_case, templates_dir
from casegen.render import engine as rdocx
from casegen.templating import geometry
from helpers import rewrite, sample_case

SAMPLES = ["bcl-service-optimisation", "bcl-neighbourhood-working-model", "brief-neighbourhood-working-model"]
COLUMN_LOOP = re.compile(r"\{%-?\s*tc\b")
YEAR = re.compile(r"(\d\d)?\d\d/\d\d")  # the heading of a finance table's column for a year: 2025/26


def _body(docx: bytes | str):
    with zipfile.ZipFile(io.BytesIO(docx) if isinstance(docx, bytes) else docx) as zf:
        return etree.fromstring(zf.read("word/document.xml")).find(f"{W}body")


def _grid(tbl) -> list[int]:
    return [int(c.get(f"{W}w")) for c in tbl.find(f"{W}tblGrid")]


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


def _drawn(kind: str) -> list[tuple[str, list[int]]]:
    """(first cell's text, grid) of each table of a shipped template that no loop gives other columns."""
    return [(_text(tbl.find(f"{W}tr/{W}tc")), _grid(tbl)) for tbl in _body(templates_dir() / TEMPLATE_FILES[kind])
            .iter(f"{W}tbl") if not COLUMN_LOOP.search(_text(tbl))]


@pytest.mark.parametrize("kind", sorted(TEMPLATE_FILES))
def test_every_shipped_template_draws_its_tables_within_the_page(kind):
    body = _body(templates_dir() / TEMPLATE_FILES[kind])
    limit = geometry.text_width(body)
    assert limit == 9638  # A4 less two 2 cm margins
    for tbl in body.iter(f"{W}tbl"):
        assert sum(_grid(tbl)) <= limit, (_text(tbl)[:40], _grid(tbl))  # else fitted again in every document


@pytest.mark.parametrize("name", SAMPLES)
def test_a_documents_tables_are_within_the_page_and_only_the_column_loops_are_fitted(name, programme, monkeypatch):
    fitted: list[str] = []
    real = geometry.repair_table
    monkeypatch.setattr(geometry, "repair_table", lambda tbl, size, limit: fitted.append(_text(tbl)) or
                        real(tbl, size, limit))
    case = sample_case(name, programme)
    docx = render_case(case, programme)
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:  # the template's marks never reach a document
        assert not [n for n in zf.namelist() if geometry.FIT.encode() in zf.read(n)]
    body = _body(docx)
    limit = geometry.text_width(body)
    tables = list(body.iter(f"{W}tbl"))
    years = [t for t in tables if YEAR.fullmatch(_text(t.findall(f"{W}tr/{W}tc")[1]) if len(_grid(t)) > 1 else "")]
    assert len(years) == (0 if case.kind == "brief" else 2 + bool(case.finance.validated))  # one-off, ongoing, Finance
    assert sorted(fitted) == sorted(_text(t) for t in years)  # the finance tables, a column a year: nothing else
    drawn = _drawn(case.kind)
    for tbl in tables:
        grid = _grid(tbl)
        assert sum(grid) <= limit, (_text(tbl)[:40], grid)
        for tr in tbl.findall(f"{W}tr"):  # every row's cells as wide as the grid's columns they span
            widths = [int(w.get(f"{W}w")) for w in tr.findall(f"{W}tc/{W}tcPr/{W}tcW")]
            assert sum(widths) == sum(grid) and {w.get(f"{W}type") for w in tr.iter(f"{W}tcW")} == {"dxa"}
        width = tbl.find(f"{W}tblPr/{W}tblW")
        if width.get(f"{W}type") == "dxa":
            assert int(width.get(f"{W}w")) == sum(grid)
        if tbl not in years:  # as the template draws one of its tables, to the twip
            assert grid in [g for _, g in drawn], (_text(tbl)[:40], grid)


def test_a_table_drawn_wider_than_the_page_is_fitted_to_it_in_each_document(tmp_path, programme, monkeypatch):
    # The approvals table as the template tool drew it before (6 + 7 + 4 cm rounded a column at a time): one twip
    # wider than the text, which Word shows as it is and only casegen's fitting brings back within the page.
    def wider(data: bytes) -> bytes:
        return (data.replace(b'<w:gridCol w:w="3968"/>', b'<w:gridCol w:w="3969"/>')
                .replace(b'<w:tcW w:type="dxa" w:w="3968"/>', b'<w:tcW w:type="dxa" w:w="3969"/>'))

    bcl = templates_dir() / TEMPLATE_FILES["bcl"]
    (tmp_path / "t").mkdir()
    template = rewrite(shutil.copy(bcl, tmp_path / "t" / bcl.name), "word/document.xml", wider)
    assert [g for _, g in _drawn("bcl") if sum(g) == 9638 and 3968 in g]  # the shipped one is within the page
    assert any(sum(_grid(t)) == 9639 for t in _body(template).iter(f"{W}tbl"))
    fitted: list[str] = []
    real = geometry.repair_table
    monkeypatch.setattr(geometry, "repair_table", lambda tbl, size, limit: fitted.append(_text(tbl)) or
                        real(tbl, size, limit))
    body = _body(render_case(sample_case("bcl-service-optimisation", programme), programme, template=template))
    approvals = [t for t in body.iter(f"{W}tbl") if _text(t.find(f"{W}tr/{W}tc")) == "Name"]
    assert len(approvals) == 1 and sum(_grid(approvals[0])) <= 9638
    assert _text(approvals[0]) in fitted


def _part(body: str) -> bytes:
    return (f'<w:document xmlns:w="{W[1:-1]}"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
            '<w:pgMar w:left="1134" w:right="1134" w:top="1134" w:bottom="1134"/></w:sectPr></w:body>'
            '</w:document>').encode()


def _table(columns: list[int], cells: str, width: int | None = None) -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in columns)
    tblw = f'<w:tblW w:type="dxa" w:w="{width}"/>' if width is not None else ""
    return f"<w:tbl><w:tblPr>{tblw}</w:tblPr><w:tblGrid>{grid}</w:tblGrid><w:tr>{cells}</w:tr></w:tbl>"


def _cell(width: int, text: str, kind: str = "dxa", inner: str = "") -> str:
    return (f'<w:tc><w:tcPr><w:tcW w:type="{kind}" w:w="{width}"/></w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
            f"{inner}</w:tc>")


def test_mark_tables_marks_what_a_document_must_fit_and_settles_the_rest():
    plain = _table([4000, 5638], _cell(4000, "Name") + _cell(5638, "{{ a.name }}"), width=1)
    looped = _table([3000, 300, 1400, 300], _cell(3000, "") + _cell(300, "{%tc for y in years %}")
                    + _cell(1400, "{{ y.year }}") + _cell(300, "{%tc endfor %}"))
    wide = _table([5000, 4639], _cell(5000, "a") + _cell(4639, "b"))
    percent = _table([4819, 4819], _cell(2000, "a", "pct") + _cell(3000, "b", "pct"))  # 40% and 60%, as Word may
    as_drawn = _table([4819, 4819], _cell(2500, "a", "pct") + _cell(2500, "b", "pct"))  # write them
    nested = _table([9638], _cell(9638, "outer", inner=looped))
    root = etree.fromstring(geometry.mark_tables(_part(plain + looped + wide + percent + as_drawn + nested)))
    marks = [t.get(geometry.FIT) for t in root.iter(f"{W}tbl")]
    assert marks == [None, "page", "page", "page", None, "page", "cell"]  # the outer table holds the loop's tags
    assert root.find(f"{W}body/{W}tbl/{W}tblPr/{W}tblW").get(f"{W}w") == "9638"  # as its grid, once a template


def test_a_cell_a_loop_left_empty_gets_a_paragraph_without_the_part_made_a_tree_twice():
    empty = '<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="9638"/></w:tcPr></w:tc>'
    part = _part(_table([4819, 4819], _cell(4819, "kept") + empty))
    filled = rdocx._cells_filled(part)
    assert filled is not None
    cells = etree.fromstring(filled).findall(f".//{W}tc")
    assert [len(tc.findall(f"{W}p")) for tc in cells] == [1, 1]
    # a cell that begins with something other than a paragraph is left to the search through the tree
    table_first = '<w:tc><w:tcPr/><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:tc>'
    assert rdocx._cells_filled(_part(_table([9638], table_first))) is None
    tree = etree.fromstring(_part(_table([9638], table_first)))
    rdocx._repair_tables(tree)
    assert [len(tc.findall(f"{W}p")) for tc in tree.iter(f"{W}tc")] == [1, 1]
