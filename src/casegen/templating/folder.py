"""Where the templates are: the file of each kind, the templates folder a run uses, casegen's own."""
from __future__ import annotations

import importlib
import os
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
    # The package's folder, as importlib.resources.files gives it for a package on disk, without the 9 ms that
    # importing importlib.resources (and tempfile) takes: a build with nothing to do stamps the templates.
    try:
        shipped = importlib.import_module("casegen.templates")  # package data, mapped from templates/ (pyproject)
    except ModuleNotFoundError:  # an editable install made before the templates became package data
        raise TemplateProblem("casegen is installed without its templates: install it again "
                              "(pip install -e . in the checkout, or pip install casegen)") from None
    return Path(shipped.__path__[0])  # the one folder of a regular package


def templates_dir(programme: Programme | None = None, folder: str | os.PathLike | None = None) -> Path:
    """The templates folder a build uses: `folder` (--templates) or $CASEGEN_TEMPLATES, else the programme
    configuration's `templates`, else the package's own. Never the current folder."""
    chosen = folder or os.environ.get("CASEGEN_TEMPLATES") or (programme.templates if programme else None)
    return Path(chosen) if chosen else package_templates()


def template_path(kind: str, folder: str | os.PathLike | None = None, programme: Programme | None = None) -> Path:
    return templates_dir(programme, folder) / TEMPLATE_FILES[kind]
