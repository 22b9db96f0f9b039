"""The case models: the single source of truth for forms, readers and templates."""
from casegen.models.bcl import BusinessCaseLite
from casegen.models.brief import ProjectBrief

KINDS: dict[str, type] = {"bcl": BusinessCaseLite, "brief": ProjectBrief}
TITLES = {"bcl": "Business Case Lite", "brief": "Project Brief"}
