"""Forms -> the rows the tracker needs: one small row a case, one a risk, and every problem.

Each form is read through the same check as `validate` and `build` (in worker processes, as build
does); a worker sends back only these rows, never the case, so memory stays flat however many
forms the portfolio holds. A form with errors (or that cannot be read) gives no row: it is listed
with its problems, never dropped silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from casegen.config import Programme
from casegen.errors import Problem, Severity
from casegen.models import Kind
from casegen.models.values import Amount, Total, when_as_date
from casegen.portfolio import columns
from casegen.portfolio.columns import form_name
from casegen.portfolio.wording import brief_risk, names_of


@dataclass
class RiskRow:
    ref: str  # the case's tracker ref
    title: str
    risk_ref: str
    risk: str
    likelihood: int
    impact: int
    lead: str
    mitigation: str
    score: int  # the model's likelihood × impact (Scored.total)
    kind: str = Kind.BCL  # of the case: a BCL and a Brief of one project share its tracker ref


@dataclass
class CaseRow:
    file: str  # the form, as given
    kind: str
    ref: str
    title: str
    theme: str
    stage: str
    next_gate: str
    next_gate_date: str  # as the form has it: Oct 2024, TBC, or ""
    lead: str
    net_by_year: dict[str, Amount]  # empty for a case with no finance (a Project Brief)
    risks: list[RiskRow]
    flags: str  # the warnings the case has (rule codes), short
    shown: dict[str, object] = field(default_factory=dict)  # each Field column's value (columns.py), by name
    investment_by_year: dict[str, Amount] = field(default_factory=dict)  # one-off, for the portfolio's snapshot

    @property
    def has_finance(self) -> bool:
        return bool(self.net_by_year)

    @property
    def net(self) -> Total:
        """The case's net savings over every year: TBC if a year is, with the part known so far."""
        return Total.of(self.net_by_year.values())

    @property
    def net_total(self) -> Decimal:
        """The net savings known so far (a TBC year counts as nothing): what the tracker's sums add."""
        return self.net.known_part

    @property
    def top_score(self) -> int | None:
        return max((r.score for r in self.risks), default=None)

    @property
    def gate_due(self) -> date | None:
        return when_as_date(self.next_gate_date)

    def overdue(self, as_of: date) -> bool:
        """The next gate's month has ended before the as-of date's month began."""
        due = self.gate_due
        return due is not None and due < as_of.replace(day=1)


def _risk_rows(case, programme: Programme) -> list[RiskRow]:
    p = case.project
    names = names_of(programme.council, programme.programme, p.title, p.sponsor, p.lead)
    rows = []
    for i, r in enumerate(case.risks, start=1):
        if case.kind == Kind.BRIEF:  # the brief's three-part statement, as one sentence
            text, ref, mitigation = brief_risk(r.cause, r.risk, r.consequence, names), str(i), ""
        else:
            text, ref, mitigation = r.risk, r.ref, r.mitigations
        rows.append(RiskRow(p.tracker_ref, p.title, ref, text, r.likelihood, r.impact, p.lead, mitigation, r.total,
                            kind=case.kind))
    return rows


def _next_gate(case, programme: Programme) -> tuple[str, str]:
    """At Stage n the next decision is Gate n; its date from the case's timetable."""
    n = programme.stage_number(getattr(case.project, "stage", "") or "")
    if n is None or n >= len(programme.gates):
        return "", ""
    gate = programme.gates[n]
    dates = {g.gate: g.date or "" for g in getattr(case, "gate_dates", [])}
    return gate, dates.get(gate, "")


def tracker_row(case, file: str, problems: list[Problem], programme: Programme) -> CaseRow:
    """The tracker's row of one case."""
    p = case.project
    finance = getattr(case, "finance", None)
    years = {y.year: y.net_savings for y in finance.years} if finance else {}
    gate, when = _next_gate(case, programme)
    return CaseRow(
        file=file, kind=case.kind, ref=p.tracker_ref, title=p.title, theme=getattr(p, "theme", ""),
        stage=getattr(p, "stage", "") or "", next_gate=gate, next_gate_date=when, lead=p.lead,
        net_by_year={y: years.get(y) for y in programme.financial_years} if finance else {},
        risks=_risk_rows(case, programme),
        flags=", ".join(dict.fromkeys(p.code or "warning" for p in problems if p.severity != Severity.ERROR)),
        shown={column.name: column.read(case) for column in columns.case_fields()},
        investment_by_year={y.year: y.one_off_investment for y in finance.years} if finance else {},
    )


display_name = form_name  # a form as the tracker and the summary name it
