"""The case models: the single source of truth for forms, readers and templates."""
from casegen.models.bcl import BusinessCaseLite

KINDS: dict[str, type] = {"bcl": BusinessCaseLite}
TITLES = {"bcl": "Business Case Lite"}
