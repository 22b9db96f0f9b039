"""The Project Brief: the plan for a project's current phase, one model per section in the document's order."""
from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, computed_field

from casegen.models.base import Bullet, Model, field
from casegen.models.common import ProjectHeader, Scored
from casegen.models.values import (
    TBC,
    Choice,
    Chosen,
    FormKind,
    ListText,
    LongText,
    ProseText,
    Text,
    When,
    YesNo,
    parse_yes_no,
    shown,
)

TICKS = {"✓", "✔", "√"}


def parse_mark(value: Any) -> bool:
    """A RACI mark: X (or a tick, or Yes) is marked; blank or No is not."""
    if isinstance(value, str) and value.strip() in TICKS:
        return True
    try:
        return parse_yes_no(value) is True
    except ValueError:
        raise ValueError(f"mark with X, or leave blank; got {shown(value)}") from None


Mark = Annotated[bool, BeforeValidator(parse_mark), FormKind("mark")]


class BriefHeader(ProjectHeader):
    stage: Annotated[Chosen, Choice("stages")] = field("Current Stage / Gate",
                                                       "Optional: the stage the project is in now", default="")
    date: When = field("Date", "Month and year of this version, e.g. Feb 2024", default=TBC)  # printed TBC
    version: Text = field("Version", "Optional: e.g. 0.1 or Final", default="")


class Scope(Model):
    products: list[Bullet] = field(
        "In Scope – Products", "What this phase will produce; Level 2 for the parts of the product above", list
    )
    out_of_scope: list[Bullet] = field("Out of Scope", "What this phase will not do", list)
    interdependencies: list[Bullet] = field(
        "Interdependencies – out of scope but will inform", "Work outside the project that it will inform", list
    )


class Stage(Model):
    name: Text = field("Stage", "e.g. Deliverables and Activities by end of February")
    timeframe: Text = field("Estimated Timeframe", "e.g. 2 weeks", default="TBC")


class StageItem(Model):
    stage: Text = field("Stage", "Pick the stage (from the Stages table above) this belongs to", lookup="stages.name")
    text: ListText = field("Deliverable or activity", "One deliverable or activity of that stage")


class PlannedStage(BaseModel):
    """A stage with its deliverables gathered from the stage deliverables table, as the document prints it."""

    name: str
    timeframe: str
    items: list[str]


class RiskStatement(Model):
    cause: Text = field("Due to", "The cause, e.g. Lack of engagement from community stakeholders")
    risk: Text = field("There is a Risk", "What might happen, e.g. That we do not speak to the right people")
    consequence: Text = field("The Impact", "What it would mean for the project if it happened")


class BriefRisk(Scored, RiskStatement):
    """A risk in the brief's words, scored 1 to 5.

    pydantic lists the last base's fields first, so the statement's columns lead in the form.
    """


class BriefBenefit(Model):
    description: Text = field("Description", "The benefit")
    outcomes: Text = field("Observable Outcomes", "What people will see change", default="")
    attribution: Annotated[Chosen, Choice("attributions")] = field("Attribution",
                                                                   "How far the benefit is down to this project")
    measurement: Text = field("Measurement", "How the benefit will be measured", default="")


class RaciRow(Model):
    who: Text = field("Person or team", "A role and names, e.g. Project Sponsor: Jane Smith")
    responsible: Mark = field("Responsible", "X if they do the work", default=False)
    accountable: Mark = field("Accountable", "X if they answer for the result (the sponsor, the board)", default=False)
    consulted: Mark = field("Consulted", "X if they are asked before decisions", default=False)
    informed: Mark = field("Informed", "X if they are kept up to date", default=False)

    @property
    def marked(self) -> bool:
        return self.responsible or self.accountable or self.consulted or self.informed


class DepartmentInvolvement(Model):
    department: Annotated[Chosen, Choice("departments")] = field("Department", "A council department")
    # Short labels for the form's narrow columns; the document prints the seed's longer headings.
    involved: YesNo = field("Involved?", "Is this department involved? Yes or No", default=None)
    level: Annotated[Chosen, Choice("involvement_levels")] = field(
        "Level of involvement", "Low, Medium or High; only for departments that are involved", default=""
    )


class PersonalData(Model):
    involved: YesNo = field("Project involves processing of personal data?", "Yes or No", default=None)
    explanation: ProseText = field(
        "Explanation", "Why, and how the data is handled; a blank line between paragraphs", default=""
    )
    items: list[Bullet] = field("Data processed", "Optional: bullets printed after the explanation", list)


class ProjectBrief(Model):
    kind: Literal["brief"] = "brief"
    project: BriefHeader = field("Project Information", "Who and what", sheet="Project")
    background: LongText = field("Background", "Why the project exists, in a few paragraphs", sheet="Project")
    scope: Scope = field("Scope (current phase of work)", "What this phase covers", Scope(), sheet="Scope")
    phase_end: list[Bullet] = field(
        "What happens at the end of this phase of work?", "Decisions and next steps", list, sheet="Phase End"
    )
    methodology: Text = field(
        "Delivery methodology", "One word for the sentence 'This project will run under a … methodology', "
        "e.g. linear, agile or hybrid", sheet="Phase End",
    )
    stages: list[Stage] = field("Stages", "The stages of this phase, in order", list, sheet="Stages")
    stage_items: list[StageItem] = field(
        "Stage deliverables and activities", "One a row; pick the stage each belongs to", list, sheet="Stages"
    )
    dependencies: list[Bullet] = field("Dependencies", "What the project depends on", list, sheet="Dependencies")
    constraints: list[Bullet] = field("Constraints", "What limits the project", list, sheet="Dependencies")
    assumptions: list[Bullet] = field("Assumptions", "What is taken to be true", list, sheet="Dependencies")
    risks: list[BriefRisk] = field("Risks", "Key risks: Due to … There is a Risk … The Impact …", list, sheet="Risks")
    disbenefits: list[Bullet] = field("Dis-benefits", "Optional: what will get worse", list, sheet="Risks")
    benefits: list[BriefBenefit] = field(
        "Benefits", "Benefits of the programme of work this project starts", list, sheet="Benefits"
    )
    raci: list[RaciRow] = field(
        "RACI", "Who is Responsible, Accountable, Consulted, Informed: X in each that applies", list,
        sheet="Stakeholders",
    )
    departments: list[DepartmentInvolvement] = field(
        "Council Departments involved", "For the resource heat map across projects", list,
        sheet="Departments", prefill="departments",
    )
    personal_data: PersonalData = field(
        "Personal data", "Whether the project processes personal data", PersonalData(), sheet="Personal Data"
    )

    # The document prints the two Stages tables through stage_plan: `templates check` counts them printed by it.
    STANDS_FOR: ClassVar[dict[str, tuple[str, ...]]] = {"stage_plan": ("stages", "stage_items")}

    def items_of(self, stage: Stage) -> list[str]:
        key = stage.name.casefold()
        return [i.text for i in self.stage_items if i.stage.casefold() == key]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stage_plan(self) -> list[PlannedStage]:
        return [PlannedStage(name=s.name, timeframe=s.timeframe, items=self.items_of(s)) for s in self.stages]
