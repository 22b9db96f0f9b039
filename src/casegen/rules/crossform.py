"""Rules across the cases of one run: what no single form can show.

A rule across forms never sees a case. It declares the facts it needs (casegen.facts: each read from
one field of a case, with the cell it came from); the build keeps the facts of every form in its
manifest, so that forms that are up to date take part without being read again. validate and build
run every rule the same way, over the same facts.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casegen.codes import Severity, lookup
from casegen.errors import Problem
from casegen.facts import FACTS, Fact, Form  # noqa: F401  (Fact: what a rule's forms carry)
from casegen.rules import Rule

NAMED = 3  # forms named in a finding about a group; the rest are counted


@dataclass(frozen=True)
class CrossRule(Rule[Problem]):  # its check is given the forms and finds Problems naming them
    facts: tuple[str, ...] = ()  # the facts a form must have to be given to the rule


CROSSFORM_RULES: list[CrossRule] = []


def cross_rule(code: str, facts: tuple[str, ...]):
    """Register a rule across forms under `code` (its severity, kinds and explanation: casegen/codes.py)."""
    entry = lookup(code)

    def register(check):
        CROSSFORM_RULES.append(CrossRule(code, entry.severity, entry.kinds, entry.explanation, check, facts))
        return check

    return register


@cross_rule("tracker-ref-duplicate", facts=("tracker_ref",))
def duplicate_tracker_refs(forms: list[Form]) -> list[Problem]:
    """One finding a group of forms of the same kind sharing a tracker ref, on every form of the group.

    Each form of the group gets the same message (so each is refused, and its cell is marked), and the
    message names the group once: `validate` prints it once (see `once`), not once a form.
    """
    seen: dict[tuple[str, str], list] = {}
    for form in forms:
        seen.setdefault((form.kind, str(form.facts["tracker_ref"].value).strip().upper()), []).append(form)
    problems = []
    for group in (g for g in seen.values() if len(g) > 1):
        ref = str(group[0].facts["tracker_ref"].value).strip()
        message = (f"{ref} is the tracker ref of {len(group)} forms: {_names(sorted(f.file for f in group))}; "
                   "give each project its own ref (a copied form keeps the ref of the one it was copied from)")
        for form in group:
            fact = form.facts["tracker_ref"]
            problems.append(Problem(form.file, message, fact.sheet, fact.cell, _label(form.kind, fact.field),
                                    Severity.ERROR, "tracker-ref-duplicate"))
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
    """The form's label of the tracker ref: the title of its field in the model, as the form prints it."""
    # Imported here, only when a finding is made: a build with nothing to do runs these rules, and loading
    # the models would add 35-50 ms to it (python -X importtime).
    from casegen.models import KINDS

    if kind not in KINDS:
        return field
    model: Any = KINDS[kind]  # then the model of each step's field
    title = field
    for name in FACTS["tracker_ref"]:
        info = model.model_fields[name]
        model, title = info.annotation, info.title or field
    return title


def once(problems: list[Problem]) -> list[Problem]:
    """`problems` with each finding across forms kept on the first form it is on: it names the others."""
    across = {r.code for r in CROSSFORM_RULES}
    seen, out = set(), []
    for p in problems:
        if p.code in across:
            if (p.code, p.message) in seen:
                continue
            seen.add((p.code, p.message))
        out.append(p)
    return out


def check_across_forms(forms: list[Form]) -> list[Problem]:
    """Every rule across forms over `forms` (those without errors), each given the forms of its kinds
    that have every fact it needs."""
    problems: list[Problem] = []
    for r in CROSSFORM_RULES:
        mine = [f for f in forms if f.kind in r.kinds and all(n in f.facts for n in r.facts)]
        problems += r.check(mine)
    return problems
