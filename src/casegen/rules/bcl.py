"""Rules on a Business Case Lite's timetable and figures: slips no single cell can show."""
from __future__ import annotations

from casegen.models.base import amounts
from casegen.models.values import TBC, format_money, known, when_as_date
from casegen.rules import rule


def _short(gate: str) -> str:
    """'Gate 2' from 'Gate 2: Decision: Full Business Case'."""
    return gate.split(":", 1)[0]


@rule("gate-order")
def gates_in_order(case, programme):
    order = {gate: i for i, gate in enumerate(programme.gates)}
    dated = [(order.get(g.gate, len(order)), i, g) for i, g in enumerate(case.gate_dates) if when_as_date(g.date)]
    latest = None  # the gate with the latest date so far, in gate order
    for _, i, g in sorted(dated):
        if latest and when_as_date(g.date, end=True) < when_as_date(latest.date):  # Q3 2024 is not before Sep 2024
            yield ("gate_dates", i, "date"), (
                f"{_short(g.gate)} is targeted for {g.date}, before {_short(latest.gate)} ({latest.date}); "
                "gates are passed in order: correct one of the two dates")
        elif not latest or when_as_date(g.date) > when_as_date(latest.date):
            latest = g


@rule("deliverable-dates")
def deliverables_finish_after_start(case, programme):
    for i, d in enumerate(case.deliverables):
        start, finish = when_as_date(d.start), when_as_date(d.finish, end=True)
        if start and finish and finish < start:
            yield ("deliverables", i, "finish"), (
                f"finishes {d.finish}, before it starts ({d.start}); correct the start or the finish")


@rule("benefits-net-savings")
def benefits_match_net_savings(case, programme):
    benefit = case.qualification.financial_benefits
    net = case.finance.totals["net_savings"]
    if (benefit or 0) == (net or 0) or TBC in (benefit, net):  # a figure not yet known matches any
        return
    fix = "or correct the savings by year on the Finance sheet"
    if not net:
        message = (f"is {format_money(benefit)} but Financial Delivery has no net savings; "
                   f"type the savings by year on the Finance sheet, or clear Financial Benefits")
    elif benefit is None:
        message = (f"is blank (£ N/A) but the net savings in Financial Delivery total {format_money(net)}; "
                   f"type {format_money(net)} here, {fix}")
    else:
        message = (f"is {format_money(benefit)} but the net savings in Financial Delivery total "
                   f"{format_money(net)}; change Financial Benefits to {format_money(net)}, {fix}")
    yield ("qualification", "financial_benefits"), message


@rule("money-negative")
def negative_amounts(case, programme):
    for path, amount in amounts(case):
        if amount < 0:
            yield path, (f"is {format_money(amount)}, a negative amount: a saving that is a loss; if it is money "
                         f"spent, type {format_money(-amount)} on the investment line instead, else type it "
                         "without the minus sign or brackets")


@rule("validated-above-proposed")
def validated_within_proposed(case, programme):
    proposed = {y.year: y for y in case.finance.years}
    for i, v in enumerate(case.finance.validated):
        p = proposed.get(v.year)
        want_savings = known(p.recurring_savings if p else None)
        want_net = known(p.net_savings if p else None)
        if known(v.recurring_savings) > want_savings:
            yield ("finance", "validated", i, "recurring_savings"), (
                f"Finance validated {format_money(v.recurring_savings)} of savings for {v.year}, more than the "
                f"{format_money(want_savings)} proposed; check the validated and the proposed figures")
        elif known(v.net_savings) > want_net:
            yield ("finance", "validated", i, "recurring_investment"), (
                f"Finance's validated net savings for {v.year} ({format_money(v.net_savings)}) are more than the "
                f"{format_money(want_net)} proposed; check the validated investment and savings")


@rule("year-repeated")
def each_year_once(case, programme):
    tables = (("years", case.finance.years, "Financial Delivery"),
              ("validated", case.finance.validated, "Finance's validated figures"))
    for table, rows, title in tables:
        first = dict[str, int]()
        for i, row in enumerate(rows):
            if row.year in first:
                yield ("finance", table, i, "year"), (
                    f"{row.year} has a row already in {title} (row {first[row.year] + 1} of the table); the "
                    "document shows one row a year: add the amounts together in one row and clear the other")
            first.setdefault(row.year, i)


@rule("position-table-empty")
def position_table_has_rows(case, programme):
    table = case.position_table
    default = type(table).model_fields["count_heading"].default
    if table.rows or not (table.heading or table.count_heading != default):
        return
    where = ("heading",) if table.heading else ("count_heading",)
    yield ("position_table", *where), (
        "the table within the assessment has headings but no rows, so the document would show no table and "
        "leave its headings out: type its rows under 'Table rows', or clear the headings")
