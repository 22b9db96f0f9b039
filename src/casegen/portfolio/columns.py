"""The Cases sheet of the tracker, column by column: the one place its columns are declared.

Each column says its heading, its printed width, its number format and where its value comes from. The
sheet's writer, its widths and the formulas of other sheets (Savings and Pipeline add up its columns) all
read this declaration, looking a column up by its name. A column shown as the case's form has it is a
`Field`: its `read` runs on the case where the form is read (in a worker process), and the case's row
carries the value back (CaseRow.shown), so showing a new field of a case is one line in case_columns.
The Risks sheet declares its own columns in risksheet.py, the same way.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casegen.models import TITLES
from casegen.models.values import Total
from casegen.portfolio.xlsx import FIGURE, MONEY, Column, Layout

NET_TOTAL = "Net total"


@dataclass(frozen=True)
class Field(Column):
    """A column shown as the case has it: `read(case)` runs where the form is read; the row carries the value."""

    read: Callable[[Any], object] = lambda case: None

    def __post_init__(self):
        name = self.name
        object.__setattr__(self, "value", lambda row: row.shown.get(name))


def _finance(read: Callable[[Any], object]) -> Callable[[Any], object]:
    """A reading of the case's Financial Delivery; nothing for a case without one (a Project Brief)."""
    return lambda case: read(case.finance) if getattr(case, "finance", None) is not None else None


def _net_in(year: str) -> Callable[[Any], object]:
    """A row's net savings in `year` (a function per year: mypy cannot type a lambda's default argument)."""
    return lambda row: row.net_by_year.get(year)


def form_name(file: str) -> str:
    return os.path.basename(file)  # as Path(file).name, without keeping every name in Python's interned strings


# Read from each case where its form is read: a new field of the case shown in the tracker is one line here,
# placed among its neighbours.
CONTRIBUTORY = Field("Contributory themes", 22, read=lambda case: "; ".join(
    t.text for t in getattr(case.project, "contributory_themes", [])))
PEOPLE = [Field("Sponsor", 18, read=lambda case: case.project.sponsor),
          Column("Lead", 16, lambda row: row.lead),
          Field("Finance lead", 14, read=lambda case: case.project.finance_lead),
          Field("Budget code", 11, read=lambda case: case.project.budget_code),
          Field("One-off investment", 12, number_format=MONEY, align=FIGURE,
                read=_finance(lambda finance: Total.of(y.one_off_investment for y in finance.years)))]
CATEGORY = Field("Savings category", 14, read=_finance(lambda finance: finance.savings_category or None))


def _net_total(layout: Layout, r: int, row) -> str | None:
    """The case's net savings over every year, as a sum of its year columns (none for a case without finance)."""
    if not row.has_finance:
        return None
    years = [c.name for c in layout.columns if c.name.startswith("Net ") and c.name != NET_TOTAL]
    return f"=SUM({layout.letter(years[0])}{r}:{layout.letter(years[-1])}{r})"


def case_columns(years: list[str], documents: bool) -> list[Column]:
    """The Cases sheet's columns, in order: what the case is, its people and money, its risks and its form."""
    return ([Column("Tracker ref", 12, lambda row: row.ref), Column("Title", 30, lambda row: row.title),
             Column("Kind", 12, lambda row: TITLES[row.kind]), Column("Theme", 18, lambda row: row.theme),
             CONTRIBUTORY, Column("Stage", 20, lambda row: row.stage),
             Column("Next gate", 22, lambda row: row.next_gate),
             Column("Next gate date", 10, lambda row: row.next_gate_date)]
            + PEOPLE
            + [Column(f"Net {y}", 12, _net_in(y), MONEY, align=FIGURE) for y in years]
            + [Column(NET_TOTAL, 12, lambda row: row.net if row.has_finance else None, formula=_net_total,
                      align=FIGURE),
               CATEGORY, Column("Risks", 7, lambda row: len(row.risks)),
               Column("Highest risk score", 9, lambda row: row.top_score),
               Column("Flags", 18, lambda row: row.flags or None), Column("Form", 40, lambda row: form_name(row.file))]
            + ([Column("Document", 40)] if documents else []))  # a link, written by the sheet


def case_fields() -> list[Field]:
    """The columns read from each case where its form is read, as declared (at the time of asking)."""
    return [c for c in case_columns([], False) if isinstance(c, Field)]


def case_layout(years: list[str], rows: int, documents: bool) -> Layout:
    return Layout("Cases", case_columns(years, documents), rows)
