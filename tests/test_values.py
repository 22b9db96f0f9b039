"""Values as people type them, and as the documents print them."""
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from casegen.models.values import format_money, parse_money, parse_rating, parse_when, when_as_date
from docx_text import text as docx_text
from helpers import run


@pytest.mark.parametrize("typed, amount", [
    (200000, Decimal("200000")), (200000.0, Decimal("200000")), ("200000", Decimal("200000")),
    ("£200,000", Decimal("200000")), ("200,000.00", Decimal("200000")), ("£ 1,234.5", Decimal("1234.50")),
    ("£630k", Decimal("630000")), ("-£5,000", Decimal("-5000")), ("(5,000)", Decimal("-5000")),
    ("(-5,000)", Decimal("-5000")),
    (None, None), ("", None), ("-", None), ("£ N/A", None), ("n/a", None),
])
def test_money_as_typed(typed, amount):
    assert parse_money(typed) == amount


@pytest.mark.parametrize("typed", ["lots", "£2oo,000", "12/10/2023", True, datetime(2023, 10, 1)])
def test_money_that_is_not_money(typed):
    with pytest.raises(ValueError, match="amount in pounds"):
        parse_money(typed)


def test_absurd_money_is_caught():
    with pytest.raises(ValueError, match="check the number of digits"):
        parse_money("200000000000000")


@pytest.mark.parametrize("amount, printed", [
    (Decimal("200000"), "£200,000"), (Decimal("1234.5"), "£1,234.50"), (Decimal("-5000"), "-£5,000"),
    (Decimal("0"), "£0"), (None, "-"),
])
def test_money_as_printed(amount, printed):
    assert format_money(amount) == printed


@pytest.mark.parametrize("typed, canonical", [
    ("Oct 2023", "Oct 2023"), ("October 2023", "Oct 2023"), ("oct-23", "Oct 2023"), ("10/2023", "Oct 2023"),
    ("01/10/2023", "Oct 2023"), ("2023-10-01", "Oct 2023"), (datetime(2023, 10, 15), "Oct 2023"),
    (date(2024, 3, 1), "Mar 2024"), (45200, "Oct 2023"), ("TBC", "TBC"), ("tbc", "TBC"),
    ("Ongoing", "Ongoing"), ("", None), ("-", None), (None, None),
])
def test_dates_as_typed(typed, canonical):
    assert parse_when(typed) == canonical


@pytest.mark.parametrize("typed, message", [
    ("32/13/2023", "not a real date"), ("next spring", "month and year"), ("Oct 1066", "out of range"),
])
def test_dates_that_are_not_dates(typed, message):
    with pytest.raises(ValueError, match=message):
        parse_when(typed)


def test_month_year_orders_as_dates():
    assert when_as_date("Oct 2023") == date(2023, 10, 1)
    assert when_as_date("TBC") is None


@pytest.mark.parametrize("typed, rating", [(3, 3), (3.0, 3), ("4", 4), (" 5 ", 5)])
def test_ratings(typed, rating):
    assert parse_rating(typed) == rating


@pytest.mark.parametrize("typed", ["high", 0, 6, 2.5, None, "", True])
def test_ratings_out_of_range(typed):
    with pytest.raises(ValueError, match="whole number from 1 to 5"):
        parse_rating(typed)


# Ambiguity is refused, never guessed: each message says what casegen would not guess and how to type it.
@pytest.mark.parametrize("typed, says", [
    ("£1,5m", "'£1,5m' could be £1.5m or £15m; casegen will not guess: type 1500000 or £1.5m"),
    ("200.000,00", "'200.000,00' looks like £200,000 written with points between thousands and a comma before "
                   "the pence; casegen will not guess: type 200000.00 or £200,000"),
    ("1,5", "'1,5' could be £1.50 (a comma before the pence) or £15; casegen will not guess: type 1.5 or 15"),
    ("1,00,000", "'1,00,000' has commas that do not mark thousands, so it could be a slip; casegen will not "
                 "guess: if you meant £100,000, type 100000 or £100,000"),
    ("200.000", "'200.000' could be £200,000 (a point between thousands) or £200; casegen will not guess: "
                "type 200000 or 200"),
    ("1.500.000", "'1.500.000' looks like £1,500,000 written with points between thousands"),
])
def test_ambiguous_money_is_refused_with_what_to_type(typed, says):
    with pytest.raises(ValueError) as refused:
        parse_money(typed)
    assert str(refused.value).startswith(says)


@pytest.mark.parametrize("typed, amount", [
    ("£1,500k", Decimal("1500000")), ("1,234,567.89", Decimal("1234567.89")), ("£250\xa0000", Decimal("250000")),
    ("£-", None),
])
def test_unambiguous_grouping_is_read(typed, amount):
    assert parse_money(typed) == amount


@pytest.mark.parametrize("typed", ["TBC", "tbc", " TBC ", "To be confirmed"])
def test_money_not_yet_known_is_tbc_not_none(typed):
    assert parse_money(typed) == "TBC"
    assert format_money(parse_money(typed)) == "TBC" and format_money(None) == "-"


def test_a_total_over_an_amount_still_tbc_is_tbc():
    from casegen.models.bcl import Finance

    finance = Finance.model_validate({"years": [
        {"year": "23/24", "recurring_savings": "100000"},
        {"year": "24/25", "recurring_savings": "TBC", "recurring_investment": "5000"},
        {"year": "25/26", "one_off_investment": "20000"}]})
    assert finance.years[1].net_savings == "TBC"  # savings not yet known: nor is what they net
    assert finance.totals["recurring_savings"] == "TBC" and finance.totals["net_savings"] == "TBC"
    assert finance.totals["recurring_investment"] == Decimal("5000")  # no TBC in this line
    assert finance.totals["one_off_investment"] == Decimal("20000")
    assert finance.confidence == 0 and not finance.finance_validated


@pytest.mark.parametrize("typed, printed", [
    ("Q3 2024", "Q3 2024"), ("q3-2024", "Q3 2024"), ("2024 Q3", "Q3 2024"), ("Q1 24/25", "Q1 24/25"),
    ("Q1 2024/25", "Q1 24/25"), ("Q1 FY24/25", "Q1 24/25"), ("Sept. 2024", "Sep 2024"), ("Sept 2024", "Sep 2024"),
    ("Sep 2024", "Sep 2024"), ("sept.24", "Sep 2024"), ("Jan. 2025", "Jan 2025"), ("Febr 2025", "Feb 2025"),
])
def test_quarters_and_abbreviated_months(typed, printed):
    assert parse_when(typed) == printed


@pytest.mark.parametrize("typed, message", [
    ("Q1 24/26", "a quarter such as Q3 2024 or Q1 24/25"), ("Spt 2024", "month and year"),
    ("Completed", "is for a stage gate already passed"), ("2025", "2025 is a year without a month"),
    (2025, "2025 is a year without a month; write a month and year such as Oct 2025"),
])
def test_dates_only_some_fields_take_are_refused_elsewhere(typed, message):
    with pytest.raises(ValueError, match=message):
        parse_when(typed)


def test_completed_is_a_gate_date_and_a_year_a_realisation_date():
    from casegen.models.values import parse_gate_when, parse_year_when

    assert parse_gate_when("completed") == "Completed" and parse_gate_when("Q3 2024") == "Q3 2024"
    assert parse_year_when("2025") == "2025" and parse_year_when(2025) == "2025"
    assert parse_year_when("2024/25") == "24/25"
    with pytest.raises(ValueError, match="without a month"):
        parse_gate_when("2025")
    with pytest.raises(ValueError, match="stage gate already passed"):
        parse_year_when("Completed")


def test_periods_order_as_dates():
    assert when_as_date("Q3 2024") == date(2024, 7, 1) and when_as_date("Q3 2024", end=True) == date(2024, 9, 1)
    assert when_as_date("Q1 24/25") == date(2024, 4, 1)  # a financial year starts in April
    assert when_as_date("Q4 24/25") == date(2025, 1, 1)
    assert when_as_date("2025") == date(2025, 1, 1) and when_as_date("Completed") is None


def test_hidden_characters_are_named_not_escaped():
    from casegen.models.values import shown

    assert shown("£250\xa0000") == "'£250 000' (it contains a non-breaking space)"
    assert shown("a\tb\nc") == "'a b c' (it contains a tab and a line break)"
    with pytest.raises(ValueError) as refused:
        parse_rating("4\xa0x")
    assert "\\xa0" not in str(refused.value) and "a non-breaking space" in str(refused.value)


# Choices as people retype them: case, punctuation, dashes and spacing do not matter; anything else is
# named with the choices.
@pytest.mark.parametrize("typed", ["Stage 0: Opportunity Identified", "Stage 0- Opportunity Identified",
                                   "stage 0 – opportunity identified", "STAGE 0 — OPPORTUNITY IDENTIFIED",
                                   "  Stage 0 :  Opportunity  Identified. "])
def test_a_stage_is_matched_loosely(typed, make_form):
    from helpers import named, spoil

    form = make_form()
    spoil(form, lambda wb: setattr(named(wb, "project_stage"), "value", typed))
    result = run("validate", form)
    assert result.exit_code == 0, result.output
    assert json.loads(run("dump", form).output)["project"]["stage"] == "Stage 0: Opportunity Identified"


def test_an_unknown_choice_is_named_with_the_choices(make_form, programme):
    from helpers import named, spoil, where

    form = make_form()
    spoil(form, lambda wb: setattr(named(wb, "project_stage"), "value", "Stage 9 - Done"))
    result = run("validate", form)
    assert result.exit_code == 1
    assert (f"{where(form, named(load_workbook(form), 'project_stage'))}: Current Stage / Gate: "
            f"must be one of: {'; '.join(programme.stages)}; got 'Stage 9 - Done' [value-choice]") in result.output


def test_the_neighbourhood_bcl_typed_stage_0_dash_is_imported_and_built(tmp_path):
    """The council's own file has "Stage 0- Opportunity Identified": a document with it imports and builds."""
    import zipfile

    from helpers import ROOT

    assert run("build", ROOT / "inputs" / "bcl-neighbourhood-working-model.xlsx", "-o", tmp_path / "out",
               ).exit_code == 0
    built = tmp_path / "out" / "bcl-neighbourhood-working-model.docx"
    typed = tmp_path / "council.docx"
    with zipfile.ZipFile(built) as zin, zipfile.ZipFile(typed, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                assert b"Stage 0: Opportunity Identified" in data
                data = data.replace(b"Stage 0: Opportunity Identified", b"Stage 0- Opportunity Identified")
            zout.writestr(info, data)
    result = run("import", typed, "-o", tmp_path / "council.xlsx")
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    from helpers import named

    assert named(load_workbook(tmp_path / "council.xlsx"), "project_stage").value == "Stage 0: Opportunity Identified"
    assert run("build", tmp_path / "council.xlsx", "-o", tmp_path / "again").exit_code == 0
    assert "Stage 0: Opportunity Identified" in docx_text(tmp_path / "again" / "council.docx")


@pytest.mark.parametrize("cell, typed", [("Recurring Investment", -5000), ("Recurring Investment", "(5,000)"),
                                         ("One-off Investment", "-£5,000")])
def test_a_negative_investment_is_an_error_naming_the_cell(cell, typed, make_form):
    from helpers import spoil, table_cell, where

    form = make_form()
    spoil(form, lambda wb: setattr(table_cell(wb, "finance_years", 2, cell), "value", typed))
    place = where(form, table_cell(load_workbook(form), "finance_years", 2, cell))
    result = run("validate", form)
    assert result.exit_code == 1
    assert (f"{place}: {cell} 24/25: is money spent, so it cannot be negative, got {typed!r}; type it without "
            "the minus sign or brackets (£5,000), or put money saved on a savings line [value-money]") in result.output


def test_a_negative_saving_is_a_warning_naming_the_cell(make_form):
    from helpers import spoil, table_cell, where

    form = make_form()
    spoil(form, lambda wb: setattr(table_cell(wb, "finance_years", 3, "Recurring Savings"), "value", "(3,000)"))
    place = where(form, table_cell(load_workbook(form), "finance_years", 3, "Recurring Savings"))
    result = run("validate", form)
    assert result.exit_code == 0
    assert (f"{place}: warning: Recurring Savings 25/26: is -£3,000, a negative amount: a saving that is a loss; "
            "if it is money spent, type £3,000 on the investment line instead, else type it without the minus "
            "sign or brackets [money-negative]") in result.output
