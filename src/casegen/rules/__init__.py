"""The programme's rules: checks beyond a single value, each with a code and a line of explanation.

A rule is a function registered with @rule; it receives a case and the programme and yields
(path, message) pairs, the path naming the field that breaks the rule as the model does
(("risks", 0, "likelihood")), so the reader can point at its cell. `casegen rules` lists them all.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from casegen.codes import Severity, lookup

Finding = tuple[tuple, str]
F = TypeVar("F")  # what a rule's check finds: a Finding for a rule on one case


@dataclass(frozen=True)
class Rule(Generic[F]):
    code: str
    severity: Severity
    kinds: tuple[str, ...]
    explanation: str
    check: Callable[..., Iterable[F]]


RULES: list[Rule[Finding]] = []


def rule(code: str):
    """Register a rule under `code`; its severity, kinds and explanation are the code's (casegen/codes.py)."""
    entry = lookup(code)

    def register(check):
        RULES.append(Rule(code, entry.severity, entry.kinds, entry.explanation, check))
        return check

    return register


def registered() -> list[Rule]:
    """Every rule on a single case. The rule modules are imported on first use, not with this
    package, so that a build with nothing to do (which runs only the rules across forms) does not
    load the models: 34 ms (python -X importtime)."""
    from casegen.rules import bcl, brief, project  # noqa: F401  (registers the rules)

    return RULES


def check_case(case, programme) -> list[tuple[Rule, tuple, str]]:
    """Every rule that `case` breaks, with the path of the field and the message."""
    out: list[tuple[Rule[Finding], tuple, str]] = []
    for r in registered():
        if case.kind in r.kinds:
            out.extend((r, path, message) for path, message in r.check(case, programme))
    return out

