"""The model each kind of template prints: a case (bcl, brief), or the portfolio summary.

The template checker types a template's tags against it, and the renderer names the template of a kind;
both sit above this module, so neither needs the portfolio or the batch to know what a template prints.
"""
from __future__ import annotations

from pydantic import BaseModel

from casegen.models import KINDS
from casegen.models.summary import PortfolioSummary

TEMPLATE_MODELS: dict[str, type[BaseModel]] = {**KINDS, "portfolio": PortfolioSummary}
