"""Rules across the cases of one run: what no single form can show."""
from __future__ import annotations

from casegen.errors import Problem
from casegen.rules import Rule

EXPLANATION = ("Each case has its own portfolio tracker ref: two forms of one kind with one ref are one project "
               "twice (a project's Business Case Lite and its Project Brief share theirs).")


def duplicate_tracker_refs(intakes) -> list[Problem]:
    """A problem on every form whose tracker ref another form of the same kind in the run also uses."""
    seen: dict[tuple[str, str], list] = {}
    for intake in intakes:
        if intake.case is not None:
            seen.setdefault((intake.kind, intake.case.project.tracker_ref.strip().upper()), []).append(intake)
    problems = []
    for ref, group in seen.items():
        if len(group) < 2:
            continue
        for intake in group:
            others = ", ".join(i.file for i in group if i is not intake)
            sheet, cell, field = intake.places.get(("project", "tracker_ref"), ("", "", "tracker_ref"))
            problems.append(Problem(intake.file, f"{intake.case.project.tracker_ref!r} is also the ref of {others}",
                                    sheet, cell, field, "error", "tracker-ref-duplicate"))
    return problems


# Checks over many intakes, each a function of the list of reader.Intake results.
PORTFOLIO_RULES = [Rule("tracker-ref-duplicate", "error", ("bcl", "brief"), EXPLANATION, duplicate_tracker_refs)]


def check_portfolio(intakes) -> list[Problem]:
    return [p for r in PORTFOLIO_RULES for p in r.check(intakes)]
