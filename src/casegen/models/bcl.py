"""The Business Case Lite: one model per section, in the document's order."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import computed_field, model_validator

from casegen.models.base import Bullet, Model, field
from casegen.models.common import Approval, Deliverable, GateDate, Item, ProjectHeader, Scored
from casegen.models.values import (
    Amount,
    Choice,
    Chosen,
    Cost,
    Count,
    LongText,
    Money,
    ProseText,
    Rating,
    Text,
    Total,
    YearWhen,
    is_tbc,
    known,
)


def _add(*amounts: Amount) -> Amount:
    """A sum that stays "none" ("-" in the document) when every part is none, and TBC if any part is."""
    return Total.of(amounts).amount


def _sub(a: Amount, b: Amount) -> Amount:
    return (Total.of([a]) - b).amount


class Theme(Model):
    """A theme from the programme's list (a contributory theme)."""

    text: Annotated[Chosen, Choice("themes")] = field("Theme", "One of the programme's themes")


class ProjectInfo(ProjectHeader):
    stage: Annotated[Chosen, Choice("stages")] = field("Current Stage / Gate", "The stage the project is in now")
    theme: Annotated[Chosen, Choice("themes")] = field("Transformation Theme", "The theme this project belongs to")
    department: Text = field("Department and Team", "e.g. Cross-cutting, or the department and team")
    contributory_themes: list[Theme] = field(
        "Contributory Transformation Theme(s)", "Other themes this project contributes to", list, choices="themes"
    )


class CountRow(Model):
    item: Text = field("Item", "What is counted")
    count: Count = field("Count", "A whole number")


class PositionTable(Model):
    """A small table inside the assessment, such as counts of community assets by type."""

    heading: Text = field("Table: first column heading", "e.g. Type of community asset", default="")
    count_heading: Text = field("Table: count column heading", "e.g. Total", default="Total")
    rows: list[CountRow] = field("Table rows", "One row per item; the grand total is computed", list)

    @computed_field(title="Grand Total")  # type: ignore[prop-decorator]
    @property
    def grand_total(self) -> int:
        return sum(r.count for r in self.rows)


class Qualification(Model):
    financial_benefits: Money = field(
        "Financial Benefits", "Expected saving in pounds; leave blank for N/A", default=None
    )
    effort: Rating = field("Effort / Easy of Implementation", "1 (hard) to 5 (easy)")
    impact: Rating = field("Impact (financial and non-financial)", "1 (low) to 5 (high)")
    note: ProseText = field("Note", "Optional note printed under the table", default="")


class FinanceYear(Model):
    year: Annotated[Chosen, Choice("financial_years")] = field("Financial year", "e.g. 24/25")
    one_off_investment: Cost = field("One-off Investment", "Pounds; blank or - for none; TBC if not yet known",
                                     default=None)
    one_off_savings: Money = field("One-off Savings", "Pounds; blank or - for none; TBC if not yet known", default=None)
    recurring_investment: Cost = field("Recurring Investment", "Pounds a year; blank for none; TBC if not yet known",
                                       default=None)
    recurring_savings: Money = field("Recurring Savings", "Pounds a year; blank for none; TBC if not yet known",
                                     default=None)

    @computed_field(title="Net Savings")  # type: ignore[prop-decorator]
    @property
    def net_savings(self) -> Amount:
        return _sub(self.recurring_savings, self.recurring_investment)


class ValidatedYear(Model):
    year: Annotated[Chosen, Choice("financial_years")] = field("Financial year", "A year Finance has looked at")
    recurring_investment: Cost = field("Validated Recurring Investment", "Pounds; blank for none", default=None)
    recurring_savings: Money = field("Validated Recurring Savings", "Pounds; 0 if not validated", default=None)

    @computed_field(title="Net Savings")  # type: ignore[prop-decorator]
    @property
    def net_savings(self) -> Amount:
        return _sub(self.recurring_savings, self.recurring_investment)


class Finance(Model):
    years: list[FinanceYear] = field(
        "Financial Delivery", "Amounts by financial year; net savings and totals are computed",
        list, prefill="financial_years",
    )
    savings_category: Annotated[Chosen, Choice("savings_categories")] = field(
        "Savings category", "Optional: how the saving is categorised", default=""
    )
    validated: list[ValidatedYear] = field(
        "Finance's Validated Figures",
        "Optional: the years Finance has validated; leave empty if Finance has not looked yet", list,
    )

    def total(self, line: str) -> Amount:
        return _add(*(getattr(y, line) for y in self.years))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def totals(self) -> dict[str, Amount]:
        lines = ("one_off_investment", "one_off_savings", "recurring_investment", "recurring_savings", "net_savings")
        return {line: self.total(line) for line in lines}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def savings_years(self) -> list[str]:
        """The years in which savings are proposed (one-off or recurring, known or TBC)."""
        return [y.year for y in self.years if any(is_tbc(a) or known(a) > 0 for a in (
            y.one_off_savings, y.recurring_savings))]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def confidence_years(self) -> list[str]:
        """The validated years in which savings are proposed: what the confidence is measured on. Before Finance has
        validated any year, the first year with savings, as the council's documents state it (0% by default)."""
        proposed = {y.year: known(y.net_savings) for y in self.years}
        if not self.validated:
            return self.savings_years[:1]
        return [v.year for v in self.validated if proposed.get(v.year)]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def confidence(self) -> int:
        """Finance-validated net savings as a whole percentage of the proposed net savings."""
        proposed = {y.year: known(y.net_savings) for y in self.years}
        validated = {v.year: known(v.net_savings) for v in self.validated}
        want = sum(proposed[y] for y in self.confidence_years if y in validated)  # none before Finance has looked
        got = sum(validated[y] for y in self.confidence_years if y in validated)
        return int(round(100 * got / want)) if want else 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def finance_validated(self) -> bool:
        return any(known(v.net_savings) for v in self.validated)


class NonCashableBenefit(Model):
    category: Annotated[Chosen, Choice("benefit_categories")] = field("Benefit", "The kind of benefit")
    description: LongText = field("Description", "What will improve; - if none", default="")
    realisation_date: YearWhen = field(
        "Realisation date", "Optional: month and year, a year such as 2025, or TBC", default=None
    )


class Resources(Model):
    direct_team: Text = field("Direct Team", "Who does the work", default="")
    governance: Text = field("Stakeholders – Governance and Decision Making", "Who decides", default="")
    customers: Text = field("Stakeholders – Customers / Beneficiaries", "Who benefits", default="")
    providers: Text = field("Stakeholders – Providers / Delivery Teams / Partners", "Who delivers", default="")


class RiskStatement(Model):
    ref: Text = field("Ref", "Optional; numbered 1, 2, 3… when blank", default="")
    risk: LongText = field("Risk", "If … then …")


class RiskMitigations(Model):
    mitigations: LongText = field("Mitigations", "What will reduce the risk", default="")


class Risk(RiskMitigations, Scored, RiskStatement):
    """A risk scored 1 to 5. pydantic lists the last base's fields first: the form's columns follow
    the document's (Ref, Risk, Likelihood, Impact, Mitigations)."""


class BusinessCaseLite(Model):
    kind: Literal["bcl"] = "bcl"
    project: ProjectInfo = field("Project Information", "Who and what", sheet="Project")
    summary: LongText = field("Summary", "The opportunity in a few paragraphs", sheet="Project")
    scope_in: list[Bullet] = field("In scope", "What the project covers", list, sheet="Scope")
    scope_out: list[Bullet] = field("Out of Scope", "What it does not cover", list, sheet="Scope")
    linked_obcs: list[Item] = field(
        "Linked / Complementary OBCs", "Other business cases this one links to", list, sheet="Scope"
    )
    objectives: list[Bullet] = field("Objectives", "What the project will achieve", list, sheet="Objectives")
    current_position: list[Bullet] = field(
        "Assessment of the Current Position", "Where things stand now", list, sheet="Current Position"
    )
    position_table: PositionTable = field(
        "Table within the assessment", "Optional: a small table of counts printed after the bullets above",
        PositionTable(), sheet="Current Position",
    )
    current_position_more: list[Bullet] = field(
        "Assessment continued (after the table)", "Optional: bullets printed after the table",
        list, sheet="Current Position",
    )
    proposed_changes: list[Bullet] = field(
        "Proposed Changes", "What will change", list, sheet="Current Position"
    )
    qualification: Qualification = field("Opportunity Qualification", "Ratings", sheet="Qualification")
    finance: Finance = field("Financial Delivery", "Money by year", Finance(), sheet="Finance")
    benefits: list[NonCashableBenefit] = field(
        "Non-Cashable Benefits", "Benefits that are not savings", list, sheet="Benefits",
        prefill="benefit_categories",
    )
    resources: Resources = field("Resources and Stakeholders", "Team and stakeholders", Resources(), sheet="Benefits")
    risks: list[Risk] = field("Risks", "The top risks; the total is computed", list, sheet="Risks")
    dependencies: list[Bullet] = field(
        "Critical dependencies, constraints, assumptions", "One a row", list, sheet="Risks"
    )
    gate_dates: list[GateDate] = field(
        "Timetable – Key Activities and Milestones", "Target date for each stage gate", list,
        sheet="Timetable", prefill="gates",
    )
    deliverables: list[Deliverable] = field("Deliverables", "Key deliverables", list, sheet="Timetable")
    approvals: list[Approval] = field(
        "Approvals of this Savings Delivery Plan", "Who approves", list, sheet="Timetable"
    )

    @model_validator(mode="after")
    def _number_risks(self):
        for i, risk in enumerate(self.risks, start=1):
            if not risk.ref:
                risk.ref = str(i)
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def has_realisation_dates(self) -> bool:
        return any(b.realisation_date for b in self.benefits)
