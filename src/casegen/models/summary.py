"""What the portfolio summary template can print (templates/portfolio_summary.docx), as the case models
are what the other two print; portfolio/summary.py fills it from a portfolio."""
from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from casegen.models.values import Total

# Net savings are a Total (TBC, with the part known so far, where a case's year is TBC); the union
# keeps `templates check` taking them for amounts, as the money filter prints both.
Figure = Total | Decimal


class TargetLine(BaseModel):
    """Net savings against the target, for a financial year or a theme (over every year)."""

    name: str
    net: Figure
    target: Decimal | None
    gap: Figure | None
    status: str  # On target, Behind target, Well behind target or No target


class StageLine(BaseModel):
    stage: str
    cases: int
    net: Figure


class RiskLine(BaseModel):
    ref: str
    kind: str  # BCL or Brief
    title: str
    risk: str
    likelihood: int
    impact: int
    score: int


class GateLine(BaseModel):
    ref: str
    kind: str  # BCL or Brief
    title: str
    gate: str
    date: str
    lead: str


class ExcludedForm(BaseModel):
    form: str
    problems: int
    first: str  # the first error: what is wrong, without the how-to meant for whoever ran the tool


class MovedCase(BaseModel):
    case: str  # RX-101 BCL
    title: str
    moved: str  # what moved, in words, with its amounts


class MovementGroup(BaseModel):
    title: str  # New cases, Stages and gates, Net savings, ...
    cases: list[MovedCase]


class ThenAndNow(BaseModel):
    """Net savings of a theme or a stage (or the total) at the last report and now."""

    name: str
    cases_then: int
    cases_now: int
    then: Figure
    now: Figure
    change: str  # +£20,000, -£5,000, £0; TBC (+£x known) where a year is TBC


class SinceLastReport(BaseModel):
    """What moved since the last report: the summary's first section."""

    since: str  # 6 November 2026; "" for the first report
    first: bool  # nothing earlier to compare: `overview` says so, once
    overview: str  # one sentence: what moved, counted, or that nothing did
    groups: list[MovementGroup]
    themes: list[ThenAndNow]
    stages: list[ThenAndNow]
    total: ThenAndNow | None


class PortfolioSummary(BaseModel):
    """Everything the summary template can print."""

    programme: str
    council: str
    as_of: str  # 31 October 2024
    forms: int
    cases: int
    excluded: int
    net_total: Figure
    target_total: Decimal | None
    gap_total: Figure | None
    targets_set: bool  # any target in the configuration; else `no_targets` says so once
    no_targets: str  # "Targets not yet set", in the board's words ("" when some are set)
    total: TargetLine  # every year and theme, with its status
    years: list[TargetLine]
    themes: list[TargetLine]  # the themes with a case or a target
    pipeline: list[StageLine]
    overdue: list[GateLine]
    top_risks: list[RiskLine]
    excluded_forms: list[ExcludedForm]
    movement: SinceLastReport | None = None  # when the portfolio's earlier snapshots were looked at
