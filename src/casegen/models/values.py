"""The values a lead types, as the documents write them: money, month-year dates, ratings, text.

Each type accepts what people type (`200000`, `£200,000`, `200,000.00`, `-`; an Excel date,
`Oct 2023`, `10/2023`, `TBC`) and keeps one canonical form. Errors are ValueErrors whose message
finishes the sentence "<field>: ..." for the reader's located report.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo

# The largest sum casegen believes a council project could mean: larger is a typing slip.
MONEY_LIMIT = Decimal("10000000000")
NONE_WORDS = {"", "-", "–", "—", "none", "nil", "n/a", "na", "£ n/a", "£n/a"}
DEFAULT_DATE_WORDS = ("TBC", "Ongoing", "N/A")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class FormKind:
    """Tells the form writer how to present a value: its cell format, check and dropdown."""

    kind: str
    choices: str = ""  # name of a vocabulary list in the programme configuration


def illegal_characters(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in _XML_ILLEGAL.findall(text)})


def strip_illegal(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueError(f"must be text, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    bad = illegal_characters(text)
    if bad:
        raise ValueError(f"contains characters a Word document cannot hold ({', '.join(bad)}); delete them")
    return text


def parse_money(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, (date, datetime)):
        raise ValueError(f"must be an amount in pounds such as 200000 or £200,000, got {value!r}")
    if isinstance(value, (int, float, Decimal)):
        amount = Decimal(str(value))
    else:
        text = str(value).strip()
        if text.lower() in NONE_WORDS:
            return None
        cleaned = text.replace("£", "").replace(",", "").replace(" ", "").lower()
        negative = cleaned.startswith("(") and cleaned.endswith(")")
        cleaned = cleaned.strip("()")
        scale = Decimal(1)
        if cleaned.endswith("k"):
            scale, cleaned = Decimal(1000), cleaned[:-1]
        elif cleaned.endswith("m"):
            scale, cleaned = Decimal(1000000), cleaned[:-1]
        if not re.fullmatch(r"[-+]?\d+(\.\d+)?", cleaned):
            raise ValueError(f"must be an amount in pounds such as 200000 or £200,000, got {text!r}")
        amount = Decimal(cleaned) * scale
        if negative:  # accountants write a negative amount in brackets: (5,000), and so (-5,000)
            amount = -abs(amount)
    if not amount.is_finite():
        raise ValueError(f"must be an amount in pounds, got {value!r}")
    if abs(amount) > MONEY_LIMIT:
        raise ValueError(f"£{amount:,.0f} is more than £{MONEY_LIMIT:,.0f}; check the number of digits")
    return amount.quantize(Decimal("0.01"))


def _excel_serial(number: float) -> date:
    if not 1 <= number < 2958466:
        raise ValueError(f"must be a month and year such as Oct 2023, got {number!r}")
    return date(1899, 12, 30) + timedelta(days=int(number))


def _month_year(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.year}"


def _parse_date_text(text: str) -> date | None:
    """A month-year from the ways people write one; None if it is not a date at all."""
    t = text.strip().rstrip(".")
    m = re.fullmatch(r"([A-Za-z]+)[\s\-/,']*(\d{2}|\d{4})", t)
    if m:
        word, year = m.group(1)[:3].title(), int(m.group(2))
        if word in MONTHS:
            return date(year + 2000 if year < 100 else year, MONTHS.index(word) + 1, 1)
    m = re.fullmatch(r"(\d{1,2})\s*[A-Za-z]*\s+([A-Za-z]+)\s+(\d{4})", t)  # 1st October 2023
    if m and m.group(2)[:3].title() in MONTHS:
        return date(int(m.group(3)), MONTHS.index(m.group(2)[:3].title()) + 1, int(m.group(1)))
    m = re.fullmatch(r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})", t)  # UK day/month/year
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", t)  # ISO
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    m = re.fullmatch(r"(\d{1,2})[/\-.](\d{4})", t)  # month/year
    if m:
        return date(int(m.group(2)), int(m.group(1)), 1)
    return None


def parse_when(value: Any, info: ValidationInfo | None = None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _month_year(value.date())
    if isinstance(value, date):
        return _month_year(value)
    if isinstance(value, bool):
        raise ValueError(f"must be a month and year such as Oct 2023, got {value!r}")
    if isinstance(value, (int, float)):
        return _month_year(_excel_serial(value))
    text = str(value).strip()
    if text in ("", "-", "–"):
        return None
    words = DEFAULT_DATE_WORDS
    if info is not None and info.context and info.context.get("programme") is not None:
        words = info.context["programme"].date_words
    for word in words:
        if text.lower() == word.lower():
            return word
    try:
        parsed = _parse_date_text(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date; write a month and year such as Oct 2023") from None
    if parsed is None:
        raise ValueError(
            f"must be a month and year such as Oct 2023, or one of {', '.join(words)}; got {text!r}"
        )
    if not 1990 <= parsed.year <= 2100:
        raise ValueError(f"the year {parsed.year} is out of range; write a month and year such as Oct 2023")
    return _month_year(parsed)


def when_as_date(value: str | None) -> date | None:
    """The first day of a canonical month-year, or None for a word such as TBC."""
    if not value:
        return None
    parts = value.split()
    if len(parts) == 2 and parts[0] in MONTHS and parts[1].isdigit():
        return date(int(parts[1]), MONTHS.index(parts[0]) + 1, 1)
    return None


def parse_rating(value: Any) -> int:
    problem = f"must be a whole number from 1 to 5, got {value!r}"
    if isinstance(value, bool) or value is None:
        raise ValueError(problem)
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"\d+(\.0+)?", value):
            raise ValueError(problem)
        value = float(value)
    if isinstance(value, (float, Decimal)):
        if not math.isfinite(value) or not float(value).is_integer():
            raise ValueError(problem)
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= 5:
        raise ValueError(problem)
    return value


def parse_count(value: Any) -> int:
    problem = f"must be a whole number, got {value!r}"
    if isinstance(value, bool) or value is None:
        raise ValueError(problem)
    if isinstance(value, str):
        value = value.replace(",", "").strip()
        if not re.fullmatch(r"-?\d+(\.0+)?", value):
            raise ValueError(problem)
        value = float(value)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(problem)
        value = int(value)
    if not 0 <= value <= 10**9:
        raise ValueError(f"must be a whole number from 0 to 1,000,000,000, got {value!r}")
    return value


def parse_level(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1
    try:
        level = parse_rating(value)
    except ValueError:
        level = 0
    if level not in (1, 2):
        raise ValueError(f"must be 1 (a bullet) or 2 (a bullet under the one above), got {value!r}")
    return level


def parse_yes_no(value: Any) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "y", "true", "x"):
        return True
    if text in ("no", "n", "false"):
        return False
    raise ValueError(f"must be Yes or No, got {value!r}")


Text = Annotated[str, BeforeValidator(_text), FormKind("text")]
LongText = Annotated[str, BeforeValidator(_text), FormKind("longtext")]
Money = Annotated[Decimal | None, BeforeValidator(parse_money), FormKind("money")]
When = Annotated[str | None, BeforeValidator(parse_when), FormKind("when")]
Rating = Annotated[int, BeforeValidator(parse_rating), FormKind("rating")]
Count = Annotated[int, BeforeValidator(parse_count), FormKind("count")]
Level = Annotated[int, BeforeValidator(parse_level), FormKind("level")]
YesNo = Annotated[bool | None, BeforeValidator(parse_yes_no), FormKind("yesno")]


def Choice(vocabulary: str) -> Any:
    """Text that must be one of the programme configuration's list named `vocabulary`."""
    return Annotated[str, BeforeValidator(_text), FormKind("choice", vocabulary)]


def format_money(amount: Decimal | None, none: str = "-") -> str:
    if amount is None:
        return none
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    body = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{sign}£{body}"
