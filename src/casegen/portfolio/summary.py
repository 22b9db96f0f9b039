"""The monthly summary for the finance review group: a Word document from templates/portfolio_summary.docx.

`PortfolioSummary` is what the template can print, as the case models are for the other two
templates: `casegen templates check` types the template's tags against it.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from casegen.models.values import Total
from casegen.portfolio.collect import display_name
from casegen.portfolio.figures import Portfolio, rag

# Net savings are a Total (TBC, with the part known so far, where a case's year is TBC); the union
# keeps `templates check` taking them for amounts, as the money filter prints both.
Figure = Total | Decimal

TOP_RISKS = 10
STATUS = {"green": "On target", "amber": "Behind target", "red": "Well behind target", "": "No target"}


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
    title: str
    risk: str
    likelihood: int
    impact: int
    score: int


class GateLine(BaseModel):
    ref: str
    title: str
    gate: str
    date: str
    lead: str


class ExcludedForm(BaseModel):
    form: str
    problems: int
    first: str  # the first error, as `casegen validate` prints it


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
    years: list[TargetLine]
    themes: list[TargetLine]  # the themes with a case or a target
    pipeline: list[StageLine]
    overdue: list[GateLine]
    top_risks: list[RiskLine]
    excluded_forms: list[ExcludedForm]


def _line(portfolio: Portfolio, name: str, theme: str | None, year: str | None) -> TargetLine:
    net, target = portfolio.total(theme, year), portfolio.target(theme, year)
    return TargetLine(name=name, net=net, target=target, gap=_gap(net, target),
                      status=STATUS[rag(net.known_part, target)])


def _gap(net: Total, target: Decimal | None) -> Total | None:
    return None if target is None else Total(net.known_part - target, net.tbc)


def summarise(portfolio: Portfolio) -> PortfolioSummary:
    used = {r.theme for r in portfolio.rows} | set(portfolio.programme.targets)
    excluded = [ExcludedForm(form=display_name(c.file), problems=len(c.problems),
                             first=next((p.message for p in c.problems if p.severity == "error"),
                                        c.problems[0].message if c.problems else ""))
                for c in portfolio.excluded]
    return PortfolioSummary(
        programme=portfolio.programme.programme, council=portfolio.programme.council,
        as_of=f"{portfolio.as_of:%-d %B %Y}", forms=len(portfolio.forms), cases=len(portfolio.rows),
        excluded=len(excluded), net_total=portfolio.total(), target_total=portfolio.target(),
        gap_total=_gap(portfolio.total(), portfolio.target()),
        years=[_line(portfolio, y, None, y) for y in portfolio.years],
        themes=[_line(portfolio, t, t, None) for t in portfolio.themes if t in used],
        pipeline=[StageLine(stage=s, cases=n, net=portfolio.stage_total(s)) for s, n, _ in portfolio.pipeline()],
        overdue=[GateLine(ref=r.ref, title=r.title, gate=r.next_gate, date=r.next_gate_date, lead=r.lead)
                 for r in portfolio.overdue()],
        top_risks=[RiskLine(ref=r.ref, title=r.title, risk=r.risk, likelihood=r.likelihood, impact=r.impact,
                            score=r.score) for r in portfolio.top_risks(TOP_RISKS)],
        excluded_forms=excluded,
    )


def template_file(portfolio: Portfolio) -> Path:
    from casegen.render import template_path

    return template_path("portfolio", portfolio.programme.templates)


def render_summary(portfolio: Portfolio, template: Path | None = None) -> bytes:
    """The summary document's bytes, rendered by casegen's renderer like every other document."""
    from casegen.render import load_template

    summary = summarise(portfolio)
    context = {name: getattr(summary, name) for name in PortfolioSummary.model_fields}
    return load_template(template or template_file(portfolio)).render(context)
