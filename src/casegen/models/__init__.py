"""The case models: the single source of truth for forms, readers and templates."""
from casegen.codes import Kind
from casegen.models.bcl import BusinessCaseLite
from casegen.models.brief import ProjectBrief

KINDS: dict[str, type[BusinessCaseLite] | type[ProjectBrief]] = {Kind.BCL: BusinessCaseLite, Kind.BRIEF: ProjectBrief}
TITLES: dict[str, str] = {Kind.BCL: "Business Case Lite", Kind.BRIEF: "Project Brief"}
