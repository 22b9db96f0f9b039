"""What one render of a template may cost: a template is edited by office staff, and one tag
(`{{ 9 ** 100000000 }}`, `{{ 'x' * 2000000000 }}`, nested `range` loops) must not take the machine.

Three bounds, counted for each render (`Budget`):
- characters: what the tags print and every string or list the operators, filters and methods that can
  grow one make (`*`, `+`, `~`, `%`, `center`, `indent`, `format`, `join`, `replace` ...) add up to at most
  MAX_CHARS; an operation that would go past it is refused before it is done, never after;
- steps: loop turns and calls (a macro calling itself) at most MAX_STEPS;
- time: at most SECONDS, checked at every step.

Numbers: an integer of more than MAX_INT_BITS bits is refused before it is worked out. Jinja folds
constants while it compiles (`9 ** 100000000` would be computed by `templates check` itself); the operators
and filters that can grow are intercepted, which stops that folding (jinja2.nodes.BinExpr.as_const), and the
filters below raise where a folded call would be too large, which Jinja takes as "not constant".
"""
from __future__ import annotations

import math
import re
import string
import time
from typing import Any

from jinja2 import TemplateRuntimeError, nodes
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.utils import generate_lorem_ipsum
from jinja2.visitor import NodeTransformer

# A built document's main part is 0.1-0.5 MB of XML; a case with hundreds of risks a few MB.
MAX_CHARS = 10_000_000
MAX_STEPS = 200_000  # loop turns and calls; a real template makes a few hundred
MAX_INT_BITS = 4_096  # about 1,200 digits: no amount in a case comes near
SECONDS = 20.0  # a render takes 5-20 ms
MAX_WIDTH = 1_000_000  # a constant width or repetition `templates check` reports (walker.py)


class TemplateLimitError(TemplateRuntimeError):
    """A render would cost more than a document may."""


def too_much(what: str) -> TemplateLimitError:
    return TemplateLimitError(f"{what}, far more than any document needs: correct the tag (a loop, repetition, "
                              "width or number far too large)")


class Budget:
    """What the render under way has spent. Started afresh by each render (BoundedTemplate.render)."""

    def __init__(self, chars: int = MAX_CHARS, steps: int = MAX_STEPS, seconds: float = SECONDS):
        self.limits = (chars, steps, seconds)
        self.start()

    def start(self) -> None:
        self.chars = self.steps = 0
        self.deadline = time.monotonic() + self.limits[2]

    def grow(self, chars: int) -> None:
        """Spend `chars` characters (before making them); refused past the budget."""
        self.chars += max(chars, 0)
        if self.chars > self.limits[0]:
            raise too_much(f"the template would make more than {self.limits[0]:,} characters")

    def step(self) -> None:
        self.steps += 1
        if self.steps > self.limits[1]:
            raise too_much(f"the template would take more than {self.limits[1]:,} loop turns and calls")
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(f"rendering took more than {self.limits[2]:g} s, the most a document may take: "
                                     "a loop in the template runs too long; correct it")


SEQUENCES = (str, bytes, bytearray, list, tuple)  # what `*` repeats and `+` joins


def size(value) -> int:
    return len(value) if isinstance(value, SEQUENCES) else 0


def digits(base: int, exponent: int) -> int:
    """How many digits base ** exponent has, without working it out."""
    return int(exponent * math.log10(abs(base))) + 1


def check_int(value) -> None:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise too_much(f"a number of more than {MAX_INT_BITS:,} bits")


def binop(budget: Budget, operator: str, left, right):
    """`left operator right` (the operators the environment intercepts), refused where it would be too large."""
    budget.step()
    if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        if abs(left) > 1 and left.bit_length() * right > MAX_INT_BITS:
            raise too_much(f"{left} ** {right} is a number of {digits(left, right):,} digits")
    elif operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, SEQUENCES) and isinstance(times, int):
                budget.grow(len(seq) * times)
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise too_much(f"a number of more than {MAX_INT_BITS:,} bits")
    elif operator == "%" and isinstance(left, str):
        budget.grow(percent_width(left))
    elif operator == "+":
        budget.grow(size(left) + size(right))
    result = _OPERATORS[operator](left, right)
    check_int(result)
    return result


_OPERATORS = {"**": lambda a, b: a ** b, "*": lambda a, b: a * b, "%": lambda a, b: a % b,
              "+": lambda a, b: a + b}
INTERCEPTED = frozenset(_OPERATORS)

_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def percent_width(fmt: str) -> int:
    """The widest a `fmt % args` can pad: the sum of its widths and precisions; a width taken from the
    values (`%*s`) is refused."""
    total = 0
    for width, precision in _PERCENT.findall(fmt):
        if "*" in (width, precision):
            raise TemplateLimitError(f"a width taken from a value (`%*s`) in {fmt[:40]!r}: type the width")
        total += int(width or 0) + int(precision or 0)
    return total


def brace_width(fmt: str) -> int:
    """The same for `'{:>20}'.format(...)`: a width typed in each field; one taken from a value refused."""
    total = 0
    for _, field, spec, _ in string.Formatter().parse(fmt):
        if field is not None and spec:
            if "{" in spec:
                raise TemplateLimitError(f"a width taken from a value in {fmt[:40]!r}: type the width")
            total += sum(int(n) for n in re.findall(r"\d+", spec))
    return total


def _width(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def bounded_filters(budget: Budget) -> dict:
    """Jinja's filters that can make a long string or list, each refusing before it would go past the budget."""
    f = JINJA_FILTERS

    def center(value, width=80):
        budget.grow(_width(width))
        return f["center"](value, width)

    def indent(s, width=4, first=False, blank=False):
        per_line = len(width) if isinstance(width, str) else _width(width)
        budget.grow(len(str(s)) + per_line * (str(s).count("\n") + 1))
        return f["indent"](s, width, first, blank)

    def wordwrap(environment, s, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True):
        budget.grow(len(str(s)) * (1 + len(wrapstring or "\n")))
        return f["wordwrap"](environment, s, width, break_long_words, wrapstring, break_on_hyphens)

    def format_(value, *args, **kwargs):
        budget.grow(percent_width(str(value)) + len(str(value)))
        return f["format"](value, *args, **kwargs)

    def join(eval_ctx, value, d="", attribute=None):
        items = list(value)
        budget.grow(len(d) * len(items) + sum(size(i) for i in items))
        return f["join"](eval_ctx, items, d, attribute)

    def replace(eval_ctx, s, old, new, count=None):
        text = str(s)
        budget.grow(len(text) + text.count(str(old)) * len(str(new)) if old else len(text) * (len(str(new)) + 1))
        return f["replace"](eval_ctx, s, old, new, count)

    def batch(value, linecount, fill_with=None):
        budget.grow(_width(linecount) if fill_with is not None else 0)
        return f["batch"](value, linecount, fill_with)

    def slice_(value, slices, fill_with=None):
        budget.grow(_width(slices))
        return f["slice"](value, slices, fill_with)

    def truncate(env, s, length=255, killwords=False, end="...", leeway=None):
        budget.grow(len(str(end)))
        return f["truncate"](env, s, length, killwords, end, leeway)

    for wrapper, original in ((wordwrap, "wordwrap"), (join, "join"), (replace, "replace"), (truncate, "truncate")):
        # the environment or eval context, as Jinja's own filter takes it
        setattr(wrapper, "jinja_pass_arg", f[original].jinja_pass_arg)  # noqa: B010 (a function's attribute)
    return {"center": center, "indent": indent, "wordwrap": wordwrap, "format": format_, "join": join,
            "replace": replace, "batch": batch, "slice": slice_, "truncate": truncate}


def bounded_lipsum(budget: Budget):
    def lipsum(n=5, html=True, min=20, max=100):
        budget.grow(_width(n) * _width(max) * 12)
        return generate_lorem_ipsum(n, html, min, max)
    return lipsum


# str methods that make a longer string, and how long at most, before they are called.
_METHODS = {
    "center": lambda s, a, k: _width(a[0] if a else k.get("width")),
    "ljust": lambda s, a, k: _width(a[0] if a else k.get("width")),
    "rjust": lambda s, a, k: _width(a[0] if a else k.get("width")),
    "zfill": lambda s, a, k: _width(a[0] if a else k.get("width")),
    "expandtabs": lambda s, a, k: len(s) * _width(a[0] if a else k.get("tabsize", 8)),
    "replace": lambda s, a, k: len(s) * (len(str(a[1])) + 1) if len(a) > 1 else 0,
    "translate": lambda s, a, k: len(s) * max((size(v) for v in (a[0].values() if a and isinstance(a[0], dict)
                                                                  else ())), default=1),
}


def checked_call(budget: Budget, obj, args, kwargs) -> tuple:
    """Spend what calling `obj` may make, before it is called; returns the args (a join's items, listed)."""
    budget.step()
    owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
    if isinstance(owner, (str, bytes)) and name == "join" and args:  # counted on the items, listed once
        items = list(args[0])
        budget.grow(len(owner) * len(items) + sum(size(i) for i in items))
        return (items, *args[1:])
    if isinstance(owner, (str, bytes, bytearray)) and name in _METHODS:
        budget.grow(_METHODS[name](owner, args, kwargs))
    return args


class Counted(NodeTransformer):
    """Rewrites a parsed template so that every loop counts its turns and the text of its body, and every
    `~` its result: `{% for x in xs %}` loops over `environment.counted(xs, N)`."""

    def __init__(self, environment):
        self.environment = environment

    def _call(self, name: str, args: list, lineno: int) -> nodes.Call:
        call = nodes.Call(nodes.EnvironmentAttribute(name), args, [], None, None, lineno=lineno)
        call.set_environment(self.environment)
        return call

    def visit_For(self, node: nodes.For):
        self.generic_visit(node)  # in place: a For stays a For
        text = sum(len(d.data) for child in node.body for d in _own_text(child))
        node.iter = self._call("counted", [node.iter, nodes.Const(text)], node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat):
        return self._call("grown", [self.generic_visit(node)], node.lineno)


def _own_text(node):
    """The template text in `node` outside any loop inside it (that loop counts its own)."""
    if isinstance(node, nodes.TemplateData):
        yield node
    elif not isinstance(node, nodes.For):
        for child in node.iter_child_nodes():
            yield from _own_text(child)


# What `templates check` can tell from the numbers typed in a tag, before any case is rendered.

_WIDTH_FILTERS = {"center", "indent", "batch", "slice"}
_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}


def _const(node):
    return node.value if isinstance(node, nodes.Const) else None


def _length(node) -> int | None:
    if isinstance(node, (nodes.List, nodes.Tuple)):
        return len(node.items)
    return len(node.value) if isinstance(_const(node), str) else None


def static_cost(node: Any) -> tuple[str, str] | None:
    """(the tag's words, why it is refused) for a tag whose typed numbers already ask for too much."""
    try:
        if isinstance(node, nodes.Pow):
            base, exp = _const(node.left), _const(node.right)
            if type(base) is int and type(exp) is int and abs(base) > 1 and base.bit_length() * exp > MAX_INT_BITS:
                return f"{base} ** {exp}", f"{base} ** {exp} is a number of {digits(base, exp):,} digits"
        elif isinstance(node, nodes.Mul):
            for seq, times in ((node.left, node.right), (node.right, node.left)):
                length, times = _length(seq), _const(times)
                if length is not None and type(times) is int and max(length, 1) * times > MAX_WIDTH:
                    return "*", f"a repetition of {times:,} times"
        elif isinstance(node, nodes.Mod) and isinstance(_const(node.left), str):
            if percent_width(_const(node.left)) > MAX_WIDTH:
                return _const(node.left), f"a width of more than {MAX_WIDTH:,} characters"
        elif isinstance(node, nodes.Filter) and node.name in _WIDTH_FILTERS and node.args:
            width = _const(node.args[0])
            if type(width) is int and width > MAX_WIDTH:
                return node.name, f"{node.name}({width:,}), a width of more than {MAX_WIDTH:,} characters"
        elif isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr) and node.args:
            width, name = _const(node.args[0]), node.node.attr
            if name in _WIDTH_METHODS and type(width) is int and width > MAX_WIDTH:
                return name, f"{name}({width:,}), a width of more than {MAX_WIDTH:,} characters"
            if name in ("format", "format_map") and isinstance(_const(node.node.node), str):
                if brace_width(_const(node.node.node)) > MAX_WIDTH:
                    return name, f"a width of more than {MAX_WIDTH:,} characters"
    except TemplateLimitError as exc:  # a width taken from a value
        return getattr(node, "name", "") or "%", str(exc.message)
    return None


def range_size(node) -> int:
    """How many numbers a `range(...)` typed with numbers gives (0 if it is not one)."""
    if (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name == "range"
            and node.args and not node.kwargs and all(type(_const(a)) is int for a in node.args)):
        try:
            return len(range(*(_const(a) for a in node.args)))
        except OverflowError:  # more numbers than Python can count
            return MAX_STEPS + 1
        except (TypeError, ValueError):  # a step of 0: Jinja says so when it renders
            return 0
    return 0
