"""The monthly summary for the finance review group: a Word document from templates/portfolio_summary.docx.

`PortfolioSummary` (models/summary.py) is what the template can print, as the case models are for the
other two templates: `casegen templates check` types the template's tags against it.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from casegen.errors import Severity
from casegen.models import Kind
from casegen.models.summary import ExcludedForm, GateLine, PortfolioSummary, RiskLine, StageLine, TargetLine
from casegen.models.values import Total
from casegen.portfolio.collect import display_name
from casegen.portfolio.figures import Portfolio, rag
from casegen.portfolio.wording import for_readers
from casegen.render import load_template, template_path
from casegen.render.html import Page, page

TOP_RISKS = 10
STATUS = {"green": "On target", "amber": "Behind target", "red": "Well behind target", "": "No target"}
# short, to tell a project's Business Case Lite from its Project Brief
KIND: dict[str, str] = {Kind.BCL: "BCL", Kind.BRIEF: "Brief"}
# The documents say so in the board's words; how to set targets is the terminal's to say (TARGETS_HOW_TO).
NO_TARGETS = "Targets not yet set: net savings are shown without a target to measure them against."
TARGETS_HOW_TO = ("warning: no savings targets are set, so the tracker and the summary say \"Targets not yet set\". "
                  "Set them per theme and financial year under [targets] in the programme configuration "
                  "(casegen templates export DIR writes a programme.toml with an example), then pass it with --config.")


def _line(portfolio: Portfolio, name: str, theme: str | None, year: str | None) -> TargetLine:
    net, target = portfolio.total(theme, year), portfolio.target(theme, year)
    return TargetLine(name=name, net=net, target=target, gap=_gap(net, target),
                      status=STATUS[rag(net.known_part, target)])


def _gap(net: Total, target: Decimal | None) -> Total | None:
    return None if target is None else Total(net.known_part - target, net.tbc)


def _first_error(problems) -> str:
    """The first error as the board reads it: its field, and what is wrong (the how-to is the terminal's)."""
    first = next((p for p in problems if p.severity == Severity.ERROR), problems[0] if problems else None)
    if first is None:
        return ""
    return f"{first.field}: {for_readers(first.message)}" if first.field else for_readers(first.message)


def summarise(portfolio: Portfolio, movement=None) -> PortfolioSummary:
    used = {r.theme for r in portfolio.rows} | set(portfolio.programme.targets)
    excluded = [ExcludedForm(form=display_name(c.file), problems=len(c.problems), first=_first_error(c.problems))
                for c in portfolio.excluded]
    return PortfolioSummary(
        programme=portfolio.programme.programme, council=portfolio.programme.council,
        as_of=f"{portfolio.as_of:%-d %B %Y}", forms=len(portfolio.forms), cases=len(portfolio.rows),
        excluded=len(excluded), net_total=portfolio.total(), target_total=portfolio.target(),
        gap_total=_gap(portfolio.total(), portfolio.target()), targets_set=bool(portfolio.programme.targets),
        no_targets="" if portfolio.programme.targets else NO_TARGETS, total=_line(portfolio, "Total", None, None),
        years=[_line(portfolio, y, None, y) for y in portfolio.years],
        themes=[_line(portfolio, t, t, None) for t in portfolio.themes if t in used],
        pipeline=[StageLine(stage=s, cases=n, net=portfolio.stage_total(s)) for s, n, _ in portfolio.pipeline()],
        overdue=[GateLine(ref=r.ref, kind=KIND[r.kind], title=r.title, gate=r.next_gate, date=r.next_gate_date,
                          lead=r.lead) for r in portfolio.overdue()],
        top_risks=[RiskLine(ref=r.ref, kind=KIND[r.kind], title=r.title, risk=r.risk, likelihood=r.likelihood,
                            impact=r.impact, score=r.score) for r in portfolio.top_risks(TOP_RISKS)],
        excluded_forms=excluded,
        movement=_since(movement),
    )


def _since(movement):
    """The section on what moved since the last report (movement.py), when the caller compared snapshots."""
    if movement is None:
        return None
    from casegen.portfolio.since import since_report

    return since_report(movement)


def template_file(portfolio: Portfolio) -> Path:
    return template_path("portfolio", portfolio.programme.templates)


def render_summary(portfolio: Portfolio, template: Path | None = None, movement=None) -> bytes:
    """The summary document's bytes, rendered by casegen's renderer like every other document."""
    summary = summarise(portfolio, movement)
    context = {name: getattr(summary, name) for name in PortfolioSummary.model_fields}
    context["language"] = portfolio.programme.language  # of the text: set in the document's styles and properties
    return load_template(template or template_file(portfolio)).render(context)


def summary_page(document: bytes, portfolio: Portfolio) -> Page:
    """The summary as a web page (portfolio --html), made from the document just rendered: the same words."""
    return page(document, portfolio.programme.language)
