"""Where the templates are: the file of each kind, the templates folder a run uses, casegen's own."""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from casegen.codes import Kind
from casegen.config import Programme
from casegen.errors import TemplateProblem

OFFICE_FORMATS = {".doc", ".odt", ".rtf", ".dot", ".ott", ".docm", ".dotx", ".dotm", ".fodt", ".wps"}
# The templates casegen knows by kind; a folder of templates holds these names. "portfolio" is the summary
# of `casegen portfolio --summary`: it prints a PortfolioSummary, not a case.
TEMPLATE_FILES: dict[str, str] = {Kind.BCL: "business_case_lite.docx", Kind.BRIEF: "project_brief.docx",
                  "portfolio": "portfolio_summary.docx"}


def package_templates() -> Path:
    """The default templates, shipped inside casegen (built from the repository's templates/ folder)."""
    try:
        return Path(str(resources.files("casegen.templates")))
    except ModuleNotFoundError:  # an editable install made before the templates became package data
        raise TemplateProblem("casegen is installed without its templates: install it again "
                              "(pip install -e . in the checkout, or pip install casegen)") from None


def templates_dir(programme: Programme | None = None, folder: str | os.PathLike | None = None) -> Path:
    """The templates folder a build uses: `folder` (--templates) or $CASEGEN_TEMPLATES, else the programme
    configuration's `templates`, else the package's own. Never the current folder."""
    chosen = folder or os.environ.get("CASEGEN_TEMPLATES") or (programme.templates if programme else None)
    return Path(chosen) if chosen else package_templates()


def template_path(kind: str, folder: str | os.PathLike | None = None, programme: Programme | None = None) -> Path:
    return templates_dir(programme, folder) / TEMPLATE_FILES[kind]
