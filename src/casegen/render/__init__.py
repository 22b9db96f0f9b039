"""Rendering a case into a Word document."""
from __future__ import annotations

import os
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from casegen.config import Programme
from casegen.errors import TemplateProblem
from casegen.office import is_regular
from casegen.templating.folder import OFFICE_FORMATS, TEMPLATE_FILES, package_templates, template_path, templates_dir

if TYPE_CHECKING:  # imported when first compiled: a build with nothing to do never needs docxtpl (160 ms)
    from casegen.render.engine import CompiledTemplate

__all__ = ["OFFICE_FORMATS", "TEMPLATE_FILES", "context", "load_template", "package_templates", "render_case",
           "require_templates", "template_path", "templates_dir"]


def require_templates(kinds, folder: str | os.PathLike | None = None, programme: Programme | None = None) -> None:
    """One error naming every template of `kinds` that is missing or not a Word document (rather than the same
    failure once for every form)."""
    unreadable = []
    for kind in kinds:
        path = template_path(kind, folder, programme)
        if path.exists() and not is_regular(path):  # a pipe would block zipfile for ever, /dev/zero fill the memory
            unreadable.append(f"{path}: cannot read the template: it is not a file that can be read as a Word template")
            continue
        try:
            with zipfile.ZipFile(path) as zf:
                zf.getinfo("word/document.xml")
        except OSError as exc:
            saved_as = _saved_in_another_format(path)
            unreadable.append(f"{saved_as}: is a {saved_as.suffix} file, which casegen cannot read as a template: save "
                              "it as .docx (Word: File › Save As › Word Document; Writer: File › Save As › Word "
                              f"2007-365) as {path.name}" if saved_as else
                              f"{path}: cannot read the template: {exc.strerror or exc}")
        except (zipfile.BadZipFile, KeyError):
            unreadable.append(f"{path}: not a Word document (.docx); save it from Word or Writer as .docx")
    if unreadable:
        raise TemplateProblem("\n".join(unreadable) + "\nthe templates folder is --templates DIR, CASEGEN_TEMPLATES "
                              "or the configuration's `templates`; `casegen templates export DIR` writes the defaults")


def _saved_in_another_format(path: Path) -> Path | None:
    """The template the office saved as .odt or .doc (say) in place of the .docx casegen looks for."""
    others = [p for p in path.parent.glob(f"{path.stem}.*") if p.suffix.lower() in OFFICE_FORMATS]
    return sorted(others)[0] if others else None


@lru_cache(maxsize=16)
def compiled(path: Path, mtime_ns: int) -> CompiledTemplate:
    # Imported here: docxtpl, lxml, Jinja and the checker take 160 ms (python -X importtime), which a build with
    # nothing to do, `validate` and `portfolio` without --summary never need.
    from casegen.render.engine import CompiledTemplate

    return CompiledTemplate(path)


def load_template(path: Path) -> CompiledTemplate:
    """The compiled template at `path`, compiled once per process while the file is unchanged."""
    path = Path(path).resolve()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return compiled(path, stamp)


def context(case, programme: Programme) -> dict:
    """What a template can use: the case's own fields, and the programme's name."""
    ctx = {name: getattr(case, name) for name in type(case).model_fields}
    ctx.update({name: getattr(case, name) for name in type(case).model_computed_fields})
    ctx["programme"] = programme.programme
    ctx["council"] = programme.council
    ctx["language"] = programme.language  # of the text: set in the document's styles and properties
    return ctx


def render_case(case, programme: Programme, template: Path | None = None) -> bytes:
    path = template or template_path(case.kind, programme=programme)
    return load_template(path).render(context(case, programme))
