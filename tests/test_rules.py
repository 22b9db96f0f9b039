"""The programme's rules, each broken in a real form and reported through the CLI at the cell to change."""
import json

import pytest
from openpyxl import load_workbook

from casegen.rules import registered
from casegen.rules.catalogue import catalogue
from helpers import digest, leftovers, lines, named, run, spoil, table_cell, where

SO = "bcl-service-optimisation"
NWM = "bcl-neighbourhood-working-model"


def validate(path, *options):
    before = digest(path)
    result = run("validate", *options, path)
    assert digest(path) == before  # validate never writes to a form
    assert leftovers(path if path.is_dir() else path.parent) == []
    return result


def test_casegen_rules_lists_every_check_with_its_explanation():
    result = run("rules")
    assert result.exit_code == 0
    for r in catalogue():
        line = next(line for line in lines(result) if line.startswith(r.code + " "))
        assert r.severity in line and r.explanation in line and ",".join(r.kinds) in line
    codes = [r.code for r in catalogue()]
    assert len(codes) == len(set(codes))
    assert {"gate-order", "deliverable-dates", "benefits-net-savings", "validated-above-proposed", "sponsor-tbc",
            "tracker-initiation", "tracker-ref-duplicate", "value-date", "value-money"} <= set(codes)
    assert all(r.explanation.endswith(".") and "\n" not in r.explanation for r in catalogue())


def test_gate_dates_out_of_order(make_form):
    def edit(case):
        case.gate_dates[2].date = "Sep 2023"  # Gate 2 before Gate 1 (Dec 2023)

    path = make_form(SO, edit)
    cell = table_cell(load_workbook(path), "gate_dates", 3, "(Target) Date")
    result = validate(path)
    assert result.exit_code == 1
    assert lines(result) == [f"{where(path, cell)}: (Target) Date (Gate 2: Decision: Full Business Case): "
                             "Gate 2 is targeted for Sep 2023, before Gate 1 (Dec 2023); "
                             "gates are passed in order: correct one of the two dates [gate-order]"]


def test_gate_words_are_skipped_and_equal_months_are_in_order(make_form):
    def edit(case):
        case.gate_dates[1].date = "TBC"
        case.gate_dates[2].date = "Oct 2023"  # the same month as Gate 0
        case.gate_dates[5].date = "Ongoing"

    assert validate(make_form(SO, edit)).exit_code == 0


def test_deliverable_finishing_before_it_starts(make_form, tmp_path):
    def edit(case):
        case.deliverables[1].finish = "Nov 2023"

    path = make_form(SO, edit)
    cell = table_cell(load_workbook(path), "deliverables", 2, "Finish")
    result = validate(path)
    assert result.exit_code == 1
    assert lines(result) == [f"{where(path, cell)}: Finish: finishes Nov 2023, before it starts (Dec 2023); "
                             "correct the start or the finish [deliverable-dates]"]
    assert run("build", path, "-o", tmp_path / "out").exit_code == 1
    assert not (tmp_path / "out" / f"{SO}.docx").exists()  # an error stops the document


@pytest.mark.parametrize("benefit, expected", [
    (150000, "is £150,000 but the net savings in Financial Delivery total £200,000; change Financial Benefits "
             "to £200,000, or correct the savings by year on the Finance sheet"),
    (None, "is blank (£ N/A) but the net savings in Financial Delivery total £200,000; type £200,000 here, "
           "or correct the savings by year on the Finance sheet"),
])
def test_financial_benefits_disagreeing_with_net_savings(make_form, tmp_path, benefit, expected):
    def edit(case):
        case.qualification.financial_benefits = benefit

    path = make_form(SO, edit)
    cell = named(load_workbook(path), "qualification_financial_benefits")
    result = validate(path)
    assert result.exit_code == 0  # a warning does not stop anything
    assert lines(result) == [f"{where(path, cell)}: warning: Financial Benefits: {expected} [benefits-net-savings]"]
    assert validate(path, "--strict").exit_code == 1
    assert run("build", path, "-o", tmp_path / "out").exit_code == 0  # nor the document
    assert (tmp_path / "out" / f"{SO}.docx").exists()


def test_financial_benefits_with_no_savings_at_all(make_form):
    def edit(case):
        case.qualification.financial_benefits = 50000

    path = make_form(NWM, edit)
    cell = named(load_workbook(path), "qualification_financial_benefits")
    assert lines(validate(path)) == [
        f"{where(path, cell)}: warning: Financial Benefits: is £50,000 but Financial Delivery has no net savings; "
        "type the savings by year on the Finance sheet, or clear Financial Benefits [benefits-net-savings]"]


def test_finance_validating_more_than_was_proposed(make_form):
    def edit(case):
        case.finance.validated[1].recurring_savings = 250000  # 24/25: £200,000 proposed

    path = make_form(SO, edit)
    cell = table_cell(load_workbook(path), "finance_validated", 2, "Validated Recurring Savings")
    result = validate(path)
    assert result.exit_code == 0
    assert lines(result) == [
        f"{where(path, cell)}: warning: Validated Recurring Savings: "
        "Finance validated £250,000 of savings for 24/25, more than the £200,000 proposed; "
        "check the validated and the proposed figures [validated-above-proposed]"]


def test_a_financial_year_typed_twice_is_refused_at_its_second_row(make_form, tmp_path):
    """The document shows one row a year (and import reads one back): a year typed twice in either table is an
    error at the second row's year, and no document is made from it."""
    def edit(case):
        case.finance.years[2].year = case.finance.years[1].year  # 24/25 twice in Financial Delivery
        case.finance.validated[0].year = case.finance.validated[1].year  # and in the validated figures

    path = make_form(SO, edit)
    wb = load_workbook(path)
    years = table_cell(wb, "finance_years", 3, "Financial year")
    validated = table_cell(wb, "finance_validated", 2, "Financial year")
    result = validate(path)
    assert result.exit_code == 1
    assert f"{where(path, years)}: Financial year: 24/25 has a row already in Financial Delivery (row 2 of the " \
           "table); the document shows one row a year: add the amounts together in one row and clear the other " \
           "[year-repeated]" in lines(result)
    assert any(line.startswith(f"{where(path, validated)}: Financial year: 24/25 has a row already in Finance's "
                               "validated figures (row 1 of the table)") for line in lines(result))
    assert run("build", path, "-o", tmp_path / "out").exit_code == 1
    assert not (tmp_path / "out" / f"{path.stem}.docx").exists()


@pytest.mark.parametrize("heading, count_heading, name", [("Type of asset", "Number", "position_table_heading"),
                                                           ("", "Number", "position_table_count_heading")])
def test_a_position_table_with_headings_and_no_rows_is_refused(make_form, heading, count_heading, name):
    def edit(case):
        case.position_table.heading, case.position_table.count_heading = heading, count_heading
        case.position_table.rows = []

    path = make_form(SO, edit)
    cell = named(load_workbook(path), name)
    result = validate(path)
    assert result.exit_code == 1
    assert any(line.startswith(f"{where(path, cell)}: ") and line.endswith(
        "the table within the assessment has headings but no rows, so the document would show no table and leave "
        "its headings out: type its rows under 'Table rows', or clear the headings [position-table-empty]")
        for line in lines(result)), result.output


def test_a_position_table_left_as_the_form_gives_it_is_fine(make_form):
    def edit(case):
        case.position_table.heading, case.position_table.count_heading, case.position_table.rows = "", "Total", []

    assert "position-table-empty" not in validate(make_form(SO, edit)).output


def test_validated_net_savings_above_proposed_point_at_the_investment(make_form):
    def edit(case):
        case.finance.years[1].recurring_investment = 50000  # proposed net £150,000
        case.qualification.financial_benefits = 150000
        case.finance.validated[1].recurring_savings = 180000

    path = make_form(SO, edit)
    cell = table_cell(load_workbook(path), "finance_validated", 2, "Validated Recurring Investment")
    (line,) = lines(validate(path))
    assert line.startswith(f"{where(path, cell)}: warning: Validated Recurring Investment: "
                           "Finance's validated net savings for 24/25 (£180,000) are more than the £150,000 proposed")


def test_sponsor_and_lead_tbc_past_stage_0(make_form):
    def edit(case):
        case.project.stage = "Stage 1: Outline Business Case"

    path = make_form(SO, edit)
    wb = load_workbook(path)
    result = validate(path)
    assert result.exit_code == 0
    assert lines(result) == [
        f"{where(path, named(wb, 'project_sponsor'))}: warning: Project Sponsor: "
        "still TBC at Stage 1: Outline Business Case; "
        "name the sponsor [sponsor-tbc]",
        f"{where(path, named(wb, 'project_lead'))}: warning: Project Lead: "
        "still TBC at Stage 1: Outline Business Case; "
        "name the lead [sponsor-tbc]"]


def test_sponsor_tbc_is_fine_at_stage_0(make_form):
    assert validate(make_form(SO)).output.strip() == "1 form OK"


def test_tracker_rules_past_stage_1(make_form):
    def edit(case):
        case.project.stage = "Stage 2: Full Business Case"
        case.project.sponsor, case.project.lead = "Jo Bloggs", "Sam Smith"
        case.resources.direct_team = ""
        case.project.finance_lead = "TBC"

    path = make_form(SO, edit)
    wb = load_workbook(path)
    result = validate(path)
    assert result.exit_code == 1
    tail = "before a project moves past Stage 1: fill it in [tracker-initiation]"
    assert lines(result) == [
        f"{where(path, named(wb, 'resources_direct_team'))}: Direct Team: is missing at Stage 2: Full Business Case; "
        f"the portfolio tracker needs resources attached (the direct team) {tail}",
        f"{where(path, named(wb, 'project_budget_code'))}: Indicative Budget Code: "
        "is missing at Stage 2: Full Business Case; "
        f"the portfolio tracker needs an indicative budget code {tail}",
        f"{where(path, named(wb, 'project_finance_lead'))}: Finance Lead: is missing at Stage 2: Full Business Case; "
        f"the portfolio tracker needs a finance lead (the named accountant) {tail}"]


def test_tracker_rules_met(make_form):
    def edit(case):
        case.project.stage = "Stage 4: Implementation"
        case.project.sponsor, case.project.lead = "Jo Bloggs", "Sam Smith"
        case.project.budget_code, case.project.finance_lead = "RX-1234", "A. Accountant"

    assert validate(make_form(SO, edit)).exit_code == 0


def test_tracker_rules_on_a_project_brief(make_form):
    def edit(case):
        case.project.stage = "Stage 3: Investment Decision"
        case.project.budget_code = "BC-1"

    path = make_form("brief-neighbourhood-working-model", edit)
    cell = named(load_workbook(path), "project_finance_lead")
    result = validate(path)
    assert result.exit_code == 1
    assert lines(result) == [f"{where(path, cell)}: Finance Lead: is missing at Stage 3: Investment Decision; the "
                             "portfolio tracker needs a finance lead (the named accountant) before a project moves "
                             "past Stage 1: fill it in [tracker-initiation]"]


def test_one_tracker_ref_on_two_cases_of_a_run(make_form, tmp_path):
    first = make_form(SO)

    def edit(case):
        case.project.tracker_ref = "rx-004 "  # the same ref, typed differently

    second = make_form(NWM, edit)
    wb = load_workbook(first)
    result = validate(tmp_path)  # a folder: every form under it
    assert result.exit_code == 1
    assert lines(result) == [  # once, on the first form of the two: it names both
        f"{where(second, named(wb, 'project_tracker_ref'))}: Portfolio Tracker ref: rx-004 is the tracker ref of 2 "
        f"forms: {second.name} and {first.name}; give each project its own ref (a copied form keeps the ref of the "
        "one it was copied from) [tracker-ref-duplicate]"]


def test_a_brief_and_a_business_case_share_their_project_ref(make_form, tmp_path):
    make_form(NWM)
    make_form("brief-neighbourhood-working-model")
    assert validate(tmp_path).output.strip() == "2 forms OK"


def test_money_and_dates_that_are_not_through_the_cli(make_form):
    path = make_form(SO)
    wb = load_workbook(path)
    money = table_cell(wb, "finance_years", 2, "Recurring Savings")
    when = table_cell(wb, "deliverables", 1, "Start")
    spoil(path, lambda wb: [setattr(table_cell(wb, "finance_years", 2, "Recurring Savings"), "value", "lots"),
                            setattr(table_cell(wb, "deliverables", 1, "Start"), "value", "32/13/2023")])
    result = validate(path)
    assert result.exit_code == 1
    assert lines(result) == [
        f"{where(path, money)}: Recurring Savings 24/25: must be an amount in pounds such as 200000 or £200,000, "
        "got 'lots' [value-money]",
        f"{where(path, when)}: Start: '32/13/2023' is not a real date; write a month and year such as Oct 2023 "
        "[value-date]"]
    data = json.loads(validate(path, "--json").output)["problems"]
    assert [(p["cell"], p["code"], p["severity"]) for p in data] == [
        (money.coordinate, "value-money", "error"), (when.coordinate, "value-date", "error")]


def test_rule_findings_are_located_even_for_rules_added_later(make_form, programme):
    """Every registered rule's path names a field the reader can place (none lands on the whole file)."""
    from casegen.intake.reader import read_intake

    def edit(case):
        case.project.stage = "Stage 2: Full Business Case"
        case.project.finance_lead = ""
        case.gate_dates[3].date = "Jan 2020"
        case.deliverables[0].finish = "Jan 2020"
        case.qualification.financial_benefits = 1
        case.finance.validated[1].recurring_savings = 999999

    intake = read_intake(make_form(SO, edit), programme)
    ruled = [p for p in intake.problems if p.code in {r.code for r in registered()}]
    assert {p.code for p in ruled} == {"sponsor-tbc", "tracker-initiation", "gate-order", "deliverable-dates",
                                       "benefits-net-savings", "validated-above-proposed"}
    assert all(p.sheet and p.cell for p in ruled)
