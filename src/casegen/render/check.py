"""`casegen templates check`: every tag of a Word template that the case models do not provide.

The models are the single source of truth. The check walks the Jinja syntax tree of each compiled
part of the template, giving every expression the type the model gives it: top-level names are the
case's fields, a loop variable is an item of the list it loops over (`{% for r in risks %}`: r is a
Risk), an attribute chain is followed field by field (`finance.totals.net_savings`). It reports
names and fields that do not exist, loops over things that are not lists, unknown filters and tests,
and tags that Word has split across several runs of formatting in the document's XML.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, nodes
from lxml import etree

from casegen.errors import Problem, TemplateProblem
from casegen.models import KINDS
from casegen.render import TEMPLATE_FILES, load_template, templates_dir
from casegen.render.environment import make_environment
from casegen.render.modeltypes import (ANY, LOOP, attribute, element, filter_result, loop_problem, name_of,
                                       suggest)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes)\.xml")  # the parts render.engine compiles
_TAG = re.compile(r"\{[{%].*?[%}]\}", re.S)
# What render.context adds to the case's own fields.
EXTRA_NAMES = {"programme": str, "council": str}
_GLOBAL_FUNCTIONS = {"range", "dict", "lipsum", "cycler", "joiner", "namespace"}


def TagProblem(template: str, part: str, tag: str, message: str, near: str = "") -> Problem:
    return Problem(template, message, part=part, tag=tag, near=near)


def _plain(line: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", line)).strip()


class _Walker:
    """Types every expression of one part; collects (lineno, expression, message)."""

    def __init__(self, env, top: dict):
        self.env, self.found = env, []
        self.scopes: list[dict] = [dict(top)]
        self.guarded: list[set[str]] = []  # names a surrounding {% if X is defined %} asks about

    def report(self, node, expr: str, message: str) -> None:
        if not any(expr in names or name_of(node) in names for names in self.guarded):
            self.found.append((getattr(node, "lineno", 0), expr, message))

    def lookup(self, node: nodes.Name):
        for scope in reversed(self.scopes):
            if node.name in scope:
                return scope[node.name]
        if node.name in _GLOBAL_FUNCTIONS or node.name in self.env.globals:
            return ANY
        known = [n for scope in self.scopes for n in scope]
        self.report(node, node.name, f"the model has no field '{node.name}'{suggest(node.name, known)}")
        return ANY

    # -- expressions -------------------------------------------------------------------------
    def expr(self, node):
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
        found, problem = attribute(owner, name)
        if problem:
            self.report(node, name_of(node), problem)
        return found

    def expr_Filter(self, node):
        value = self.expr(node.node) if node.node is not None else str
        for arg in node.args + [k.value for k in node.kwargs]:
            self.visit(arg)
        if node.name not in self.env.filters:
            self.report(node, f"| {node.name}", f"there is no filter '{node.name}'")
            return ANY
        result, problem = filter_result(node, value, self.env.filters)
        if problem:
            self.report(node, f"| {node.name}", problem)
        return result

    def expr_Test(self, node):
        if node.name in ("defined", "undefined"):
            return bool  # the template asks whether it is there: not a mistake if it is not
        self.visit(node.node)
        for arg in node.args:
            self.visit(arg)
        if node.name not in self.env.tests:
            self.report(node, f"is {node.name}", f"there is no test '{node.name}'")
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
        asked = {name_of(t.node) for t in tests if isinstance(t, nodes.Test) and t.name in ("defined", "undefined")}
        self.guarded.append(asked)
        self.visit_all(node.body + node.elif_ + node.else_)
        self.guarded.pop()

    def stmt_For(self, node):
        owner = self.expr(node.iter)
        problem = loop_problem(owner)
        if problem:
            self.report(node, name_of(node.iter), problem)
        self.scopes.append({"loop": LOOP})
        self.bind(node.target, element(owner) or ANY)
        if node.test is not None:
            self.visit(node.test)
        self.visit_all(node.body)
        self.scopes.pop()
        self.visit_all(node.else_)

    def stmt_Assign(self, node):
        self.bind(node.target, self.expr(node.node))

    def stmt_AssignBlock(self, node):
        self.visit_all(node.body)
        self.bind(node.target, str)

    def stmt_With(self, node):
        values = [self.expr(v) for v in node.values]
        self.scopes.append({})
        for target, value in zip(node.targets, values):
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
        self.report(node, "include", "a template cannot include, import or extend another template")

    stmt_Import = stmt_FromImport = stmt_Extends = stmt_Include

    def bind(self, target, value) -> None:
        if isinstance(target, nodes.Name):
            self.scopes[-1][target.name] = value
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANY)


def context_types(kind: str) -> dict:
    """The type of every name a template of `kind` can use, as render.context provides it."""
    model = KINDS[kind]
    top = {name: info.annotation for name, info in model.model_fields.items()}
    top.update({name: info.return_type for name, info in model.model_computed_fields.items()})
    top.update(EXTRA_NAMES)
    return top


def _line(source: str, lineno: int) -> str:
    lines = source.splitlines()
    return _plain(lines[lineno - 1]) if 0 < lineno <= len(lines) else ""


def _near(source: str, lineno: int, tag: str = "") -> str:
    """The document's text around a tag: its paragraph (the one before too, if the tag is all there is)."""
    text = _line(source, lineno)
    if text == tag or not _TAG.sub("", text).strip():
        text = f"{_line(source, lineno - 1)} … {text}".strip(" …")
    at = max(text.find(tag), 0) if tag else 0
    start = max(0, min(at - 60, len(text) - 160))
    return ("…" if start else "") + text[start:start + 160] + ("…" if len(text) > start + 160 else "")


def _tag(source: str, lineno: int, expr: str) -> str:
    tags = _TAG.findall(_line(source, lineno))
    last = expr.split(".")[-1].strip("| ")
    return next((t for t in tags if last in t), tags[0] if len(tags) == 1 else expr)


def check_part(env, source: str, top: dict) -> list[tuple[str, str, str]]:
    """(tag, message, nearby text) for every problem in one compiled part's source."""
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        return [("", f"{exc.message} (line {exc.lineno})", _near(source, exc.lineno or 0))]
    walker = _Walker(env, top)
    walker.visit(tree)
    tagged = [(_tag(source, line, expr), line, message) for line, expr, message in walker.found]
    return [(tag, message, _near(source, line, tag)) for tag, line, message in tagged]


def _runs_of_tags(p) -> tuple[str, list[tuple[str, int]]]:
    """A paragraph's text, and each tag in it with the number of runs its characters come from."""
    owners, text = [], []
    for t in p.iter(f"{W}t"):
        text.append(t.text or "")
        owners.extend([t.getparent()] * len(t.text or ""))
    text = "".join(text)
    return text, [(m.group(0), len({id(owners[i]) for i in range(m.start(), m.end())})) for m in _TAG.finditer(text)]


def split_tags(xml: bytes) -> list[tuple[str, str, str]]:
    """(tag, message, paragraph text) for each tag whose characters Word spread over several runs."""
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [("", f"is not well-formed XML ({exc}); the template is damaged: open it in Word and save it again",
                 "")]
    found = []
    for p in root.iter(f"{W}p"):
        text, tags = _runs_of_tags(p)
        found += [(tag, f"is split across {runs} runs of Word formatting; it renders, but retype it in Word in one "
                        "go (or clear its formatting) so it stays one tag", text) for tag, runs in tags if runs > 1]
        if text.count("{{") != text.count("}}") or text.count("{%") != text.count("%}"):
            found.append(("", "a tag opens in this paragraph but does not close in it (or closes without opening)",
                          text))
    return found


def _kind_of(path: Path, kind: str | None) -> str | None:
    if kind:
        return kind
    return next((k for k, name in TEMPLATE_FILES.items() if name == path.name), None)


def _sources(path: Path) -> tuple[dict[str, str], bytes, str]:
    """The template's parts as the renderer compiles them, its bytes, and why it does not compile ("" if it does).

    A template that does not compile (an unknown filter, say) is still walked, from the same
    patched sources, so that every problem in it is listed, not just the first.
    """
    try:
        compiled = load_template(path)
        return compiled.sources, compiled.data, ""
    except TemplateProblem as exc:
        # The renderer's message starts with the template's full path; the check names it already.
        reason = exc.format_message().removeprefix(f"{path.resolve()}: ")
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = {n: zf.read(n).decode("utf-8") for n in zf.namelist() if _PARTS.fullmatch(n)}
    except (zipfile.BadZipFile, UnicodeDecodeError):
        return {}, b"", reason
    fixer = DocxTemplate.__new__(DocxTemplate)  # only its XML patching is used, as render.engine does
    return {n: re.sub(r"<w:p([ >])", r"\n<w:p\1", fixer.patch_xml(x)) for n, x in parts.items()}, data, reason


def check_template(path: Path, kind: str | None = None) -> list[Problem]:
    """Every problem of the template at `path`, each located and with the text around it."""
    name, kind = str(path), _kind_of(path, kind)
    if kind not in KINDS:
        return [TagProblem(name, "", "", f"cannot tell which kind of case this template prints; pass --kind "
                                         f"({', '.join(KINDS)})")]
    sources, data, reason = _sources(path)
    env = make_environment()
    problems = [TagProblem(name, part, *found) for part, source in sources.items()
                for found in check_part(env, source, context_types(kind))]
    if reason and not problems:  # it does not compile, for a reason the walk cannot see
        return [TagProblem(name, "", "", reason)]
    if data:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for part in sorted(n for n in zf.namelist() if _PARTS.fullmatch(n)):
                problems += [TagProblem(name, part, tag, message, near[:160]) for tag, message, near in
                             split_tags(zf.read(part))]
    return problems


def check_templates(paths=(), kind: str | None = None, folder: Path | None = None) -> tuple[list[Problem], list[Path]]:
    """Check the templates at `paths` (default: every template in `folder`, by default the one a build uses)."""
    folder = folder or templates_dir()
    paths = [Path(p) for p in paths] or sorted(p for p in folder.glob("*.docx") if not p.name.startswith("~$"))
    if not paths:  # "0 template(s) OK" would let a wrong folder pass
        found = "no Word templates (.docx) in this folder" if folder.is_dir() else "no such folder"
        return [TagProblem(str(folder), "", "", f"{found}, nothing to check; `casegen templates export DIR` "
                                                "writes the defaults")], []
    problems = []
    for path in paths:
        if not path.is_file():
            problems.append(TagProblem(str(path), "", "", "no such template"))
            continue
        problems += check_template(path, kind)
    return problems, paths
