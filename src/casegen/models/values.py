"""The values a lead types, as the documents write them: money, month-year dates, ratings, text.

Each type accepts what people type (`200000`, `£200,000`, `200,000.00`, `-`, `TBC`; an Excel date,
`Oct 2023`, `Sept. 2024`, `Q3 2024`, `Q1 24/25`) and keeps one canonical form. What could mean two
amounts ("£1,5m", "200.000,00") is refused, never guessed. Errors are ValueErrors whose message
finishes the sentence "<label>: ..." for the reader's located report.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo

# The largest sum casegen believes a council project could mean: larger is a typing slip.
MONEY_LIMIT = Decimal("10000000000")
NONE_WORDS = {"", "-", "–", "—", "none", "nil", "n/a", "na", "£ n/a", "£n/a", "£-", "£ -"}
# An amount not yet known (likeliest at Stage 0): kept apart from none, and printed as typed.
TBC = "TBC"
TBC_WORDS = {"tbc", "tbd", "to be confirmed", "£tbc", "£ tbc"}
GATE_WORDS = ("Completed",)  # a gate already passed has no target date
DEFAULT_DATE_WORDS = ("TBC", "Ongoing", "N/A")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december"]
# Characters a person cannot see in a cell, named as a person would name them.
HIDDEN = {"\xa0": "a non-breaking space", "\t": "a tab", "\n": "a line break", "\r": "a line break",
          "\x0b": "a line break", "\u200b": "a zero-width space", "\u202f": "a narrow non-breaking space",
          "\u2007": "a figure space", "\ufeff": "an invisible byte-order mark", "\u00ad": "a soft hyphen"}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class FormKind:
    """Tells the form writer how to present a value: its cell format, check and dropdown."""

    kind: str
    choices: str = ""  # name of a vocabulary list in the programme configuration


def shown(value: Any) -> str:
    """A value quoted for a message, its hidden characters named, never a Python escape ('£250\\xa0000')."""
    if not isinstance(value, str):
        return repr(value)
    hidden = list(dict.fromkeys(HIDDEN[c] for c in value if c in HIDDEN))
    visible = "".join(" " if c in HIDDEN else c for c in value)
    quoted = f"'{visible}'"
    if not hidden:
        return quoted
    names = hidden[0] if len(hidden) == 1 else ", ".join(hidden[:-1]) + " and " + hidden[-1]
    return f"{quoted} (it contains {names})"


def line_breaks(text: str) -> str:
    """Word's line break pasted into a cell (a vertical tab, saved as _x000B_) is a line break, not glue."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")


def illegal_characters(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in _XML_ILLEGAL.findall(text)})


def strip_illegal(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueError(f"must be text, got {shown(value)}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = line_breaks(str(value)).strip()
    bad = illegal_characters(text)
    if bad:
        raise ValueError(f"contains characters a Word document cannot hold ({', '.join(bad)}); delete them")
    return text


# A list marker typed at the start of a line: a bullet sign, or a number or letter ("1.", "1)", "a)",
# "(i)"), then a space. The space is what tells a marker from a minus ("-5000") or a hyphen ("e-mail").
MARKER = re.compile(r"(?P<indent>[ \t\xa0]*)(?P<mark>[-–—•*·o▪◦‣⁃●○■➢►]|\d{1,2}[.)]|[A-Za-z]\)"
                    r"|\((?:\d{1,2}|[A-Za-z]|[ivxIVX]{1,5})\))[ \t\xa0]+(?=\S)")
SECOND_LEVEL_MARKS = "o◦▪"  # Word's own second- and third-level bullets: a bullet under the one above
DASHES = ("-", "–", "—")  # alone on a line: the "none" the documents print for an empty cell


def unmarked(line: str) -> tuple[str, bool]:
    """A line without its typed list marker, and whether the marker is a nested one (indented, or o)."""
    m = MARKER.match(line)
    if not m:
        return ("" if line.strip() in DASHES else line), False
    nested = bool(m.group("indent")) or m.group("mark") in SECOND_LEVEL_MARKS
    return line[m.end():], nested


def _unmarked_lines(text: str) -> str:
    """Every line of a cell without its typed marker (the document draws its own bullets)."""
    return "\n".join(unmarked(line)[0] for line in text.split("\n")).strip()


class TextBlock(BaseModel):
    """A paragraph of a text cell (level 0: its lines, blank lines and all), or a bullet typed in it (level 1, or 2
    for a bullet under the one above)."""

    model_config = ConfigDict(frozen=True)
    text: str
    level: int = 0

    @property
    def line(self) -> str:
        """The block as the text cell holds it: a bullet with the marker casegen writes, "- " (level 2: indented)."""
        return ("  - " if self.level == 2 else "- " if self.level == 1 else "") + self.text


def text_blocks(text: str) -> list[TextBlock]:
    """A text cell as the document prints it: the lines typed with a list marker ("- ", "• ", "1. ", "a) ", "(i) ";
    indented, or "o ", for a bullet under the one above) are bullets, the lines between them paragraphs."""
    out: list[TextBlock] = []
    plain: list[str] = []

    def paragraph() -> None:
        if "\n".join(plain).strip():
            out.append(TextBlock(text="\n".join(plain).strip()))
        plain.clear()

    for line in (text or "").split("\n"):
        if MARKER.match(line):
            paragraph()
            words, nested = unmarked(line)
            out.append(TextBlock(text=words.strip(), level=2 if nested else 1))
        else:
            plain.append(unmarked(line)[0])  # a "-" alone on a line is the documents' "none", not text
    paragraph()
    return out


def joined(blocks: list[TextBlock]) -> str:
    """Blocks back into a text cell: a blank line between two paragraphs, a line break next to a bullet."""
    text = ""
    for i, block in enumerate(blocks):
        if i:
            text += "\n\n" if not block.level and not blocks[i - 1].level else "\n"
        text += block.line
    return text


def _long_text(value: Any) -> str:
    """A text cell, its typed bullets written the one way casegen writes them (so a form, its document and the
    document imported back hold the same text)."""
    return joined(text_blocks(_text(value)))


def _prose_text(value: Any) -> str:
    return _unmarked_lines(_text(value))


def _short_text(value: Any) -> str:
    """A one-line field keeps what it starts with ("- " may be meant); a multi-line one is a list of lines."""
    text = _text(value)
    return _unmarked_lines(text) if "\n" in text else text


def _list_text(value: Any) -> str:
    """A list row's text: a marker the lead typed before it is the document's bullet, not a word of it."""
    text = _text(value)
    return _unmarked_lines(text)


MONEY_EXAMPLE = "such as 200000 or £200,000"
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")  # 1,234,567.89: commas between thousands only
_PLAIN = re.compile(r"\d+(\.\d+)?")


def parse_money(value: Any) -> Decimal | str | None:
    """An amount in pounds, TBC (not yet known) or None (none): never a guess at what was meant."""
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, (date, datetime)):
        raise ValueError(f"must be an amount in pounds {MONEY_EXAMPLE}, got {shown(value)}")
    if isinstance(value, (int, float, Decimal)):
        amount = Decimal(str(value))
    else:
        parsed = _money_text(str(value))
        if not isinstance(parsed, Decimal):  # None, or TBC
            return parsed
        amount = parsed
    if not amount.is_finite():
        raise ValueError(f"must be an amount in pounds, got {shown(value)}")
    if abs(amount) > MONEY_LIMIT:
        raise ValueError(f"{format_money(amount)} is more than {format_money(MONEY_LIMIT)}; check the number of digits")
    return amount.quantize(Decimal("0.01"))


def parse_cost(value: Any) -> Decimal | str | None:
    """Money spent (an investment): an amount as parse_money reads it, never negative, since net savings
    subtract it and a negative one would add to them."""
    amount = parse_money(value)
    if isinstance(amount, Decimal) and amount < 0:
        raise ValueError(f"is money spent, so it cannot be negative, got {shown(value)}; type it without the "
                         f"minus sign or brackets ({format_money(-amount)}), or put money saved on a savings line")
    return amount


def _money_text(typed: str) -> Decimal | str | None:
    text = typed.strip()
    if text.lower() in NONE_WORDS:
        return None
    if text.lower() in TBC_WORDS:
        return TBC
    cleaned = re.sub(r"[£\s\xa0\u202f\u2007]", "", text).lower()
    negative = cleaned.startswith("(") and cleaned.endswith(")")  # accountants write -5,000 as (5,000)
    cleaned = cleaned.strip("()")
    sign = -1 if cleaned.startswith("-") or negative else 1
    cleaned = cleaned.lstrip("+-")
    scale, number = Decimal(1), cleaned
    if number[-1:] in ("k", "m"):
        scale, number = Decimal(1000 if number[-1] == "k" else 1000000), number[:-1]
    unit = cleaned[-1:] if scale != 1 else ""
    # 200.000 is pounds and pence to some, two hundred thousand to others
    plain = _PLAIN.fullmatch(number) and not re.fullmatch(r"\d{1,3}\.\d{3}", number)
    if not (plain or _GROUPED.fullmatch(number)):
        raise ValueError(_ambiguous(text, number, unit)
                         or f"must be an amount in pounds {MONEY_EXAMPLE}, got {shown(typed)}")
    return sign * Decimal(number.replace(",", "")) * scale


def _ambiguous(text: str, number: str, unit: str) -> str:
    """What casegen will not guess about an amount with commas or points in odd places, and how to type it;
    "" if the text is not that sort of number at all."""
    if not re.fullmatch(r"[\d.,]+", number) or not re.search(r"\d", number):
        return ""
    quoted = shown(text)
    if unit and re.fullmatch(r"\d+,\d+", number):  # £1,5m
        point, slip = number.replace(",", "."), number.replace(",", "")
        return (f"{quoted} could be £{point}{unit} or £{slip}{unit}; casegen will not guess: "
                f"type {_full(point, unit)} or £{point}{unit}")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d{1,2}", number):  # 200.000,00
        point = number.replace(".", "").replace(",", ".")
        return (f"{quoted} looks like £{_pretty(point)} written with points between thousands and a comma "
                f"before the pence; casegen will not guess: type {point} or £{_pretty(point)}")
    if re.fullmatch(r"\d+,\d{1,2}", number):  # 1,5
        point, slip = number.replace(",", "."), number.replace(",", "")
        return (f"{quoted} could be £{_pretty(point)} (a comma before the pence) or £{_pretty(slip)}; "
                f"casegen will not guess: type {point} or {slip}")
    if re.fullmatch(r"\d{1,3}\.\d{3}", number):  # 200.000
        thousands = number.replace(".", "")
        return (f"{quoted} could be £{_pretty(thousands)} (a point between thousands) or £{_pretty(number)}; "
                f"casegen will not guess: type {thousands} or {Decimal(number).normalize():f}")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", number):  # 1.500.000
        thousands = number.replace(".", "")
        return (f"{quoted} looks like £{_pretty(thousands)} written with points between thousands; "
                f"casegen will not guess: type {thousands} or £{_pretty(thousands)}")
    if "," not in number:
        return ""
    digits = number.split(".")[0].replace(",", "")
    return (f"{quoted} has commas that do not mark thousands, so it could be a slip; casegen will not guess: "
            f"if you meant £{_pretty(digits)}{unit}, type {digits}{unit} or £{_pretty(digits)}{unit}")


def _full(point: str, unit: str) -> str:
    return f"{Decimal(point) * (1000 if unit == 'k' else 1000000):f}".split(".")[0]


def _pretty(number: str) -> str:
    try:
        return format_money(Decimal(number)).lstrip("£")
    except InvalidOperation:
        return number


def _excel_serial(number: float) -> date:
    if not 1 <= number < 2958466:
        raise ValueError(f"must be a month and year such as Oct 2023, got {number!r}")
    return date(1899, 12, 30) + timedelta(days=int(number))


def _month_year(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.year}"


def _month(word: str) -> int | None:
    """1 to 12 for a month's name or its abbreviation with or without a dot (Sep, Sept., September)."""
    word = word.rstrip(".").lower()
    for i, name in enumerate(MONTH_NAMES):
        if len(word) >= 3 and name.startswith(word):
            return i + 1
    return None


def _parse_date_text(text: str) -> date | None:
    """A month-year from the ways people write one; None if it is not a date at all."""
    t = text.strip().rstrip(".")
    m = re.fullmatch(r"([A-Za-z]+\.?)[\s\-/,'.]*(\d{2}|\d{4})", t)
    if m and (month := _month(m.group(1))):
        year = int(m.group(2))
        return date(year + 2000 if year < 100 else year, month, 1)
    m = re.fullmatch(r"(\d{1,2})\s*[A-Za-z]*\s+([A-Za-z]+\.?)\s+(\d{4})", t)  # 1st October 2023
    if m and (month := _month(m.group(2))):
        return date(int(m.group(3)), month, int(m.group(1)))
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


def _financial_year(first: str, second: str) -> str | None:
    """24/25 from 24/25 or 2024/25 (a financial year runs April to March); None if the years do not follow."""
    start = int(first) % 100
    return f"{start:02d}/{int(second):02d}" if (start + 1) % 100 == int(second) else None


def _period(text: str, years: bool) -> str | None:
    """A quarter (Q3 2024), a financial-year quarter (Q1 24/25) and, where `years`, a year (2025) or a
    financial year (24/25), each as the documents print it; None if the text is none of these."""
    t = text.strip().rstrip(".").upper()
    m = re.fullmatch(r"Q([1-4])[\s\-,]*(?:FY\s*)?(\d{4}|\d{2})\s*/\s*(\d{2})", t)
    if m and _financial_year(m.group(2), m.group(3)):
        return f"Q{m.group(1)} {_financial_year(m.group(2), m.group(3))}"
    m = re.fullmatch(r"Q([1-4])[\s\-,/]*(\d{4})", t)
    if m:
        return f"Q{m.group(1)} {m.group(2)}"
    m = re.fullmatch(r"(\d{4})[\s\-,/]*Q([1-4])", t)
    if m:
        return f"Q{m.group(2)} {m.group(1)}"
    if years:
        if re.fullmatch(r"\d{4}", t):
            return t
        m = re.fullmatch(r"(?:FY\s*)?(\d{4}|\d{2})\s*/\s*(\d{2})", t)
        if m and _financial_year(m.group(1), m.group(2)):
            return _financial_year(m.group(1), m.group(2))
    return None


def _date_words(info: ValidationInfo | None) -> tuple[str, ...]:
    if info is not None and info.context and info.context.get("programme") is not None:
        return tuple(info.context["programme"].date_words)
    return DEFAULT_DATE_WORDS


def parse_when(value: Any, info: ValidationInfo | None = None, words: tuple[str, ...] = (),
               years: bool = False) -> str | None:
    """A month and year (Oct 2023), a quarter, or a word (TBC); `words` adds words (Completed) and
    `years` a bare year or financial year, for the fields that may hold them."""
    example = "a month and year such as Oct 2023" + (", a year such as 2025" if years else "")
    if value is None:
        return None
    if isinstance(value, datetime):
        return _month_year(value.date())
    if isinstance(value, date):
        return _month_year(value)
    if isinstance(value, bool):
        raise ValueError(f"must be {example}, got {value!r}")
    if isinstance(value, (int, float)):
        if 1990 <= value <= 2100 and float(value).is_integer():  # a year typed as a number, not a serial date
            if years:
                return str(int(value))
            raise ValueError(f"{int(value)} is a year without a month; write a month and year such as Oct {int(value)}")
        return _month_year(_excel_serial(value))
    text = str(value).strip()
    if text in ("", "-", "–"):
        return None
    words = _date_words(info) + tuple(words)
    for word in words:
        if text.lower() == word.lower():
            return word
    period = _period(text, years)
    if period:
        return period
    if re.fullmatch(r"\d{4}", text):
        raise ValueError(f"{text} is a year without a month; write a month and year such as Oct {text}")
    if text.lower() in (w.lower() for w in GATE_WORDS):
        raise ValueError(f"{shown(text)} is for a stage gate already passed; here write {example}, or TBC")
    try:
        parsed = _parse_date_text(text)
    except ValueError:
        raise ValueError(f"{shown(text)} is not a real date; write {example}") from None
    if parsed is None:
        raise ValueError(f"must be {example}, a quarter such as Q3 2024 or Q1 24/25, or one of "
                         f"{', '.join(words)}; got {shown(text)}")
    if not 1990 <= parsed.year <= 2100:
        raise ValueError(f"the year {parsed.year} is out of range; write {example}")
    return _month_year(parsed)


def parse_gate_when(value: Any, info: ValidationInfo | None = None) -> str | None:
    """A gate's date may also be Completed: a gate already passed has no target date."""
    return parse_when(value, info, words=GATE_WORDS)


def parse_year_when(value: Any, info: ValidationInfo | None = None) -> str | None:
    """When a benefit is realised may be just a year (2025) or a financial year (24/25)."""
    return parse_when(value, info, years=True)


def when_as_date(value: str | None, end: bool = False) -> date | None:
    """The first day of the month, quarter or year a canonical date names (its last month's first day
    if `end`), or None for a word such as TBC or Completed."""
    if not value:
        return None
    parts = value.split()
    if len(parts) == 2 and parts[0] in MONTHS and parts[1].isdigit():
        return date(int(parts[1]), MONTHS.index(parts[0]) + 1, 1)
    first_month, year = _span(value)
    if year is None:
        return None
    month = first_month + (2 if parts[0].startswith("Q") else 11) * end
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _span(value: str) -> tuple[int, int | None]:
    """(first month, year) of a quarter, a financial year or a year; (0, None) for anything else."""
    m = re.fullmatch(r"Q([1-4]) (\d{2})/\d{2}", value)  # financial quarters count from April
    if m:
        return 4 + 3 * (int(m.group(1)) - 1), 2000 + int(m.group(2))
    m = re.fullmatch(r"Q([1-4]) (\d{4})", value)
    if m:
        return 1 + 3 * (int(m.group(1)) - 1), int(m.group(2))
    if re.fullmatch(r"\d{2}/\d{2}", value):
        return 4, 2000 + int(value[:2])
    if re.fullmatch(r"\d{4}", value):
        return 1, int(value)
    return 0, None


def parse_rating(value: Any) -> int:
    problem = f"must be a whole number from 1 to 5, got {shown(value)}"
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
    problem = f"must be a whole number, got {shown(value)}"
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
        raise ValueError(f"must be a whole number from 0 to 1,000,000,000, got {shown(value)}")
    return value


def parse_level(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1
    try:
        level = parse_rating(value)
    except ValueError:
        level = 0
    if level not in (1, 2):
        raise ValueError(f"must be 1 (a bullet) or 2 (a bullet under the one above), got {shown(value)}")
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
    raise ValueError(f"must be Yes or No, got {shown(value)}")


Text = Annotated[str, BeforeValidator(_short_text), FormKind("text")]
LongText = Annotated[str, BeforeValidator(_long_text), FormKind("longtext")]  # typed bullets print as bullets
# A long text printed where bullets would read as another list's (the brief's personal data, before its items) or
# after a label ("Note: …"): its typed markers are read off, as a list's row's are.
ProseText = Annotated[str, BeforeValidator(_prose_text), FormKind("longtext")]
ListText = Annotated[str, BeforeValidator(_list_text), FormKind("text")]  # the text of a list's row
Money = Annotated[Decimal | Literal["TBC"] | None, BeforeValidator(parse_money), FormKind("money")]
Cost = Annotated[Decimal | Literal["TBC"] | None, BeforeValidator(parse_cost), FormKind("money")]  # never negative
When = Annotated[str | None, BeforeValidator(parse_when), FormKind("when")]
GateWhen = Annotated[str | None, BeforeValidator(parse_gate_when), FormKind("when")]
YearWhen = Annotated[str | None, BeforeValidator(parse_year_when), FormKind("when")]
Rating = Annotated[int, BeforeValidator(parse_rating), FormKind("rating")]
Count = Annotated[int, BeforeValidator(parse_count), FormKind("count")]
Level = Annotated[int, BeforeValidator(parse_level), FormKind("level")]
YesNo = Annotated[bool | None, BeforeValidator(parse_yes_no), FormKind("yesno")]


def loose(text: str) -> str:
    """Lower-case words and numbers only, as people retype a label or a choice: "Stage 0- Opportunity
    Identified" and "stage 0: opportunity identified" are the same."""
    text = text.casefold().replace("&", " and ").replace("’", "'")
    return " ".join(re.findall(r"[a-z0-9£]+", text))


def choose(value: str, allowed) -> str | None:
    """The one of `allowed` that `value` is, matched exactly, then loosely, then by one side of a choice's colon
    ("Stage 4" or "implementation" for "Stage 4: Implementation", as a lead types it) where only one choice has
    that side; None if none is."""
    if value in allowed:
        return value
    key = loose(value)
    if not key:
        return None
    found = next((a for a in allowed if loose(a) == key), None)
    if found is not None:
        return found
    sides = [a for a in allowed if ":" in a and key in map(loose, a.split(":", 1))]
    return sides[0] if len(sides) == 1 else None


Chosen = Annotated[str, BeforeValidator(_text)]  # text that must be one of a vocabulary: Annotated[Chosen, Choice(...)]


def Choice(vocabulary: str) -> FormKind:
    """Marks a `Chosen` field: one of the programme configuration's list named `vocabulary` (its dropdown)."""
    return FormKind("choice", vocabulary)


Amount = Decimal | str | None  # a money field's value: an amount, TBC (not yet known) or None (none)


@dataclass(frozen=True)
class Total:
    """A sum over amounts some of which may be TBC: the part known so far, and whether any part is TBC.

    A total over a TBC amount is TBC (a board reading £200,000 beside a year marked TBC would take it
    for the whole figure); the known part is kept for the tracker, whose sheets must still add up.
    """

    known: Decimal | None = None  # None: no part has a figure
    tbc: bool = False

    @classmethod
    def of(cls, amounts) -> Total:
        known, tbc = None, False
        for a in amounts:
            part = a if isinstance(a, Total) else cls(None, True) if is_tbc(a) else cls(a)
            tbc = tbc or part.tbc
            if part.known is not None:
                known = (Decimal("0.00") if known is None else known) + part.known
        return cls(known, tbc)

    def __add__(self, other) -> Total:
        return Total.of([self, other])

    def __sub__(self, other) -> Total:
        other = other if isinstance(other, Total) else Total.of([other])
        return Total.of([self, Total(None if other.known is None else -other.known, other.tbc)])

    @property
    def amount(self) -> Amount:
        """As a money field holds it: TBC if any part is TBC, None if no part has a figure."""
        return TBC if self.tbc else self.known

    @property
    def known_part(self) -> Decimal:
        return self.known if self.known is not None else Decimal(0)


def is_tbc(amount: Any) -> bool:
    return isinstance(amount, str) and amount == TBC


def format_money(amount: Amount | Total | int | float, none: str = "-") -> str:
    """The one way casegen prints money: £200,000, -£5,000, £1,234.50; TBC; `none` for no amount.

    A Total over a TBC amount prints as TBC with the part known so far beside it.
    """
    if isinstance(amount, Total):
        if not amount.tbc:
            return format_money(amount.known, none)
        return f"TBC ({format_money(amount.known)} known)" if amount.known else TBC
    if amount is None:
        return none
    if isinstance(amount, str):
        if amount.strip().upper() == TBC:
            return TBC
        try:
            amount = Decimal(amount)
        except InvalidOperation:
            return str(amount)  # not an amount at all: shown as it is (still the text: Decimal() failed)
    amount = Decimal(str(amount)) if isinstance(amount, (int, float)) else amount
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    body = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{sign}£{body}"


def known(amount: Amount) -> Decimal:
    """An amount as a number for comparisons: none and TBC count as nothing."""
    return amount if isinstance(amount, Decimal) else Decimal(0)
