"""A template saved by Word or LibreOffice renders the same text as the one casegen ships, and prints the same."""
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from casegen.models.bcl import FinanceYear
from casegen.render import TEMPLATE_FILES, render_case, templates_dir
from docx_text import text
from helpers import convert, rewrite, run, sample_case
from wordclean import findings

SAMPLES = ["bcl-service-optimisation", "bcl-neighbourhood-working-model", "brief-neighbourhood-working-model"]
BCL = templates_dir() / TEMPLATE_FILES["bcl"]
OPEN = '<w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t xml:space="preserve">'  # a run of the tag's own formatting
RUN = "</w:t></w:r>" + OPEN  # the tag's run ends and another begins
REVISION = 'w:author="Programme Office" w:date="2024-03-01T10:00:00Z"'


def build_text(name: str, programme, template: Path, folder: Path) -> str:
    case = sample_case(name, programme)
    out = folder / f"{name}.{template.parent.name}.docx"
    out.write_bytes(render_case(case, programme, template=template))
    return text(out)


@pytest.mark.slow
def test_templates_saved_by_libreoffice_build_the_same_text(tmp_path, programme):
    originals = sorted(templates_dir().glob("*.docx"))
    saved = convert(originals, tmp_path / "saved", "docx:MS Word 2007 XML")
    assert all(p.exists() for p in saved)
    # LibreOffice's own spelling of the tags, the reason for this test: quotes as entities.
    with zipfile.ZipFile(tmp_path / "saved" / TEMPLATE_FILES["bcl"]) as zf:
        assert "money(&quot;£ N/A&quot;)" in zf.read("word/document.xml").decode("utf-8")
    for name in SAMPLES:
        kind = name.split("-", 1)[0]
        original = build_text(name, programme, templates_dir() / TEMPLATE_FILES[kind], tmp_path)
        again = build_text(name, programme, tmp_path / "saved" / TEMPLATE_FILES[kind], tmp_path)
        assert again == original, name
        # and Word would open it without repair: LibreOffice's w:val="true" on row properties is rewritten
        assert findings(tmp_path / f"{name}.saved.docx") == [], name
    assert run("templates", "check", *saved).exit_code == 0


# Each edit is what Word (or Writer) writes for a tag that the office typed or changed in it.
WORD_EDITS = {
    "a tag split across runs of other formatting and revision ids": (
        "{{ project.lead }}",
        '{</w:t></w:r><w:r w:rsidR="00A1B2C3"><w:rPr><w:b w:val="0"/></w:rPr><w:t>{ proj</w:t></w:r>'
        '<w:r w:rsidR="00D4E5F6" w:rsidRPr="00D4E5F6"><w:rPr><w:b/><w:i/><w:color w:val="FF0000"/></w:rPr>'
        '<w:t>ect.le</w:t></w:r><w:r w:rsidRPr="00123456"><w:rPr><w:b w:val="0"/></w:rPr><w:t>ad }}'),
    "spell-check marks inside a tag": (
        "{{ project.lead }}",
        f'{{{{ project.</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:rPr><w:b w:val="0"/></w:rPr>'
        f'<w:t>lead</w:t></w:r><w:proofErr w:type="spellEnd"/>{OPEN} }}}}'),
    "a bookmark inside a tag": (
        "{{ project.lead }}",
        f'{{{{ project.</w:t></w:r><w:bookmarkStart w:id="7" w:name="_Lead"/><w:r><w:rPr><w:b w:val="0"/>'
        f'</w:rPr><w:t>lead</w:t></w:r><w:bookmarkEnd w:id="7"/>{OPEN} }}}}'),
    "curly quotes in a filter's argument": ('money("£ N/A")', "money(“£ N/A”)"),
    "single curly quotes in a filter's argument": ('money("£ N/A")', "money(‘£ N/A’)"),
    "quotes written as entities": ('money("£ N/A")', "money(&quot;£ N/A&quot;)"),
    "apostrophes written as entities": ('money("£ N/A")', "money(&apos;£ N/A&apos;)"),
    "an ampersand and a comparison written as entities": (
        "{{ project.lead }}", "{{ project.lead if &apos;&amp;&apos; | length == 1 and 2 &gt; 1 else &apos;no&apos; }}"),
    "a tracked insertion inside a tag": (
        "{{ project.lead }}",
        f'{{{{ project.</w:t></w:r><w:ins w:id="31" {REVISION}><w:r><w:rPr><w:b w:val="0"/></w:rPr>'
        f'<w:t>lead</w:t></w:r></w:ins>{OPEN} }}}}'),
    "a tracked deletion inside a tag": (
        "{{ project.lead }}",
        f'{{{{ project.</w:t></w:r><w:del w:id="32" {REVISION}><w:r><w:rPr><w:b w:val="0"/></w:rPr>'
        f'<w:delText>sponsor</w:delText></w:r></w:del>{OPEN}lead }}}}'),
    "a tracked deletion and insertion at the end of a tag": (
        "{{ project.lead }}</w:t></w:r>",
        f'{{{{ project.lead</w:t></w:r><w:del w:id="33" {REVISION}><w:r><w:rPr><w:b w:val="0"/></w:rPr>'
        f'<w:delText>er | shout }}}}</w:delText></w:r></w:del><w:ins w:id="34" {REVISION}><w:r><w:rPr>'
        f'<w:b w:val="0"/></w:rPr><w:t xml:space="preserve"> }}}}</w:t></w:r></w:ins>'),
    "a deleted tag left in tracked changes": (
        "{{ project.lead }}",
        f'{{{{ project.lead }}}}</w:t></w:r><w:del w:id="35" {REVISION}><w:r><w:delText>{{{{ project.nosuch }}}}'
        f'</w:delText></w:r></w:del>{OPEN}'),
    "soft hyphens, a page-break mark and non-breaking spaces": (
        "{{ project.lead }}",
        '{{\u00a0proj\u00adect.</w:t></w:r><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:lastRenderedPageBreak/>'
        '<w:t>le</w:t><w:softHyphen/><w:t>ad\u00a0}}'),
}


@pytest.mark.parametrize("edit", WORD_EDITS, ids=list(WORD_EDITS))
def test_a_template_word_edited_builds_the_same_text(tmp_path, programme, edit):
    old, new = WORD_EDITS[edit]
    (tmp_path / "edited").mkdir()
    template = shutil.copy(BCL, tmp_path / "edited" / BCL.name)

    def change(data: bytes) -> bytes:
        xml = data.decode("utf-8")
        assert xml.count(old) == 1
        return xml.replace(old, new).encode("utf-8")

    rewrite(template, "word/document.xml", change)
    for name in SAMPLES[:2]:
        assert build_text(name, programme, template, tmp_path) == build_text(name, programme, BCL, tmp_path)
    result = run("templates", "check", template)
    assert result.exit_code == 0, result.output


def _words(pdf: Path) -> list[tuple[int, str, float, float]]:
    """(page, word, left, right) of every word LibreOffice printed, in reading order (pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words, page = [], 0
    for line in out.splitlines():
        page += "<page " in line
        if m := re.search(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*)</word>', line):
            words.append((page, m.group(3), float(m.group(1)), float(m.group(2))))
    return words


AMOUNT = re.compile(r"-?£\d[\d,]*(?:\.\d\d)?")


def _office_cases(programme) -> dict:
    """The samples, and two cases of our own: amounts in the millions, and five financial years."""
    cases = {name: sample_case(name, programme) for name in SAMPLES}
    for name, years, amount in (("bcl-long-amounts", 4, "12345678.50"), ("bcl-five-years", 5, "9876543")):
        case = sample_case("bcl-service-optimisation", programme)
        case.finance.years = [FinanceYear(year=f"{23 + i}/{24 + i}", one_off_investment=Decimal(amount),
                                          one_off_savings=Decimal(amount), recurring_investment=Decimal(amount),
                                          recurring_savings=Decimal(amount) * 2) for i in range(years)]
        cases[name] = case
    return cases


@pytest.mark.slow
def test_templates_saved_by_libreoffice_print_as_the_shipped_ones(tmp_path, programme):
    """Writer's save of an unchanged template writes every table's width in twips (w:tblW), which a column loop
    used to leave behind: the finance tables printed at 62% of the page with every amount broken ("£200,0")."""
    convert(sorted(templates_dir().glob("*.docx")), tmp_path / "saved", "docx:MS Word 2007 XML")
    built = {"shipped": [], "saved": []}
    for name, case in _office_cases(programme).items():
        for which, folder in (("shipped", templates_dir()), ("saved", tmp_path / "saved")):
            out = tmp_path / which / f"{name}.docx"
            out.parent.mkdir(exist_ok=True)
            out.write_bytes(render_case(case, programme, template=folder / TEMPLATE_FILES[case.kind]))
            built[which].append(out)
    for which in built:
        convert(built[which], tmp_path / f"{which}-pdf")
    for docx in built["shipped"]:
        shipped, again = (_words(tmp_path / f"{w}-pdf" / f"{docx.stem}.pdf") for w in ("shipped", "saved"))
        assert shipped[-1][0] == again[-1][0], f"{docx.stem}: pages"
        # the same words on the same pages at the same places across the page: the same table widths
        assert [(p, w) for p, w, *_ in again] == [(p, w) for p, w, *_ in shipped], docx.stem
        moved = [(a, b) for a, b in zip(shipped, again, strict=True) if abs(a[2] - b[2]) > 1 or abs(a[3] - b[3]) > 1]
        assert not moved, f"{docx.stem}: {moved[:3]}"
        # every amount printed whole on one line, and within the page's margins (A4: 595 pt, 2 cm margins)
        printed = Counter(a for _, word, *_ in again for a in AMOUNT.findall(word))
        assert printed == Counter(AMOUNT.findall(text(docx))), docx.stem
        assert max(right for *_, right in again) <= 595.3 - 56.6, docx.stem
