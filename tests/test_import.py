"""`casegen import`: legacy Word documents, typed by hand in the council's formats, read into intake forms.

The legacy documents are written here with python-docx and lxml from the samples' cases, laid out as
the seeds are, in the ways hand-typed documents differ: headings styled or only bold, bullets as Word
numbering (on the style, or w:numPr with its ilvl) or typed ("•" and a tab), text split into runs by
proofErr and bookmarks, content controls, hyperlinks, fields, a merged title row, empty last rows, a
missing section and an extra one. Each is imported, the form built, and the document's words are
looked for in the rebuilt document, in order.
"""
from __future__ import annotations

import json
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from casegen.models.values import format_money
from docx_text import fidelity, text
from helpers import ROOT, SAMPLES, lines, named, ole_file, run, table_cell

TITLE = {"bcl": "Business Case Lite – Luton Transformation Programme",
         "brief": "Project Brief – Luton Transformation Programme"}
EXTRA = "An equality impact assessment will be completed with the Equalities Officer before Gate 2."


def _money(value) -> str:
    return format_money(None if value is None else Decimal(str(value)))


class Legacy:
    """A document as a person types one: `styled` headings or bold ones, Word or `typed` bullets,
    `split` runs (proofErr and bookmarks between the pieces of every paragraph)."""

    def __init__(self, styled=True, typed=False, split=False):
        self.doc, self.styled, self.typed, self.split = Document(), styled, typed, split
        self.marks = 0
        numpr = self.doc.styles["List Bullet"].element.find(qn("w:pPr") + "/" + qn("w:numPr"))
        self.num_id = numpr.find(qn("w:numId")).get(qn("w:val"))

    def heading(self, text, where=None):
        if self.styled and where is None:
            return self.doc.add_paragraph(text, style="Heading 1")
        p = (where or self.doc).add_paragraph()
        p.add_run(text).bold = True
        return p

    def para(self, text, where=None, bold=False):
        p = (where or self.doc).add_paragraph()
        self.runs(p, text, bold)
        return p

    def runs(self, p, text, bold=False):
        half = len(text) // 2
        pieces = [text] if not self.split or len(text) < 12 else [text[:5], text[5:half], text[half:]]
        for i, piece in enumerate(pieces):
            if i:
                self.marks += 1
                p._p.append(parse_xml(f'<w:proofErr {nsdecls("w")} w:type="spellStart"/>'))
                p._p.append(parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{self.marks}" w:name="b{self.marks}"/>'))
                p._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{self.marks}"/>'))
            p.add_run(piece).bold = bold or None

    def bullets(self, items, where=None):
        for item in items:
            level = item.get("level", 1)
            if self.typed:
                self.para(("\t–\t" if level == 2 else "•\t") + item["text"], where)
                continue
            p = (where or self.doc).add_paragraph(style="List Bullet")
            if level == 2:  # Word's own numbering, one level down
                p._p.get_or_add_pPr().append(parse_xml(
                    f'<w:numPr {nsdecls("w")}><w:ilvl w:val="1"/><w:numId w:val="{self.num_id}"/></w:numPr>'))
            self.runs(p, item["text"])

    def table(self, rows, where=None, empty_last=False):
        t = (where or self.doc).add_table(rows=0, cols=len(rows[0]))
        t.style = self.doc.styles["Table Grid"]
        for values in rows + ([[""] * len(rows[0])] if empty_last else []):
            cells = t.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                if callable(value):
                    value(cell)
                else:
                    for i, line in enumerate(str(value).split("\n")):  # lines as line breaks
                        if i:
                            cell.paragraphs[0].add_run().add_break()
                        self.runs(cell.paragraphs[0], line)
        return t

    def control(self, paragraph, value: str, tag: str):
        """A value typed in a content control, as the council's forms offer the theme and the stage."""
        sdt = parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="{tag}"/><w:tag w:val="{tag}"/>'
                        f'<w:dropDownList/></w:sdtPr><w:sdtContent><w:r><w:t xml:space="preserve">{value}</w:t></w:r>'
                        '</w:sdtContent></w:sdt>')
        paragraph._p.append(sdt)

    def hyperlink(self, paragraph, text: str, url: str):
        rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rid)
        link.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">{text}</w:t></w:r>'))
        paragraph._p.append(link)

    def field(self, paragraph, result: str, code: str = " DOCPROPERTY Department "):
        """A complex field: its code is not text, its result is."""
        for xml in ('<w:r {0}><w:fldChar w:fldCharType="begin"/></w:r>',
                    f'<w:r {{0}}><w:instrText>{code}</w:instrText></w:r>',
                    '<w:r {0}><w:fldChar w:fldCharType="separate"/></w:r>',
                    f'<w:r {{0}}><w:t xml:space="preserve">{result}</w:t></w:r>',
                    '<w:r {0}><w:fldChar w:fldCharType="end"/></w:r>'):
            paragraph._p.append(parse_xml(xml.format(nsdecls("w"))))

    def save(self, path: Path) -> Path:
        self.doc.save(path)
        return path


def _cell_bullets(legacy, items):
    def fill(cell):
        cell._tc.remove(cell.paragraphs[0]._p)
        legacy.bullets(items, cell)
        if not items:
            cell.add_paragraph()
    return fill


def _controlled(legacy, value, tag):
    return lambda cell: legacy.control(cell.paragraphs[0], value, tag)


def bcl_document(path: Path, sample: str, styled=True, typed=False, split=False, merged_title=False,
                 drop=(), extra=False, typed_total=None) -> Path:
    c = json.loads((SAMPLES / f"{sample}.json").read_text(encoding="utf-8"))
    d, p = Legacy(styled, typed, split), c["project"]
    d.doc.add_paragraph(TITLE["bcl"], style="Title")
    info = [["Project Title", p["title"]], ["Portfolio Tracker ref", p["tracker_ref"]],
            ["Current Stage / Gate:", _controlled(d, p["stage"], "Stage")], ["Project Sponsor", p["sponsor"]],
            ["Project Lead", p["lead"]], ["Transformation Theme", _controlled(d, p["theme"], "Theme")],
            ["Contributory Transformation Theme(s)", "\n".join(i["text"] for i in p["contributory_themes"]) or "-"],
            ["Department and Team", lambda cell: d.field(cell.paragraphs[0], p["department"])]]
    if merged_title:
        t = d.table([["Project Information", ""]] + info)
        t.cell(0, 0).merge(t.cell(0, 1))
    else:
        d.heading("Project Information")
        d.table(info)
    for i, para in enumerate(c["summary"].split("\n\n")):
        words = para.rsplit(" ", 2)
        if i == 0 and len(words) == 3:  # the last words of the summary link to the strategy
            d.hyperlink(d.para(words[0] + " "), f"{words[1]} {words[2]}", "https://www.luton.gov.uk/")
        else:
            d.para(para)
    sections = {
        "Scope of Project / Opportunity": lambda: (
            d.table([["In scope", "Out of Scope"],
                     [_cell_bullets(d, c["scope_in"]), _cell_bullets(d, c["scope_out"])]]),
            d.table([["Linked / Complementary OBCs"], ["\n".join(i["text"] for i in c["linked_obcs"]) or "-"]])),
        "Objectives": lambda: d.bullets(c["objectives"]),
        "Assessment of the Current Position": lambda: _assessment(d, c),
        "Proposed Changes": lambda: d.bullets(c["proposed_changes"]),
        "Opportunity Qualification": lambda: _qualification(d, c["qualification"]),
        "Financial Delivery": lambda: _finance(d, c["finance"]),
        "Non-Cashable Benefits": lambda: d.table(
            [["Benefit", "Description", "Realisation date"]]
            + [[b["category"], b["description"] or "-", b.get("realisation_date") or "-"] for b in c["benefits"]]),
        "Resources and Stakeholders": lambda: (
            d.para("The following summarises the team, and wider stakeholders involved in the project:"),
            d.table([["Direct Team", c["resources"]["direct_team"]],
                     ["Stakeholders – Governance and Decision Making", c["resources"]["governance"]],
                     ["Stakeholders – Customers / Beneficiaries", c["resources"]["customers"]],
                     ["Stakeholders – Providers / Delivery Teams / Partners", c["resources"]["providers"]]])),
        "Risks": lambda: (
            d.para("The following top risks should be considered for this project:"),
            d.table([["Ref", "Risk", "Likelihood", "Impact", "Total", "Mitigations"]]
                    + [[r["ref"] or str(i), r["risk"], r["likelihood"], r["impact"],
                        typed_total if i == 1 and typed_total else r["likelihood"] * r["impact"],
                        r["mitigations"] or "-"]
                       for i, r in enumerate(c["risks"], 1)])),
        "Critical dependencies, constraints, assumptions": lambda: d.bullets(c["dependencies"]),
        "Timetable – Key Activities and Milestones": lambda: (
            d.table([["Stage / Gate target milestones", "(Target) Date"]]
                    + [[g["gate"], g.get("date") or "TBC"] for g in c["gate_dates"]], empty_last=True),
            d.para(""),
            d.table([["Project Deliverable", "Start", "Finish"]]
                    + [[x["deliverable"], x.get("start") or "TBC", x.get("finish") or "TBC"]
                       for x in c["deliverables"]],
                    empty_last=True)),
        "Approvals of this Savings Delivery Plan": lambda: d.table(
            [["Name", "Role", "Date Agreed"]]
            + [[a["name"], a["role"], a.get("date_agreed") or "TBC"] for a in c["approvals"]]),
    }
    for heading, write in sections.items():
        if heading in drop:
            continue
        d.heading(heading)
        write()
        if extra and heading == "Risks":
            d.heading("Equality Impact")
            d.para(EXTRA)
    return d.save(path)


def _assessment(d, c):
    d.bullets(c["current_position"])
    table = c.get("position_table") or {}
    if table.get("rows"):
        d.table([[table["heading"], table["count_heading"]]] + [[r["item"], r["count"]] for r in table["rows"]]
                + [["Grand Total", sum(r["count"] for r in table["rows"])]])
    d.bullets(c.get("current_position_more", []))


def _qualification(d, q):
    d.table([["Criteria", "Rating"], ["Financial Benefits", _money(q.get("financial_benefits")).replace("-", "£ N/A")],
             ["Effort / Easy of Implementation", q["effort"]], ["Impact (financial and non-financial)", q["impact"]]])
    if q.get("note"):
        d.para("Note: " + q["note"])


def _year_rows(years, lines_, total=True):
    head = [[""] + [y["year"] for y in years] + (["Total"] if total else [])]
    rows = []
    for label, key in lines_:
        values = [y.get(key) for y in years]
        if key == "net_savings":
            values = [None if y.get("recurring_savings") is None and y.get("recurring_investment") is None else
                      (y.get("recurring_savings") or 0) - (y.get("recurring_investment") or 0) for y in years]
        present = [v for v in values if v is not None]
        rows.append([label] + [_money(v) for v in values]
                    + ([_money(sum(present) if present else None)] if total else []))
    return head + rows


def _finance(d, f):
    d.para("One off Investment required and savings", bold=True)
    d.table(_year_rows(f["years"], [("One-off Investment", "one_off_investment"),
                                    ("One-off Savings", "one_off_savings")]))
    d.para("Ongoing investments and savings", bold=True)
    recurring = [("Recurring Investment", "recurring_investment"), ("Recurring Savings", "recurring_savings"),
                 ("Net Savings", "net_savings")]
    d.table(_year_rows(f["years"], recurring))
    if f.get("savings_category"):
        d.para(f"Note: This savings is categorised as a ‘{f['savings_category']}’.")
    if f.get("validated"):
        d.para("Finance’s Validated Figures: ", bold=True)
        d.para("Finance have not validated the figures, resulting in confidence of 0% of the total proposed savings "
               "for 24/25 by default.")
        d.table(_year_rows(f["validated"], recurring, total=False))
        d.para("The Transformation Programme and the MTFS may reflect different figures. ")


def _box(d, title, fill):
    """A section as the council's briefs draw it: a one-column table, a title row over the content."""
    def content(cell):
        cell._tc.remove(cell.paragraphs[0]._p)
        fill(cell)
    t = d.table([[title], [content]])
    t.rows[0].cells[0].paragraphs[0].runs[0].bold = True
    d.para("")


def brief_document(path: Path, typed=True, split=False) -> Path:
    c = json.loads((SAMPLES / "brief-neighbourhood-working-model.json").read_text(encoding="utf-8"))
    d, p = Legacy(False, typed, split), c["project"]
    d.doc.add_paragraph(TITLE["brief"], style="Title")
    d.heading("Project Information")
    d.table([["Project Title", p["title"]], ["Portfolio Tracker ref", p["tracker_ref"]],
             ["Project Sponsor", p["sponsor"]], ["Project Lead", p["lead"]]])
    d.para("")
    _box(d, "Background", lambda cell: [d.para(x, cell) for x in c["background"].split("\n\n")])

    def scope(cell):
        for label, items in (("In Scope", None), ("Products", "products"), ("Out of Scope", "out_of_scope"),
                             ("Interdependencies – out of scope but will inform", "interdependencies")):
            d.para(label, cell, bold=True)
            if items:
                d.bullets(c["scope"][items], cell)
    _box(d, "Scope (current phase of work)", scope)
    _box(d, "What happens at the end of this phase of work?", lambda cell: (
        d.bullets(c["phase_end"], cell),
        d.para(f" This project will run under a {c['methodology']} methodology.", cell)))

    def stage(s):
        def fill(cell):
            cell.paragraphs[0].add_run(s["name"]).bold = True
            d.bullets([{"text": i["text"]} for i in c["stage_items"] if i["stage"] == s["name"]], cell)
        return fill
    d.table([["Stage", "Estimated Timeframe"]] + [[stage(s), s["timeframe"]] for s in c["stages"]])
    d.para("")

    def dependencies(cell):
        for label in ("dependencies", "constraints", "assumptions"):
            d.para(label.title(), cell, bold=True)
            d.bullets(c[label], cell)
    _box(d, "Critical dependencies, constraints, assumptions (dependencies are required for programme and "
            "portfolio planning)", dependencies)

    def risks(cell):
        d.para("Risks", cell, bold=True)
        d.table([["Risk", "Likelihood (1-5)", "Impact (1-5)"]] + [
            [f"Due to: {r['cause']}\nThere is a Risk: {r['risk']}\nThe Impact: {r['consequence']}", r["likelihood"],
             r["impact"]] for r in c["risks"]], where=cell)
        cell.add_paragraph()
    _box(d, "Key Risks and Dis-benefits", risks)
    d.para(" The following benefits will be delivered by the overall programme of work that this project will "
           "initiate.  Note that these benefits will not all be delivered within this current phase of work.")
    d.table([["Description", "Observable Outcomes", "Attribution", "Measurement"]]
            + [[b["description"], b["outcomes"], b["attribution"], b["measurement"]] for b in c["benefits"]],
            empty_last=True)
    d.para("")

    def stakeholders(cell):
        d.para("Complete the below RACI (this will inform the Communication Plan in the PID)", cell)
        marks = ("responsible", "accountable", "consulted", "informed")
        d.table([["Person or team", "Responsible", "Accountable", "Consulted", "Informed"]]
                + [[r["who"]] + ["X" if r.get(m) else "" for m in marks] for r in c["raci"]], where=cell)
        d.para("Resource: Council Departments that will need to be involved in the Project (this can be use to create "
               "a resource heat map across projects to ensure work is scheduled to avoid overly burdening departments "
               "across projects)", cell)
        d.table([["", "Is this department involved? Yes/No", "Low, medium or high involvement?"]]
                + [[x["department"], "Yes" if x["involved"] else "No", x["level"]] for x in c["departments"]],
                where=cell)
        cell.add_paragraph()
    _box(d, "Project Stakeholders and Resource (Resource required for programme and portfolio planning)", stakeholders)
    data = c["personal_data"]
    _box(d, "Project involves processing of personal data? Yes", lambda cell: (
        [d.para(x, cell) for x in data["explanation"].split("\n\n")], d.bullets(data["items"], cell)))
    return d.save(path)


def imported(tmp_path, legacy: Path, *args):
    form = tmp_path / f"{legacy.stem}.xlsx"
    result = run("import", legacy, "-o", form, *args)
    return result, form


def rebuilt_fidelity(tmp_path, legacy: Path, form: Path) -> float:
    built = run("build", form, "-o", tmp_path / "out")
    assert built.exit_code == 0, built.output
    recall, missing = fidelity(tmp_path / "out" / f"{form.stem}.docx", text(legacy))
    print(f"{legacy.name}: recall {recall:.3f}; missing: {missing[:5]}")
    return recall


def guide(form: Path) -> list[str]:
    return [str(c.value) for c in load_workbook(form)["Guide"]["A"] if c.value]


def test_styled_headings_word_numbering_split_runs_and_content_controls(tmp_path):
    legacy = bcl_document(tmp_path / "service-optimisation.docx", "bcl-service-optimisation", styled=True,
                          split=True, typed_total=12)
    result, form = imported(tmp_path, legacy)
    assert result.exit_code == 1, result.output  # the risk total the document typed is reported
    wb = load_workbook(form)
    assert table_cell(wb, "risks", 1, "Likelihood").value == 2
    assert [line for line in lines(result) if "import-risk-total" in line] == [
        f"{form}: Risks!{table_cell(wb, 'risks', 1, 'Likelihood').coordinate}: Likelihood: the document's risk 1 "
        "gives the total 12, but Likelihood 2 × Impact 3 is 6; casegen works the total out, so check the likelihood "
        "and the impact [import-risk-total]"]
    assert "not placed" not in result.output and "has no section" not in result.output
    assert any("gives the total 12" in line for line in guide(form))
    named = {dn: wb.defined_names[dn] for dn in ("project_theme", "project_stage", "project_department")}
    values = {k: wb[next(v.destinations)[0]][next(v.destinations)[1].replace("$", "")].value for k, v in named.items()}
    assert values == {"project_theme": "Resident Experience", "project_stage": "Stage 0: Opportunity Identified",
                      "project_department": "Organisational wide"}  # content controls and a field's result
    assert table_cell(wb, "objectives", 1, "Text").value.startswith("Review all out of hours services.")
    assert rebuilt_fidelity(tmp_path, legacy, form) >= 0.97


def test_bold_headings_typed_bullets_merged_title_empty_rows_missing_and_extra_sections(tmp_path):
    legacy = bcl_document(tmp_path / "neighbourhood.docx", "bcl-neighbourhood-working-model", styled=False,
                          typed=True, merged_title=True, drop=("Proposed Changes",), extra=True)
    result, form = imported(tmp_path, legacy)
    assert result.exit_code == 1
    out = lines(result)
    assert (f"{legacy}: warning: section 'Equality Impact': not placed in the form: “Equality Impact” "
            "[import-unplaced]") in out
    assert any("section 'Equality Impact': not placed in the form: “An equality impact assessment will be completed "
               "with the Equalities Officer before …”" in line for line in out)
    assert any("has no section 'Proposed Changes'" in line for line in out)
    notes = guide(form)
    assert f"Not imported from {legacy.name}" in notes
    assert any("An equality impact assessment" in n for n in notes) and any("Proposed Changes" in n for n in notes)
    wb = load_workbook(form)
    assert named_value(wb, "project_title") == "Neighbourhood Working Model"  # from under the merged title row
    levels = [table_cell(wb, "current_position", r, "Level").value for r in range(1, 6)]
    assert 2 in levels and 1 in levels  # typed "–" after a tab is a bullet under the one above
    assert rebuilt_fidelity(tmp_path, legacy, form) >= 0.97


def named_value(wb, name):
    sheet, coord = next(wb.defined_names[name].destinations)
    return wb[sheet][coord.replace("$", "")].value


def test_boxed_brief_with_typed_bullets_nested_tables_and_split_runs(tmp_path):
    legacy = brief_document(tmp_path / "brief.docx", typed=True, split=True)
    result, form = imported(tmp_path, legacy)
    assert result.exit_code == 0, result.output
    wb = load_workbook(form)
    assert table_cell(wb, "risks", 2, "There is a Risk").value == "That we do not speak to the right people"
    assert table_cell(wb, "stage_items", 1, "Stage").value == "Deliverables and Activities by end of February"
    assert named_value(wb, "methodology") == "linear"
    assert rebuilt_fidelity(tmp_path, legacy, form) >= 0.97


def test_brief_with_word_numbering(tmp_path):
    legacy = brief_document(tmp_path / "brief-numbered.docx", typed=False)
    result, form = imported(tmp_path, legacy, "--kind", "brief")
    assert result.exit_code == 0, result.output
    products = [table_cell(load_workbook(form), "scope_products", r, "Level").value for r in range(1, 4)]
    assert products == [1, 2, 2]
    assert rebuilt_fidelity(tmp_path, legacy, form) >= 0.97


@pytest.mark.parametrize("sample", sorted(p.stem for p in (ROOT / "inputs").glob("*.xlsx")))
def test_round_trip_of_a_document_casegen_built(tmp_path, sample):
    built = run("build", ROOT / "inputs" / f"{sample}.xlsx", "-o", tmp_path / "out")
    assert built.exit_code == 0, built.output
    result, form = imported(tmp_path, tmp_path / "out" / f"{sample}.docx")
    assert result.exit_code == 0, result.output
    assert run("dump", form).output == run("dump", ROOT / "inputs" / f"{sample}.xlsx").output


@pytest.mark.parametrize("content, says", [
    (ole_file({"WordDocument": b"\xec\xa5"}),
     "is an old-style Word 97-2003 document (.doc); open it in Word and save it as .docx"),
    (ole_file({"EncryptionInfo": b"\x04\x00", "EncryptedPackage": b"\x00"}), "is protected with a password"),
    (b"PK\x03\x04" + b"\x00" * 200, "is damaged or incomplete"),
    (b"Business Case Lite\n", "is not a Word document (.docx)"),
])
def test_not_a_word_document_exits_1_with_a_message(tmp_path, content, says):
    path = tmp_path / "old.doc"
    path.write_bytes(content)
    result = run("import", path, "-o", tmp_path / "form.xlsx")
    assert result.exit_code == 1
    assert f"Error: {path}: {says}" in result.output
    assert not (tmp_path / "form.xlsx").exists()


def test_a_workbook_or_a_document_of_neither_kind_exits_1(tmp_path):
    result = run("import", ROOT / "inputs" / "bcl-service-optimisation.xlsx", "-o", tmp_path / "form.xlsx")
    assert result.exit_code == 1 and "is a zip file but not a Word document (.docx)" in result.output
    other = Legacy()
    other.para("Minutes of the meeting")
    result = run("import", other.save(tmp_path / "minutes.docx"), "-o", tmp_path / "form.xlsx")
    assert result.exit_code == 1 and "--kind bcl or --kind brief" in result.output


def test_a_folder_of_documents_into_a_folder_of_forms(tmp_path):
    docs = tmp_path / "legacy"
    docs.mkdir()
    brief_document(docs / "brief.docx")
    (docs / "old.doc").write_bytes(ole_file({"WordDocument": b"\xec\xa5"}))
    result = run("import", docs, "-o", tmp_path / "forms")
    assert result.exit_code == 1
    assert (tmp_path / "forms" / "brief.xlsx").exists() and not (tmp_path / "forms" / "old.xlsx").exists()
    assert any("old.doc: is an old-style Word 97-2003 document" in line for line in lines(result))
    assert lines(result)[-1] == "1 of 2 documents imported, 1 not (see above)"


def test_a_folder_of_documents_none_of_which_can_be_read_exits_1_as_every_unreadable_input_does_with_nothing_written(
        tmp_path):
    docs = tmp_path / "legacy"
    docs.mkdir()
    (docs / "old.doc").write_bytes(ole_file({"WordDocument": b"\xec\xa5"}))
    result = run("import", docs, "-o", tmp_path / "forms")
    assert result.exit_code == 1 and not list((tmp_path / "forms").glob("*"))


def test_values_the_model_refuses_are_kept_as_typed_and_reported_with_their_cell(tmp_path):
    legacy = bcl_document(tmp_path / "dates.docx", "bcl-service-optimisation")
    doc = Document(legacy)
    gates = next(t for t in doc.tables if t.rows[0].cells[0].text == "Stage / Gate target milestones")
    cell = gates.rows[1].cells[1]
    cell.paragraphs[0].runs[0].text = "Autumn-ish"
    doc.save(legacy)
    result, form = imported(tmp_path, legacy)
    assert result.exit_code == 1
    date = table_cell(load_workbook(form), "gate_dates", 1, "(Target) Date")
    assert date.value == "Autumn-ish"
    assert any(line.startswith(f"{form}: Timetable!{date.coordinate}: ") and "Autumn-ish" in line
               for line in lines(result))


def test_the_written_form_is_a_clean_workbook(tmp_path):
    legacy = bcl_document(tmp_path / "extra.docx", "bcl-service-optimisation", extra=True)
    _, form = imported(tmp_path, legacy)
    with zipfile.ZipFile(form) as zf:
        assert zf.testzip() is None
    assert run("validate", form).exit_code == 0


def test_the_fixed_sentences_the_templates_print_are_the_ones_the_import_reads(tmp_path, monkeypatch):
    """models.wording is the one declaration the template tools print and the import reads: reworded there, the
    sentences the import recognises follow (they are not copies)."""
    import importlib

    from casegen.models import wording
    from casegen.wordimport import bcl as import_bcl

    monkeypatch.setattr(wording, "MTFS", "The Programme's figures and the MTFS may differ.")
    monkeypatch.setattr(wording, "RISKS_LEAD_IN", "These are the top risks of the project:")
    try:
        reloaded = importlib.reload(import_bcl)
        assert any(b.startswith("the programme s figures") for b in reloaded.BOILERPLATE)
        assert any(b.startswith("these are the top risks") for b in reloaded.BOILERPLATE)
    finally:
        monkeypatch.undo()
        importlib.reload(import_bcl)
    assert not any(b.startswith("these are the top risks") for b in import_bcl.BOILERPLATE)


# What Word shows, and only that (issue 24): hidden text, fields nested in a field's code, revisions,
# non-breaking spaces, content embedded from another file, text longer than a cell.

HIDDEN_STYLES = ('<w:style {0} w:type="character" w:styleId="Secret"><w:name w:val="Secret"/><w:rPr><w:vanish/></w:rPr>'
                 '</w:style>',
                 '<w:style {0} w:type="character" w:styleId="SecretToo"><w:name w:val="Secret Too"/>'
                 '<w:basedOn w:val="Secret"/></w:style>',
                 '<w:style {0} w:type="paragraph" w:styleId="HiddenNote"><w:name w:val="Hidden Note"/>'
                 '<w:rPr><w:vanish/></w:rPr></w:style>',
                 '<w:style {0} w:type="paragraph" w:styleId="ShownAgain"><w:name w:val="Shown Again"/>'
                 '<w:basedOn w:val="HiddenNote"/><w:rPr><w:vanish w:val="0"/></w:rPr></w:style>')


def _run(text, props="", tag="t"):
    return f'<w:r><w:rPr>{props}</w:rPr><w:{tag} xml:space="preserve">{text}</w:{tag}></w:r>'


def _fld(kind):
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


def _title_paragraph(doc):
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Project Title")
    return table.rows[0].cells[1].paragraphs[0]


def _replace_runs(paragraph, xml: str) -> None:
    for child in [c for c in paragraph._p if c.tag != qn("w:pPr")]:
        paragraph._p.remove(child)
    for el in parse_xml(f'<w:body {nsdecls("w")}>{xml}</w:body>'):
        paragraph._p.append(el)


def test_hidden_text_nested_field_codes_and_deleted_revisions_are_not_read(tmp_path):
    legacy = bcl_document(tmp_path / "hidden.docx", "bcl-service-optimisation")
    doc = Document(legacy)
    for style in HIDDEN_STYLES:
        doc.styles.element.append(parse_xml(style.format(nsdecls("w"))))
    _replace_runs(_title_paragraph(doc), "".join([
        _run("Service\u00a0"),
        _run("HIDDEN ", "<w:vanish/>"), _run("STYLED ", '<w:rStyle w:val="Secret"/>'),
        _run("INHERITED ", '<w:rStyle w:val="SecretToo"/>'),
        _fld("begin"), _run(' IF 1 = ', tag="instrText"),  # an IF whose condition is itself a field
        _fld("begin"), _run(" DOCPROPERTY Company ", tag="instrText"), _fld("separate"), _run("NESTED"), _fld("end"),
        _run(' "Optimisation" ', tag="instrText"), _fld("separate"), _run("Optimisation"), _fld("end"),
        '<w:del w:id="90" w:author="A"><w:r><w:delText> Old name</w:delText></w:r></w:del>',
        '<w:ins w:id="91" w:author="A"><w:r><w:t xml:space="preserve"> Phase 2</w:t></w:r></w:ins>',
    ]))
    summary = next(p for p in doc.paragraphs if p.text.startswith(json.loads(
        (SAMPLES / "bcl-service-optimisation.json").read_text(encoding="utf-8"))["summary"][:20]))
    summary.insert_paragraph_before("A note the author hid from readers.", style="Hidden Note")
    summary.insert_paragraph_before("A note shown again.", style="Shown Again")
    doc.save(legacy)
    result, form = imported(tmp_path, legacy)
    assert result.exit_code == 0, result.output
    case = json.loads(run("dump", form).output)
    assert case["project"]["title"] == "Service\u00a0Optimisation Phase 2"  # the non-breaking space kept
    assert "hid from readers" not in case["summary"] and case["summary"].startswith("A note shown again.")


def _alt_chunk(doc, html: bytes) -> None:
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    part = Part(PackURI("/word/afchunk1.htm"), "text/html", html, doc.part.package)
    rid = doc.part.relate_to(part, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk")
    body = doc.element.body
    body.insert(len(body) - 1, parse_xml(f'<w:altChunk {nsdecls("w", "r")} r:id="{rid}"/>'))


def test_content_embedded_from_another_file_is_named_never_dropped_with_exit_0(tmp_path):
    legacy = bcl_document(tmp_path / "chunk_x0041_.docx", "bcl-service-optimisation")
    doc = Document(legacy)
    _alt_chunk(doc, b"<html><body><p>A paragraph pasted from a web page.</p></body></html>")
    _title_paragraph(doc).runs[0].text = "Budget_x0020_2025"
    doc.save(legacy)
    result, form = imported(tmp_path, legacy)
    assert result.exit_code == 1
    assert f"{legacy}: warning: content that Word shows here from word/afchunk1.htm, embedded whole (an altChunk), " \
           "which casegen cannot read; open the document in Word, copy that text and paste it into the form " \
           "[import-unread]" in lines(result)
    assert any("word/afchunk1.htm" in line for line in guide(form))
    # The Guide sheet, written again with the findings, keeps every text as typed.
    assert json.loads(run("dump", form).output)["project"]["title"] == "Budget_x0020_2025"
    guide_sheet = CalamineWorkbook.from_path(str(form)).get_sheet_by_name("Guide").to_python()
    assert ["Not imported from chunk_x0041_.docx"] in [[v for v in row if v] for row in guide_sheet]


def test_a_title_longer_than_a_cell_is_reported_with_its_cell_and_what_was_left_out(tmp_path):
    legacy = bcl_document(tmp_path / "long.docx", "bcl-service-optimisation")
    doc = Document(legacy)
    title = " ".join(f"word{i:05d}" for i in range(4000)) + "."  # 40,000 characters
    _title_paragraph(doc).runs[0].text = title
    doc.save(legacy)
    result, form = imported(tmp_path, legacy)
    assert result.exit_code == 1
    cell = named(load_workbook(form), "project_title")
    assert cell.value == title[:32767]
    rest = " ".join(title[32767:].split()[:12])
    assert f"{form}: Project!{cell.coordinate}: title: the document's text is 40,000 characters long, more than the " \
           f"32,767 a cell holds: the cell has the first 32,767, and the rest, from “{rest} …”, was not imported; " \
           "shorten it in the document or the form [import-too-long]" in lines(result)


def test_thousands_of_paragraphs_are_read_in_linear_time_and_what_a_cell_cannot_hold_is_reported(tmp_path):
    legacy = bcl_document(tmp_path / "many.docx", "bcl-service-optimisation")
    doc = Document(legacy)
    first = next(p for p in doc.paragraphs if len(p.text) > 60)
    for i in range(5000):
        first.insert_paragraph_before(f"Paragraph {i}.")
    doc.save(legacy)
    started = time.perf_counter()
    result, form = imported(tmp_path, legacy)
    took = time.perf_counter() - started
    assert result.exit_code == 1
    assert any("Project!" in line and "summary: the document's text is" in line and "[import-too-long]" in line
               for line in lines(result))
    assert took < 20, f"{took:.1f} s for 5,000 paragraphs"  # 30 s before labels were worked out once
