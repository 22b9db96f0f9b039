"""Figures the models compute, so nobody types them."""
from decimal import Decimal

from helpers import sample_case


def test_risk_total_is_likelihood_times_impact_not_the_typed_12():
    case = sample_case("bcl-service-optimisation")
    risk = case.risks[0]
    assert (risk.likelihood, risk.impact, risk.total) == (2, 3, 6)


def test_net_savings_and_totals():
    finance = sample_case("bcl-service-optimisation").finance
    by_year = {y.year: y for y in finance.years}
    assert by_year["24/25"].net_savings == Decimal("200000")
    assert by_year["23/24"].net_savings is None  # printed "-"
    assert finance.totals["recurring_savings"] == Decimal("200000")
    assert finance.totals["net_savings"] == Decimal("200000")
    assert finance.totals["one_off_investment"] is None


def test_net_savings_subtracts_investment():
    case = sample_case("bcl-service-optimisation")
    case.finance.years[1].recurring_investment = Decimal("50000")
    assert case.finance.years[1].net_savings == Decimal("150000")
    assert case.finance.totals["net_savings"] == Decimal("150000")


def test_finance_confidence_percentage():
    case = sample_case("bcl-service-optimisation")
    assert case.finance.confidence_years == ["24/25"]
    assert case.finance.confidence == 0 and not case.finance.finance_validated
    case.finance.validated[1].recurring_savings = Decimal("150000")
    assert case.finance.confidence == 75 and case.finance.finance_validated


def test_grand_total_of_the_assessment_table():
    case = sample_case("bcl-neighbourhood-working-model")
    assert case.position_table.grand_total == 287


def test_risks_without_a_ref_are_numbered():
    case = sample_case("bcl-neighbourhood-working-model")
    data = case.model_dump(exclude={"has_realisation_dates"})
    for r in data["risks"]:
        r["ref"] = ""
        del r["total"]
    from casegen.models.bcl import BusinessCaseLite
    from casegen.models.load import _strip_computed
    again = BusinessCaseLite.model_validate(_strip_computed(BusinessCaseLite, data))
    assert [r.ref for r in again.risks] == ["1", "2", "3"]
