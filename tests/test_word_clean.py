"""Documents and forms Word opens without repair, with their own properties, laid out for reading on paper."""
from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from casegen.batch.check import check_forms
from casegen.intake.annotate import annotate_intakes
from casegen.intake.form import write_form
from casegen.render import render_case
from helpers import sample_case
from wordclean import findings

SAMPLES = ["bcl-service-optimisation", "bcl-neighbourhood-working-model", "brief-neighbourhood-working-model"]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def built(name: str, programme, tmp_path):
    path = tmp_path / f"{name}.docx"
    path.write_bytes(render_case(sample_case(name, programme), programme))
    return path


def part(path, name: str):
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read(name))


@pytest.mark.slow  # the fast suite audits one of each kind: tests/test_written_files.py
@pytest.mark.parametrize("name", SAMPLES)
def test_a_built_document_has_no_audit_finding(name, programme, tmp_path):
    assert findings(built(name, programme, tmp_path)) == []


@pytest.mark.slow  # the fast suite audits one of each kind: tests/test_written_files.py
@pytest.mark.parametrize("kind", ["bcl", "brief"])
def test_a_blank_form_has_only_openpyxl_s_own_findings(kind, programme, tmp_path):
    assert findings(write_form(kind, tmp_path / f"{kind}.xlsx", programme)) == []


@pytest.mark.slow  # the fast suite audits one of each kind: tests/test_written_files.py
@pytest.mark.parametrize("name", SAMPLES)
def test_a_filled_and_an_annotated_form_have_only_openpyxl_s_own_findings(name, make_form, programme):
    form = make_form(name, lambda case: setattr(case.project, "sponsor", ""))  # a problem to annotate
    (checked,) = annotate_intakes(check_forms([form], programme, jobs=1))
    assert findings(form) + findings(checked) == []


def test_document_properties_name_the_project_the_programme_and_the_build_time(programme, tmp_path):
    before = datetime.now(UTC).replace(microsecond=0)
    path = built("bcl-service-optimisation", programme, tmp_path)
    core = part(path, "docProps/core.xml")
    ns = {"dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
          "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
    assert core.findtext("dc:title", namespaces=ns) == "Service Optimisation"
    assert core.findtext("dc:creator", namespaces=ns) == programme.programme
    for stamp in ("dcterms:created", "dcterms:modified"):
        when = datetime.strptime(core.findtext(stamp, namespaces=ns), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert before <= when <= datetime.now(UTC) + timedelta(seconds=1)
    app = part(path, "docProps/app.xml")
    assert app.findtext("{*}Application").startswith("casegen ")


def _rows(doc):
    """(header?, row) for every row of every table, nested tables included."""
    return [(tr.find(f"{W}trPr/{W}tblHeader") is not None, tr) for tr in doc.iter(f"{W}tr")]


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


@pytest.mark.parametrize("name", SAMPLES)
def test_rows_stay_on_one_page_and_headers_repeat(name, programme, tmp_path):
    doc = part(built(name, programme, tmp_path), "word/document.xml")
    rows = _rows(doc)
    headers = [_text(tr) for head, tr in rows if head]
    assert any(h.startswith("Ref" if name.startswith("bcl") else "Risk") and "Likelihood" in h for h in headers)
    for _head, tr in rows:
        table = tr.getparent().findall(f"{W}tr")
        box = len(table) == 2 and _rows(table[0])[0][0]  # a title over one body: lists, paragraphs
        if not (box and tr is table[1]):  # a box's long text may run on, under its repeated title
            assert tr.find(f"{W}trPr/{W}cantSplit") is not None, _text(tr)
    for head, tr in rows:  # a header row stays with the row after it
        if head:
            assert all(p.find(f"{W}pPr/{W}keepNext") is not None for p in tr.iter(f"{W}p")), _text(tr)


@pytest.mark.parametrize("name, lead_ins", [
    ("bcl-service-optimisation", ["The following top risks should be considered for this project:",
                                  "Finance’s Validated Figures:", "Ongoing investments and savings"]),
    ("brief-neighbourhood-working-model", ["Benefits", "This project will run under a linear methodology."]),
])
def test_headings_and_lead_ins_keep_with_what_follows(name, lead_ins, programme, tmp_path):
    path = built(name, programme, tmp_path)
    doc, styles = part(path, "word/document.xml"), part(path, "word/styles.xml")
    heading = styles.find(f".//{W}style[@{W}styleId='Heading1']")
    assert heading.find(f"{W}pPr/{W}keepNext") is not None
    paragraphs = {_text(p): p for p in doc.iter(f"{W}p")}
    for text in lead_ins:
        assert paragraphs[text].find(f"{W}pPr/{W}keepNext") is not None, text


def test_the_risk_ref_column_fits_a_ref_like_ld_r10(programme, tmp_path):
    doc = part(built("bcl-service-optimisation", programme, tmp_path), "word/document.xml")
    risks = next(t for t in doc.iter(f"{W}tbl") if _text(t.find(f"{W}tr")).startswith("RefRisk"))
    ref = int(risks.find(f"{W}tblGrid/{W}gridCol").get(f"{W}w"))
    assert ref >= 1.7 / 2.54 * 1440  # twips: "LD-R10" in 10 pt Arial, with the cell's margins, on one line
