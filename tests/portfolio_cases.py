"""A portfolio of fourteen varied cases (no tests of its own): long titles, TBC amounts, many risks, every
stage, a Business Case Lite and a Project Brief of one project. The print tests build their tracker from
it; `python tests/portfolio_cases.py DIR` writes its forms into DIR to look at by hand."""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from helpers import sample_case  # noqa: E402

LONG = ("Integrated Early Help and Family Support Hub for the North and South Localities of Luton, with "
        "Partners in Health and the Voluntary Sector")
PEOPLE = ["Ann Sponsor", "Bob Whitfield-Okonkwo", "Carla Mendes", "Dev Patel", "Eve Lindqvist"]


def _bcl(programme, i: int, ref: str, title: str, theme: str, stage: int, amounts: dict):
    case = sample_case("bcl-service-optimisation", programme)
    p = case.project
    p.tracker_ref, p.title, p.theme, p.stage = ref, title, theme, programme.stages[stage]
    p.sponsor, p.lead = PEOPLE[i % 5], PEOPLE[(i + 2) % 5]
    p.finance_lead, p.budget_code = PEOPLE[(i + 3) % 5], f"BC-{1000 + i}"
    case.resources.direct_team = "Transformation Team"
    for y in case.finance.years:
        saving, investment = amounts.get(y.year, (None, None))
        y.recurring_savings = saving if saving in (None, "TBC") else Decimal(saving)
        y.recurring_investment = investment if investment in (None, "TBC") else Decimal(investment)
        y.one_off_investment = "TBC" if i % 3 == 1 and y.year == "24/25" else None  # not yet known
    case.qualification.financial_benefits = case.finance.totals["net_savings"]
    base = case.risks[0]
    case.risks = [base.model_copy(update={"ref": str(k + 1), "likelihood": 1 + (i + k) % 5,
                                          "impact": 1 + (i * 2 + k) % 5,
                                          "risk": f"If the {title.lower()} slips by a quarter then savings move "
                                                  f"into the next financial year (risk {k + 1})."})
                  for k in range(1 + i % 4)]
    for g, gate in enumerate(case.gate_dates):
        gate.date = None if g < stage else f"{['Mar', 'Jul', 'Nov'][g % 3]} {2024 + g // 3}"
    return case


def varied(programme) -> list:
    """Fourteen cases: twelve Business Cases Lite over every theme and stage, and two Project Briefs."""
    themes, cases = programme.themes, []
    specs = [
        ("RX-101", "Digital Front Door", {"24/25": (150000, 20000), "25/26": (90000, 0)}),
        ("PA-102", LONG, {"23/24": (40000, 0), "24/25": (60000, 0)}),
        ("PL-103", "Town Centre Car Parks", {"24/25": (1250000, 300000), "25/26": (800000, 0)}),
        ("PE-104", "Prevention Pathway", {"25/26": (60000, 10000)}),
        ("SI-105", "Single View of the Resident", {"24/25": (0, 45000), "26/27": (220000, 0)}),
        ("WF-106", "Agency Staff Reduction", {"23/24": (95000, 0), "24/25": (95000, 0)}),
        ("CM-107", "Traded Services to Schools", {"24/25": (120000, 10000)}),
        ("DD-108", "Data Platform", {"25/26": ("TBC", 0), "26/27": (50000, 0)}),  # 25/26 not yet known
        ("RX-109", "Out of Hours Contact Consolidation", {"24/25": (200000, 0)}),
        ("PL-110", "Community Centres Transfer to Charitable Partners", {"25/26": (1500000, 250000)}),
        ("CM-111", "Sponsorship and Advertising", {"23/24": (15000, 0)}),
        ("WF-112", "Sickness Absence", {}),
    ]
    for i, (ref, title, amounts) in enumerate(specs):
        cases.append(_bcl(programme, i, ref, title, themes[i % len(themes)], i % len(programme.stages), amounts))
    brief = sample_case("brief-neighbourhood-working-model", programme)
    brief.project.tracker_ref = "RX-101"  # the brief of the first case's project: one ref, two kinds
    brief.project.title = "Digital Front Door"
    brief.risks = brief.risks * 2
    staged = sample_case("brief-neighbourhood-working-model", programme)
    staged.project.tracker_ref, staged.project.stage = "PE-113", programme.stages[1]
    return cases + [brief, staged]


def write_forms(folder: Path, programme) -> list:
    from casegen.intake.form import write_form

    folder.mkdir(parents=True, exist_ok=True)
    cases = varied(programme)
    for i, case in enumerate(cases):
        write_form(case.kind, folder / f"{i:02}-{case.project.tracker_ref}-{case.kind}.xlsx", programme, case)
    return cases


if __name__ == "__main__":
    from casegen import config

    write_forms(Path(sys.argv[1]), config.load())
