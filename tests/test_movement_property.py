"""A property over generated pairs of portfolio snapshots: the movement reports every difference between them
and nothing else. Checked by replaying it: the earlier snapshot with every reported change applied is the
later one (every difference reported), and each change reported changes something (nothing else); the
totals then and now are the cases' own sums. Snapshots also survive their JSON unchanged."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casegen import config
from casegen.models.values import Total
from casegen.portfolio.movement import NO_STAGE, NO_THEME, compare, lines
from casegen.portfolio.since import since_report
from casegen.portfolio.snapshot import (
    SnapCase,
    SnapProgramme,
    SnapRisk,
    Snapshot,
    SnapshotError,
    from_json,
    heading_of,
    read_cases,
    to_json,
)

PROGRAMME = config.load()
SNAP_PROGRAMME = SnapProgramme(name=PROGRAMME.programme, council=PROGRAMME.council, stages=list(PROGRAMME.stages),
                               gates=list(PROGRAMME.gates), years=list(PROGRAMME.financial_years),
                               themes=list(PROGRAMME.themes[:3]))
REFS = ["RX-101", "PL-103", "WF-106", "DD-108", "CM-107", "SI-205", "pl-103 "]  # the last is PL-103 again
WHEN = {"": None, "TBC": None, "Sep 2026": date(2026, 9, 1), "Nov 2026": date(2026, 11, 1),
        "Dec 2026": date(2026, 12, 1), "Jan 2027": date(2027, 1, 1)}
PEOPLE = ["", "TBC", "Ann Sponsor", "Dev Patel"]
AMOUNTS = [None, "TBC", Decimal(0), Decimal(1000), Decimal("2500.50"), Decimal(-400)]
SETTINGS = settings(max_examples=30, derandomize=True, database=None, deadline=None)


def _risk(ref: str):
    """A risk of a score about as often high (15 or more) as not."""
    return st.builds(lambda li, im: SnapRisk(ref=ref, risk=f"risk {ref}", likelihood=li, impact=im),
                     st.integers(2, 5), st.integers(3, 5))


def _risks():
    return st.lists(st.sampled_from(["1", "2", "3"]), max_size=3, unique=True).flatmap(
        lambda refs: st.tuples(*map(_risk, refs)).map(list))


@st.composite
def case(draw, ref: str, kind: str) -> SnapCase:
    stage = draw(st.sampled_from(["", *PROGRAMME.stages[:5]]))
    n = PROGRAMME.stages.index(stage) if stage else None
    net = {y: draw(st.sampled_from(AMOUNTS)) for y in PROGRAMME.financial_years} if kind == "bcl" else {}
    return SnapCase(ref=ref, kind=kind, title=draw(st.sampled_from(["Digital Front Door", "Car Parks"])),
                    theme=draw(st.sampled_from(SNAP_PROGRAMME.themes)) if kind == "bcl" else "", stage=stage,
                    next_gate=PROGRAMME.gates[n] if n is not None else "",
                    next_gate_date=draw(st.sampled_from(list(WHEN))), lead=draw(st.sampled_from(PEOPLE)),
                    sponsor=draw(st.sampled_from(PEOPLE)), form=f"{ref.strip()}-{kind}.xlsx", net=net,
                    investment={}, risks=draw(_risks()), status="", warnings="")


def _mixed(draw, old: SnapCase) -> SnapCase:
    """`old` with some of its fields drawn anew."""
    new = draw(case(old.ref, old.kind))
    fields = {name: getattr(new if draw(st.booleans()) else old, name) for name in SnapCase.model_fields}
    fields["next_gate"] = (PROGRAMME.gates[PROGRAMME.stages.index(fields["stage"])] if fields["stage"] else "")
    if draw(st.booleans()):  # the same risks, rescored
        fields["risks"] = [draw(_risk(r.ref)) if draw(st.booleans()) else r for r in old.risks]
    return SnapCase(**fields)


@st.composite
def pairs(draw) -> tuple[Snapshot, Snapshot]:
    keys = draw(st.lists(st.tuples(st.sampled_from(REFS), st.sampled_from(["bcl", "brief"])), max_size=6,
                         unique_by=lambda k: (k[0].strip().upper(), k[1])))
    then = [draw(case(ref, kind)) for ref, kind in keys]
    now, left_out = [], []
    for old in then:
        fate = draw(st.sampled_from(["same", "changed", "changed", "gone", "left out"]))
        if fate in ("same", "changed"):
            now.append(old if fate == "same" else _mixed(draw, old))
        elif fate == "left out":
            left_out.append(old.form)
    taken = {c.key for c in then}
    for ref, kind in draw(st.lists(st.tuples(st.sampled_from(REFS), st.sampled_from(["bcl", "brief"])), max_size=2)):
        if (ref.strip().upper(), kind) not in taken:
            taken.add((ref.strip().upper(), kind))
            now.append(draw(case(ref, kind)))
    day = draw(st.dates(date(2026, 10, 1), date(2026, 11, 30)))
    later = draw(st.dates(day + timedelta(days=1), date(2027, 2, 28)))
    return (Snapshot(as_of=day, programme=SNAP_PROGRAMME, cases=then, left_out=[]),
            Snapshot(as_of=later, programme=SNAP_PROGRAMME, cases=now, left_out=left_out))


def _zero(amount):
    return Decimal(0) if amount is None else amount


def _overdue(c: SnapCase, as_of: date) -> bool:
    due = WHEN[c.next_gate_date]
    return bool(c.next_gate) and due is not None and (due.year, due.month) < (as_of.year, as_of.month)


def _placeholder(name: str) -> str:
    return "" if name.strip().upper() in ("", "TBC") else name


@SETTINGS
@given(pairs())
def test_every_difference_is_reported_and_nothing_else(pair):
    then, now = pair
    m = compare(then, now)
    old, new = then.by_key(), now.by_key()
    # cases new, gone and left out: exactly the difference of the two sets of cases
    assert {c.key for c in m.new} == new.keys() - old.keys()
    assert {c.key for c in m.gone} | {c.key for c in m.left_out} == old.keys() - new.keys()
    assert all(c.form in now.left_out for c in m.left_out) and not any(c.form in now.left_out for c in m.gone)
    # replay every reported change on the earlier snapshot: it gives the later one
    stage = {k: old[k].stage or NO_STAGE for k in old.keys() & new.keys()}
    net = {k: {y: _zero(v) for y, v in old[k].net.items()} for k in stage}
    people = {(k, role): _placeholder(getattr(old[k], role.lower())) for k in stage for role in ("Lead", "Sponsor")}
    for s in m.stages:
        k = (s.case.ref.strip().upper(), s.case.kind)
        assert stage[k] == s.before != s.after  # a move reported moves the case
        stage[k] = s.after
        i, j = (PROGRAMME.stages.index(x) if x in PROGRAMME.stages else None for x in (s.before, s.after))
        assert list(s.gates_passed) == (PROGRAMME.gates[i:j] if i is not None and j is not None else [])
    for s in m.savings:
        k = (s.case.ref.strip().upper(), s.case.kind)
        assert s.years and (s.before, s.after) == (old[k].net_total, new[k].net_total)
        for y in s.years:
            assert net[k][y.year] == _zero(y.before) != _zero(y.after)
            net[k][y.year] = _zero(y.after)
    theme = {k: old[k].theme for k in stage}
    for t in m.theme_moves:
        k = (t.case.ref.strip().upper(), t.case.kind)
        assert theme[k] == t.before != t.after
        theme[k] = t.after
    for p in m.people:
        k = (p.case.ref.strip().upper(), p.case.kind)
        assert people[(k, p.role)] == _placeholder(p.before) != _placeholder(p.after)
        people[(k, p.role)] = _placeholder(p.after)
    for k in stage:
        assert stage[k] == (new[k].stage or NO_STAGE)
        assert theme[k] == new[k].theme
        assert net[k] == {y: _zero(v) for y, v in new[k].net.items()}
        assert all(people[(k, role)] == _placeholder(getattr(new[k], role.lower())) for role in ("Lead", "Sponsor"))
    # gates newly overdue and risks newly high: exactly those
    assert {(g.case.ref.strip().upper(), g.case.kind) for g in m.overdue} == {
        k for k, c in new.items() if _overdue(c, now.as_of)
        and not (k in old and old[k].next_gate == c.next_gate and _overdue(old[k], then.as_of))}
    high = {(k, r.ref) for k, c in new.items() for r in c.risks if r.likelihood * r.impact >= 15}
    was_high = {(k, r.ref) for k, c in old.items() for r in c.risks if r.likelihood * r.impact >= 15}
    assert {((r.case.ref.strip().upper(), r.case.kind), r.ref) for r in m.risks} == high - was_high
    # the totals then and now: the cases' own sums, theme by theme and stage by stage
    for moves, group in ((m.themes, lambda c: c.theme or NO_THEME), (m.by_stage, lambda c: c.stage or NO_STAGE)):
        for t in moves:
            for side, snap in ((t.before, then), (t.after, now)):
                cases = [c for c in snap.cases if group(c) == t.name]
                assert side.known_part == sum((c.net_total.known_part for c in cases), Decimal(0))
                assert side.tbc == any(c.net_total.tbc for c in cases)
            assert (t.cases_before, t.cases_after) == (sum(group(c) == t.name for c in then.cases),
                                                       sum(group(c) == t.name for c in now.cases))
        assert sum(t.cases_after for t in moves) == len(now.cases)
        assert all(t.name for t in moves)  # a brief (no theme) is counted under a name the board can read
    assert m.total.after.known_part == Total.of(c.net_total for c in now.cases if c.net).known_part
    # one line a change, each in the summary's section
    reported = lines(m)
    assert len(reported) == (len(m.new) + len(m.gone) + len(m.left_out) + len(m.stages) + len(m.theme_moves)
                             + len(m.overdue)
                             + sum(len(s.years) + 1 for s in m.savings) + len(m.people) + len(m.risks))
    section = since_report(m)
    assert {(c.case, c.title) for g in section.groups for c in g.cases} == {
        (f"{line.case.ref} {'BCL' if line.case.kind == 'bcl' else 'Brief'}", line.case.title) for line in reported}
    assert m.quiet == (not reported)


@SETTINGS
@given(pairs())
def test_a_snapshot_survives_its_json_unchanged(pair):
    for snapshot in pair:
        assert from_json(to_json(snapshot)) == snapshot


def _chunks(text: str, sizes: list[int]):
    at, k = 0, 0
    while at < len(text):
        yield text[at:at + sizes[k % len(sizes)]]
        at, k = at + sizes[k % len(sizes)], k + 1


@SETTINGS
@given(pairs(), st.lists(st.integers(1, 300), min_size=1, max_size=5), st.booleans())
def test_a_snapshot_read_a_chunk_at_a_time_is_the_snapshot_read_whole(pair, sizes, indented):
    for snapshot in pair:
        text, heading = snapshot.model_dump_json(indent=1 if indented else None), {}
        cases = list(read_cases(_chunks(text, sizes), heading))
        assert cases == list(from_json(text).cases)
        assert heading_of(heading) == snapshot.model_copy(update={"cases": []})
        cut = text[:len(text) * sizes[0] // 301]  # a snapshot cut short is not read, whatever its chunks
        with pytest.raises(SnapshotError):
            list(read_cases(_chunks(cut, sizes), {}))


def test_a_month_in_which_nothing_moved_says_so_and_the_first_report_says_there_is_nothing_earlier():
    one = SnapCase(ref="RX-101", kind="bcl", title="Digital Front Door", theme="Partners", stage=PROGRAMME.stages[1],
                   next_gate=PROGRAMME.gates[1], next_gate_date="TBC", lead="Lee Lead", sponsor="Ann Sponsor",
                   form="RX-101.xlsx", net={"24/25": Decimal(5000), "25/26": "TBC"}, investment={}, risks=[],
                   status="", warnings="")
    then, now = (Snapshot(as_of=d, programme=SNAP_PROGRAMME, cases=[one], left_out=[])
                 for d in (date(2026, 11, 6), date(2026, 12, 6)))
    section = since_report(compare(then, now))
    assert section.overview.startswith("Nothing moved since 6 November 2026: no case is new or gone")
    assert section.groups == [] and section.since == "6 November 2026" and not section.first
    assert [(t.name, t.change) for t in section.themes] == [("Partners", "TBC (£0 known)")]
    first = since_report(compare(None, now))
    assert first.first and first.since == "" and first.groups == [] and first.themes == []
    assert first.overview.count("nothing earlier to compare") == 1
