"""What moved between two snapshots of the portfolio: what a monthly meeting asks first.

Pure: (the earlier snapshot, or None for the first report; this one) -> a Movement. A case is its
tracker ref and kind (a project's Business Case Lite and Project Brief share a ref). What counts:

- new cases; cases gone from the folder (withdrawn or closed), and apart from them the cases whose form
  is still there but was left out this time with errors (not gone: their form needs mending);
- stage moves, with the gates passed on the way (the gates between the two stages, in the programme's order),
  and a case counted to another theme (the totals by theme move with it);
- gates newly overdue: a case's next gate overdue as of this snapshot's date that was not overdue (that
  same gate) as of the earlier one's;
- per case, net savings by year up or down with the amounts (a blank year counts as £0), TBCs settled or
  newly TBC, and the case's total before and after;
- the programme's net savings by theme and by stage, then and now, with the difference;
- leads and sponsors named (where there was none, or TBC) or changed;
- risks newly high (a score of 15 or more that was lower, or not there, before).

Each change is also a `Line` (what, case, detail, then, now, difference): the Movement sheet prints them
as rows, the summary as sentences, so that the two always say the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from casegen.models.values import Amount, Total, format_money, is_tbc, known
from casegen.portfolio.figures import NO_STAGE, NO_THEME
from casegen.portfolio.snapshot import HIGH_RISK, SnapCase, Snapshot
from casegen.rules.project import placeholder

KIND_NAMES = {"bcl": "Business Case Lite", "brief": "Project Brief"}


@dataclass(frozen=True)
class CaseName:
    ref: str
    kind: str  # bcl or brief
    title: str

    @classmethod
    def of(cls, case: SnapCase) -> CaseName:
        return cls(case.ref, case.kind, case.title)


@dataclass(frozen=True)
class StageMove:
    case: CaseName
    before: str
    after: str
    gates_passed: tuple[str, ...]  # empty when the case moved back, or a stage is not the programme's


@dataclass(frozen=True)
class ThemeMove:
    case: CaseName
    before: str
    after: str


@dataclass(frozen=True)
class GateOverdue:
    case: CaseName
    gate: str
    date: str  # as the form has it: Oct 2026


@dataclass(frozen=True)
class YearMove:
    year: str
    before: Amount
    after: Amount

    @property
    def change(self) -> str:
        if is_tbc(self.before):
            return "TBC settled"
        if is_tbc(self.after):
            return "newly TBC"
        return "up" if known(self.after) > known(self.before) else "down"  # a blank year counts as £0

    @property
    def difference(self) -> Decimal | None:
        """After less before, where neither is TBC (a blank year counts as £0)."""
        if is_tbc(self.before) or is_tbc(self.after):
            return None
        return known(self.after) - known(self.before)


@dataclass(frozen=True)
class SavingsMove:
    case: CaseName
    years: tuple[YearMove, ...]
    before: Total
    after: Total

    @property
    def difference(self) -> Total:
        return self.after - self.before


@dataclass(frozen=True)
class PersonMove:
    case: CaseName
    role: str  # Lead or Sponsor
    before: str
    after: str

    @property
    def named(self) -> bool:
        """Named where there was no one (or TBC) before."""
        return placeholder(self.before) and not placeholder(self.after)


@dataclass(frozen=True)
class RiskUp:
    case: CaseName
    ref: str
    risk: str
    before: int | None  # its score before; None for a risk that was not there
    after: int


@dataclass(frozen=True)
class TotalMove:
    name: str  # a theme, a stage or Total
    cases_before: int
    cases_after: int
    before: Total
    after: Total

    @property
    def difference(self) -> Total:
        return self.after - self.before


@dataclass(frozen=True)
class Movement:
    as_of: date
    since: date | None  # the earlier snapshot's date; None for the first report
    new: tuple[SnapCase, ...] = ()  # as they are now
    gone: tuple[SnapCase, ...] = ()  # as they were
    left_out: tuple[SnapCase, ...] = ()  # as they were: still in the folder, but their forms have errors this time
    stages: tuple[StageMove, ...] = ()
    theme_moves: tuple[ThemeMove, ...] = ()  # a case counted to another theme: the totals by theme move with it
    overdue: tuple[GateOverdue, ...] = ()
    savings: tuple[SavingsMove, ...] = ()
    people: tuple[PersonMove, ...] = ()
    risks: tuple[RiskUp, ...] = ()
    themes: tuple[TotalMove, ...] = ()
    by_stage: tuple[TotalMove, ...] = ()
    total: TotalMove | None = None

    @property
    def first(self) -> bool:
        return self.since is None

    @property
    def quiet(self) -> bool:
        """Nothing moved (the totals then and now are the same too)."""
        return not (self.new or self.gone or self.left_out or self.stages or self.theme_moves or self.overdue
                    or self.savings or self.people or self.risks)


def _order(key: tuple[str, str]) -> tuple[str, int]:
    return key[0], 0 if key[1] == "bcl" else 1


def _same_amount(a: Amount, b: Amount) -> bool:
    if is_tbc(a) or is_tbc(b):
        return is_tbc(a) and is_tbc(b)
    return (a or Decimal(0)) == (b or Decimal(0))


def _savings(then: SnapCase, now: SnapCase) -> SavingsMove | None:
    years = list(dict.fromkeys([*then.net, *now.net]))
    moves = tuple(YearMove(y, then.net.get(y), now.net.get(y)) for y in years
                  if not _same_amount(then.net.get(y), now.net.get(y)))
    return SavingsMove(CaseName.of(now), moves, then.net_total, now.net_total) if moves else None


def _stage(then: SnapCase, now: SnapCase, stages: list[str], gates: list[str]) -> StageMove | None:
    if then.stage == now.stage:
        return None
    passed: tuple[str, ...] = ()
    if then.stage in stages and now.stage in stages:
        passed = tuple(gates[stages.index(then.stage):stages.index(now.stage)])
    return StageMove(CaseName.of(now), then.stage or NO_STAGE, now.stage or NO_STAGE, passed)


def _people(then: SnapCase, now: SnapCase) -> list[PersonMove]:
    pairs = [("Sponsor", then.sponsor, now.sponsor), ("Lead", then.lead, now.lead)]
    return [PersonMove(CaseName.of(now), role, before.strip(), after.strip()) for role, before, after in pairs
            if before.strip() != after.strip() and not (placeholder(before) and placeholder(after))]


def _risks(then: SnapCase | None, now: SnapCase) -> list[RiskUp]:
    before = {r.ref: r.score for r in then.risks} if then else {}
    return [RiskUp(CaseName.of(now), r.ref, r.risk, before.get(r.ref), r.score) for r in now.risks
            if r.high and not (r.ref in before and before[r.ref] >= HIGH_RISK)]


class _Totals:
    """Cases and their net savings by a group (a theme, a stage), then and now, added up a case at a time."""

    def __init__(self, group):
        self.group, self.before, self.after = group, {}, {}

    def add(self, then: SnapCase | None, now: SnapCase | None) -> None:
        for case, found in ((then, self.before), (now, self.after)):
            if case is not None:
                n, total = found.get(self.group(case), (0, Total()))
                found[self.group(case)] = (n + 1, total + case.net_total if case.has_finance else total)

    def moves(self, order: list[str]) -> tuple[TotalMove, ...]:
        before, after, empty = self.before, self.after, (0, Total())
        names = [n for n in dict.fromkeys([*order, *sorted(before), *sorted(after)]) if n in before or n in after]
        return tuple(TotalMove(n, before.get(n, empty)[0], after.get(n, empty)[0], before.get(n, empty)[1],
                               after.get(n, empty)[1]) for n in names)


def pairs(earlier: Snapshot, now: Snapshot):
    """Each case of either snapshot as (then, now), None where a snapshot has no such case, in the order of their
    keys (ref, then a Business Case Lite before a Project Brief)."""
    old, new = earlier.by_key(), now.by_key()
    return ((old.get(k), new.get(k)) for k in sorted(old.keys() | new.keys(), key=_order))


def compare(earlier: Snapshot | None, now: Snapshot) -> Movement:
    """What moved from `earlier` to `now`; the first report (nothing earlier) when `earlier` is None."""
    if earlier is None:
        return Movement(as_of=now.as_of, since=None)
    return moved(earlier, now, pairs(earlier, now))


def moved(earlier: Snapshot, now: Snapshot, cases) -> Movement:
    """What moved from `earlier` to `now` (of each only its date, programme and forms left out are read here), given
    their `cases` as `pairs` gives them: one case at a time, never both snapshots' cases whole."""
    left_out, stages, gates = set(now.left_out), now.programme.stages, now.programme.gates
    found: dict[str, list] = {name: [] for name in ("gone", "left_out", "new", "stages", "theme_moves", "overdue",
                                                    "savings", "people", "risks")}
    themes, by_stage = _Totals(lambda c: c.theme or NO_THEME), _Totals(lambda c: c.stage or NO_STAGE)
    total = _Totals(lambda c: "Total")
    for a, b in cases:
        for totals in (themes, by_stage, total):
            totals.add(a, b)
        if b is None:
            found["left_out" if a.form in left_out else "gone"].append(a)
            continue
        if a is None:
            found["new"].append(b)
        else:
            found["stages"] += filter(None, [_stage(a, b, stages, gates)])
            found["theme_moves"] += [ThemeMove(CaseName.of(b), a.theme, b.theme)] if a.theme != b.theme else []
            found["savings"] += filter(None, [_savings(a, b)])
            found["people"] += _people(a, b)
        if b.overdue(now.as_of) and not (a is not None and a.next_gate == b.next_gate and a.overdue(earlier.as_of)):
            found["overdue"].append(GateOverdue(CaseName.of(b), b.next_gate, b.next_gate_date))
        found["risks"] += _risks(a, b)
    return Movement(
        as_of=now.as_of, since=earlier.as_of, **{name: tuple(items) for name, items in found.items()},
        themes=themes.moves([*now.programme.themes, NO_THEME]), by_stage=by_stage.moves([*stages, NO_STAGE]),
        total=(total.moves(["Total"]) or (TotalMove("Total", 0, 0, Total(), Total()),))[0],
    )


# Each change as a line of the report, for the Movement sheet and the summary alike

@dataclass(frozen=True)
class Line:
    what: str  # New case, Stage moved, Net savings up, ...
    case: CaseName
    detail: str  # what moved, in words, with its amounts
    before: Amount | Total | int = None  # int: a risk's score
    after: Amount | Total | int = None
    difference: Amount | Total | int = None
    group: str = field(default="", compare=False)  # the summary's heading it falls under


def money(amount: Amount | Total) -> str:
    return format_money(amount, none="£0")


def signed(amount: Decimal | Total) -> str:
    """+£20,000, -£5,000, £0; a Total over a TBC year as TBC, with its known part's change."""
    if isinstance(amount, Total):
        if amount.tbc:
            return f"TBC ({signed(amount.known_part)} known)"
        amount = amount.known_part
    return ("+" if amount > 0 else "") + money(amount)


def _year_words(y: YearMove) -> str:
    if y.change == "TBC settled":
        return f"{y.year}: TBC settled at {money(y.after)}"
    if y.change == "newly TBC":
        return f"{y.year}: now TBC (was {money(y.before)})"
    return f"{y.year}: {y.change} {money(abs(known(y.after) - known(y.before)))} to {money(y.after)}"


def _total_words(m: SavingsMove) -> str:
    if m.before.tbc or m.after.tbc:
        return f"total {money(m.before)} then, {money(m.after)} now"
    d = m.difference.known_part
    if d == 0:
        return f"total unchanged at {money(m.after)}"
    return f"total {'up' if d > 0 else 'down'} {money(abs(d))} to {money(m.after)}"


def _net(case: SnapCase) -> Total | None:
    return case.net_total if case.has_finance else None


def _where(case: SnapCase) -> str:
    """Theme, stage and net savings of a case new or gone, in a phrase."""
    parts = [case.theme and f"{case.theme} theme", case.stage and f"at {case.stage}",
             case.has_finance and f"net savings {money(case.net_total)}"]
    return ", ".join(p for p in parts if p) or "no theme or stage given"


def lines(movement: Movement) -> list[Line]:
    out = [Line("New case", CaseName.of(c), f"new {KIND_NAMES[c.kind]}: {_where(c)}", after=_net(c),
                difference=_net(c), group="New cases") for c in movement.new]
    out += [Line("Gone", CaseName.of(c), f"withdrawn or closed: no longer in the portfolio (was {_where(c)})",
                 before=_net(c), group="Cases gone") for c in movement.gone]
    out += [Line("Left out", CaseName.of(c), f"left out this time: its form has errors to put right (was "
                 f"{_where(c)})", before=_net(c), group="Cases gone") for c in movement.left_out]
    for m in movement.stages:
        passing = f", passing {' and '.join(m.gates_passed)}" if m.gates_passed else ""
        out.append(Line("Stage moved", m.case, f"moved from {m.before} to {m.after}{passing}", m.before, m.after,
                        group="Stages and gates"))
    out += [Line("Theme changed", t.case, f"counted to {t.after or 'no theme'}, not {t.before or 'no theme'}",
                 t.before, t.after, group="Stages and gates") for t in movement.theme_moves]
    out += [Line("Gate overdue", g.case, f"{g.gate} newly overdue: due {g.date}", after=g.date,
                 group="Stages and gates") for g in movement.overdue]
    for s in movement.savings:
        for y in s.years:
            what = {"up": "Net savings up", "down": "Net savings down", "TBC settled": "TBC settled",
                    "newly TBC": "Newly TBC"}[y.change]
            out.append(Line(what, s.case, _year_words(y), y.before, y.after,
                            y.difference, group="Net savings"))
        out.append(Line("Net savings total", s.case, _total_words(s), s.before, s.after,
                        s.difference, group="Net savings"))
    for p in movement.people:
        words = f"{p.role.lower()} named: {p.after}" if p.named else (
            f"{p.role.lower()} changed from {p.before or 'none'} to {p.after or 'none'}")
        out.append(Line(f"{p.role} {'named' if p.named else 'changed'}", p.case, words, p.before, p.after,
                        group="Leads and sponsors"))
    for r in movement.risks:
        was = f"was {r.before}" if r.before is not None else "a new risk"
        out.append(Line("Risk newly high", r.case, f"risk {r.ref} scores {r.after} ({was}): {r.risk}", r.before,
                        r.after, group="Risks newly high"))
    return out

