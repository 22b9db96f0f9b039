"""Rules across the cases of one run: what no single form can show."""
from __future__ import annotations

from pathlib import Path

from casegen.errors import Problem
from casegen.rules import Rule

EXPLANATION = ("Each case has its own portfolio tracker ref: two forms of one kind with one ref are one project "
               "twice (a project's Business Case Lite and its Project Brief share theirs).")
TRACKER_REF = ("project", "tracker_ref")
NAMED = 3  # forms named in a finding about a group; the rest are counted


def duplicate_tracker_refs(intakes) -> list[Problem]:
    """One finding a group of forms of the same kind sharing a tracker ref, on every form of the group.

    Each form of the group gets the same message (so each is refused, and its cell is marked), and the
    message names the group once: `validate` prints it once, not once a form.
    """
    seen: dict[tuple[str, str], list] = {}
    for intake in intakes:
        if intake.case is not None:
            seen.setdefault((intake.kind, intake.case.project.tracker_ref.strip().upper()), []).append(intake)
    problems = []
    for group in (g for g in seen.values() if len(g) > 1):
        ref = group[0].case.project.tracker_ref.strip()
        message = (f"{ref} is the tracker ref of {len(group)} forms: {_names([i.file for i in group])}; "
                   "give each project its own ref (a copied form keeps the ref of the one it was copied from)")
        for intake in group:
            sheet, cell, field = intake.places.get(TRACKER_REF, ("", "", ""))
            problems.append(Problem(intake.file, message, sheet, cell, _label(intake.kind, field), "error",
                                    "tracker-ref-duplicate"))
    return problems


def _names(files: list[str]) -> str:
    """a.xlsx, b.xlsx, c.xlsx and 27 more: file names, or paths where two forms share a name."""
    names = [Path(f).name for f in files]
    if len(set(names)) < len(names):
        names = list(files)
    if len(names) <= NAMED + 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return f"{', '.join(names[:NAMED])} and {len(names) - NAMED} more"


def _label(kind: str, field: str) -> str:
    # Imported here: a build with nothing to do runs these rules without loading the models.
    from casegen.intake.labels import label
    from casegen.models import KINDS

    return label(KINDS[kind], TRACKER_REF) if kind in KINDS else field


def once(problems: list[Problem]) -> list[Problem]:
    """`problems` with each finding across forms kept on the first form it is on: it names the others."""
    across = {r.code for r in PORTFOLIO_RULES}
    seen, out = set(), []
    for p in problems:
        if p.code in across:
            if (p.code, p.message) in seen:
                continue
            seen.add((p.code, p.message))
        out.append(p)
    return out


# Checks over many intakes, each a function of the list of reader.Intake results.
PORTFOLIO_RULES = [Rule("tracker-ref-duplicate", "error", ("bcl", "brief"), EXPLANATION, duplicate_tracker_refs)]


def check_portfolio(intakes) -> list[Problem]:
    return [p for r in PORTFOLIO_RULES for p in r.check(intakes)]
