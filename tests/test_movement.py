"""What moved since the last report (issue 26): two `casegen portfolio` runs a month apart over forms changed
between them, read as the finance review group reads them: the tracker's Movement sheet and the summary's
section "Since the last report", with the amounts; the snapshots kept, listed, replaced and passed over."""
from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from casegen import config
from casegen.intake.form import write_form
from casegen.models.values import Total, format_money
from docx_text import text as docx_text
from helpers import convert, run, sample_case

NOVEMBER, DECEMBER = "2026-11-06", "2026-12-06"
# A total over a TBC year, as every document words it
TBC_100K, TBC_815K = (format_money(Total(Decimal(n), True)) for n in (100000, 815000))
LATE = ["Jan 2027", "Mar 2027", "May 2027", "Jul 2027", "Sep 2027", "Nov 2027"]  # no gate overdue


def _case(programme, ref: str, title: str, stage: int, theme: str, savings: dict, lead: str = "Lee Lead",
          gates: list[str] = LATE):
    case = sample_case("bcl-service-optimisation", programme)
    p = case.project
    p.tracker_ref, p.title, p.theme, p.stage = ref, title, theme, programme.stages[stage]
    p.sponsor, p.lead, p.finance_lead, p.budget_code = "Ann Sponsor", lead, "Fay Finance", "BC-1"
    case.resources.direct_team = "A small team"
    for y in case.finance.years:
        saving = savings.get(y.year)
        y.recurring_savings = saving if saving in (None, "TBC") else Decimal(saving)
        y.recurring_investment = y.one_off_investment = None
    case.qualification.financial_benefits = case.finance.totals["net_savings"]
    for gate, when in zip(case.gate_dates, gates, strict=True):
        gate.date = when
    return case


def november(programme) -> dict:
    return {
        "RX-101": _case(programme, "RX-101", "Digital Front Door", 1, "Resident Experience",
                        {"24/25": 100000, "25/26": "TBC"}),
        "PL-103": _case(programme, "PL-103", "Town Centre Car Parks", 2, "Place", {"24/25": 200000}),
        "WF-106": _case(programme, "WF-106", "Agency Staff Reduction", 1, "Workforce", {"24/25": 95000}),
        "DD-108": _case(programme, "DD-108", "Data Platform", 2, "Digital and Data", {"25/26": 300000}),
        "CM-107": _case(programme, "CM-107", "Traded Services to Schools", 3, "Commercial", {"24/25": 120000},
                        gates=["Jan 2026", "Mar 2026", "Jun 2026", "Nov 2026", "Mar 2027", "Sep 2027"]),
    }


def december(programme) -> dict:
    cases = november(programme)
    del cases["WF-106"]  # withdrawn
    rx = cases["RX-101"].finance.years
    rx[2].recurring_savings = Decimal(90000)  # 25/26: the TBC settled
    cases["RX-101"].qualification.financial_benefits = cases["RX-101"].finance.totals["net_savings"]
    pl = cases["PL-103"]
    pl.finance.years[1].recurring_savings = Decimal(250000)  # 24/25 raised
    pl.qualification.financial_benefits = pl.finance.totals["net_savings"]
    pl.risks[0].likelihood, pl.risks[0].impact = 4, 4  # 2 × 3 = 6 -> 16: high
    dd = cases["DD-108"]
    dd.project.stage, dd.project.lead = programme.stages[3], "Dev Patel"  # Gate 2 passed; a new lead
    cases["CM-107"].project.sponsor = "Bob Whitfield"
    cases["SI-205"] = _case(programme, "SI-205", "Single View of the Resident", 0, "Service Integration",
                            {"26/27": 220000})
    return cases


def _write(folder: Path, programme, cases: dict) -> None:
    for old in folder.glob("*.xlsx"):
        old.unlink()
    for ref, case in cases.items():
        write_form("bcl", folder / f"{ref}.xlsx", programme, case)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("movement")
    programme = config.load()
    forms, out = root / "forms", root / "reports"
    forms.mkdir()
    out.mkdir()
    tracker, summary = out / "tracker.xlsx", out / "summary.docx"
    _write(forms, programme, november(programme))
    first = run("portfolio", forms, "-o", tracker, "--as-of", NOVEMBER, "--summary", summary, "-j", "1")
    first_sheet = [[c.value for c in row] for row in load_workbook(tracker)["Movement"].iter_rows()]
    first_text = docx_text(summary)
    _write(forms, programme, december(programme))
    second = run("portfolio", forms, "-o", tracker, "--as-of", DECEMBER, "--summary", summary, "-j", "1")
    return {"first": first, "second": second, "first_sheet": first_sheet, "first_text": first_text, "root": root,
            "forms": forms, "out": out, "tracker": tracker, "summary": summary,
            "values": load_workbook(tracker, data_only=True), "formulas": load_workbook(tracker)}


def _table(ws, name: str) -> list[dict]:
    first, last = ws.tables[name].ref.split(":")
    head, end = (int("".join(filter(str.isdigit, cell))) for cell in (first, last))
    names = [c.value for c in ws[head]]
    return [dict(zip(names, (c.value for c in ws[r]), strict=True)) for r in range(head + 1, end + 1)]


def _changes(reports) -> dict[tuple[str, str], dict]:
    return {(r["What"], r["Tracker ref"]): r for r in _table(reports["values"]["Movement"], "Movement")}


def test_both_runs_succeed_and_each_records_its_date(reports):
    assert reports["first"].exit_code == 0, reports["first"].output
    assert "recorded the portfolio as of 2026-11-06" in reports["first"].output
    assert reports["second"].exit_code == 0, reports["second"].output
    assert "against 2026-11-06" in reports["second"].output
    listed = run("snapshots", reports["out"])
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.output.splitlines()] == [NOVEMBER, DECEMBER]
    assert f"5 cases; net savings {TBC_815K}" in listed.output.splitlines()[0]
    assert "5 cases; net savings £1,080,000" in listed.output.splitlines()[1]


def test_the_first_report_says_once_that_there_is_nothing_earlier(reports):
    sheet = reports["first_sheet"]
    assert sheet[0][0] == "Movement: the first report"
    assert "no earlier report to compare with" in sheet[1][0]
    assert len(sheet) == 2  # no table of changes, no totals then and now
    text = reports["first_text"]
    assert "Since the last report\n" in text
    assert text.count("there is nothing earlier to compare it with") == 1
    assert "then and now" not in text


def test_the_movement_sheet_names_every_case_that_moved_with_its_amounts(reports):
    ws = reports["values"]["Movement"]
    assert ws["A1"].value == "Movement since 06 Nov 2026"
    assert ws["A2"].value == ("As of 06 Dec 2026, against the portfolio as it stood on 06 Nov 2026: 11 changes to "
                              "6 cases.")
    changes = _changes(reports)
    assert changes[("New case", "SI-205")]["Case"] == "Single View of the Resident"
    assert changes[("Gone", "WF-106")]["Detail"].startswith("Withdrawn or closed")
    moved = changes[("Stage moved", "DD-108")]
    assert (moved["Then"], moved["Now"]) == ("Stage 2: Full Business Case", "Stage 3: Investment Decision")
    assert "passing Gate 2: Decision: Full Business Case" in moved["Detail"]
    late = changes[("Gate overdue", "CM-107")]
    assert late["Detail"] == "Gate 3: Decision: Investment Decision newly overdue: due Nov 2026"
    up = changes[("Net savings up", "PL-103")]
    assert (up["Then"], up["Now"], up["Difference"]) == (200000, 250000, 50000)
    assert up["Detail"] == "24/25: up £50,000 to £250,000"
    settled = changes[("TBC settled", "RX-101")]
    assert (settled["Then"], settled["Now"]) == ("TBC", 90000)
    assert settled["Detail"] == "25/26: TBC settled at £90,000"
    total = changes[("Net savings total", "RX-101")]
    assert (total["Then"], total["Now"]) == (100000, 190000)
    assert total["Detail"] == f"Total {TBC_100K} then, £190,000 now"
    lead = changes[("Lead changed", "DD-108")]
    assert lead["Detail"] == "Lead changed from Lee Lead to Dev Patel"
    risk = changes[("Risk newly high", "PL-103")]
    assert (risk["Then"], risk["Now"]) == (6, 16) and risk["Detail"].startswith("Risk 1 scores 16 (was 6): ")
    assert changes[("Sponsor changed", "CM-107")]["Detail"] == "Sponsor changed from Ann Sponsor to Bob Whitfield"
    assert len(changes) == 11  # and nothing else
    new = changes[("New case", "SI-205")]
    assert (new["Then"], new["Now"], new["Difference"]) == (None, 220000, 220000)
    assert "Service Integration theme, at Stage 0: Opportunity Identified" in new["Detail"]
    assert changes[("Gone", "WF-106")]["Then"] == 95000


def _block(ws, label: str) -> dict[str, list]:
    top = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(row=r, column=1).value).startswith(label))
    out = {}
    for r in range(top + 2, ws.max_row + 1):
        name = ws.cell(row=r, column=1).value
        out[name] = [ws.cell(row=r, column=c).value for c in range(2, 7)]
        if name == "Total":
            return out
    return out


def test_the_movement_sheet_has_the_totals_then_and_now_by_theme_and_stage(reports):
    ws, formulas = reports["values"]["Movement"], reports["formulas"]["Movement"]
    themes = _block(ws, "Net savings by theme, 06 Nov 2026 and now")
    assert themes["Place"] == [1, 1, 200000, 250000, 50000]
    assert themes["Workforce"] == [1, 0, 95000, 0, -95000]
    assert themes["Service Integration"] == [0, 1, 0, 220000, 220000]
    assert themes["Total"] == [5, 5, 815000, 1080000, 265000]
    stages = _block(ws, "Net savings by stage")
    assert stages["Stage 3: Investment Decision"] == [1, 2, 120000, 420000, 300000]
    assert stages["Stage 2: Full Business Case"] == [2, 1, 500000, 250000, -250000]
    # a total over a TBC year: the known part, shown as TBC; the difference a formula carrying its value
    top = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "Resident Experience")
    assert formulas.cell(row=top, column=4).number_format.startswith('"TBC (£"')
    assert formulas.cell(row=top, column=6).value == f"=E{top}-D{top}"


def test_the_summary_says_what_moved_since_the_last_report_for_the_board(reports):
    text = reports["summary"] and docx_text(reports["summary"])
    section = text[text.index("Since the last report (6 November 2026)"):text.index("known so far is shown beside it.")]
    assert ("Since 6 November 2026: 1 new case, 1 case gone, 1 case moved a stage, 1 gate newly overdue, net savings "
            "changed on 2 cases, 2 leads or sponsors named or changed and 1 risk newly high.") in section
    assert f"£1,080,000 now, against {TBC_815K} on 6 November 2026" in section
    for line in ["SI-205 BCL\nSingle View of the Resident\nNew Business Case Lite: Service Integration theme, at "
                 "Stage 0: Opportunity Identified, net savings £220,000",
                 "WF-106 BCL\nAgency Staff Reduction\nWithdrawn or closed: no longer in the portfolio (was Workforce "
                 "theme, at Stage 1: Outline Business Case, net savings £95,000)",
                 "DD-108 BCL\nData Platform\nMoved from Stage 2: Full Business Case to Stage 3: Investment Decision, "
                 "passing Gate 2: Decision: Full Business Case",
                 "CM-107 BCL\nTraded Services to Schools\nGate 3: Decision: Investment Decision newly overdue: due "
                 "Nov 2026",
                 "PL-103 BCL\nTown Centre Car Parks\n24/25: up £50,000 to £250,000; total up £50,000 to £250,000",
                 f"RX-101 BCL\nDigital Front Door\n25/26: TBC settled at £90,000; total {TBC_100K} then, "
                 "£190,000 now",
                 "DD-108 BCL\nData Platform\nLead changed from Lee Lead to Dev Patel",
                 "PL-103 BCL\nTown Centre Car Parks\nRisk 1 scores 16 (was 6)",
                 "Place\n1 → 1\n£200,000\n£250,000\n+£50,000",
                 f"Total\n5 → 5\n{TBC_815K}\n£1,080,000\nTBC (+£265,000 known)",
                 "Stage 2: Full Business Case\n2 → 1\n£500,000\n£250,000\n-£250,000"]:
        assert line in section, line
    for word in ("casegen", "--", ".xlsx", "snapshot", "tracker"):  # for the board: no command, option or file
        assert word not in section.lower(), word


@pytest.mark.slow
def test_printed_the_movement_sheet_and_the_section_read_whole(reports, tmp_path):
    """LibreOffice's PDFs: the Movement sheet's headings whole, one page across; the summary's section with
    its heading and a TBC total's change on one line."""
    tracker_pdf, summary_pdf = convert([reports["tracker"], reports["summary"]], tmp_path)
    sheet = subprocess.run(["pdftotext", "-layout", str(tracker_pdf), "-"], capture_output=True, text=True).stdout
    pages = [p for p in sheet.split("\f") if "· Movement ·" in p]
    assert len(pages) == 2 and "Movement since 06 Nov 2026" in pages[0]  # the changes, then the stage totals
    words = set(" ".join(pages).split())
    ws = reports["formulas"]["Movement"]
    for table in ws.tables.values():
        row = int("".join(filter(str.isdigit, table.ref.split(":")[0])))
        assert all(set(str(c.value).split()) <= words for c in ws[row] if c.value), table.name
    assert all(w in words for w in ("Difference", "Detail", "SI-205", "+£220,000"))  # the last columns on the page
    text = subprocess.run(["pdftotext", "-layout", str(summary_pdf), "-"], capture_output=True, text=True).stdout
    assert "Since the last report (6 November 2026)" in text
    assert "TBC (+£265,000 known)" in text and "Withdrawn or closed" in text
