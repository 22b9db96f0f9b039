"""Rules on a case's project information, shared by every kind of document.

The tracker's rules come from the programme's strategy ("Luton Together Phase 2"): "Projects will not
be able to move to the initiation phase of the tracker until they have resources attached, an
indicative budget code identified and a finance lead allocated", and "Finance to allocate a named
accountant to every project before it can move to the 'live' phase". A named finance lead past
Stage 1 meets both, as the live phase comes after initiation.
"""
from __future__ import annotations

from casegen.rules import rule

PLACEHOLDERS = {"", "TBC", "TBA", "TBD", "TO BE CONFIRMED", "N/A", "NA", "-", "–", "NONE", "?"}
INITIATION_STAGE = 2  # the first stage past Stage 1
_ABSENT = object()


def placeholder(text: str) -> bool:
    """True for a blank, or a word that stands in for a name not known yet."""
    return text.strip().rstrip(".").upper() in PLACEHOLDERS


def stage_number(case, programme) -> int | None:
    """The case's stage as a number (0 for Stage 0), or None if it has no stage."""
    return programme.stage_number(getattr(case.project, "stage", "") or "")


def value_at(case, path: tuple):
    """The value at `path`, or _ABSENT if this kind of case has no such field."""
    obj = case
    for part in path:
        obj = getattr(obj, part, _ABSENT)
        if obj is _ABSENT:
            return _ABSENT
    return obj


@rule("sponsor-tbc")
def sponsor_named(case, programme):
    if (stage_number(case, programme) or 0) > 0:
        for name in ("sponsor", "lead"):
            if placeholder(getattr(case.project, name)):
                yield ("project", name), f"still TBC at {case.project.stage}; name the {name}"


TRACKER_NEEDS = (
    (("resources", "direct_team"), "resources attached (the direct team)"),
    (("project", "budget_code"), "an indicative budget code"),
    (("project", "finance_lead"), "a finance lead (the named accountant)"),
)


@rule("tracker-initiation")
def tracker_initiation(case, programme):
    if (stage_number(case, programme) or 0) < INITIATION_STAGE:
        return
    for path, need in TRACKER_NEEDS:
        value = value_at(case, path)
        if value is not _ABSENT and placeholder(value or ""):
            yield path, (f"is missing at {case.project.stage}; the portfolio tracker needs {need} "
                         "before a project moves past Stage 1: fill it in")
