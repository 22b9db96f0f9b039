"""The summary's first section, "Since the last report (DATE)", for the finance review group: what moved
(movement.py's lines, a case's lines of one kind joined into a sentence), counted in an overview, and the
net savings by theme and by stage then and now. In the board's words: no command, option or file name.
"""
from __future__ import annotations

from casegen.errors import counted
from casegen.models.summary import MovedCase, MovementGroup, SinceLastReport, ThenAndNow
from casegen.portfolio.movement import CaseName, Movement, TotalMove, lines, money, signed

GROUPS = ["New cases", "Cases gone", "Stages and gates", "Net savings", "Leads and sponsors", "Risks newly high"]


def _overview(movement: Movement) -> str:
    if movement.first:
        return ("This is the first report of the portfolio: there is nothing earlier to compare it with. The next "
                "report will show what moved since this one.")
    since = f"{movement.since:%-d %B %Y}"
    if movement.quiet:
        return (f"Nothing moved since {since}: no case is new or gone, and no case's stage, theme, gate, net savings, "
                "lead, sponsor or risks changed.")
    m, left = movement, len(movement.left_out)
    counts = [(len(m.new), counted(len(m.new), "new case")), (len(m.gone), f"{counted(len(m.gone), 'case')} gone"),
              (left, f"{counted(left, 'case')} left out because {'its form has' if left == 1 else 'their forms have'}"
                     " errors"),
              (len(m.stages), f"{counted(len(m.stages), 'case')} moved a stage"),
              (len(m.theme_moves), f"{counted(len(m.theme_moves), 'case')} counted to another theme"),
              (len(m.overdue), f"{counted(len(m.overdue), 'gate')} newly overdue"),
              (len(m.savings), f"net savings changed on {counted(len(m.savings), 'case')}"),
              (len(m.people), f"{counted(len(m.people), 'lead or sponsor', 'leads or sponsors')} named or changed"),
              (len(m.risks), f"{counted(len(m.risks), 'risk')} newly high")]
    found = [text for n, text in counts if n]
    said = ", ".join(found[:-1]) + (" and " if len(found) > 1 else "") + found[-1]
    t = movement.total
    assert t is not None  # every movement but the first has its total
    if t.before.tbc or t.after.tbc:
        total = f"{money(t.after)} now, against {money(t.before)} on {since}"
    else:
        d = t.difference.known_part
        total = (f"unchanged at {money(t.after)}" if d == 0 else
                 f"{'up' if d > 0 else 'down'} {money(abs(d))}, from {money(t.before)} to {money(t.after)}")
    return f"Since {since}: {said}. Net savings across the portfolio: {total}."


def _then_and_now(move: TotalMove) -> ThenAndNow:
    return ThenAndNow(name=move.name, cases_then=move.cases_before, cases_now=move.cases_after, then=move.before,
                      now=move.after, change=signed(move.difference))


def _sentence(details: list[str]) -> str:
    text = "; ".join(details)
    return text[:1].upper() + text[1:]


def since_report(movement: Movement) -> SinceLastReport:
    """The summary's section: an overview, then each group's cases with what moved, then the totals."""
    from casegen.portfolio.summary import KIND

    rows: dict[str, dict[CaseName, list[str]]] = {g: {} for g in GROUPS}
    for line in lines(movement):
        rows[line.group].setdefault(line.case, []).append(line.detail)
    groups = [MovementGroup(title=g, cases=[MovedCase(case=f"{c.ref} {KIND[c.kind]}", title=c.title,
                                                      moved=_sentence(details)) for c, details in found.items()])
              for g, found in rows.items() if found]
    return SinceLastReport(
        since="" if movement.first else f"{movement.since:%-d %B %Y}", first=movement.first,
        overview=_overview(movement), groups=groups,
        themes=[_then_and_now(m) for m in movement.themes], stages=[_then_and_now(m) for m in movement.by_stage],
        total=_then_and_now(movement.total) if movement.total else None)
