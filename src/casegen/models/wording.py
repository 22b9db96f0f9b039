"""The fixed words of the council's documents that are not a field's label: section headings, captions, lead-in
sentences and column headings, each declared once.

The template tools (tools/make_*_template.py) print them and the Word import (casegen.wordimport) reads them,
so a rewording here reaches both. The labels of the fields themselves are the models' (`field(label, ...)`).
"""
from __future__ import annotations

# Business Case Lite
SCOPE = "Scope of Project / Opportunity"
ONE_OFF = "One off Investment required and savings"
ONGOING = "Ongoing investments and savings"
CATEGORY_NOTE = "Note: This savings is categorised as a ‘{}’."
VALIDATED = "Finance’s Validated Figures:"
VALIDATED_SENTENCE = "Finance have validated the figures, resulting in confidence of {}% of the total proposed " \
                     "savings for {}."
NOT_VALIDATED = "Finance have not validated the figures, resulting in confidence of 0% of the total proposed " \
                "savings for {} by default."
MTFS = "The Transformation Programme and the MTFS may reflect different figures."
TEAM_LEAD_IN = "The following summarises the team, and wider stakeholders involved in the project:"
RISKS_LEAD_IN = "The following top risks should be considered for this project:"
BCL_TITLE = "Business Case Lite"

# The header rows of the label | value tables (a screen reader needs them; the seeds have none).
PROJECT_HEADER = ("Item", "Details")
QUALIFICATION_HEADER = ("Criteria", "Rating")
RESOURCES_HEADER = ("Team or group", "Who")

# Project Brief
SCOPE_BOX = "Scope (current phase of work)"
IN_SCOPE = "In Scope"
PRODUCTS = "Products"
PHASE_END = "What happens at the end of this phase of work?"
METHODOLOGY = "This project will run under {} {} methodology."
DEPENDENCIES_BOX = ("Critical dependencies, constraints, assumptions "
                    "(dependencies are required for programme and portfolio planning)")
RISKS_BOX = "Key Risks and Dis-benefits"
RISK_COLUMNS = ("Risk", "Likelihood (1-5)", "Impact (1-5)")
STAGE_COLUMNS = ("Stage", "Estimated Timeframe")
BENEFITS_LEAD_IN = ("The following benefits will be delivered by the overall programme of work that this project "
                    "will initiate.  Note that these benefits will not all be delivered within this current phase "
                    "of work.")
STAKEHOLDERS_BOX = "Project Stakeholders and Resource (Resource required for programme and portfolio planning)"
RACI_LEAD_IN = "Complete the below RACI (this will inform the Communication Plan in the PID)"
DEPARTMENTS_LEAD_IN = ("Resource: Council Departments that will need to be involved in the Project (this can be use "
                       "to create a resource heat map across projects to ensure work is scheduled to avoid overly "
                       "burdening departments across projects)")
BRIEF_TITLE = "Project Brief"


def opening(sentence: str) -> str:
    """The words of a sentence before its first blank to fill in: what the import recognises it by."""
    return sentence.split("{}")[0].strip()
