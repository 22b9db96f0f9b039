"""The type the case models give each expression a template can write, for `casegen templates check`.

Types are the models' own annotations (a pydantic model, list[Risk], Decimal | None, ...), with
ANY for what the models do not say (a method's result, a macro's argument), where anything goes.
"""
from __future__ import annotations

import difflib
import inspect
from dataclasses import dataclass
from types import GenericAlias, UnionType
from typing import Annotated, Literal, Union, cast, get_args, get_origin

from jinja2 import nodes
from jinja2.runtime import LoopContext
from pydantic import BaseModel

from casegen.errors import counted
from casegen.models.values import TextBlock
from casegen.templating.environment import FILTERS


class _Any:
    """A value whose type the models do not say (a method's result, a macro argument): anything goes."""

    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()
LOOP = LoopContext


@dataclass(frozen=True)
class Keys:
    """A dict whose keys are known (a computed field such as Finance.totals)."""

    value: object
    keys: frozenset


def _strip(tp):
    """The type under Annotated[...] and Optional[...]; ANY for a union of several."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return ANY
            tp = args[0]
        elif origin is Literal:
            return type(get_args(tp)[0])
        else:
            return tp


def _is_model(tp) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _describe(tp) -> str:
    if _is_model(tp):
        return f"one {tp.__name__}"
    if tp is str:
        return "text"
    if tp in (int, float, bool) or getattr(tp, "__name__", "") == "Decimal":
        return "a number"
    return getattr(tp, "__name__", str(tp))


def suggest(name: str, names) -> str:
    close = difflib.get_close_matches(name, list(names), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _computed(model, name: str):
    """A computed field's type; for a dict, its keys if a model with defaults shows them."""
    tp = model.model_computed_fields[name].return_type
    if get_origin(_strip(tp)) is dict:
        try:
            keys = getattr(model.model_construct(), name).keys()
            return Keys(get_args(_strip(tp))[1], frozenset(keys))
        except Exception:  # the property needs values a bare model lacks: the dict stays opaque
            return tp
    return tp


def _own_method(model, name: str) -> bool:
    """A public method of casegen's own models (not pydantic's machinery)."""
    return any(name in vars(c) and callable(vars(c)[name]) for c in model.__mro__
               if c not in BaseModel.__mro__ and c.__module__.startswith("casegen"))


def attribute(owner, name: str, used: set | None = None):
    """(the type of owner.name, a problem or None); adds (model, field) to `used` when it is a field."""
    tp = _strip(owner)
    if tp is ANY:
        return ANY, None
    if name.startswith("_"):
        return ANY, f"'{name}' starts with _, which templates cannot use"
    if isinstance(tp, Keys):
        if name in tp.keys or _has(dict, name):
            return (tp.value if name in tp.keys else ANY), None
        return ANY, f"has no '{name}' (it has: {', '.join(sorted(tp.keys))}){suggest(name, tp.keys)}"
    if _is_model(tp):
        if name in tp.model_fields:
            if used is not None:
                used.add((tp, name))
            return tp.model_fields[name].annotation, None
        if name in tp.model_computed_fields:
            if used is not None:
                used.add((tp, name))
            return _computed(tp, name), None
        if _own_method(tp, name):
            if used is not None:
                used.add((tp, name))
            return ANY, None
        names = list(tp.model_fields) + list(tp.model_computed_fields)
        return ANY, f"{tp.__name__} has no field '{name}'{suggest(name, names)}"
    origin = get_origin(tp) or tp
    if origin is dict:
        return (get_args(tp)[1] if get_args(tp) else ANY), None
    if isinstance(origin, type) and _has(origin, name):
        return ANY, None
    return ANY, f"{_describe(tp)} has no '{name}'"


def _has(cls: type, name: str) -> bool:
    """Whether a value of `cls` has the attribute `name` (str.mro is the type's, not a text's)."""
    return any(name in vars(k) for k in cls.__mro__)


def sample(owner):
    """A value of the plain type `owner` (text, a number, a list, a dict), to ask the sandbox about; None for a
    model, ANY or a type that cannot be made without arguments."""
    tp = _strip(owner)
    origin = dict if isinstance(tp, Keys) else get_origin(tp) or tp
    if tp is ANY or _is_model(origin) or not isinstance(origin, type):
        return None
    try:
        return origin()
    except Exception:  # a type that needs arguments: the sandbox is not asked
        return None


def element(owner):
    """The type of one item of `owner`, or None if it is not something to loop over."""
    tp = _strip(owner)
    if tp is ANY:
        return ANY
    if isinstance(tp, Keys):
        return str
    origin = get_origin(tp) or tp
    if origin in (list, tuple, set, frozenset, dict):
        args = get_args(tp)
        return args[0] if args else ANY
    return str if tp is str else None


def loop_problem(owner) -> str | None:
    tp = _strip(owner)
    if element(tp) is not None and tp is not str:
        return None
    if tp is LOOP:
        return None
    return f"loops over {_describe(tp)}, not a list" + (" (it would go letter by letter)" if tp is str else "")


def name_of(node) -> str:
    """The dotted text of a name or attribute chain (`finance.totals.net_savings`)."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{name_of(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{name_of(node.node)}[{node.arg.value!r}]"
    if isinstance(node, nodes.Filter):
        return f"{name_of(node.node) if node.node else ''} | {node.name}"
    return type(node).__name__


_TEXT_FILTERS = {"money", "when", "lines", "join", "string", "upper", "lower", "title", "capitalize", "trim",
                 "striptags", "truncate", "wordwrap", "center", "indent", "replace", "format", "urlize",
                 "urlencode", "e", "escape", "forceescape", "safe", "tojson", "xmlattr", "filesizeformat"}
_RESULTS = {"paragraphs": list[str], "blocks": list[TextBlock], "length": int, "count": int, "wordcount": int,
            "int": int, "float": float, "round": float}
_SAME = {"dash", "default", "d", "abs", "reverse", "batch", "slice"}
_ITEM = {"first", "last", "random", "min", "max"}
_ITEMS = {"list", "sort", "unique", "select", "reject", "selectattr", "rejectattr"}
_ATTRIBUTE_ARG = {"selectattr", "rejectattr", "groupby", "attr"}  # first argument names a field


def _const(node) -> str | None:
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None


def _follow_path(owner, path: str, used: set | None = None):
    """(type, problem) of a dotted field path such as 'level' or 'project.title'."""
    for part in path.split("."):
        owner, problem = attribute(owner, part, used)
        if problem:
            return ANY, problem
    return owner, None


# What casegen's own filters take, and the builtins that make no sense on anything else.
_TAKES = {"money": "amount", "when": "text", "lines": "list", "paragraphs": "text", "blocks": "text", "join": "list",
          "sum": "list", "first": "list", "last": "list", "map": "list", "selectattr": "list",
          "rejectattr": "list", "sort": "list", "unique": "list", "groupby": "list", "round": "number",
          "abs": "number", "upper": "text", "lower": "text", "title": "text", "capitalize": "text",
          "trim": "text", "truncate": "text", "wordwrap": "text", "replace": "text"}
_ARTICLE = {"amount": "an amount", "text": "text", "list": "a list", "number": "a number"}


def _takes(wants: str, tp) -> bool:
    number = tp in (int, float) or getattr(tp, "__name__", "") == "Decimal"
    if tp is type(None):
        return wants in ("amount", "text")  # money and when print their `none` for a missing value
    return {"amount": number and tp is not bool, "number": number, "text": tp is str,
            "list": element(tp) is not None and tp is not str and not isinstance(tp, Keys)}[wants]


def _input_problem(name: str, value) -> str | None:
    tp = _strip(value)
    wants = _TAKES.get(name)
    if tp is ANY or not wants or _takes(wants, tp):
        return None
    return f"the {name} filter needs {_ARTICLE[wants]}, not {_describe(tp)}"


def _argument_problem(node: nodes.Filter, filters) -> str | None:
    """Too many arguments, or one of the wrong type, for one of casegen's own filters."""
    if node.name not in FILTERS:
        return None
    params = list(inspect.signature(FILTERS[node.name]).parameters.values())[1:]
    given = len(node.args) + len(node.kwargs)
    if len(node.args) > len(params) or any(k.key not in {p.name for p in params} for k in node.kwargs):
        takes = counted(len(params), "argument") if params else "no arguments"
        return f"the {node.name} filter takes {takes}, not {given}"
    pairs = list(zip(params, node.args, strict=False))  # fewer arguments than parameters: the rest by name
    pairs += [(next(p for p in params if p.name == k.key), k.value) for k in node.kwargs]
    for param, arg in pairs:
        if param.annotation in ("str", str) and isinstance(arg, nodes.Const) and not isinstance(arg.value, str):
            return f"the {node.name} filter's argument is text, in quotes: {node.name}(\"{arg.value}\")"
    return None


def filter_result(node: nodes.Filter, value, filters, used: set | None = None):
    """(the type a filter gives, a problem with its input or arguments, or None)."""
    name, item = node.name, element(value) or ANY
    wrong = _input_problem(name, value) or _argument_problem(node, filters)
    if wrong:
        return _RESULTS.get(name, str) if name in ("paragraphs", "blocks") else str, wrong
    if name == "lines" and _is_model(_strip(item)) and "text" in _strip(item).model_fields and used is not None:
        used.add((_strip(item), "text"))  # lines prints each item's text
    # Jinja annotates a filter's keyword arguments as Pair nodes; its parser makes Keyword nodes (key: str)
    kwargs = {k.key: _const(k.value) for k in cast(list[nodes.Keyword], node.kwargs)}
    field = _const(node.args[0]) if node.name in _ATTRIBUTE_ARG and node.args else kwargs.get("attribute")
    found, problem = _follow_path(value if name == "attr" else item, field, used) if field else (ANY, None)
    if name == "map":
        mapped = _const(node.args[0]) if node.args else None
        if mapped and mapped not in filters:
            return list, f"there is no filter '{mapped}'"
        return GenericAlias(list, found if field else ANY), problem  # list[that type], made at run time
    if name == "attr":
        return found, problem
    if name in _TEXT_FILTERS:
        return str, problem
    if name in _RESULTS:
        return _RESULTS[name], problem
    if name in _SAME:
        return value, problem
    if name in _ITEM:
        return item, problem
    if name in _ITEMS:
        return GenericAlias(list, item), problem
    return ANY, problem

