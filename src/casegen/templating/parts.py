"""A template's parts as Jinja source, compiled in the sandboxed environment: the one way both the renderer
and `casegen templates check` turn a .docx into templates, so that what the check passes, a build renders.

docxtpl prepares each XML part (joining tags that Word split across runs, handling its {%p %} {%tr %}
{%tc %} tags), after templating.normalise has undone what an office suite does inside tags.
"""
from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Template, TemplateError

from casegen.errors import TemplateProblem
from casegen.ooxml import TEMPLATE_PARTS, docxtpl_fixer
from casegen.templating.environment import make_environment
from casegen.templating.normalise import normalise


def part_source(xml: bytes | str) -> str:
    """The Jinja source of one part of a template as saved."""
    return patched(normalise(xml))


def patched(normalised: str) -> str:
    """The Jinja source of a normalised part: docxtpl's row and paragraph tags read, a line a paragraph (so
    that an error's line number finds the text around its tag)."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", docxtpl_fixer().patch_xml(normalised))


def template_sources(entries) -> dict[str, str]:
    """{part: source} of every part of `entries` ((name, bytes) pairs of the .docx) that holds tags."""
    return {name: part_source(blob) for name, blob in entries if TEMPLATE_PARTS.fullmatch(name)}


def _tag_context(source: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = source.splitlines()[max(lineno - 4, 0): lineno + 3]
    text = [re.sub(r"<[^>]+>", "", line).strip() for line in lines]
    return " … ".join(t for t in text if t)


def template_problem(path: Path, part: str, source: str, exc: TemplateError) -> TemplateProblem:
    """A Jinja error compiling or rendering `part` of the template at `path`, with the text around its tag."""
    near = _tag_context(source, getattr(exc, "lineno", None))
    where = f" near: {near}" if near else ""
    return TemplateProblem(f"{path} ({part}): {exc.__class__.__name__}: {exc.message}{where}; "
                           f"`casegen templates check {path}` lists every such tag")


def compile_sources(path: Path, sources: dict[str, str], env=None) -> dict[str, Template]:
    """Each part's source compiled in `env` (the sandboxed environment); TemplateProblem at the first that fails."""
    env = env or make_environment()
    compiled = {}
    for part, source in sources.items():
        try:
            compiled[part] = env.from_string(source)
        except TemplateError as exc:
            raise template_problem(path, part, source, exc) from None
    return compiled
