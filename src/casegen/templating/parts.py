"""A template's parts as Jinja source, compiled in the sandboxed environment: the one way both the renderer
and `casegen templates check` turn a .docx into templates, so that what the check passes, a build renders.

docxtpl prepares each XML part (joining tags that Word split across runs, handling its {%p %} {%tr %}
{%tc %} tags), after templating.normalise has undone what an office suite does inside tags. The renderer's
compiled parts are kept between runs by the template's digest (templating.cache): a template compiled and
checked once is not compiled or checked again until a byte of it, casegen, Jinja or Python changes.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from xml.parsers import expat

import jinja2
from jinja2 import Template, TemplateError

from casegen import office
from casegen.bounded import Unreadable, read_bounded
from casegen.errors import TemplateProblem
from casegen.ooxml import TEMPLATE_PARTS, docxtpl_fixer
from casegen.templating import cache
from casegen.templating.environment import make_environment
from casegen.templating.folder import TEMPLATE_FILES
from casegen.templating.normalise import normalise

TEMPLATE = office.Kind("a Word template", "template", "it is not a template casegen will open",
                       "open it in Word and save it again as .docx")


def template_bytes(path: Path) -> bytes:
    """The bytes of the template at `path`, opened as a form is (office.py): a regular file (a pipe or
    /dev/zero named as a template would block or fill the memory), of bounded size, every part inflated
    within its declared size and free of DTDs, before anything reads it."""
    try:
        office.check_regular(path, TEMPLATE)
        office.check_end_record(path, TEMPLATE)
        data = path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            office.check_directory(zf, TEMPLATE)
            office.read_parts(zf, TEMPLATE)
    except office.Refused as exc:
        raise TemplateProblem(f"{path}: cannot read the template: it {exc}") from None
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError) as exc:
        raise TemplateProblem(f"{path}: cannot read the template: {exc}") from None
    except (expat.ExpatError, ValueError) as exc:
        raise TemplateProblem(f"{path}: cannot read the template: it is damaged ({exc}): open it in Word and save it "
                              "again") from None
    return data


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


def compile_codes(path: Path, sources: dict[str, str], env) -> dict[str, CodeType]:
    """Each part's source compiled in `env` to Python code; TemplateProblem at the first that fails."""
    codes = {}
    for part, source in sources.items():
        try:
            codes[part] = env.compile(source)  # as env.from_string compiles it
        except TemplateError as exc:
            raise template_problem(path, part, source, exc) from None
    return codes


def _templates(codes: dict[str, CodeType], env) -> dict[str, Template]:
    """The compiled parts as templates of `env`, as env.from_string makes them from the code it compiles."""
    return {part: env.template_class.from_code(env, code, env.make_globals(None)) for part, code in codes.items()}


def compile_sources(path: Path, sources: dict[str, str], env=None) -> dict[str, Template]:
    """Each part's source compiled in `env` (the sandboxed environment); TemplateProblem at the first that fails."""
    env = env or make_environment()
    return _templates(compile_codes(path, sources, env), env)


def compiled_parts(path: Path, sha256: str, sources: Callable[[], dict[str, str]], env) -> dict[str, Template]:
    """The parts of the template at `path` (its bytes' digest `sha256`; `sources()` its parts' Jinja sources,
    asked only to compile them) compiled in `env`: from the cache if this template compiled and passed the check
    before, else checked in full (TemplateProblem naming every mistake, as the office sees it), compiled and
    kept."""
    kind = next((k for k, name in TEMPLATE_FILES.items() if name == path.name), None)
    name = cache.key(sha256, kind, jinja2.__version__)
    codes = cache.load(name)
    if codes is not None:
        try:
            return _templates(codes, env)
        except Exception:  # not code this renderer can run: compiled again below, as with no entry
            pass
    # Imported here: the check needs docxtpl, the walker and the models' types, which a cached template does not
    from casegen.templating.check import explain

    if explained := explain(path):  # every tag's mistake, as the office sees it, before any case
        raise TemplateProblem(explained)
    codes = compile_codes(path, sources(), env)
    if _unchanged(path, sha256):  # the check read the file again: kept only if it checked these very bytes
        cache.store(name, codes)
    return _templates(codes, env)


def _unchanged(path: Path, sha256: str) -> bool:
    try:
        return hashlib.sha256(read_bounded(path, office.MAX_FILE, "template")).hexdigest() == sha256
    except (OSError, Unreadable):
        return False
