"""Labels and headings matched loosely, as people retype them: case, punctuation, colons, spacing,
"&" for "and", a bracketed aside left out, and a few known rewordings of the council's own labels."""
from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel

from casegen.models.bcl import BusinessCaseLite, NonCashableBenefit, ProjectInfo, Qualification, Risk
from casegen.models.brief import BriefBenefit, DepartmentInvolvement, ProjectBrief, RaciRow, Scope
from casegen.models.common import Deliverable, GateDate, ProjectHeader
from casegen.models.values import loose


def _title(model: type[BaseModel], name: str) -> str:
    return model.model_fields[name].title or name  # as field_labels


# Other ways the council's documents have written a field's label, keyed by the field: the label itself
# comes from the model, so a label changed there is matched here too.
FIELD_REWORDINGS: list[tuple[tuple[type[BaseModel], str], list[str]]] = [
    ((ProjectHeader, "title"), ["Project Name", "Title"]),
    ((ProjectHeader, "tracker_ref"), ["Tracker ref", "Portfolio Tracker reference", "Tracker reference",
                                      "Portfolio ref"]),
    ((ProjectInfo, "stage"), ["Current Stage", "Stage / Gate", "Current Gate"]),
    ((ProjectInfo, "theme"), ["Theme"]),
    ((ProjectInfo, "contributory_themes"), ["Contributory Themes", "Contributory Theme"]),
    ((ProjectInfo, "department"), ["Department / Team", "Department", "Team"]),
    ((ProjectHeader, "budget_code"), ["Budget Code"]),
    ((Qualification, "effort"), ["Effort / Ease of Implementation", "Ease of Implementation", "Effort"]),
    ((Qualification, "impact"), ["Impact"]),
    ((GateDate, "gate"), ["Stage / Gate", "Milestone", "Milestones", "Gate"]),
    ((GateDate, "date"), ["Target Date", "Date"]),
    ((Deliverable, "deliverable"), ["Deliverable", "Deliverables", "Key Deliverable"]),
    ((NonCashableBenefit, "realisation_date"), ["Realisation", "Realization date"]),
    ((NonCashableBenefit, "category"), ["Benefit type", "Category"]),
    ((Risk, "mitigations"), ["Mitigation", "Mitigating actions"]),
    ((Risk, "risk"), ["Risk description"]),
    ((Risk, "ref"), ["No", "Number", "#", "Risk ref"]),
    ((RaciRow, "who"), ["Person / team", "Person", "Team or person", "Role"]),
    ((DepartmentInvolvement, "involved"), ["Is this department involved? Yes/No", "Is this department involved?",
                                           "Involved"]),
    ((DepartmentInvolvement, "level"), ["Low, medium or high involvement?", "Involvement"]),
    ((DepartmentInvolvement, "department"), ["Council department", ""]),
    ((BusinessCaseLite, "linked_obcs"), ["Linked OBCs", "Complementary OBCs", "Linked Business Cases"]),
    ((BusinessCaseLite, "current_position"), ["Current Position", "Assessment of Current Position"]),
    ((BusinessCaseLite, "gate_dates"), ["Timetable", "Key Activities and Milestones"]),
    ((BusinessCaseLite, "approvals"), ["Approvals", "Approval"]),
    ((BusinessCaseLite, "dependencies"), ["Dependencies, constraints and assumptions",
                                          "Critical dependencies, constraints and assumptions"]),
    ((BusinessCaseLite, "benefits"), ["Non-Financial Benefits"]),
    ((ProjectBrief, "phase_end"), ["At the end of this phase", "End of this phase"]),
    ((Scope, "interdependencies"), ["Interdependencies"]),
    ((Scope, "products"), ["Products", "In Scope"]),
    ((BriefBenefit, "outcomes"), ["Outcomes"]),
]
# The format's headings that name no one field, and their other wordings.
HEADING_REWORDINGS = {
    "Scope of Project / Opportunity": ["Scope of Project", "Scope of Opportunity", "Scope", "Project Scope"],
    "Key Risks and Dis-benefits": ["Key Risks", "Risks and Dis-benefits", "Key Risks and Disbenefits"],
    "Project Stakeholders and Resource": ["Project Stakeholders", "Stakeholders and Resource"],
}
# The format's label -> other ways the council's documents have written it.
REWORDINGS = {_title(model, name): words for (model, name), words in FIELD_REWORDINGS} | HEADING_REWORDINGS


def norm(text: str) -> str:
    """Lower case words and numbers only: "Current Stage / Gate:" and "current stage gate" are the same."""
    return loose(text)


def _bare(text: str) -> str:
    return norm(re.sub(r"\([^)]*\)", " ", text))


def variants(label: str) -> list[str]:
    return [label] + REWORDINGS.get(label, [])


@cache
def _forms(label: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """The label loosely, and its variants loosely and without asides: worked out once a label, as every
    paragraph of a document is matched against every label (100,000 paragraphs: 160 s, then 4 s)."""
    vs = variants(label)
    return norm(label), frozenset(norm(v) for v in vs), frozenset(_bare(v) for v in vs) - {""}


def same(text: str, label: str) -> bool:
    """True if `text` is `label` (or one of its rewordings), loosely."""
    return _same(norm(text), _bare(text), label)


def _same(t: str, b: str, label: str) -> bool:
    _, loosely, bare = _forms(label)
    return t in loosely or (bool(b) and b in bare) or (not t and "" in variants(label))


def which(text: str, labels: dict[str, str]) -> str | None:
    """The key of the first label `text` matches exactly; failing that, of the first rewording it matches."""
    t, b = norm(text), _bare(text)
    for key, label in labels.items():
        if t == _forms(label)[0]:
            return key
    for key, label in labels.items():
        if _same(t, b, label):
            return key
    return None


def field_labels(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> the label the document prints, from the model."""
    return {name: info.title or name for name, info in model.model_fields.items()}


def computed_labels(model: type[BaseModel]) -> dict[str, str]:
    """Computed field name -> the label the document prints beside its value (a total), from the model."""
    return {name: info.title or name for name, info in model.model_computed_fields.items()}
