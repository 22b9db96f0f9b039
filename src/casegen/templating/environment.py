"""The Jinja environment that every template renders in: sandboxed, strict, escaping.

Templates are edited by office staff, so they run sandboxed; a name the model does not provide is
an error, never an empty cell; every value is XML-escaped so `R&D <pilot>` prints as typed.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateRuntimeError, UndefinedError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment
from pydantic import BaseModel

from casegen.models.values import TextBlock, Total, format_money, is_tbc, strip_illegal, text_blocks
from casegen.templating.bounds import (
    INTERCEPTED,
    Budget,
    Counted,
    binop,
    bounded_filters,
    bounded_lipsum,
    brace_width,
    checked_call,
    size,
)


def money(value: Decimal | str | Total | None, none: str = "-") -> str:
    """£200,000; TBC where the amount is not yet known; `none` (default "-") where there is none."""
    amount = value is None or is_tbc(value) or isinstance(value, (Decimal, int, float, Total))
    if not amount or isinstance(value, bool):
        raise TemplateRuntimeError(f"the money filter needs an amount, got {value!r}")
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


def blocks(text: str, none: str = "") -> list[TextBlock]:
    """A text cell's paragraphs and the bullets typed in it (each with its level), or `none` as one paragraph."""
    found = text_blocks(text or "")
    return found or ([TextBlock(text=none)] if none else [])


def _finalize(value):
    # Never print "None"; never let a character into the XML that Word cannot hold.
    if value is None:
        return ""
    if isinstance(value, str):
        return strip_illegal(value)
    return value


class BoundedTemplate(Template):
    """A template whose every render starts a fresh budget (templating.bounds)."""

    environment: _Environment  # the one environment that makes these templates, with its budget

    def render(self, *args, **kwargs) -> str:
        self.environment.budget.start()
        return super().render(*args, **kwargs)


FILTERS: dict[str, Callable[..., Any]] = {"money": money, "when": when, "dash": dash, "lines": lines,
                                          "paragraphs": paragraphs, "blocks": blocks}


def _template_line(tb) -> int | None:
    """The template line of the innermost template frame (Jinja names template frames <template>)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _has(model: BaseModel, name: str) -> bool:
    return name in type(model).model_fields or hasattr(type(model), name)


class _Environment(ImmutableSandboxedEnvironment):  # immutable: a tag cannot change the case it prints
    """Every error while rendering is a TemplateError that carries its template line.

    Jinja gives a line only to syntax errors; with one, a build's message can show the text around
    the tag that failed. An error inside a filter (a TypeError, say) becomes a TemplateError too, so
    a template the office edited can never end a build with a traceback.
    """

    intercepted_binops = INTERCEPTED  # also stops Jinja working them out while it compiles
    template_class = BoundedTemplate

    def __init__(self, **options):
        self.budget = Budget()
        super().__init__(finalize=self._counted_output, **options)
        self.filters.update(bounded_filters(self.budget))
        self.globals["lipsum"] = bounded_lipsum(self.budget)

    def _counted_output(self, value):
        value = _finalize(value)
        self.budget.grow(size(value))
        return value

    def counted(self, iterable, text: int):
        """A loop's items, each turn counted with the text its body prints (bounds.Counted puts it there)."""
        budget = self.budget
        for item in iterable:
            budget.step()
            budget.grow(text)
            yield item

    def grown(self, value):
        self.budget.grow(size(value))
        return value

    def call_binop(self, context, operator, left, right):
        return binop(self.budget, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        args = checked_call(__self.budget, __obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            self.budget.grow(len(value.__self__) + brace_width(value.__self__))
        return wrapped

    def _generate(self, source, name, filename, defer_init=False):
        if isinstance(source, nodes.Template):  # every loop and `~` counted (bounds.Counted)
            source = Counted(self).visit(source)
        return super()._generate(source, name, filename, defer_init=defer_init)

    def getattr(self, obj, attribute):
        # A field the model does not have is a mistake even where Jinja would let it pass quietly
        # (`is defined`, `is none`, `| default`): a model's fields are always there.
        if isinstance(obj, BaseModel):
            model = type(obj)
            if (attribute in model.model_fields or attribute in model.model_computed_fields) \
                    and attribute[0] != "_" and attribute != "format":
                # what the sandbox would decide (is_safe_attribute: a model's own field, not "_" or "__"), without
                # its checks: a document reads some 200 fields (a sixth of its Jinja time, measured)
                return getattr(obj, attribute)
            if not _has(obj, attribute):
                raise UndefinedError(f"{model.__name__} has no field '{attribute}'")
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj, attr, value) -> bool:
        # A model has no method that changes it in place: the immutable sandbox's check (for lists, dicts and
        # sets) is skipped there, which most attributes a document reads are (3% of a render, measured).
        if isinstance(obj, BaseModel):
            return SandboxedEnvironment.is_safe_attribute(self, obj, attr, value)
        return super().is_safe_attribute(obj, attr, value)

    def getitem(self, obj, argument):
        if isinstance(obj, BaseModel) and isinstance(argument, str) and not _has(obj, argument):
            raise UndefinedError(f"{type(obj).__name__} has no field '{argument}'")
        return super().getitem(obj, argument)

    def handle_exception(self, source: str | None = None):
        try:
            super().handle_exception(source)
        except TemplateError as exc:
            # Jinja declares lineno on TemplateSyntaxError only; templating.parts reads it from any TemplateError
            if getattr(exc, "lineno", None) is None:
                exc.lineno = _template_line(exc.__traceback__)  # type: ignore[attr-defined]
            raise
        except Exception as exc:
            error = TemplateRuntimeError(f"{type(exc).__name__}: {exc}")
            error.lineno = _template_line(exc.__traceback__)  # type: ignore[attr-defined]  # as above
            raise error from None


def make_environment() -> SandboxedEnvironment:
    env = _Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    return env
