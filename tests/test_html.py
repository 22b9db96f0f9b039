"""`build --html` and `portfolio --summary --html`: each document as a web page a council can publish as it is.

What a reader and a web editor check: the page says the same words as its Word document in the same order,
in the configured language, with a title, one h1 and headings in order, header cells in every table, money
right-aligned, nothing fetched from elsewhere; text typed in a form stays text; and the page lives and dies
with its document, never replacing a file casegen did not write. (In a browser, with axe-core:
test_html_browser.py, slow.)
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import html as lhtml

from casegen import config
from casegen.intake.form import write_form
from docx_text import text as docx_text
from docx_text import words
from helpers import digest, run, sample_case

SAMPLES = ["bcl-service-optimisation", "bcl-neighbourhood-working-model", "brief-neighbourhood-working-model"]
BLOCKS = ("p", "li", "ul", "ol", "tr", "th", "td", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "br", "div")


def page_text(path: Path) -> str:
    """The text of a page's main content, a line for each block (as a browser lays it out)."""
    main = lhtml.parse(str(path)).getroot().find(".//main")
    for el in main.iter(*BLOCKS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    return lhtml.tostring(main, method="text", encoding="unicode")


def root(path: Path):
    return lhtml.parse(str(path)).getroot()


def build_pages(base: Path) -> dict[str, Path]:
    """The samples' pages and the summary's, built through the command line as a lead runs it."""
    programme = config.load()
    for name in SAMPLES:
        case = sample_case(name, programme)
        write_form(case.kind, base / "inputs" / f"{name}.xlsx", programme, case)
    out = base / "out"
    result = run("build", base / "inputs", "-o", out, "--html")
    assert result.exit_code == 0, result.output
    assert "3 web pages written" in result.output
    result = run("portfolio", base / "inputs", "-o", out / "tracker.xlsx", "--summary", out / "summary.docx", "--html")
    assert result.exit_code == 0, result.output
    return {name: out / f"{name}.html" for name in [*SAMPLES, "summary"]}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return build_pages(tmp_path_factory.mktemp("html"))


def test_every_page_has_the_words_of_its_document_in_order(pages):
    for name, page in pages.items():
        want, got = words(docx_text(page.with_suffix(".docx"))), words(page_text(page))
        assert len(want) > 300, name
        assert got == want, name


def test_every_page_is_in_the_configured_language_with_a_title_and_headings_in_order(pages):
    for name, page in pages.items():
        doc = root(page)
        assert doc.get("lang") == "en-GB"
        title = doc.findtext(".//title")
        assert ("Portfolio summary" if name == "summary" else "Neighbourhood Working Model"
                if "neighbourhood" in name else "Service Optimisation") in title
        levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert levels.count(1) == 1 and levels[0] == 1, name
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), (name, levels)
        assert doc.find(".//main[@id='main']") is not None
        assert doc.find(".//a[@href='#main']").text_content() == "Skip to main content"
        assert doc.find(".//meta[@name='generator']").get("content") == "casegen"


def test_every_table_has_header_cells_with_their_scope(pages):
    for name, page in pages.items():
        tables = root(page).findall(".//table")
        assert len(tables) >= 5, name
        for table in tables:
            heads = table.findall(".//th")
            assert heads, (name, table.text_content()[:80])
            assert all(th.get("scope") in ("col", "row") for th in heads), name
            assert table.findall("./thead/tr/th[@scope='col']"), name
    labels = [th.text_content() for th in root(pages["bcl-service-optimisation"]).findall(".//th[@scope='row']")]
    assert "Project Title" in labels and "Recurring Savings" in labels


def test_a_bold_line_above_a_table_is_its_caption_and_money_is_right_aligned(pages):
    doc = root(pages["bcl-service-optimisation"])
    captions = [c.text_content() for c in doc.iter("caption")]
    assert "One off Investment required and savings" in captions
    assert "Ongoing investments and savings" in captions
    savings = next(tr for tr in doc.iter("tr") if tr[0].text_content() == "Recurring Savings")
    assert [td.get("class") for td in savings[1:]] == ["num"] * (len(savings) - 1)
    assert "£200,000" in [td.text_content() for td in savings]
    one_off = next(tr for tr in doc.iter("tr") if tr[0].text_content() == "One-off Investment")  # dashes only
    assert [td.get("class") for td in one_off[1:]] == ["num"] * (len(one_off) - 1)
    assert [th.get("class") for th in doc.find(".//table").iter("th")] == [None] * 10  # label | value: no figures
    summary = root(pages["summary"])
    year = next(tr for tr in summary.iter("tr") if tr[0].text_content() == "24/25")
    assert year[1].text_content() == "£200,000" and year[1].get("class") == "num"
    assert summary.find(".//thead//th[@class='num']").text_content() == "Net savings"


def test_bullets_of_the_second_level_are_a_list_inside_the_item_above(pages):
    doc = root(pages["brief-neighbourhood-working-model"])
    item = next(li for li in doc.iter("li") if li.text and li.text.startswith("Creation of a Target Operating"))
    assert [li.text_content() for li in item.findall("./ul/li")][:3] == ["Principles", "People", "Process"]


def test_a_page_fetches_nothing_from_elsewhere(pages):
    for name, page in pages.items():
        doc = root(page)
        assert not doc.findall(".//script") and not doc.findall(".//link") and not doc.findall(".//iframe")
        for el in doc.iter():
            for attr in ("src", "href", "action", "data", "poster"):
                value = el.get(attr)
                assert value is None or value.startswith(("#", "data:")), (name, el.tag, value)
        style = "".join(s.text for s in doc.iter("style"))
        assert "url(" not in style and "@import" not in style and "font-family" in style


def test_text_typed_in_a_form_is_printed_as_text(make_form, tmp_path):
    typed = '<script>alert("x")</script> & <b>bold</b>'

    def edit(case):
        case.objectives[0].text = typed
        case.project.title = "Out of hours <script>"

    form = make_form(edit=edit)
    result = run("build", form, "-o", tmp_path / "out", "--html")
    assert result.exit_code == 0, result.output
    page = tmp_path / "out" / f"{form.stem}.html"
    doc = root(page)
    assert doc.findall(".//script") == [] and doc.findall(".//main//b") == []
    assert typed in [li.text_content() for li in doc.iter("li")]
    assert doc.findtext(".//title").startswith("Out of hours <script>")
    assert b"<script" not in page.read_bytes()


def test_the_configured_language_is_the_pages(make_form, tmp_path):
    assert run("templates", "export", tmp_path / "office").exit_code == 0
    config = tmp_path / "office" / "programme.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\nlanguage = "cy-GB"\n', encoding="utf-8")
    result = run("--config", config, "build", make_form(), "-o", tmp_path / "out", "--html")
    assert result.exit_code == 0, result.output
    assert root(tmp_path / "out" / "bcl-service-optimisation.html").get("lang") == "cy-GB"


# The page goes with its document

def test_a_missing_or_older_page_is_written_again_without_rebuilding_the_document(make_form, tmp_path):
    form, out = make_form(), tmp_path / "out"
    assert run("build", form, "-o", out, "--html").exit_code == 0
    document, page = out / f"{form.stem}.docx", out / f"{form.stem}.html"
    before = digest(document)
    page.unlink()
    result = run("build", form, "-o", out, "--html")
    assert result.exit_code == 0 and "0 built, 1 up to date" in result.output and "1 web page written" in result.output
    assert page.exists() and digest(document) == before
    os.utime(page, ns=(document.stat().st_mtime_ns - 10**9,) * 2)  # older than its document
    assert "1 web page written" in run("build", form, "-o", out, "--html").output
    assert "web page" not in run("build", form, "-o", out, "--html").output  # up to date: left alone


def test_a_page_casegen_did_not_write_fails_only_its_form(make_form, tmp_path):
    mine = make_form()
    other = make_form("brief-neighbourhood-working-model")
    out = tmp_path / "out"
    out.mkdir()
    theirs = out / f"{mine.stem}.html"
    theirs.write_text("<p>the council's own page</p>", encoding="utf-8")
    result = run("build", tmp_path, "-o", out, "--html")
    assert result.exit_code == 1
    assert f"{theirs} is in the way and is left as it was" in result.output and "[build-foreign-file]" in result.output
    assert theirs.read_text(encoding="utf-8") == "<p>the council's own page</p>"
    assert (out / f"{other.stem}.html").exists()
    result = run("build", tmp_path, "-o", out, "--html", "--force")
    assert result.exit_code == 0, result.output
    assert root(theirs).find(".//main") is not None


def test_a_page_is_pruned_with_its_document_and_a_foreign_one_is_left(make_form, tmp_path):
    out = tmp_path / "out"
    one, two = make_form(), make_form("brief-neighbourhood-working-model")
    assert run("build", tmp_path, "-o", out, "--html").exit_code == 0
    (out / f"{two.stem}.html").write_text("<p>edited by hand</p>", encoding="utf-8")
    one.unlink(), two.unlink()
    keep = make_form("bcl-neighbourhood-working-model")
    result = run("build", tmp_path, "-o", out, "--html", "--prune")
    assert result.exit_code == 0, result.output
    assert not (out / f"{one.stem}.docx").exists() and not (out / f"{one.stem}.html").exists()
    assert not (out / f"{two.stem}.docx").exists()
    assert (out / f"{two.stem}.html").read_text(encoding="utf-8") == "<p>edited by hand</p>"
    assert "not pruned with its document" in result.output
    assert (out / f"{keep.stem}.html").exists()


def _edit(page: Path, words: str) -> None:
    """A person's edit of casegen's page: the words changed, casegen's mark kept, as an editor leaves it."""
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</main>", f"<p>{words}</p></main>"), encoding="utf-8")


def test_a_page_a_person_edited_is_kept_under_a_dated_name_and_never_pruned(make_form, tmp_path):
    out = tmp_path / "out"
    one, two = make_form(), make_form("brief-neighbourhood-working-model")
    assert run("build", tmp_path, "-o", out, "--html").exit_code == 0
    page, untouched = out / f"{one.stem}.html", out / f"{two.stem}.html"
    _edit(page, "Agreed at the board on 3 December.")
    result = run("build", tmp_path, "-o", out, "--html", "-B")
    assert result.exit_code == 0 and "2 web pages written" in result.output, result.output
    [kept] = out.glob(f"{one.stem}.edited-*.html")
    assert "Agreed at the board on 3 December." in kept.read_text(encoding="utf-8")
    assert "Agreed at the board" not in page.read_text(encoding="utf-8")
    assert f"{page}: edited since casegen wrote it; kept as {kept}" in result.output
    assert not list(out.glob(f"{two.stem}.edited-*"))  # a page as casegen wrote it is simply replaced
    _edit(untouched, "Our own note.")
    two.unlink()
    result = run("build", tmp_path, "-o", out, "--html", "--prune")
    assert f"{untouched}: not pruned with its document, it was edited since casegen wrote it" in result.output
    assert "Our own note." in untouched.read_text(encoding="utf-8") and not (out / f"{two.stem}.docx").exists()


def test_the_summary_page_a_person_edited_is_kept_before_the_new_one_is_written(make_form, tmp_path):
    make_form()
    out = tmp_path / "out"
    args = ("portfolio", tmp_path, "-o", out / "t.xlsx", "--summary", out / "summary.docx", "--html")
    assert run(*args).exit_code == 0
    _edit(out / "summary.html", "Checked by the finance review group.")
    result = run(*args)
    assert result.exit_code == 0, result.output
    [kept] = out.glob("summary.edited-*.html")
    assert "Checked by the finance review group." in kept.read_text(encoding="utf-8")
    assert "Checked by" not in (out / "summary.html").read_text(encoding="utf-8")
    assert f"{out / 'summary.html'}: edited since casegen wrote it; kept as {kept}" in result.output


def test_the_summary_page_refuses_a_file_casegen_did_not_write_before_reading_any_form(make_form, tmp_path):
    make_form()
    theirs = tmp_path / "out" / "summary.html"
    theirs.parent.mkdir()
    theirs.write_text("<p>theirs</p>", encoding="utf-8")
    result = run("portfolio", tmp_path, "-o", tmp_path / "out" / "t.xlsx",
                 "--summary", tmp_path / "out" / "summary.docx", "--html")
    assert result.exit_code == 1 and f"{theirs} is in the way" in result.output
    assert not (tmp_path / "out" / "t.xlsx").exists() and theirs.read_text(encoding="utf-8") == "<p>theirs</p>"
    result = run("portfolio", tmp_path, "-o", tmp_path / "out" / "t.xlsx", "--html")
    assert result.exit_code == 2 and "--summary" in result.output


# What an office's own template may hold

def _png() -> bytes:
    """A 1 x 1 white PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def _document(build) -> bytes:
    import io

    from docx import Document

    doc = Document()
    build(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_picture_with_alternative_text_is_kept_in_the_page_and_one_without_is_left_out_and_named():
    import io

    from casegen.render.html import page

    def build(doc):
        doc.add_paragraph("Annual report", style="Title")
        doc.add_picture(io.BytesIO(_png()))
        doc.inline_shapes[0]._inline.docPr.set("descr", "The council's logo")
        doc.add_picture(io.BytesIO(_png()))

    made = page(_document(build), "en-GB")
    doc = lhtml.fromstring(made.html)
    images = doc.findall(".//img")
    assert [img.get("alt") for img in images] == ["The council's logo"]
    assert images[0].get("src").startswith("data:image/png;base64,")
    assert len(made.notes) == 1 and "without alternative text" in made.notes[0]


def test_headings_in_the_page_skip_no_level_and_there_is_one_h1():
    from casegen.render.html import page

    def build(doc):
        doc.core_properties.title = "Annual report"
        doc.add_paragraph("Annual report", style="Title")
        doc.add_paragraph("Straight to a third level", style="Heading 3")
        doc.add_paragraph("A second title", style="Title")
        doc.add_paragraph("Section", style="Heading 1")

    doc = lhtml.fromstring(page(_document(build), "en-GB").html)
    assert [(h.tag, h.text) for h in doc.iter("h1", "h2", "h3", "h4")] == [
        ("h1", "Annual report"), ("h2", "Straight to a third level"), ("h2", "A second title"), ("h2", "Section")]
    assert doc.findtext(".//title") == "Annual report"


def test_a_list_word_numbers_by_level_nests_whatever_its_style():
    """Bullets made a real Word list (one numbering, levels by w:ilvl), as an office's template may have them."""
    import copy

    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from casegen.render.html import page

    def build(doc):
        numbering = doc.part.numbering_part.element
        style = doc.styles["List Bullet"].element
        num_id = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}").get(qn("w:val"))
        num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id)
        abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                        if a.get(qn("w:abstractNumId")) == abstract_id)
        second = copy.deepcopy(abstract.find(qn("w:lvl")))
        second.set(qn("w:ilvl"), "1")
        abstract.find(qn("w:lvl")).addnext(second)
        doc.add_paragraph("Plan", style="Title")
        for text, level in (("Scope", 0), ("Housing", 1), ("Care", 1), ("Timing", 0)):
            p = doc.add_paragraph(text, style="List Bullet")
            numbered = OxmlElement("w:numPr")
            for tag, value in (("w:ilvl", level), ("w:numId", num_id)):
                el = OxmlElement(tag)
                el.set(qn("w:val"), str(value))
                numbered.append(el)
            p._p.get_or_add_pPr().append(numbered)

    doc = lhtml.fromstring(page(_document(build), "en-GB").html)
    top = doc.find(".//main/ul")
    assert [li.text for li in top.findall("li")] == ["Scope", "Timing"]
    assert [li.text for li in top.findall("li/ul/li")] == ["Housing", "Care"]


def test_a_folder_of_the_pages_name_is_never_replaced_even_with_force(make_form, tmp_path):
    form, out = make_form(), tmp_path / "out"
    (out / f"{form.stem}.html").mkdir(parents=True)
    for extra in ([], ["--force"]):
        result = run("build", form, "-o", out, "--html", *extra)
        assert result.exit_code == 1 and "it is a folder" in result.output and "[build-foreign-file]" in result.output
        assert "add --force" not in result.output
        assert (out / f"{form.stem}.html").is_dir() and (out / f"{form.stem}.docx").exists()
