"""`casegen templates check`: a template's tags against the case models, both ways.

The models are the single source of truth. Every tag of a template is typed as the models type it
(templating.walker): a name or field that does not exist, a loop over something that is not a list, a
filter that does not exist or is given the wrong type is an error. The other way, a field the
form asks for that no template of that kind prints is a warning (a lead would type a value that
never reaches the document), unless the model marks the field `printed=False`.

Every finding names the template, the tag as the office sees it in Word, and its place (the
section, table and row), never XML or a Jinja traceback. Tags that Word or LibreOffice split or
re-spelt are no finding: templating.normalise joins them before the template compiles.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

from jinja2 import TemplateSyntaxError
from lxml import etree
from pydantic import BaseModel

from casegen.errors import Problem, Severity, TemplateProblem
from casegen.models import KINDS
from casegen.models.kinds import TEMPLATE_MODELS
from casegen.ooxml import TEMPLATE_PARTS
from casegen.templating.environment import make_environment
from casegen.templating.folder import OFFICE_FORMATS, TEMPLATE_FILES, templates_dir
from casegen.templating.geometry import cramped, default_size
from casegen.templating.modeltypes import element
from casegen.templating.normalise import join_tags, unescape_tags
from casegen.templating.parts import compile_sources, patched, template_bytes
from casegen.templating.places import TAG, Paragraph, locate, paragraphs, plain
from casegen.templating.walker import Walker

# What render.context adds to the case's own fields.
EXTRA_NAMES = {"programme": str, "council": str, "language": str}
# Files an office suite saves that casegen cannot read as a template.
SAVE_AS = ("save it as .docx (Word: File › Save As › Word Document; Writer: File › Save As › Word 2007-365)")
_BLOCKS = {"for", "if", "with", "macro", "call", "filter", "raw", "autoescape", "block", "trans"}


@dataclass
class TemplateCheck:
    """One template's problems, and the fields its tags read (for the check's other direction)."""

    problems: list[Problem] = field(default_factory=list)
    used: set[tuple[type | None, str]] = field(default_factory=set)
    walked: bool = False  # every part parsed, so `used` is all the template prints

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]


def context_types(kind: str) -> dict:
    """The type of every name a template of `kind` can use, as render.context provides it."""
    model = TEMPLATE_MODELS[kind]
    top = {name: info.annotation for name, info in model.model_fields.items()}
    top.update({name: info.return_type for name, info in model.model_computed_fields.items()})
    top.update(EXTRA_NAMES)
    return top


def _tag_on(source: str, lineno: int, expr: str, words=()) -> str:
    """The tag on a line of the source that an expression (or one of `words`) comes from."""
    lines = source.splitlines()
    tags = TAG.findall(plain(lines[lineno - 1])) if 0 < lineno <= len(lines) else []
    squeeze = "".join(expr.split())
    last = expr.split(".")[-1].strip("| ")
    return next((t for t in tags if squeeze and squeeze in "".join(t.split())),
                next((t for t in tags if last and last in t),
                     next((t for t in tags for w in words if w in t), tags[0] if len(tags) == 1 else "")))


def _unclosed(source: str) -> tuple[int, str] | None:
    """(line, tag) of the innermost block tag ({% for %}, {% if %} ...) that is never closed."""
    stack = []
    for lineno, line in enumerate(source.splitlines(), start=1):
        for tag in TAG.findall(plain(line)):
            words = tag.strip("{%}-+ \n").split()
            word = words[0] if words and tag.startswith("{%") else ""
            if word in _BLOCKS or (word == "set" and "=" not in tag):
                stack.append((lineno, tag))
            elif word.startswith("end") and stack:
                stack.pop()
    return stack[-1] if stack else None


def _syntax(exc: TemplateSyntaxError, source: str) -> tuple[int, str, str]:
    """(line, tag, message) for a tag Jinja cannot read, in the office's words."""
    opener = _unclosed(source) if "end of template" in (exc.message or "") else None
    if opener:
        lineno, tag = opener
        word = tag.strip("{%}-+ ").split()[0]
        return lineno, tag, f"is never closed: add {{% end{word} %}} where what it {_WHAT.get(word, 'covers')} ends"
    lineno = exc.lineno or 0
    tag = _tag_on(source, lineno, "", re.findall(r"'([^']+)'", exc.message or ""))
    return lineno, tag, exc.message or "cannot be read"


_WHAT = {"for": "repeats", "if": "shows"}


def check_part(env, part: str, source: str, paras: list[Paragraph], kind: str, checked: TemplateCheck,
               name: str) -> bool:
    """Add the problems of one compiled part to `checked`; False if it does not parse."""
    def problem(lineno: int, tag: str, message: str, code: str) -> Problem:
        office_tag, near = locate(paras, source, lineno, tag)
        row_tag = re.match(r"\{%(p|tr|tc)\s", office_tag)
        if row_tag:  # the end tag the office types is of the same kind: {%tr endfor %}
            message = message.replace("{% end", f"{{%{row_tag.group(1)} end")
        return Problem(name, message, part=part, tag=office_tag, near=near, code=code)

    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        checked.problems.append(problem(*_syntax(exc, source), "template-syntax"))
        return False
    walker = Walker(env, context_types(kind), TEMPLATE_MODELS[kind])
    walker.visit(tree)
    checked.used |= walker.used
    checked.problems += [problem(line, _tag_on(source, line, expr) or expr, message, code)
                         for line, expr, message, code in walker.found]
    return True


def _paragraph_problems(name: str, part: str, xml: str) -> list[Problem]:
    """A part that is not XML, and tags that open in one paragraph and close in another."""
    try:
        etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        return [Problem(name, f"is not well-formed XML ({exc}); the template is damaged: open it in Word and save "
                              "it again", part=part, code="template-format")]
    return [Problem(name, "a tag opens in this paragraph but does not close in it (or closes without opening): "
                          "type the whole tag in one paragraph", part=part, near=(f"{p.where}: " if p.where else "")
                    + p.text.strip()[:160], code="template-syntax")
            for p in paragraphs(xml)
            if p.text.count("{{") != p.text.count("}}") or p.text.count("{%") != p.text.count("%}")]


def _geometry_problems(path: Path, part: str, xml: str) -> list[Problem]:
    """A warning for each table of the document that cannot hold what it prints (templating.geometry)."""
    if part != "word/document.xml":
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
            styles = zf.read("word/styles.xml") if "word/styles.xml" in zf.namelist() else None
        found = cramped(xml.encode("utf-8"), default_size(styles))
    except (OSError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return []  # the part or the file is damaged: other findings say so
    return [Problem(str(path), what, part=part, near=where, severity=Severity.WARNING, code="template-geometry",
                    fix="widen the column in Word (Table Properties › Column) or narrow the others")
            for where, what in found]


def _kind_of(path: Path, kind: str | None) -> str | None:
    if kind:
        return kind
    return next((k for k, name in TEMPLATE_FILES.items() if name == path.name), None)


def _parts(path: Path, compile: bool = True) -> tuple[dict[str, tuple[str, str]], str]:
    """{part: (normalised XML, source as compiled)}, and why the template does not compile ("" if it does).

    The sources are the renderer's (templating.parts), compiled in the same sandboxed environment, so what
    the check passes a build compiles. A template that does not compile (an unknown filter, say) is still
    walked, so that every problem in it is listed, not just the first.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(template_bytes(path))) as zf:
            xml = {n: join_tags(zf.read(n)) for n in zf.namelist() if TEMPLATE_PARTS.fullmatch(n)}
    except TemplateProblem as exc:
        return {}, exc.format_message().removeprefix(f"{path}: ")
    sources = {n: patched(unescape_tags(x)) for n, x in xml.items()}
    reason = ""
    if compile:
        try:
            compile_sources(path.resolve(), sources)
        except TemplateProblem as exc:
            # The renderer's message starts with the template's full path; the check names it already.
            reason = exc.format_message().removeprefix(f"{path.resolve()}: ")
    return {n: (x, sources[n]) for n, x in xml.items()}, reason


def check_template(path: Path, kind: str | None = None, compile: bool = True) -> TemplateCheck:
    """Every problem of the template at `path`, each located and with the text around it.

    `compile=False` walks the template without compiling it, for the renderer itself to call.
    """
    name, kind, checked = str(path), _kind_of(path, kind), TemplateCheck()
    if kind not in TEMPLATE_MODELS:
        checked.problems.append(Problem(name, "cannot tell which kind of case this template prints; pass --kind "
                                              f"({', '.join(TEMPLATE_MODELS)})", code="template-kind"))
        return checked
    parts, reason = _parts(path, compile)
    env, walked = make_environment(), bool(parts)
    for part, (xml, source) in sorted(parts.items()):
        checked.problems += _paragraph_problems(name, part, xml)
        checked.problems += _geometry_problems(path, part, xml)
        walked &= check_part(env, part, source, paragraphs(xml), kind, checked, name)
    if reason and not checked.problems:  # it does not compile, for a reason the walk cannot see
        checked.problems.append(Problem(name, reason, code="template-format"))
    checked.walked = walked and not reason
    return checked


def _extra(info) -> dict:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def _is_model(tp) -> TypeGuard[type[BaseModel]]:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def form_fields(model: type[BaseModel], path: tuple = (), labels: tuple = ()):
    """(path, label, the (model, field) pairs a tag reads to print it) of every field the form asks for."""
    for name, info in model.model_fields.items():
        if (not path and not _extra(info).get("sheet")) or _extra(info).get("printed") is False:
            continue  # not on the form, or not meant for the documents
        here, label, inner = path + ((model, name),), labels + (info.title or name,), element(info.annotation)
        target = inner if _is_model(inner) else info.annotation
        if _is_model(target):
            yield from form_fields(target, here, label)
        else:
            yield here, label


def stands_for(model: type[BaseModel], name: str) -> tuple[str, ...]:
    """The fields of `model` that its computed value `name` is declared to print, whole, in the model's
    STANDS_FOR (ProjectBrief: {"stage_plan": ("stages", "stage_items")}). Reading a field is not printing
    it (a total reads every amount), so only a declaration counts."""
    return tuple(getattr(model, "STANDS_FOR", {}).get(name, ()))


def explain(path: Path) -> str:
    """The errors of the template at `path` as the check words them ("" if none, or if its kind is unknown).

    The renderer calls this before compiling, so that a mistake in any tag fails every build, even
    in a branch that no case takes ({% if a and project.nosuch %}), named as the office sees it.
    """
    if _kind_of(Path(path), None) is None:
        return ""
    errors = [p for p in check_template(Path(path), compile=False).problems if p.severity == Severity.ERROR]
    return "\n".join(str(p) for p in errors)


def _printed(path: tuple, used: set, whole: set) -> bool:
    """Whether a tag reads every step of a field's path, or a computed value declared to stand for a step of it."""
    for step in path:
        if step in whole:
            return True
        if step not in used:
            return False
    return True


def unprinted(kind: str, used: set, template: str) -> list[Problem]:
    """A warning for every field of the form that no tag of a template of `kind` prints.

    A field counts as printed when a tag prints it, or when a tag prints a computed value declared to stand
    for it (the brief's stage_plan stands for its stages and stage items: see stands_for).
    """
    whole = {(model, f) for model, name in used if _is_model(model) for f in stands_for(model, name)}
    return [Problem(template, f"the form asks for it ({'.'.join(n for _, n in path)}) but no {kind} template prints "
                              "it, so what a lead types there never reaches the document",
                    field=" › ".join(labels), severity=Severity.WARNING, code="template-unprinted-field",
                    fix="print it in the template, or mark the field printed=False in the model")
            for path, labels in form_fields(TEMPLATE_MODELS[kind]) if not _printed(path, used, whole)]


def _office_file(path: Path) -> Problem:
    return Problem(str(path), f"is a {path.suffix} file, which casegen cannot read as a template: {SAVE_AS}",
                   code="template-format")


def _folder(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith(("~$", ".~lock"))
                  and p.suffix.lower() in OFFICE_FORMATS | {".docx"}) if folder.is_dir() else []


def check_templates(paths=(), kind: str | None = None, folder: Path | None = None) -> tuple[list[Problem], list[Path]]:
    """Check the templates at `paths` (default: every template in `folder`, by default the one a build uses),
    both ways."""
    folder = folder or templates_dir()
    paths = [Path(p) for p in paths] or _folder(folder)
    if not paths:  # "0 template(s) OK" would let a wrong folder pass
        found = "no Word templates (.docx) in this folder" if folder.is_dir() else "no such folder"
        return [Problem(str(folder), f"{found}, nothing to check; `casegen templates export DIR` writes the defaults",
                        code="template-missing")], []
    problems: list[Problem] = []
    used: dict[str, tuple[str, set]] = {}  # by kind: the first template's path, the fields its templates print
    complete: dict[str, bool] = {}  # by kind: whether each of its templates was walked without errors
    for path in paths:
        if path.suffix.lower() in OFFICE_FORMATS:
            problems.append(_office_file(path))
        elif not path.exists() or path.is_dir():
            problems.append(Problem(str(path), "no such template", code="template-missing"))
        else:
            checked, of = check_template(path, kind), _kind_of(path, kind)
            problems += checked.problems
            if of is not None and of in KINDS:
                used.setdefault(of, (str(path), set()))[1].update(checked.used)
                # A misspelt tag would make its field look unprinted too: the error says it already.
                complete[of] = complete.get(of, True) and checked.walked and not checked.errors
    for of, (first, fields) in used.items():
        if complete[of]:  # a template that does not parse would make every field look unprinted
            problems += unprinted(of, fields, first)
    return problems, paths
