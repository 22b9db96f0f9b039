"""What a build keeps of each form for the rules across forms: a few facts, each with its cell.

A rule across forms never sees a case. It declares the facts it needs; each fact is read from one
field of a case (FACTS) with the cell it came from. The build's manifest stores the facts of every
form (batch.store), so that forms that are up to date take part without being read again; the
rules across forms (rules.crossform) read them. Both import them from here, below either.
"""
from __future__ import annotations

from dataclasses import dataclass

# Each fact a rule across forms may ask for, and the field of the case it is read from.
FACTS: dict[str, tuple[str, ...]] = {"tracker_ref": ("project", "tracker_ref")}


@dataclass(frozen=True, slots=True)
class Fact:
    """One value of a form, with the cell it was typed in (so a finding can point at it)."""

    value: object
    sheet: str = ""
    cell: str = ""
    field: str = ""

    def as_json(self) -> list:
        return [self.value, self.sheet, self.cell, self.field]

    @classmethod
    def from_json(cls, data) -> Fact:
        if not (isinstance(data, list) and len(data) == 4 and all(isinstance(p, str) for p in data[1:])):
            raise ValueError(f"unexpected fact {data!r:.80}")
        return cls(*data)


@dataclass
class Form:
    """What a rule across forms sees of one form without errors: its file, kind and facts."""

    file: str
    kind: str
    facts: dict[str, Fact]


def facts_of(case, places: dict) -> dict[str, Fact]:
    """Every fact of FACTS that `case` has; `places` maps a field's path to (sheet, cell, field)."""
    out = {}
    for name, path in FACTS.items():
        value = case
        for part in path:
            value = getattr(value, part, None)
        if value not in (None, ""):
            out[name] = Fact(value, *places.get(path, ("", "", path[-1])))
    return out
