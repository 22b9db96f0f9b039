"""Values as people type them, and as the documents print them."""
from datetime import date, datetime
from decimal import Decimal

import pytest

from casegen.models.values import format_money, parse_money, parse_rating, parse_when, when_as_date


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
