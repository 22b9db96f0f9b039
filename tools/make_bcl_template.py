"""Draws templates/business_case_lite.docx, the Business Case Lite in the council's format.

Run once to (re)create the template: python tools/make_bcl_template.py
After that the template is the programme office's to edit in Word.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from casegen.models import wording  # noqa: E402  (the documents' fixed words, which the Word import reads too)
from docxkit import (  # noqa: E402
    TRACKER_ROWS,
    add_row,
    between_tables,
    bullets,
    cell_text,
    centre,
    draw,
    heading,
    label_table,
    lead_in,
    narrow_margins,
    para,
    right,
    space_before,
    table,
    tag,
    tag_row,
    typed_text,
)

OUT = Path(__file__).resolve().parents[1] / "templates" / "business_case_lite.docx"


def year_table(doc, lines: list[tuple[str, str]], years: str = "finance.years", total: bool = True):
    """Amounts by financial year: a column per year ({%tc %} loop), and a Total column."""
    widths = [5.0, 0.4, 2.4, 0.4] + ([2.4] if total else [])
    head = ["", f"{{%tc for y in {years} %}}", "{{ y.year }}", "{%tc endfor %}"] + (["Total"] if total else [])
    money = (2, 4) if total else (2,)  # right-aligned, so that the digits line up
    t = table(doc, widths, None)
    right(add_row(t, head, head=True), money)
    for label, line in lines:
        cells = [label, f"{{%tc for y in {years} %}}", f"{{{{ y.{line} | money }}}}", "{%tc endfor %}"]
        if total:
            cells.append(f"{{{{ finance.totals.{line} | money }}}}")
        right(add_row(t, cells, label=True), money)
    return t


def project_information(doc):
    heading(doc, "Project Information")
    label_table(doc, [
        ("Project Title", "{{ project.title }}"),
        ("Portfolio Tracker ref", "{{ project.tracker_ref }}"),
        ("Current Stage / Gate:", "{{ project.stage }}"),
        ("Project Sponsor", "{{ project.sponsor }}"),
        ("Project Lead", "{{ project.lead }}"),
        ("Transformation Theme", "{{ project.theme }}"),
        ("Contributory Transformation Theme(s)", "{{ project.contributory_themes | lines | dash }}"),
        ("Department and Team", "{{ project.department }}"),
    ] + TRACKER_ROWS, header=wording.PROJECT_HEADER)
    typed_text(doc, "summary", after_table=True, split=True)


def scope(doc):
    heading(doc, wording.SCOPE)
    t = table(doc, [8.5, 8.5], ["In scope", "Out of Scope"])
    row = t.add_row()
    for cell, items in zip(row.cells, ("scope_in", "scope_out"), strict=True):
        cell._tc.remove(cell.paragraphs[0]._p)
        bullets(cell, items)
    between_tables(doc)
    t = table(doc, [17], ["Linked / Complementary OBCs"])
    add_row(t, ["{{ linked_obcs | lines | dash }}"])


def assessment(doc):
    heading(doc, "Objectives")
    bullets(doc, "objectives")
    heading(doc, "Assessment of the Current Position")
    bullets(doc, "current_position")
    tag(doc, "{%p if position_table.rows %}")
    t = table(doc, [9, 3], ["{{ position_table.heading }}", "{{ position_table.count_heading }}"])
    tag_row(t, "{%tr for r in position_table.rows %}")
    add_row(t, ["{{ r.item }}", "{{ r.count }}"], label=True)
    tag_row(t, "{%tr endfor %}")
    add_row(t, ["Grand Total", "{{ position_table.grand_total }}"], label=True)
    tag(doc, "{%p endif %}")
    bullets(doc, "current_position_more", after_table=True)
    heading(doc, "Proposed Changes")
    bullets(doc, "proposed_changes")


def qualification(doc):
    heading(doc, "Opportunity Qualification")
    t = table(doc, [9, 4], list(wording.QUALIFICATION_HEADER))
    add_row(t, ["Financial Benefits", '{{ qualification.financial_benefits | money("£ N/A") }}'], label=True)
    add_row(t, ["Effort / Easy of Implementation", "{{ qualification.effort }}"], label=True)
    add_row(t, ["Impact (financial and non-financial)", "{{ qualification.impact }}"], label=True)
    tag(doc, "{%p if qualification.note %}")
    space_before(para(doc, "Note: {{ qualification.note }}"))
    tag(doc, "{%p endif %}")


def finance(doc):
    heading(doc, "Financial Delivery")
    lead_in(doc, wording.ONE_OFF, bold=True)
    year_table(doc, [("One-off Investment", "one_off_investment"), ("One-off Savings", "one_off_savings")])
    space_before(lead_in(doc, wording.ONGOING, bold=True))
    year_table(doc, [("Recurring Investment", "recurring_investment"), ("Recurring Savings", "recurring_savings"),
                     ("Net Savings", "net_savings")])
    tag(doc, "{%p if finance.savings_category %}")
    space_before(para(doc, wording.CATEGORY_NOTE.format("{{ finance.savings_category }}")))
    tag(doc, "{%p endif %}")
    # Finance's statement is printed whenever savings are proposed: not yet validated is a statement, at 0%.
    tag(doc, "{%p if finance.validated or finance.savings_years %}")
    space_before(lead_in(doc, wording.VALIDATED, bold=True))
    years = "{{ finance.confidence_years | join(', ') | dash('the years shown') }}"
    lead_in(doc, "{% if finance.finance_validated %}"
                 + wording.VALIDATED_SENTENCE.format("{{ finance.confidence }}", years)
                 + "{% else %}" + wording.NOT_VALIDATED.format(years) + "{% endif %}")
    tag(doc, "{%p if finance.validated %}")
    year_table(doc, [("Recurring Investment", "recurring_investment"), ("Recurring Savings", "recurring_savings"),
                     ("Net Savings", "net_savings")], years="finance.validated", total=False)
    tag(doc, "{%p endif %}")
    space_before(para(doc, wording.MTFS))
    tag(doc, "{%p endif %}")


def benefits(doc):
    heading(doc, "Non-Cashable Benefits")
    tag(doc, "{%p if has_realisation_dates %}")
    t = table(doc, [4.5, 9.5, 3], ["Benefit", "Description", "Realisation date"])
    tag_row(t, "{%tr for b in benefits %}")
    cell_text(add_row(t, ["{{ b.category }}", "", "{{ b.realisation_date | when }}"], label=True).cells[1],
              "b.description")
    tag_row(t, "{%tr endfor %}")
    tag(doc, "{%p else %}")
    t = table(doc, [4.5, 12.5], ["Benefit", "Description"])
    tag_row(t, "{%tr for b in benefits %}")
    cell_text(add_row(t, ["{{ b.category }}", ""], label=True).cells[1], "b.description")
    tag_row(t, "{%tr endfor %}")
    tag(doc, "{%p endif %}")
    heading(doc, "Resources and Stakeholders")
    lead_in(doc, wording.TEAM_LEAD_IN)
    label_table(doc, [
        ("Direct Team", "{{ resources.direct_team | dash }}"),
        ("Stakeholders – Governance and Decision Making", "{{ resources.governance | dash }}"),
        ("Stakeholders – Customers / Beneficiaries", "{{ resources.customers | dash }}"),
        ("Stakeholders – Providers / Delivery Teams / Partners", "{{ resources.providers | dash }}"),
    ], header=wording.RESOURCES_HEADER)


def risks(doc):
    heading(doc, "Risks")
    lead_in(doc, wording.RISKS_LEAD_IN)
    # The scores are one digit: their columns are as narrow as their headings, the risk gets the room.
    scores = (2, 3, 4)
    t = table(doc, [1.7, 5.8, 2.1, 1.5, 1.2, 4.7])
    head = add_row(t, ["Ref", "Risk", "Likelihood", "Impact", "Total", "Mitigations"], head=True)
    narrow_margins(head, scores)
    tag_row(t, "{%tr for r in risks %}")
    row = add_row(t, ["{{ r.ref }}", "", "{{ r.likelihood }}", "{{ r.impact }}", "{{ r.total }}", ""])
    narrow_margins(centre(row, scores), scores)
    cell_text(row.cells[1], "r.risk", none="")
    cell_text(row.cells[5], "r.mitigations")
    tag_row(t, "{%tr endfor %}")
    heading(doc, "Critical dependencies, constraints, assumptions")
    bullets(doc, "dependencies")


def timetable(doc):
    heading(doc, "Timetable – Key Activities and Milestones")
    t = table(doc, [11, 6], ["Stage / Gate target milestones", "(Target) Date"])
    tag_row(t, "{%tr for g in gate_dates %}")
    add_row(t, ["{{ g.gate }}", "{{ g.date | when('TBC') }}"], label=True)
    tag_row(t, "{%tr endfor %}")
    between_tables(doc)
    t = table(doc, [11, 3, 3], ["Project Deliverable", "Start", "Finish"])
    tag_row(t, "{%tr for d in deliverables %}")
    add_row(t, ["{{ d.deliverable }}", "{{ d.start | when('TBC') }}", "{{ d.finish | when('TBC') }}"])
    tag_row(t, "{%tr endfor %}")
    heading(doc, "Approvals of this Savings Delivery Plan")
    t = table(doc, [6, 7, 4], ["Name", "Role", "Date Agreed"])
    tag_row(t, "{%tr for a in approvals %}")
    add_row(t, ["{{ a.name }}", "{{ a.role }}", "{{ a.date_agreed | when('TBC') }}"])
    tag_row(t, "{%tr endfor %}")


def main() -> None:
    draw(OUT, f"{wording.BCL_TITLE} – {{{{ programme }}}}", f"{{{{ project.title }}}} – {wording.BCL_TITLE}",
         (project_information, scope, assessment, qualification, finance, benefits, risks, timetable))


if __name__ == "__main__":
    main()
