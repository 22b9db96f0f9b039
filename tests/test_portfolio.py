"""`casegen portfolio`: the tracker workbook and the summary built from the sample forms and generated ones,
checked as the programme office would: the rows, the totals against the cases' own figures, the targets."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from casegen import config
from casegen.config import default_text
from casegen.intake.form import write_form
from casegen.models.values import format_money
from docx_text import text as docx_text
from helpers import convert, run, sample_case

AS_OF = "2024-06-15"
SAMPLES = ["bcl-service-optimisation", "bcl-neighbourhood-working-model", "brief-neighbourhood-working-model"]
TARGETS = """
[targets."Resident Experience"]
"24/25" = 300000
"25/26" = 100000

[targets."Commercial"]
"23/24" = 40000
"24/25" = 200000
"""


def _finance(case, amounts: dict[str, tuple[int, int]], one_off: dict[str, int] | None = None) -> None:
    for y in case.finance.years:
        savings, investment = amounts.get(y.year, (None, None))
        y.recurring_savings = None if savings is None else Decimal(savings)
        y.recurring_investment = None if investment is None else Decimal(investment)
        y.one_off_investment = Decimal((one_off or {}).get(y.year)) if (one_off or {}).get(y.year) else None
    case.qualification.financial_benefits = case.finance.totals["net_savings"]


def _case(ref: str, title: str, theme: str, stage: int, programme, named: bool = True):
    case = sample_case("bcl-service-optimisation", programme)
    p = case.project
    p.tracker_ref, p.title, p.theme, p.stage = ref, title, theme, programme.stages[stage]
    if named:
        p.sponsor, p.lead, p.finance_lead, p.budget_code = "Ann Sponsor", "Lee Lead", "Fay Finance", "BC-1"
        case.resources.direct_team = "A small team"
    return case


def generated(programme) -> list:
    a = _case("RX-101", "Digital Front Door", "Resident Experience", 2, programme)
    _finance(a, {"24/25": (150000, 20000), "25/26": (90000, 0)})
    a.risks[0].likelihood, a.risks[0].impact = 5, 5
    b = _case("CM-201", "Traded Services", "Commercial", 1, programme, named=False)  # sponsor TBC: a warning
    _finance(b, {"23/24": (50000, 0), "24/25": (120000, 10000)}, {"23/24": 30000})
    c = _case("DD-301", "Data Platform", "Digital and Data", 4, programme)
    _finance(c, {"25/26": (300000, 0)})
    c.gate_dates[4].date, c.gate_dates[5].date = "Jan 2030", "Jun 2030"
    return [a, b, c]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample forms, three generated ones, a broken file and a form with errors; the tracker and summary."""
    root = tmp_path_factory.mktemp("portfolio")
    cfg = root / "programme.toml"
    cfg.write_text(default_text() + TARGETS, encoding="utf-8")
    programme = config.load(cfg)
    forms = root / "forms"
    forms.mkdir()
    cases = [sample_case(name, programme) for name in SAMPLES] + generated(programme)
    for i, case in enumerate(cases):
        write_form(case.kind, forms / f"{i}-{case.project.tracker_ref}-{case.kind}.xlsx", programme, case)
    (forms / "broken.xlsx").write_bytes(b"this is not a workbook")
    bad = _case("ER-401", "Unfunded", "Workforce", 2, programme)
    bad.project.finance_lead = ""  # past Stage 1 without a finance lead: a tracker-rule error
    write_form("bcl", forms / "errors.xlsx", programme, bad)
    out, summary = root / "tracker.xlsx", root / "summary.docx"
    result = run("--config", cfg, "portfolio", forms, "-o", out, "--as-of", AS_OF, "--summary", summary, "-j", "2")
    return {"result": result, "out": out, "summary": summary, "cases": cases, "programme": programme,
            "values": load_workbook(out, data_only=True), "formulas": load_workbook(out), "root": root,
            "forms": forms, "cfg": cfg}


def table_rows(ws, name: str) -> list[dict]:
    first, last = ws.tables[name].ref.split(":")
    head = int("".join(filter(str.isdigit, first)))
    end = int("".join(filter(str.isdigit, last)))
    names = [c.value for c in ws[head]]
    return [dict(zip(names, (c.value for c in ws[r]), strict=True)) for r in range(head + 1, end + 1)]


def block(ws, label: str) -> dict[str, dict[str, object]]:
    """A theme × year block of the Savings sheet: {theme or 'Total': {year or 'Total': value}}."""
    top = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == label)
    years = [c.value for c in ws[top + 1]][1:]
    out = {}
    for r in range(top + 2, ws.max_row + 1):
        name = ws.cell(row=r, column=1).value
        out[name] = {y: ws.cell(row=r, column=2 + j).value for j, y in enumerate(years) if y}
        if name == "Total":
            return out
    return out


def test_one_row_per_case_and_the_count_in_the_header(built):
    ws = built["values"]["Cases"]
    rows = table_rows(ws, "Cases")
    assert sorted(r["Tracker ref"] for r in rows) == sorted(c.project.tracker_ref for c in built["cases"])
    assert [r["Kind"] for r in rows].count("Project Brief") == 1
    assert ws["A2"].value == "6 cases from 8 forms; 2 forms excluded with errors: see the Problems sheet"
    flags = {r["Tracker ref"]: r["Flags"] for r in rows}
    assert "sponsor-tbc" in flags["CM-201"] and flags["RX-101"] is None
    assert built["result"].exit_code == 1  # forms were left out
    assert "wrote" in built["result"].output and "6 cases" in built["result"].output


def test_totals_equal_the_cases_own_figures(built):
    programme, bcls = built["programme"], [c for c in built["cases"] if c.kind == "bcl"]
    net = block(built["values"]["Savings"], "Net savings")

    def expected(theme=None, year=None) -> Decimal:
        return sum((y.net_savings or 0 for c in bcls for y in c.finance.years
                    if (theme is None or c.project.theme == theme) and (year is None or y.year == year)), Decimal(0))

    for theme in programme.themes:
        for year in programme.financial_years:
            assert net[theme][year] == expected(theme, year), (theme, year)
        assert net[theme]["Total"] == expected(theme)
    for year in programme.financial_years:
        assert net["Total"][year] == expected(None, year)
    assert net["Total"]["Total"] == expected() == Decimal(200000 + 130000 + 90000 + 50000 + 110000 + 300000)
    cases = {r["Tracker ref"]: r for r in table_rows(built["values"]["Cases"], "Cases")}
    assert cases["CM-201"]["Net total"] == 160000 and cases["CM-201"]["One-off investment"] == 30000
    # Totals are formulas a person can follow, carrying the value for readers that do not recalculate.
    formula = block(built["formulas"]["Savings"], "Net savings")["Total"]["Total"]
    assert isinstance(formula, str) and formula.startswith("=SUM(")


def test_targets_and_gaps_come_from_the_configuration(built):
    ws = built["values"]["Savings"]
    target, gap, net = block(ws, "Target"), block(ws, "Gap (net savings − target)"), block(ws, "Net savings")
    assert target["Resident Experience"]["24/25"] == 300000 and target["Commercial"]["23/24"] == 40000
    assert target["Partners"]["24/25"] is None and gap["Partners"]["24/25"] is None
    for theme, year in [("Resident Experience", "24/25"), ("Resident Experience", "25/26"), ("Commercial", "23/24"),
                        ("Commercial", "24/25")]:
        assert gap[theme][year] == net[theme][year] - target[theme][year]
    assert gap["Commercial"]["24/25"] == 110000 - 200000
    assert target["Total"]["24/25"] == 500000 and gap["Total"]["24/25"] == net["Total"]["24/25"] - 500000
    rules = built["formulas"]["Savings"].conditional_formatting
    fills = [r.dxf.fill.fgColor.rgb[-6:] for cf in rules for r in cf.rules]
    assert {"FFC7CE", "FFEB9C", "C6EFCE"} <= set(fills)  # red, amber, green
    status = block(ws, "Status")  # the colours, in words
    assert status["Commercial"]["24/25"] == "Well behind target" and status["Partners"]["24/25"] == "No target"
    assert status["Resident Experience"]["24/25"] == "On target" and status["Total"]["Total"] == "On target"


def test_a_chart_part_per_chart(built):
    with zipfile.ZipFile(built["out"]) as zf:
        charts = sorted(n for n in zf.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 2  # savings by year and theme; cases by stage
        xml = "".join(zf.read(n).decode() for n in charts)
    assert '<grouping val="stacked"/>' in xml and "<lineChart>" in xml and "Target (all themes)" in xml


def test_heat_map_counts_the_risks(built):
    ws = built["values"]["Heat map"]
    expected = Counter((r.likelihood, r.impact) for c in built["cases"] for r in c.risks)
    assert ws["A4"].value == "Likelihood ↓ / Impact →"
    for k, likelihood in enumerate(range(5, 0, -1), start=5):
        assert ws.cell(row=k, column=1).value == likelihood
        for impact in range(1, 6):
            assert ws.cell(row=k, column=1 + impact).value == expected[(likelihood, impact)], (likelihood, impact)
    assert ws["F5"].value == 1  # RX-101's 5 × 5
    assert len(table_rows(built["values"]["Risks"], "Risks")) == sum(expected.values())


def test_pipeline_and_overdue_gates(built):
    ws = built["values"]["Pipeline"]
    stages = {r["Stage"]: (r["Cases"], r["Net savings"]) for r in table_rows(ws, "Pipeline")}
    assert stages["Stage 2: Full Business Case"] == (1, 220000)
    # The brief gives no stage of its own: it is at its project's (Part-002's Business Case Lite's) Stage 0.
    assert stages["Stage 0: Opportunity Identified"] == (3, 200000)
    assert "(no stage given)" not in stages
    overdue = [r["Tracker ref"] for r in table_rows(ws, "Overdue")]
    assert "RX-101" in overdue and "DD-301" not in overdue  # Gate 2 was Mar 2024; Gate 4 is Jan 2030


def test_excluded_forms_are_listed_with_their_messages(built):
    rows = table_rows(built["values"]["Problems"], "Problems")
    excluded = {r["Form"] for r in rows if r["Status"] == "excluded"}
    assert excluded == {"broken.xlsx", "errors.xlsx"}
    errors = [r for r in rows if r["Form"] == "errors.xlsx" and r["Severity"] == "error"]
    assert any("finance lead" in r["Message"] and r["Code"] == "tracker-initiation" and r["Cell"] for r in errors)
    output = built["result"].output
    assert f"excluded {built['forms'] / 'broken.xlsx'}:" in output and "errors.xlsx" in output


def test_a_tracker_ref_used_twice_excludes_both_forms(tmp_path, programme):
    case = sample_case("bcl-service-optimisation", programme)
    write_form("bcl", tmp_path / "one.xlsx", programme, case)
    write_form("bcl", tmp_path / "two.xlsx", programme, case)
    result = run("portfolio", tmp_path, "-o", tmp_path / "t.xlsx", "-j", "1")
    assert result.exit_code == 1
    assert "RX-004 is the tracker ref of 2 forms: one.xlsx and two.xlsx" in result.output
    assert load_workbook(tmp_path / "t.xlsx")["Cases"]["A2"].value.startswith("0 cases from 2 forms")


def test_documents_are_linked(tmp_path, programme):
    write_form("bcl", tmp_path / "forms" / "case.xlsx", programme, sample_case("bcl-service-optimisation", programme))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "case.docx").write_bytes(b"a document")
    result = run("portfolio", tmp_path / "forms", "-o", tmp_path / "t.xlsx", "--documents", tmp_path / "docs")
    assert result.exit_code == 0, result.output
    cell = load_workbook(tmp_path / "t.xlsx")["Cases"]["A5"].parent
    (row,) = table_rows(cell, "Cases")
    link = next(c for c in cell[5] if c.value == "case.docx")
    assert row["Document"] == "case.docx" and link.hyperlink.target == "docs/case.docx"


def test_the_summary_document_has_the_totals(built):
    text = docx_text(built["summary"])
    assert "As of 15 June 2024: 6 cases from 8 intake forms. 2 forms were left out" in text
    assert f"Net savings across the portfolio: {format_money(Decimal(880000))}, against targets of £640,000" in text
    assert "Traded Services" not in text or "CM-201" in text
    assert "Well behind target" in text and "errors.xlsx" in text and "RX-101" in text
    # The totals have a status; cases are named by ref and kind; targets are set, so no "not configured" note.
    assert "(gap £240,000: on target)." in text
    assert text.count("Total\n£880,000\n£640,000\n£240,000\nOn target") == 2  # by year and by theme
    assert "RX-101 BCL" in text and "Part-002 Brief" in text and "Targets not yet set" not in text


def test_bad_options_are_usage_errors(tmp_path):
    assert run("portfolio", tmp_path, "-o", tmp_path / "t.csv").exit_code == 2
    assert run("portfolio", tmp_path, "--as-of", "15/06/2024").exit_code == 2
    result = run("portfolio", tmp_path, "-o", tmp_path / "t.xlsx")
    assert result.exit_code == 1 and "no .xlsx forms found" in result.output


def test_the_tracker_passes_openxml_audit(built):
    audit = shutil.which("openxml-audit") or str(Path(__import__("sys").executable).parent / "openxml-audit")
    if not Path(audit).exists():
        pytest.skip("openxml-audit is not installed")
    done = subprocess.run([audit, "-o", "json", str(built["out"])], capture_output=True, text=True)
    (report,) = json.loads(done.stdout)
    # openpyxl's own: font children out of schema order, and inline strings (every form casegen writes has both).
    unexpected = [e for e in report["errors"] if e["part_uri"] != "/xl/styles.xml"
                  and "inline-string" not in e["description"]]
    assert not unexpected, unexpected


@pytest.mark.slow
def test_libreoffice_opens_the_tracker_and_the_summary(built, tmp_path):
    pdfs = convert([built["out"], built["summary"]], tmp_path)
    assert all(p.exists() and p.stat().st_size > 5000 for p in pdfs), pdfs
    text = subprocess.run(["pdftotext", str(pdfs[0]), "-"], capture_output=True, text=True).stdout
    assert "6 cases from 8 forms" in text and "£880,000" in text
    summary = subprocess.run(["pdftotext", "-layout", str(pdfs[1]), "-"], capture_output=True, text=True).stdout
    assert "Well behind target" in summary  # on one line of its column, not wrapped


def test_a_new_tracker_column_is_one_declaration(make_form, tmp_path, monkeypatch):
    """A field of the case shown in the tracker: one Field among its neighbours; the Cases sheet writes it, and
    the Savings, Pipeline and heat map formulas follow every column that moved, as they find them by name."""
    from openpyxl.utils import column_index_from_string

    from casegen.portfolio import columns
    from casegen.portfolio.figures import gather
    from casegen.portfolio.tracker import write_tracker

    owner = columns.Field("Budget holder", 16, read=lambda case: case.project.sponsor.upper())
    monkeypatch.setattr(columns, "PEOPLE", [owner] + columns.PEOPLE)  # the one edit, before Sponsor
    make_form(filename="in/case.xlsx")
    out = tmp_path / "tracker.xlsx"
    out.write_bytes(write_tracker(gather([tmp_path / "in"], config.load(), jobs=1), out))
    wb = load_workbook(out)
    head = [c.value for c in wb["Cases"][4]]
    assert head[head.index("Sponsor") - 1] == "Budget holder"
    assert wb["Cases"].cell(row=5, column=head.index("Budget holder") + 1).value == \
        wb["Cases"].cell(row=5, column=head.index("Sponsor") + 1).value.upper()

    def heading(formula: str, sheet: str, at: int = 0) -> str:
        """The heading of the column of `sheet` that the formula's `at`-th reference to it points at."""
        letter = re.findall(rf"'?{sheet}'?!\$([A-Z]+)\$", formula)[at]
        return wb[sheet].cell(row=4, column=column_index_from_string(letter)).value

    savings = wb["Savings"]["C6"].value  # a theme's 24/25
    assert (heading(savings, "Cases"), heading(savings, "Cases", 1)) == ("Net 24/25", "Theme")
    pipeline = wb["Pipeline"]["C5"].value
    assert (heading(pipeline, "Cases"), heading(pipeline, "Cases", 1)) == ("Stage", "Net total")
    heat = wb["Heat map"]["B5"].value
    assert (heading(heat, "Risks"), heading(heat, "Risks", 1)) == ("Likelihood", "Impact")


def test_the_cases_rows_are_kept_on_disk_and_the_figures_are_theirs(built):
    """Memory flat in the number of cases: no case's row stays in memory once its form is read (each is read back
    from the portfolio's file at each pass), and the figures, added up in one pass, are the rows' own."""
    from casegen.models.values import Total
    from casegen.portfolio.collect import CaseRow
    from casegen.portfolio.figures import NO_STAGE, gather

    portfolio = gather([built["forms"]], built["programme"], as_of=date.fromisoformat(AS_OF), jobs=2)
    assert not any(isinstance(c.extract, CaseRow) for c in portfolio.forms)  # where each row is, not the row
    rows = list(portfolio.rows)
    assert len(rows) == len(portfolio.rows) == 6 and rows[0] is not next(iter(portfolio.rows))  # read anew
    brief = next(r for r in rows if r.kind == "brief")  # at its project's stage, taken from its Business Case Lite
    assert brief.stage == next(r.stage for r in rows if r.kind == "bcl" and r.ref == brief.ref)
    for theme in [None, *portfolio.themes]:
        for year in [None, *portfolio.years]:
            found = Total.of(v for r in rows if theme in (None, r.theme) for y, v in r.net_by_year.items()
                             if year in (None, y))
            assert portfolio.total(theme, year) == Total(found.known_part, found.tbc)
    assert portfolio.pipeline() == [(s, sum((r.stage or NO_STAGE) == s for r in rows),
                                     sum((r.net_total for r in rows if (r.stage or NO_STAGE) == s), Decimal(0)))
                                    for s in portfolio.stages()]
    assert len(portfolio.risks) == sum(len(r.risks) for r in rows) == len(list(portfolio.risks))
    assert [(r.ref, r.risk_ref) for r in portfolio.top_risks(3)] == [
        (r.ref, r.risk_ref) for r in sorted((k for r in rows for k in r.risks),
                                            key=lambda k: (-k.score, -k.impact, k.ref))[:3]]
    assert [r.ref for r in portfolio.overdue()] == [r.ref for r in sorted(
        (r for r in rows if r.overdue(portfolio.as_of)), key=lambda r: (r.gate_due, r.ref))]
