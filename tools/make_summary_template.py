"""Draws templates/portfolio_summary.docx, the monthly portfolio summary for the finance review group.

Run once to (re)create the template: python tools/make_summary_template.py
After that the template is the programme office's to edit in Word. Its tags print the fields of
casegen.portfolio.summary.PortfolioSummary; `casegen templates check` checks them against it.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from docxkit import add_row, centre, draw, heading, lead_in, para, right, space_before, table, tag, tag_row  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "templates" / "portfolio_summary.docx"
# A total over a TBC year ("TBC (£4,110,000 known)") on one line in the net savings and gap columns; the status
# words ("Well behind target") on one line too.
MONEY_COLUMNS = [2.6, 4.4, 2.4, 4.2, 3.4]  # the target column fits £10,000,000 (templates check)
MONEY = (1, 2, 3)  # the columns of amounts, right-aligned so that their digits line up


def headline(doc):
    para(doc, "As of {{ as_of }}: {{ cases }} cases from {{ forms }} intake forms."
              "{% if excluded %} {{ excluded }} forms were left out because they have errors (listed at the end)."
              "{% endif %}")
    para(doc, "Net savings across the portfolio: {{ net_total | money }}{% if target_total is not none %}, against "
              "targets of {{ target_total | money }} (gap {{ gap_total | money }}: {{ total.status | lower }})"
              "{% endif %}.", bold=True)


def against_targets(doc, title: str, items: str, first: str):
    heading(doc, title)
    t = table(doc, MONEY_COLUMNS)
    right(add_row(t, [first, "Net savings", "Target", "Gap", "Status"], head=True), MONEY)
    tag_row(t, f"{{%tr for line in {items} %}}")
    right(add_row(t, ["{{ line.name }}", "{{ line.net | money }}", "{{ line.target | money }}",
                      "{{ line.gap | money }}", "{{ line.status }}"], label=True), MONEY)
    tag_row(t, "{%tr endfor %}")
    right(add_row(t, ["Total", "{{ total.net | money }}", "{{ total.target | money }}", "{{ total.gap | money }}",
                      "{{ total.status }}"], label=True), MONEY)


def net_only(doc, title: str, items: str, first: str):
    heading(doc, title)
    t = table(doc, [6.0, MONEY_COLUMNS[1]])
    right(add_row(t, [first, "Net savings"], head=True), [1])
    tag_row(t, f"{{%tr for line in {items} %}}")
    right(add_row(t, ["{{ line.name }}", "{{ line.net | money }}"], label=True), [1])
    tag_row(t, "{%tr endfor %}")
    right(add_row(t, ["Total", "{{ total.net | money }}"], label=True), [1])


def then_and_now(doc, title: str, items: str, first: str):
    heading(doc, title, 2)
    t = table(doc, [3.4, 1.6, 3.8, 3.8, 4.4])  # a TBC total ("TBC (£815,000 known)") and its change on one line
    right(centre(add_row(t, [first, "Cases", "Net savings then", "Net savings now", "Change"], head=True), [1]),
          [2, 3, 4])
    tag_row(t, f"{{%tr for line in {items} %}}")
    right(centre(add_row(t, ["{{ line.name }}", "{{ line.cases_then }} → {{ line.cases_now }}",
                             "{{ line.then | money }}", "{{ line.now | money }}", "{{ line.change }}"], label=True),
                 [1]), [2, 3, 4])
    tag_row(t, "{%tr endfor %}")
    right(centre(add_row(t, ["Total", "{{ movement.total.cases_then }} → {{ movement.total.cases_now }}",
                             "{{ movement.total.then | money }}", "{{ movement.total.now | money }}",
                             "{{ movement.total.change }}"], label=True), [1]), [2, 3, 4])


def since_last_report(doc):
    """What moved since the last report: what the finance review group asks first."""
    tag(doc, "{%p if movement %}")
    heading(doc, "Since the last report{% if movement.since %} ({{ movement.since }}){% endif %}")
    para(doc, "{{ movement.overview }}")
    tag(doc, "{%p for g in movement.groups %}")
    heading(doc, "{{ g.title }}", 2)
    t = table(doc, [2.8, 4.6, 9.6], ["Case", "Project", "What moved"])
    tag_row(t, "{%tr for c in g.cases %}")
    add_row(t, ["{{ c.case }}", "{{ c.title }}", "{{ c.moved }}"])
    tag_row(t, "{%tr endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not movement.first %}")
    then_and_now(doc, "Net savings by theme, then and now", "movement.themes", "Theme")
    then_and_now(doc, "Net savings by stage, then and now", "movement.stages", "Stage")
    space_before(para(doc, "Then: at the last report, {{ movement.since }}; now: {{ as_of }}. A total is TBC where "
                           "a case's year is not yet known; the part known so far is shown beside it."))
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def savings(doc):
    tag(doc, "{%p if targets_set %}")
    against_targets(doc, "Savings against targets, by financial year", "years", "Financial year")
    space_before(para(doc, "Net savings are recurring savings less recurring investment, from each Business Case "
                           "Lite. Behind target: below the target; well behind: below three quarters of it."))
    against_targets(doc, "Savings against targets, by theme (all years)", "themes", "Theme")
    tag(doc, "{%p else %}")
    para(doc, "{{ no_targets }}")
    net_only(doc, "Net savings by financial year", "years", "Financial year")
    space_before(para(doc, "Net savings are recurring savings less recurring investment, "
                           "from each Business Case Lite."))
    net_only(doc, "Net savings by theme (all years)", "themes", "Theme")
    tag(doc, "{%p endif %}")


def pipeline(doc):
    heading(doc, "Pipeline")
    t = table(doc, [10, 2.5, 4.5])
    right(centre(add_row(t, ["Stage", "Cases", "Net savings"], head=True), [1]), [2])
    tag_row(t, "{%tr for s in pipeline %}")
    right(centre(add_row(t, ["{{ s.stage }}", "{{ s.cases }}", "{{ s.net | money }}"], label=True), [1]), [2])
    tag_row(t, "{%tr endfor %}")


def overdue(doc):
    heading(doc, "Overdue gates")
    tag(doc, "{%p if overdue %}")
    lead_in(doc, "The next gate of these cases was due before {{ as_of }}:")
    t = table(doc, [2.8, 4.6, 5.2, 2.0, 2.4], ["Case", "Project", "Next gate", "Date", "Lead"])
    tag_row(t, "{%tr for g in overdue %}")
    add_row(t, ["{{ g.ref }} {{ g.kind }}", "{{ g.title }}", "{{ g.gate }}", "{{ g.date }}", "{{ g.lead }}"])
    tag_row(t, "{%tr endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "No case's next gate is overdue.")
    tag(doc, "{%p endif %}")


def risks(doc):
    heading(doc, "Top risks")
    tag(doc, "{%p if top_risks %}")
    t = table(doc, [2.8, 3.4, 7.2, 1.0, 1.0, 1.6], ["Case", "Project", "Risk", "L", "I", "Score"])
    tag_row(t, "{%tr for r in top_risks %}")
    row = add_row(t, ["{{ r.ref }} {{ r.kind }}", "{{ r.title }}", "{{ r.risk }}", "{{ r.likelihood }}",
                      "{{ r.impact }}", "{{ r.score }}"])
    centre(row, [3, 4, 5])
    tag_row(t, "{%tr endfor %}")
    space_before(para(doc, "Case: tracker ref and kind (BCL: Business Case Lite; Brief: Project Brief). L: likelihood, "
                           "I: impact, each 1 to 5; score = L × I. Every risk is on the tracker's Risks sheet."))
    tag(doc, "{%p else %}")
    para(doc, "No case records a risk.")
    tag(doc, "{%p endif %}")


def excluded(doc):
    tag(doc, "{%p if excluded_forms %}")
    heading(doc, "Forms left out")
    t = table(doc, [5.0, 2.0, 10.0], ["Form", "Problems", "First error"])
    tag_row(t, "{%tr for f in excluded_forms %}")
    add_row(t, ["{{ f.form }}", "{{ f.problems }}", "{{ f.first }}"])
    tag_row(t, "{%tr endfor %}")
    tag(doc, "{%p endif %}")


def main() -> None:
    draw(OUT, "Portfolio summary – {{ programme }}", "{{ council }} – portfolio summary, {{ as_of }}",
         (headline, since_last_report, savings, pipeline, overdue, risks, excluded))


if __name__ == "__main__":
    main()
