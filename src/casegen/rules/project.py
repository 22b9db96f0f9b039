"""Rules on a case's project information, shared by every kind of document."""
from __future__ import annotations

from casegen.rules import rule


@rule("sponsor-tbc", "warning", ("bcl", "brief"),
      "A sponsor and a lead must be named once a project is past Stage 0.")
def sponsor_named(case, programme):
    stage = programme.stage_number(getattr(case.project, "stage", "")) or 0
    if stage > 0:
        for name in ("sponsor", "lead"):
            if getattr(case.project, name).strip().upper() in ("", "TBC"):
                yield ("project", name), f"still TBC at {case.project.stage}; name the {name}"
