"""The type of every expression in a template's tags, as the case models give it.

Top-level names are the case's fields, a loop variable is an item of the list it loops over
(`{% for r in risks %}`: r is a Risk), an attribute chain is followed field by field
(`finance.totals.net_savings`). The walker records what does not exist, loops over things that
are not lists, unknown filters and tests, filters given the wrong type, and every model field a
tag reads (for the check's other direction: fields the form asks for that no template prints).
"""
from __future__ import annotations

from jinja2 import nodes
from jinja2.sandbox import MAX_RANGE

from casegen.templating.bounds import MAX_STEPS, range_size, static_cost
from casegen.templating.environment import FILTERS
from casegen.templating.modeltypes import (
    ANY,
    LOOP,
    attribute,
    element,
    filter_result,
    loop_problem,
    name_of,
    sample,
    suggest,
)

_GLOBAL_FUNCTIONS = {"range", "dict", "lipsum", "cycler", "joiner", "namespace"}


class Walker:
    """Types every expression of one part; collects (lineno, expression, message, code) and the fields it prints."""

    def __init__(self, env, top: dict, model: type | None = None):
        self.env, self.model = env, model  # model: the case, whose fields are the top names
        self.found: list[tuple[int, str, str, str]] = []
        self.used: set[tuple[type | None, str]] = set()  # (model, field) for every field a tag reads
        self.scopes: list[dict] = [dict(top)]
        self.guarded: list[set[str]] = []  # names a surrounding {% if X is defined %} asks about
        self.turns = [1]  # how many times the loops around a tag run, as far as typed numbers tell

    def report(self, node, expr: str, message: str, code: str = "template-unknown-field") -> None:
        if not any(expr in names or name_of(node) in names for names in self.guarded):
            self.found.append((getattr(node, "lineno", 0), expr, message, code))

    def lookup(self, node: nodes.Name):
        for scope in reversed(self.scopes):
            if node.name in scope:
                if scope is self.scopes[0]:
                    self.used.add((self.model, node.name))
                return scope[node.name]
        if node.name in _GLOBAL_FUNCTIONS or node.name in self.env.globals:
            return ANY
        known = [n for scope in self.scopes for n in scope]
        self.report(node, node.name, f"the model has no field '{node.name}'{suggest(node.name, known)}")
        return ANY

    # -- expressions -------------------------------------------------------------------------
    def expr(self, node):
        costly = static_cost(node)
        if costly:
            self.report(node, costly[0], f"{costly[1]}, far more than any document needs, which the template sandbox "
                        "refuses when the document is built", "template-bounds")
        method = getattr(self, f"expr_{type(node).__name__}", None)
        if method:
            return method(node)
        for child in node.iter_child_nodes():
            self.visit(child)
        return ANY

    def expr_Name(self, node):
        return self.lookup(node)

    def expr_Const(self, node):
        return type(node.value)

    def expr_TemplateData(self, node):
        return str

    def expr_Getattr(self, node):
        return self.follow(node, self.expr(node.node), node.attr)

    def expr_Getitem(self, node):
        owner = self.expr(node.node)
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            return self.follow(node, owner, node.arg.value)
        self.visit(node.arg)
        if isinstance(node.arg, nodes.Slice):
            return owner
        return element(owner) or ANY

    def follow(self, node, owner, name: str):
        found, problem = attribute(owner, name, self.used)
        if problem:
            self.report(node, name_of(node), problem)
        elif self.refused(owner, name):
            self.report(node, name_of(node), f"'{name}' would change the case or reach inside it, which the template "
                        "sandbox refuses when the document is built", "template-sandbox")
        return found

    def refused(self, owner, name: str) -> bool:
        """Whether the renderer's sandbox refuses `name` of a plain value (a list's append, say), as it would
        at build time: the check asks the same environment."""
        value = sample(owner)
        if value is None or not hasattr(value, name):
            return False
        return not self.env.is_safe_attribute(value, name, getattr(value, name))

    def expr_Call(self, node):
        for child in node.iter_child_nodes():
            self.visit(child)
        # Only numbers typed in the tag are counted (working out 10 ** 10 ** 10 here would never end); a range
        # over the case's values the sandbox checks when it renders.
        if (isinstance(node.node, nodes.Name) and node.node.name == "range" and node.args and not node.kwargs
                and all(isinstance(a, nodes.Const) and type(a.value) is int for a in node.args)):
            try:
                size = len(range(*(a.value for a in node.args)))
            except OverflowError:  # more numbers than Python can count
                size = MAX_RANGE + 1
            except (TypeError, ValueError):  # a step of 0, or too many arguments: Jinja says so when it renders
                size = 0
            if size > MAX_RANGE:
                self.report(node, "range", f"a range of more than {MAX_RANGE:,} numbers, which the template sandbox "
                            "refuses when the document is built", "template-sandbox")
        return ANY

    def expr_Filter(self, node):
        value = self.expr(node.node) if node.node is not None else str
        for arg in node.args + [k.value for k in node.kwargs]:
            self.visit(arg)
        if node.name not in self.env.filters:
            known = ", ".join(FILTERS)
            self.report(node, name_of(node), f"there is no filter '{node.name}' (casegen's own are {known})"
                        f"{suggest(node.name, self.env.filters)}", "template-filter")
            return ANY
        result, problem = filter_result(node, value, self.env.filters, self.used)
        if problem:
            self.report(node, name_of(node), problem, "template-filter")
        return result

    def expr_Test(self, node):
        if node.name in ("defined", "undefined"):
            # Asking whether a name is there is no mistake; asking it of a model's field is: a
            # model's fields are always there, so a misspelt one would quietly be "not defined".
            if not isinstance(node.node, nodes.Name):
                self.expr(node.node)
            return bool
        self.visit(node.node)
        for arg in node.args:
            self.visit(arg)
        if node.name not in self.env.tests:
            self.report(node, f"is {node.name}", f"there is no test '{node.name}'", "template-test")
        return bool

    def expr_CondExpr(self, node):
        self.visit(node.test)
        result = self.expr(node.expr1)
        if node.expr2 is not None:
            self.visit(node.expr2)
        return result

    # -- statements --------------------------------------------------------------------------
    def visit(self, node) -> None:
        if isinstance(node, nodes.Expr):
            self.expr(node)
            return
        method = getattr(self, f"stmt_{type(node).__name__}", None)
        if method:
            method(node)
            return
        for child in node.iter_child_nodes():
            self.visit(child)

    def visit_all(self, body) -> None:
        for child in body:
            self.visit(child)

    def stmt_If(self, node):
        self.visit(node.test)
        tests = [node.test, *node.test.find_all(nodes.Test)]
        asked = {t.node.name for t in tests
                 if isinstance(t, nodes.Test) and t.name in ("defined", "undefined") and isinstance(t.node, nodes.Name)}
        self.guarded.append(asked)
        self.visit_all(node.body + node.elif_ + node.else_)
        self.guarded.pop()

    def stmt_For(self, node):
        owner = self.expr(node.iter)
        problem = loop_problem(owner)
        if problem:
            self.report(node, name_of(node.iter), problem, "template-loop")
        turns = self.turns[-1] * max(range_size(node.iter), 1)
        if range_size(node.iter) <= MAX_RANGE and turns > MAX_STEPS >= self.turns[-1]:
            inner = f"for {node.target.name} in range" if isinstance(node.target, nodes.Name) else "range"
            self.report(node, inner, f"loops inside loops that run {turns:,} times, more than the {MAX_STEPS:,} the "
                        "template sandbox allows a document when it is built", "template-bounds")
        self.turns.append(turns)
        self.scopes.append({"loop": LOOP})
        self.bind(node.target, element(owner) or ANY)
        if node.test is not None:
            self.visit(node.test)
        self.visit_all(node.body)
        self.scopes.pop()
        self.turns.pop()
        self.visit_all(node.else_)

    def stmt_Assign(self, node):
        self.bind(node.target, self.expr(node.node))

    def stmt_AssignBlock(self, node):
        self.visit_all(node.body)
        self.bind(node.target, str)

    def stmt_With(self, node):
        values = [self.expr(v) for v in node.values]
        self.scopes.append({})
        for target, value in zip(node.targets, values, strict=True):
            self.bind(target, value)
        self.visit_all(node.body)
        self.scopes.pop()

    def stmt_Macro(self, node):
        self.scopes[-1][node.name] = ANY
        self.scopes.append({"varargs": ANY, "kwargs": ANY, "caller": ANY})
        for arg in node.args:
            self.bind(arg, ANY)
        self.visit_all(node.defaults + node.body)
        self.scopes.pop()

    def stmt_CallBlock(self, node):
        self.visit(node.call)
        self.scopes.append({})
        for arg in node.args:
            self.bind(arg, ANY)
        self.visit_all(node.body)
        self.scopes.pop()

    def stmt_Include(self, node):
        self.report(node, "include", "a template cannot include, import or extend another template", "template-include")

    stmt_Import = stmt_FromImport = stmt_Extends = stmt_Include

    def bind(self, target, value) -> None:
        if isinstance(target, nodes.Name):
            self.scopes[-1][target.name] = value
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANY)
