"""Rules on a Project Brief: what the programme office checks before a brief goes to the board."""
from __future__ import annotations

from casegen.rules import rule


@rule("raci-unmarked")
def raci_rows_marked(case, programme):
    for i, row in enumerate(case.raci):
        if not row.marked:
            yield ("raci", i), (f"{row.who!r} has nothing marked; put an X under Responsible, Accountable, "
                                "Consulted or Informed, or delete the row")


@rule("raci-no-accountable")
def raci_has_accountable(case, programme):
    if not any(row.accountable for row in case.raci):
        yield ("raci",), "no one is marked Accountable; put an X under Accountable for the sponsor or the board"


@rule("department-level-missing")
def involved_departments_have_level(case, programme):
    for i, dept in enumerate(case.departments):
        if dept.involved and not dept.level:
            yield ("departments", i, "level"), (f"{dept.department} is involved but has no level; "
                                                f"choose {', '.join(programme.involvement_levels)}")


@rule("department-level-not-involved")
def levels_only_when_involved(case, programme):
    for i, dept in enumerate(case.departments):
        if dept.level and not dept.involved:
            answer = "No" if dept.involved is False else "not answered"
            yield ("departments", i, "involved"), (f"{dept.department} has the level {dept.level} but involved "
                                                   f"is {answer}; choose Yes, or clear the level")


@rule("stage-no-deliverables")
def stages_have_deliverables(case, programme):
    for i, stage in enumerate(case.stages):
        if not case.items_of(stage):
            yield ("stages", i, "name"), (f"{stage.name!r} has no deliverables; add rows for it in "
                                          "'Stage deliverables and activities'")


@rule("stage-unknown")
def deliverables_name_a_stage(case, programme):
    names = {s.name.casefold() for s in case.stages}
    for i, item in enumerate(case.stage_items):
        if item.stage.casefold() not in names:
            listed = "; ".join(s.name for s in case.stages) or "none yet"
            yield ("stage_items", i, "stage"), f"{item.stage!r} is not a stage in the Stages table (stages: {listed})"


@rule("stage-repeated")
def stage_names_unique(case, programme):
    seen = set()
    for i, stage in enumerate(case.stages):
        key = stage.name.casefold()
        if key in seen:
            yield ("stages", i, "name"), f"{stage.name!r} is named twice; give each stage its own name"
        seen.add(key)
