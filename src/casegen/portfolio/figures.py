"""The portfolio's figures, worked out once from the cases' rows: what the tracker's formulas show as
cached values, and what the summary document prints."""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import cast

from casegen.batch.check import Checked, check_forms
from casegen.config import Programme
from casegen.errors import Severity
from casegen.intake.files import find_forms, not_a_form, not_forms
from casegen.models import Kind
from casegen.models.values import Total
from casegen.portfolio.collect import CaseRow, RiskRow
from casegen.portfolio.kept import Each, Place, RowFile, Rows, kept_row

NO_STAGE = "(no stage given)"
NO_THEME = "(no theme given)"  # a Project Brief names no theme of its own
BEHIND_RED = Decimal("0.75")  # below 75% of its target a theme's year is red; below 100% amber


@dataclass
class Sums:
    """What the figures add up, from one pass over the cases' rows."""

    by_theme_year: dict[tuple[str, str], Total] = field(default_factory=dict)  # net savings
    by_stage: dict[str, tuple[int, Decimal, Total]] = field(default_factory=dict)  # cases, known net, net
    no_stage: bool = False  # a case gives no stage
    overdue: list[tuple[date, str, Place]] = field(default_factory=list)  # gate due, ref, where the row is
    heat: dict[tuple[int, int], int] = field(default_factory=lambda: {(li, im): 0 for li in range(1, 6)
                                                                       for im in range(1, 6)})
    risks: int = 0

    def add(self, row: CaseRow, place: Place, as_of: date) -> None:
        for year, value in row.net_by_year.items():
            self.by_theme_year[row.theme, year] = Total.of([self.by_theme_year.get((row.theme, year), Total()), value])
        n, known, net = self.by_stage.get(row.stage or NO_STAGE, (0, Decimal(0), Total()))
        self.by_stage[row.stage or NO_STAGE] = (n + 1, known + row.net_total, Total.of([net, row.net]))
        self.no_stage = self.no_stage or not row.stage
        if row.overdue(as_of):
            self.overdue.append((cast(date, row.gate_due), row.ref, place))
        for risk in row.risks:
            self.heat[(risk.likelihood, risk.impact)] += 1
        self.risks += len(row.risks)


@dataclass
class Portfolio:
    programme: Programme
    as_of: date
    forms: list[Checked]  # each with, unless it has errors, where the tracker's row of its case is kept as `extract`
    kept: RowFile = field(default_factory=RowFile, repr=False)  # the rows (kept.py): closed with the portfolio

    @cached_property
    def rows(self) -> Rows:
        return Rows([cast(Place, c.extract) for c in self.forms if not c.failing], self.row)

    def row(self, place: Place) -> CaseRow:
        """A case's row, read back. A Project Brief whose form gives no stage is at its project's stage: that of
        the Business Case Lite with its tracker ref (the brief plans a phase of that project), and its next gate
        with it."""
        row = self.kept.get(place)
        bcl = self._stages.get(row.ref.strip().upper())
        if row.kind == Kind.BRIEF and not row.stage and bcl is not None:
            row.stage, row.next_gate = bcl
        return row

    @cached_property
    def _stages(self) -> dict[str, tuple[str, str]]:
        """Each Business Case Lite's stage and next gate, by its tracker ref (the last form's where two share it)."""
        return {place.stage_of[0]: place.stage_of[1:] for c in self.forms if not c.failing
                and (place := cast(Place, c.extract)).stage_of is not None}

    @cached_property
    def _sums(self) -> Sums:
        sums = Sums()
        for place in self.rows.places:
            sums.add(self.row(place), place, self.as_of)
        return sums

    @property
    def excluded(self) -> list[Checked]:
        return [c for c in self.forms if c.failing]

    @property
    def risks(self) -> Each:
        return Each(self.rows, lambda row: row.risks, self._sums.risks)

    @property
    def years(self) -> list[str]:
        return list(self.programme.financial_years)

    @property
    def themes(self) -> list[str]:
        return list(self.programme.themes)

    def total(self, theme: str | None = None, year: str | None = None) -> Total:
        """Net savings of the cases of `theme` (all if None) in `year` (all if None): TBC if any is."""
        total = Total.of(v for (t, y), v in self._sums.by_theme_year.items()
                         if (theme is None or t == theme) and (year is None or y == year))
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
        return list(self.programme.stages) + ([NO_STAGE] if self._sums.no_stage else [])

    def pipeline(self) -> list[tuple[str, int, Decimal]]:
        """(stage, number of cases, their net savings) for every stage, in the programme's order."""
        found = self._sums.by_stage
        return [(stage, *found.get(stage, (0, Decimal(0), None))[:2]) for stage in self.stages()]

    def stage_total(self, stage: str) -> Total:
        """Net savings of the cases at `stage` over every year: TBC if any is."""
        total = self._sums.by_stage.get(stage, (0, Decimal(0), Total()))[2]
        return Total(total.known_part, total.tbc)

    def overdue(self) -> Rows:
        late = sorted(self._sums.overdue, key=lambda found: found[:2])  # by gate date then ref, else as read
        return Rows([place for _, _, place in late], self.row)

    def heat(self) -> dict[tuple[int, int], int]:
        """How many risks have each (likelihood, impact)."""
        return dict(self._sums.heat)

    def top_risks(self, n: int = 10) -> list[RiskRow]:
        return heapq.nsmallest(n, self.risks, key=lambda r: (-r.score, -r.impact, r.ref))  # sorted()[:n], one read


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
    back only the tracker's row of its case, pickled, which goes to disk as it comes (kept.py).
    """
    kept = RowFile()

    def keep(checked: Checked) -> None:  # each row to disk as its worker sends it back
        if checked.extract is not None:
            checked.extract = kept.put(cast(tuple, checked.extract))

    checked = check_forms(find_forms(paths), programme, jobs, extract=kept_row, progress=keep)
    # A form saved as .ods or .csv, or a pipe named like a form: excluded by name, never left out silently
    # (a warning-only one has its .xlsx twin read in its place).
    unread = [Checked(str(path), "", [problem]) for path in not_forms(paths)
              if (problem := not_a_form(path)).severity == Severity.ERROR]
    return Portfolio(programme, as_of or date.today(), checked + unread, kept)

