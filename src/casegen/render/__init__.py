"""Rendering a case into a Word document."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from casegen.config import Programme

if TYPE_CHECKING:  # imported when first compiled: a build with nothing to do never needs docxtpl
    from casegen.render.engine import CompiledTemplate

# "portfolio" is the summary of `casegen portfolio --summary`; it prints a PortfolioSummary, not a case.
TEMPLATE_FILES = {"bcl": "business_case_lite.docx", "brief": "project_brief.docx",
                  "portfolio": "portfolio_summary.docx"}


def templates_dir() -> Path:
    """The project's templates/ folder (the programme office keeps and edits these)."""
    import os

    if os.environ.get("CASEGEN_TEMPLATES"):
        return Path(os.environ["CASEGEN_TEMPLATES"])
    return Path(__file__).resolve().parents[3] / "templates"


def template_path(kind: str, folder: Path | None = None) -> Path:
    return (folder or templates_dir()) / TEMPLATE_FILES[kind]


@lru_cache(maxsize=16)
def compiled(path: Path, mtime_ns: int) -> CompiledTemplate:
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
    return ctx


def render_case(case, programme: Programme, template: Path | None = None) -> bytes:
    path = template or template_path(case.kind)
    return load_template(path).render(context(case, programme))
