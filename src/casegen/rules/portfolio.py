"""Rules across the cases of one build: what no single form can show."""
from __future__ import annotations

from casegen.errors import Problem

EXPLANATION = "Each case has its own portfolio tracker ref: two forms with one ref are one project twice."


def duplicate_tracker_refs(intakes) -> list[Problem]:
    """A problem on every form whose tracker ref another form of the same build also uses."""
    seen: dict[str, list] = {}
    for intake in intakes:
        if intake.case is not None:
            seen.setdefault(intake.case.project.tracker_ref.strip().upper(), []).append(intake)
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
