"""The portfolio's figures, worked out once from the cases' rows: what the tracker's formulas show as
cached values, and what the summary document prints."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast

from casegen.batch.check import Checked, check_forms
from casegen.config import Programme
from casegen.errors import Severity
from casegen.intake.files import find_forms, not_a_form, not_forms
from casegen.models import Kind
from casegen.models.values import Total
from casegen.portfolio.collect import CaseRow, RiskRow, tracker_row

NO_STAGE = "(no stage given)"
NO_THEME = "(no theme given)"  # a Project Brief names no theme of its own
BEHIND_RED = Decimal("0.75")  # below 75% of its target a theme's year is red; below 100% amber


@dataclass
class Portfolio:
    programme: Programme
    as_of: date
    forms: list[Checked]  # each with the tracker's row of its case as `extract`, unless it has errors

    @property
    def rows(self) -> list[CaseRow]:
        return [cast(CaseRow, c.extract) for c in self.forms if not c.failing]  # extracted by tracker_row

    @property
    def excluded(self) -> list[Checked]:
        return [c for c in self.forms if c.failing]

    @property
    def risks(self) -> list[RiskRow]:
        return [r for row in self.rows for r in row.risks]

    @property
    def years(self) -> list[str]:
        return list(self.programme.financial_years)

    @property
    def themes(self) -> list[str]:
        return list(self.programme.themes)

    def total(self, theme: str | None = None, year: str | None = None) -> Total:
        """Net savings of the cases of `theme` (all if None) in `year` (all if None): TBC if any is."""
        total = Total.of(v for row in self.rows if theme is None or row.theme == theme
                         for y, v in row.net_by_year.items() if year is None or y == year)
        return Total(total.known_part, total.tbc)

    def net(self, theme: str | None = None, year: str | None = None) -> Decimal:
        """The part of those net savings known so far (a TBC year counts as nothing): what the tracker adds."""
        return self.total(theme, year).known_part

    def target(self, theme: str | None = None, year: str | None = None) -> Decimal | None:
        """The configured target of `theme` in `year` (summed where None); None where none is set."""
        found = [v for t, by_year in self.programme.targets.items() if theme is None or t == theme
                 for y, v in by_year.items() if year is None or y == year]
        return sum(found, Decimal(0)) if found else None

    def gap(self, theme: str | None = None, year: str | None = None) -> Decimal | None:
        target = self.target(theme, year)
        return None if target is None else self.net(theme, year) - target

    def stages(self) -> list[str]:
        return list(self.programme.stages) + ([NO_STAGE] if any(not r.stage for r in self.rows) else [])

    def pipeline(self) -> list[tuple[str, int, Decimal]]:
        """(stage, number of cases, their net savings) for every stage, in the programme's order."""
        out = []
        for stage in self.stages():
            rows = [r for r in self.rows if (r.stage or NO_STAGE) == stage]
            out.append((stage, len(rows), sum((r.net_total for r in rows), Decimal(0))))
        return out

    def stage_total(self, stage: str) -> Total:
        """Net savings of the cases at `stage` over every year: TBC if any is."""
        total = Total.of(r.net for r in self.rows if (r.stage or NO_STAGE) == stage)
        return Total(total.known_part, total.tbc)

    def overdue(self) -> list[CaseRow]:
        return sorted((r for r in self.rows if r.overdue(self.as_of)), key=lambda r: (r.gate_due, r.ref))

    def heat(self) -> dict[tuple[int, int], int]:
        """How many risks have each (likelihood, impact)."""
        counts = {(li, im): 0 for li in range(1, 6) for im in range(1, 6)}
        for r in self.risks:
            counts[(r.likelihood, r.impact)] += 1
        return counts

    def top_risks(self, n: int = 10) -> list[RiskRow]:
        return sorted(self.risks, key=lambda r: (-r.score, -r.impact, r.ref))[:n]


def rag(net: Decimal, target: Decimal | None) -> str:
    """green, amber or red: where a theme's year stands against its target ("" if it has none)."""
    if target is None or target <= 0:
        return ""
    if net >= target:
        return "green"
    return "amber" if net >= target * BEHIND_RED else "red"


def gather(paths, programme: Programme, as_of: date | None = None, jobs: int | None = None) -> Portfolio:
    """Read and check every form under `paths` into the portfolio's figures; never prints.

    The check is validate's and build's (the same workers and rules across forms); each worker sends
    back only the tracker's row of its case, so memory stays flat in the number of forms.
    """
    checked = check_forms(find_forms(paths), programme, jobs, extract=tracker_row)
    # A form saved as .ods or .csv, or a pipe named like a form: excluded by name, never left out silently
    # (a warning-only one has its .xlsx twin read in its place).
    unread = [Checked(str(path), "", [problem]) for path in not_forms(paths)
              if (problem := not_a_form(path)).severity == Severity.ERROR]
    found = Portfolio(programme, as_of or date.today(), checked + unread)
    stages_from_business_cases(found.rows)
    return found


def stages_from_business_cases(rows: list[CaseRow]) -> None:
    """A Project Brief whose form gives no stage is at its project's stage: that of the Business Case Lite
    with its tracker ref (the brief plans a phase of that project), and its next gate with it."""
    stages = {r.ref.strip().upper(): r for r in rows if r.kind == Kind.BCL and r.stage}
    for row in rows:
        bcl = stages.get(row.ref.strip().upper())
        if row.kind == Kind.BRIEF and not row.stage and bcl is not None:
            row.stage, row.next_gate = bcl.stage, bcl.next_gate
