"""The Jinja environment that every template renders in: sandboxed, strict, escaping.

Templates are edited by office staff, so they run sandboxed; a name the model does not provide is
an error, never an empty cell; every value is XML-escaped so `R&D <pilot>` prints as typed.
"""
from __future__ import annotations

from decimal import Decimal

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from casegen.models.values import format_money, strip_illegal


def money(value: Decimal | None, none: str = "-") -> str:
    """£200,000; `none` (default "-") where there is no amount."""
    return format_money(value, none)


def when(value: str | None, none: str = "-") -> str:
    return value or none


def dash(value, none: str = "-"):
    """The value, or "-" where it is empty."""
    return none if value is None or value == "" else value


def lines(items) -> str:
    """A list of items (or of strings) as one cell, one item a line."""
    return "\n".join(getattr(i, "text", i) for i in items)


def paragraphs(text: str) -> list[str]:
    """Text split into paragraphs at blank lines."""
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


def _finalize(value):
    # Never print "None"; never let a character into the XML that Word cannot hold.
    if value is None:
        return ""
    if isinstance(value, str):
        return strip_illegal(value)
    return value


FILTERS = {"money": money, "when": when, "dash": dash, "lines": lines, "paragraphs": paragraphs}


def make_environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, finalize=_finalize,
                               keep_trailing_newline=True)
    env.filters.update(FILTERS)
    return env
