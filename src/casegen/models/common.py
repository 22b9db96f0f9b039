"""Building blocks that the Business Case Lite and the Project Brief share."""
from __future__ import annotations

from typing import Annotated

from pydantic import computed_field

from casegen.models.base import Model, field

# A date left blank is TBC: the documents print it so, and a document read back must give the same case.
from casegen.models.values import TBC, Choice, Chosen, GateWhen, ListText, Rating, Text, When


class ProjectHeader(Model):
    """Who and what: the facts that trace a document to its project on the portfolio tracker."""

    title: Text = field("Project Title", "The project's name as it appears on the portfolio tracker")
    tracker_ref: Text = field("Portfolio Tracker ref", "The reference on the portfolio tracker, e.g. RX-004")
    sponsor: Text = field("Project Sponsor", "Name of the sponsor, or TBC", default="TBC")
    lead: Text = field("Project Lead", "Name of the project lead, or TBC", default="TBC")
    budget_code: Text = field(
        "Indicative Budget Code", "Required before the project moves past Stage 1 (tracker rule)", default="",
        printed=False,  # tracker data: the council's formats do not print it
    )
    finance_lead: Text = field(
        "Finance Lead", "The named accountant; required before the project moves past Stage 1", default="",
        printed=False,  # tracker data: the council's formats do not print it
    )


class Scored(Model):
    """Likelihood and impact, each 1 to 5; the total is computed, never typed."""

    likelihood: Rating = field("Likelihood", "1 (rare) to 5 (almost certain)")
    impact: Rating = field("Impact", "1 (minor) to 5 (severe)")

    @computed_field(title="Total")  # type: ignore[prop-decorator]  # pydantic's documented form
    @property
    def total(self) -> int:
        return self.likelihood * self.impact


class GateDate(Model):
    gate: Annotated[Chosen, Choice("gates")] = field("Stage / Gate target milestones", "The stage gate")
    date: GateWhen = field(
        "(Target) Date", "Month and year (Oct 2023), a quarter (Q3 2024), Completed, or TBC / Ongoing", default=TBC
    )


class Deliverable(Model):
    deliverable: Text = field("Project Deliverable", "What will be produced or done")
    start: When = field("Start", "Month and year, e.g. Dec 2023", default=TBC)
    finish: When = field("Finish", "Month and year, or Ongoing", default=TBC)


class Approval(Model):
    name: Text = field("Name", "Who approves, or TBC", default="TBC")
    role: Text = field("Role", "e.g. Project Sponsor")
    date_agreed: When = field("Date Agreed", "Month and year, or TBC", default=TBC)


class Item(Model):
    """One entry of a plain list (a linked business case, a theme)."""

    text: ListText = field("Item", "One entry")
