"""Draws templates/project_brief.docx, the Project Brief in the council's format.

Run once to (re)create the template: python tools/make_brief_template.py
After that the template is the programme office's to edit in Word.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from docx.shared import Pt  # noqa: E402

from casegen.models import wording  # noqa: E402  (the documents' fixed words, which the Word import reads too)
from docxkit import (  # noqa: E402
    TRACKER_ROWS,
    add_row,
    between_tables,
    bullets,
    centre,
    draw,
    heading,
    keep_with_next,
    label_table,
    labelled,
    lead_in,
    para,
    section,
    space_before,
    table,
    tag,
    tag_row,
    text_bullets,
    typed_text,
)

OUT = Path(__file__).resolve().parents[1] / "templates" / "project_brief.docx"
YES_NO = "'Yes' if {0} else 'No' if {0} is false else '-'"


def gap(doc):
    """A thin paragraph between a section box and its table: tables that touch are joined into one by Word."""
    p = keep_with_next(para(doc))  # and keeps the box with its table
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(4)


def header(doc):
    heading(doc, "Project Information")
    label_table(doc, [
        ("Project Title", "{{ project.title }}"),
        ("Portfolio Tracker ref", "{{ project.tracker_ref }}"),
        ("{%tr if project.stage %}", ""),
        ("Current Stage / Gate", "{{ project.stage }}"),
        ("{%tr endif %}", ""),
        ("Project Sponsor", "{{ project.sponsor }}"),
        ("Project Lead", "{{ project.lead }}"),
        ("Date", "{{ project.date | when('TBC') }}"),
        ("Version", "{{ project.version | dash }}"),
    ] + TRACKER_ROWS, header=wording.PROJECT_HEADER)
    between_tables(doc)


def background(doc):
    cell = section(doc, "Background")
    typed_text(cell, "background", split=True)
    between_tables(doc)


def scope(doc):
    cell = section(doc, wording.SCOPE_BOX)
    para(cell, wording.IN_SCOPE, bold=True)
    para(cell, wording.PRODUCTS, bold=True)
    bullets(cell, "scope.products")
    para(cell, "Out of Scope", bold=True)
    bullets(cell, "scope.out_of_scope")
    para(cell, "Interdependencies – out of scope but will inform", bold=True)
    bullets(cell, "scope.interdependencies")
    between_tables(doc)


def phase_end(doc):
    cell = section(doc, wording.PHASE_END)
    bullets(cell, "phase_end")
    article = "{{ 'an' if methodology[:1].lower() in 'aeiou' else 'a' }}"  # an agile, a linear
    sentence = lead_in(doc, wording.METHODOLOGY.format(article, "{{ methodology }}"))
    sentence.paragraph_format.space_before, sentence.paragraph_format.space_after = Pt(6), Pt(10)
    t = table(doc, [13, 4], list(wording.STAGE_COLUMNS))
    tag_row(t, "{%tr for s in stage_plan %}")
    row = add_row(t, ["{{ s.name }}", "{{ s.timeframe }}"])
    row.cells[0].paragraphs[0].runs[0].bold = True
    text_bullets(row.cells[0], "s.items")
    tag_row(t, "{%tr endfor %}")
    between_tables(doc)


def dependencies(doc):
    cell = section(doc, wording.DEPENDENCIES_BOX)
    for label, items in (("Dependencies", "dependencies"), ("Constraints", "constraints"),
                         ("Assumptions", "assumptions")):
        para(cell, label, bold=True)
        bullets(cell, items)
    between_tables(doc)


def risks(doc):
    cell = section(doc, wording.RISKS_BOX)
    lead_in(cell, "Risks", bold=True)
    gap(doc)
    t = table(doc, [12, 2.5, 2.5], list(wording.RISK_COLUMNS))
    tag_row(t, "{%tr for r in risks %}")
    row = add_row(t, ["", "{{ r.likelihood }}", "{{ r.impact }}"])
    risk = row.cells[0]
    risk._tc.remove(risk.paragraphs[0]._p)
    labelled(risk, "Due to: ", "{{ r.cause }}")
    labelled(risk, "There is a Risk: ", "{{ r.risk }}")
    labelled(risk, "The Impact: ", "{{ r.consequence }}")
    centre(row, (1, 2))
    tag_row(t, "{%tr endfor %}")
    tag(doc, "{%p if disbenefits %}")
    space_before(lead_in(doc, "Dis-benefits", bold=True))
    bullets(doc, "disbenefits")
    tag(doc, "{%p endif %}")


def benefits(doc):
    lead_in(doc, "Benefits", bold=True).paragraph_format.space_before = Pt(12)
    lead_in(doc, wording.BENEFITS_LEAD_IN)
    t = table(doc, [4.6, 4.6, 2.6, 5.2], ["Description", "Observable Outcomes", "Attribution", "Measurement"])
    tag_row(t, "{%tr for b in benefits %}")
    add_row(t, ["{{ b.description }}", "{{ b.outcomes | dash }}", "{{ b.attribution }}", "{{ b.measurement | dash }}"])
    tag_row(t, "{%tr endfor %}")
    between_tables(doc)


def stakeholders(doc):
    cell = section(doc, wording.STAKEHOLDERS_BOX)
    lead_in(cell, wording.RACI_LEAD_IN)
    gap(doc)
    marks = ("responsible", "accountable", "consulted", "informed")
    t = table(doc, [6.6, 2.6, 2.6, 2.6, 2.6], ["Person or team", "Responsible", "Accountable", "Consulted", "Informed"])
    tag_row(t, "{%tr for r in raci %}")
    row = add_row(t, ["{{ r.who }}"] + [f"{{{{ 'X' if r.{m} else '' }}}}" for m in marks], label=True)
    centre(row, (1, 2, 3, 4))
    tag_row(t, "{%tr endfor %}")
    lead_in(doc, wording.DEPARTMENTS_LEAD_IN).paragraph_format.space_before = Pt(12)
    t = table(doc, [5, 6, 6], ["", "Is this department involved? Yes/No", "Low, medium or high involvement?"])
    tag_row(t, "{%tr for d in departments %}")
    add_row(t, ["{{ d.department }}", "{{ " + YES_NO.format("d.involved") + " }}", "{{ d.level | dash }}"], label=True)
    tag_row(t, "{%tr endfor %}")
    between_tables(doc)


def personal_data(doc):
    answer = "{{ " + YES_NO.format("personal_data.involved") + " }}"
    cell = section(doc, f"Project involves processing of personal data? {answer}")
    tag(cell, "{%p for text in personal_data.explanation | paragraphs %}")
    para(cell, "{{ text }}")
    tag(cell, "{%p endfor %}")
    bullets(cell, "personal_data.items")
    tag(cell, "{%p if not personal_data.explanation and not personal_data.items %}")
    para(cell, "-")
    tag(cell, "{%p endif %}")


def main() -> None:
    draw(OUT, f"{wording.BRIEF_TITLE} – {{{{ programme }}}}", f"{{{{ project.title }}}} – {wording.BRIEF_TITLE}",
         (header, background, scope, phase_end, dependencies, risks, benefits, stakeholders, personal_data))


if __name__ == "__main__":
    main()
