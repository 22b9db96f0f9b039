"""Rules across the cases of one run: what no single form can show.

A rule across forms never sees a case. It declares the facts it needs; each fact is read from one
field of a case (FACTS) with the cell it came from, and the build keeps the facts of every form in
its manifest, so that forms that are up to date take part without being read again. validate and
build run every rule the same way, over the same facts.
"""
from __future__ import annotations

from dataclasses import dataclass

from casegen.errors import Problem
from casegen.rules import Rule

EXPLANATION = ("Each case has its own portfolio tracker ref: two forms of one kind with one ref are one project "
               "twice (a project's Business Case Lite and its Project Brief share theirs).")

# Each fact a rule across forms may ask for, and the field of the case it is read from.
FACTS: dict[str, tuple[str, ...]] = {"tracker_ref": ("project", "tracker_ref")}


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class CrossRule(Rule):
    facts: tuple[str, ...] = ()  # the facts a form must have to be given to the rule


PORTFOLIO_RULES: list[CrossRule] = []


def cross_rule(code: str, severity: str, kinds: tuple[str, ...], explanation: str, facts: tuple[str, ...]):
    def register(check):
        PORTFOLIO_RULES.append(CrossRule(code, severity, kinds, explanation, check, facts))
        return check

    return register


@cross_rule("tracker-ref-duplicate", "error", ("bcl", "brief"), EXPLANATION, facts=("tracker_ref",))
def duplicate_tracker_refs(forms: list[Form]) -> list[Problem]:
    """A problem on every form whose tracker ref another form of the same kind in the run also uses."""
    seen: dict[tuple[str, str], list] = {}
    for form in forms:
        seen.setdefault((form.kind, str(form.facts["tracker_ref"].value).strip().upper()), []).append(form)
    problems = []
    for ref, group in seen.items():
        if len(group) < 2:
            continue
        for form in group:
            others = ", ".join(i.file for i in group if i is not form)
            fact = form.facts["tracker_ref"]
            problems.append(Problem(form.file, f"{fact.value!r} is also the ref of {others}",
                                    fact.sheet, fact.cell, fact.field, "error", "tracker-ref-duplicate"))
    return problems


def as_form(item) -> Form | None:
    """A Form from a Form, or from a reader.Intake (None when it has no case: a form with errors)."""
    if isinstance(item, Form):
        return item
    if getattr(item, "case", None) is None:
        return None
    return Form(item.file, item.kind, facts_of(item.case, item.places))


def check_portfolio(items) -> list[Problem]:
    """Every rule across forms over `items` (Forms, or reader.Intakes), each given the forms of its
    kinds that have every fact it needs."""
    forms = [f for f in map(as_form, items) if f is not None]
    problems = []
    for r in PORTFOLIO_RULES:
        mine = [f for f in forms if f.kind in r.kinds and all(n in f.facts for n in r.facts)]
        problems += r.check(mine)
    return problems
