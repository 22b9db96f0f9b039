"""Documents a council can publish: what Word's and LibreOffice's accessibility checkers and a PDF/UA check ask.

The checks of every document the suite writes are in wordclean.py (run by conftest's audit); here they are
shown to fail on a document that lacks each point, and the points they do not cover are checked on the
samples: the configured language, an office-edited template, empty paragraphs, the footer, bullets, money.
"""
from __future__ import annotations

import re
import zipfile

import pytest
from docx import Document
from lxml import etree

from casegen.batch.pdf import PDF_FILTER
from casegen.intake.form import write_form
from helpers import convert, rewrite, run, sample_case
from wordclean import DC, W, accessibility_findings

SAMPLES = {"bcl-service-optimisation": "Service Optimisation",
           "bcl-neighbourhood-working-model": "Neighbourhood Working Model",
           "brief-neighbourhood-working-model": "Neighbourhood Working Model"}
SUMMARY_TITLE = "Portfolio summary – Luton Transformation Programme"


def part(path, name: str):
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read(name))


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


@pytest.fixture(scope="module")
def documents(tmp_path_factory, programme):
    """The three samples and the portfolio summary of them, built through the command line (once: the tests
    only read them)."""
    tmp_path = tmp_path_factory.mktemp("documents")
    for name in SAMPLES:
        write_form(name.split("-", 1)[0], tmp_path / f"{name}.xlsx", programme, sample_case(name, programme))
    out = tmp_path / "out"
    assert run("build", tmp_path, "-o", out).exit_code == 0
    summary = out / "summary.docx"
    result = run("portfolio", tmp_path, "-o", out / "tracker.xlsx", "--summary", summary)
    assert result.exit_code == 0, result.output
    return {**{name: out / f"{name}.docx" for name in SAMPLES}, "summary": summary}


def test_every_document_is_accessible_in_british_english_with_its_title(documents):
    for name, path in documents.items():
        assert accessibility_findings(path, language="en-GB") == []
        core = part(path, "docProps/core.xml")
        assert core.findtext(f"{DC}title") == SAMPLES.get(name, SUMMARY_TITLE)
        assert core.findtext(f"{DC}language") == "en-GB"
        settings = part(path, "word/settings.xml")
        assert settings.find(f"{W}themeFontLang").get(f"{W}val") == "en-GB"


def _config(tmp_path, line: str):
    """The default configuration (as `templates export` writes it, beside the templates) with one more line."""
    assert run("templates", "export", tmp_path / "office").exit_code == 0
    config = tmp_path / "office" / "programme.toml"
    config.write_text(config.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return config


def test_the_configured_language_is_the_documents(make_form, tmp_path):
    config = _config(tmp_path, 'language = "cy-GB"')
    result = run("--config", config, "build", make_form(), "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    doc = tmp_path / "out" / "bcl-service-optimisation.docx"
    assert accessibility_findings(doc, language="cy-GB") == []
    assert part(doc, "docProps/core.xml").findtext(f"{DC}language") == "cy-GB"


def test_a_language_that_is_no_language_tag_is_refused(tmp_path):
    config = _config(tmp_path, 'language = "British"')
    result = run("--config", config, "schema", "bcl")
    assert result.exit_code != 0 and "language" in result.output and "'British'" in result.output


def test_a_template_the_office_saved_in_american_english_still_gives_british_documents(make_form, tmp_path):
    assert run("templates", "export", tmp_path / "office").exit_code == 0
    template = tmp_path / "office" / "business_case_lite.docx"

    def american(xml: bytes) -> bytes:
        assert b'w:val="en-GB"' in xml
        return xml.replace(b'w:val="en-GB"', b'w:val="en-US"')

    rewrite(template, "word/styles.xml", american)
    rewrite(template, "word/settings.xml", american)
    rewrite(template, "docProps/core.xml", lambda xml: xml.replace(b"en-GB", b"en-US"))
    result = run("--templates", tmp_path / "office", "build", make_form(), "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    doc = tmp_path / "out" / "bcl-service-optimisation.docx"
    assert accessibility_findings(doc, language="en-GB") == []
    assert part(doc, "docProps/core.xml").findtext(f"{DC}title") == "Service Optimisation"


def _checked(tmp_path, draw) -> list[str]:
    """The accessibility findings in a document that `draw(doc)` made with python-docx, stamped as casegen's."""
    doc = Document()
    doc.core_properties.title, doc.core_properties.language = "A title", "en-GB"
    draw(doc)
    path = tmp_path / "drawn.docx"
    doc.save(path)

    def british(xml: bytes) -> bytes:
        return xml.replace(b'w:val="en-US"', b'w:val="en-GB"')

    rewrite(path, "word/styles.xml", british)
    return [line.split(": ", 1)[1] for line in accessibility_findings(path)]


def test_the_checks_find_a_table_without_a_header_row_a_skipped_heading_and_a_picture_without_text(tmp_path):
    assert _checked(tmp_path, lambda doc: doc.add_heading("One", 1)) == []

    def faulty(doc):
        doc.add_heading("One", 1)
        doc.add_heading("Three", 3)
        doc.add_table(rows=2, cols=2).cell(0, 0).text = "Label"
        picture = tmp_path / "dot.png"
        picture.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                          "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a2bd5ab1"
                                          "0000000049454e44ae426082"))
        doc.add_picture(str(picture))
        doc.core_properties.title = ""

    found = _checked(tmp_path, faulty)
    assert found == ["no title in the document's properties (dc:title)",
                     "heading 'Three' is level 3 after level 1: a level is skipped",
                     "table starting 'Label' has no header row marked to repeat (w:tblHeader)",
                     "picture 'Picture 1' has no alternative text"]


def _empty(p) -> bool:
    return not _text(p).strip() and not p.xpath(".//*[local-name()='drawing' or local-name()='fldSimple']")


def test_no_empty_paragraph_but_one_between_two_tables_or_a_cells_only_one(documents):
    for path in documents.values():
        body = part(path, "word/document.xml").find(f"{W}body")
        for p in body.iter(f"{W}p"):
            if not _empty(p):
                continue
            before, after = p.getprevious(), p.getnext()
            alone_in_cell = p.getparent().tag == f"{W}tc" and len(p.getparent().findall(f"{W}p")) == 1
            between = before is not None and before.tag == f"{W}tbl" and after is not None and (
                after.tag in (f"{W}tbl", f"{W}sectPr"))
            assert alone_in_cell or between, f"{path.name}: an empty paragraph after {_text(before)[:60]!r}"


def test_page_numbers_print_at_the_footers_size(documents):
    with zipfile.ZipFile(documents["bcl-service-optimisation"]) as zf:
        footer = etree.fromstring(zf.read("word/footer1.xml"))
    sizes = {r.find(f"{W}rPr/{W}sz").get(f"{W}val") for r in footer.iter(f"{W}r")}
    fields = [f.get(f"{W}instr").strip() for f in footer.iter(f"{W}fldSimple")]
    assert fields == ["PAGE", "NUMPAGES"] and sizes == {"16"}  # half-points: every run, the numbers too, at 8 pt


def test_second_level_bullets_have_a_glyph_of_their_own(documents):
    path = documents["bcl-neighbourhood-working-model"]
    styles, numbering = part(path, "word/styles.xml"), part(path, "word/numbering.xml")

    def glyph(style_id: str) -> str:
        num_id = styles.find(f".//{W}style[@{W}styleId='{style_id}']/{W}pPr/{W}numPr/{W}numId").get(f"{W}val")
        abstract = numbering.find(f"{W}num[@{W}numId='{num_id}']/{W}abstractNumId").get(f"{W}val")
        level = numbering.find(f"{W}abstractNum[@{W}abstractNumId='{abstract}']/{W}lvl")
        return level.find(f"{W}lvlText").get(f"{W}val") + " " + level.find(f"{W}rPr/{W}rFonts").get(f"{W}ascii")

    document = part(path, "word/document.xml")
    used = {p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") for p in document.iter(f"{W}p")
            if p.find(f"{W}pPr/{W}pStyle") is not None}
    assert {"ListBullet", "ListBullet2"} <= used
    assert glyph("ListBullet") != glyph("ListBullet2")


def _money_cells(path) -> list:
    """The cells of amounts in the tables of years (BCL) and of net savings (summary), their headings too."""
    document = part(path, "word/document.xml")
    cells = []
    for tbl in document.iter(f"{W}tbl"):
        head = [_text(tc) for tc in tbl.find(f"{W}tr").findall(f"{W}tc")]
        money = any(re.fullmatch(r"\d\d/\d\d|Net savings", h) for h in head)  # not the risks' Total score
        columns = [i for i, h in enumerate(head)
                   if money and re.fullmatch(r"\d\d/\d\d|Total|Net savings|Target|Gap", h)]
        cells += [tr.findall(f"{W}tc")[i] for tr in tbl.findall(f"{W}tr") for i in columns]
    return cells


def test_amounts_of_money_are_right_aligned(documents):
    for name in ("bcl-service-optimisation", "summary"):
        cells = _money_cells(documents[name])
        assert len([tc for tc in cells if _text(tc).startswith("£")]) >= 6, name
        for tc in cells:
            jc = tc.find(f"{W}p/{W}pPr/{W}jc")
            assert jc is not None and jc.get(f"{W}val") == "right", f"{name}: {_text(tc)!r}"


def test_the_risk_has_more_room_than_its_one_digit_scores(documents):
    document = part(documents["bcl-service-optimisation"], "word/document.xml")
    risks = next(t for t in document.iter(f"{W}tbl") if _text(t.find(f"{W}tr")).startswith("RefRisk"))
    widths = [int(c.get(f"{W}w")) for c in risks.find(f"{W}tblGrid").findall(f"{W}gridCol")]
    ref, risk, likelihood, impact, total, mitigations = widths
    assert risk > likelihood + impact + total and risk >= mitigations  # a 100-letter risk on 3 lines, not 4


@pytest.mark.slow
def test_every_pdf_is_tagged_pdf_ua_with_no_error_or_warning(make_form, tmp_path):
    pdfua = pytest.importorskip("pdfua", reason="pdfua is in the test extra: pip install -e '.[test]'")
    for name in SAMPLES:
        make_form(name)
    out = tmp_path / "out"
    result = run("build", tmp_path, "-o", out, "--pdf")
    assert result.exit_code == 0, result.output
    assert run("portfolio", tmp_path, "-o", out / "tracker.xlsx", "--summary", out / "summary.docx").exit_code == 0
    (summary,) = convert(out / "summary.docx", tmp_path / "summary", PDF_FILTER)
    pdfs = [out / f"{name}.pdf" for name in SAMPLES] + [summary]
    for pdf in pdfs:
        report = pdfua.validate(str(pdf))
        serious = [f"{f.rule_id} {f.severity.name}: {f.message}" for f in report.findings
                   if f.severity >= pdfua.Severity.WARNING]
        assert serious == [], f"{pdf.name}: {serious}"
        assert not any(o.rule_id.startswith("UA-01") for o in report.skipped), pdf.name  # tagging was checked
    pikepdf = pytest.importorskip("pikepdf")  # pdfua's own reader
    for pdf, title in zip(pdfs, [*SAMPLES.values(), SUMMARY_TITLE], strict=True):
        with pikepdf.open(pdf) as opened:
            assert str(opened.Root.Lang) == "en-GB" and str(opened.docinfo.Title) == title
            assert bool(opened.Root.ViewerPreferences.DisplayDocTitle)  # the title, not the file name, as the window's
