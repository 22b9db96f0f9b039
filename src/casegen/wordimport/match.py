"""Labels and headings matched loosely, as people retype them: case, punctuation, colons, spacing,
"&" for "and", a bracketed aside left out, and a few known rewordings of the council's own labels."""
from __future__ import annotations

import re

from pydantic import BaseModel

from casegen.models.values import loose

# The format's label -> other ways the council's documents have written it.
REWORDINGS = {
    "Project Title": ["Project Name", "Title"],
    "Portfolio Tracker ref": ["Tracker ref", "Portfolio Tracker reference", "Tracker reference", "Portfolio ref"],
    "Current Stage / Gate": ["Current Stage", "Stage / Gate", "Current Gate"],
    "Transformation Theme": ["Theme"],
    "Contributory Transformation Theme(s)": ["Contributory Themes", "Contributory Theme"],
    "Department and Team": ["Department / Team", "Department", "Team"],
    "Indicative Budget Code": ["Budget Code"],
    "Effort / Easy of Implementation": ["Effort / Ease of Implementation", "Ease of Implementation", "Effort"],
    "Impact (financial and non-financial)": ["Impact"],
    "Stage / Gate target milestones": ["Stage / Gate", "Milestone", "Milestones", "Gate"],
    "(Target) Date": ["Target Date", "Date"],
    "Project Deliverable": ["Deliverable", "Deliverables", "Key Deliverable"],
    "Realisation date": ["Realisation", "Realization date"],
    "Benefit": ["Benefit type", "Category"],
    "Mitigations": ["Mitigation", "Mitigating actions"],
    "Risk": ["Risk description"],
    "Ref": ["No", "Number", "#", "Risk ref"],
    "Person or team": ["Person / team", "Person", "Team or person", "Role"],
    "Involved?": ["Is this department involved? Yes/No", "Is this department involved?", "Involved"],
    "Level of involvement": ["Low, medium or high involvement?", "Involvement"],
    "Department": ["Council department", ""],
    "Scope of Project / Opportunity": ["Scope of Project", "Scope of Opportunity", "Scope", "Project Scope"],
    "Linked / Complementary OBCs": ["Linked OBCs", "Complementary OBCs", "Linked Business Cases"],
    "Assessment of the Current Position": ["Current Position", "Assessment of Current Position"],
    "Timetable – Key Activities and Milestones": ["Timetable", "Key Activities and Milestones"],
    "Approvals of this Savings Delivery Plan": ["Approvals", "Approval"],
    "Critical dependencies, constraints, assumptions": [
        "Dependencies, constraints and assumptions", "Critical dependencies, constraints and assumptions"],
    "Key Risks and Dis-benefits": ["Key Risks", "Risks and Dis-benefits", "Key Risks and Disbenefits"],
    "Project Stakeholders and Resource": ["Project Stakeholders", "Stakeholders and Resource"],
    "Non-Cashable Benefits": ["Non-Financial Benefits"],
    "What happens at the end of this phase of work?": ["At the end of this phase", "End of this phase"],
    "Interdependencies – out of scope but will inform": ["Interdependencies"],
    "In Scope – Products": ["Products", "In Scope"],
    "Observable Outcomes": ["Outcomes"],
}


def norm(text: str) -> str:
    """Lower case words and numbers only: "Current Stage / Gate:" and "current stage gate" are the same."""
    return loose(text)


def _bare(text: str) -> str:
    return norm(re.sub(r"\([^)]*\)", " ", text))


def variants(label: str) -> list[str]:
    return [label] + REWORDINGS.get(label, [])


def same(text: str, label: str) -> bool:
    """True if `text` is `label` (or one of its rewordings), loosely."""
    t, b = norm(text), _bare(text)
    for v in variants(label):
        if t == norm(v) or (b and b == _bare(v)) or (not t and not v):
            return True
    return False


def which(text: str, labels: dict[str, str]) -> str | None:
    """The key of the first label `text` matches exactly; failing that, of the first rewording it matches."""
    t = norm(text)
    for key, label in labels.items():
        if t == norm(label):
            return key
    for key, label in labels.items():
        if same(text, label):
            return key
    return None


def field_labels(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> the label the document prints, from the model."""
    return {name: info.title or name for name, info in model.model_fields.items()}
