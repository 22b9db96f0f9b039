"""Hypothesis strategies for whole cases, drawn from the models (no tests of their own).

`cases(kind, programme)` walks the Pydantic fields of the kind's model: each field's kind of value
(models/values.py FormKind: text, money, a date, a choice from the programme ...) gives its strategy,
each list of items a list of them (empty, up to the form's blank rows and beyond), each section its
fields. A field added to a model is covered without an edit here. Values are drawn as a lead types
them (`£1,250`, `(5,000)`, `TBC`, `Sept. 2024`, `Q1 24/25`, "- a typed bullet"), in English, Welsh,
Polish and Urdu, with quotes, ampersands and angle brackets; `valid` then mends what the programme's
rules (`casegen rules`) would refuse, so every case drawn is one `validate` passes without an error.
"""
from __future__ import annotations

import typing

from hypothesis import strategies as st
from pydantic import BaseModel

from casegen.intake.form import BLANK_ROWS
from casegen.models import KINDS
from casegen.models.base import form_kind
from casegen.models.values import MONTH_NAMES, MONTHS, parse_gate_when, parse_when, parse_year_when, when_as_date
from casegen.rules.project import INITIATION_STAGE, placeholder

LIST_MAX = BLANK_ROWS + 3  # the rows a new form offers, and beyond them
WORDS = [
    # English, with what Word and XML treat specially
    "Housing", "repairs", "review", "all", "contracts", "R&D", "A&E", "<pilot>", "x < y", "a > b", "&amp;",
    '"phase 2"', "it's", "O'Neill", "“quoted”", "‘single’", "café", "50%", "£5k", "{{ x }}", "{% if %}", "#1",
    # Welsh, Polish, Urdu
    "dŵr", "ŷd", "Llŷn", "Caerdydd", "gwasanaeth", "Zażółć", "gęślą", "jaźń", "Łódź", "Świętokrzyskie",
    "اردو", "میں", "خوش", "آمدید", "کونسل",
    # what a workbook's own escapes and Word's spaces could change on the way: typed as text, back as typed
    "Budget_x0020_2025", "C:\\Data\\_x0041_", "Jane_x000D_Smith", "£200\u00a0000", "no\u00a0break",
]
MARKERS = ["- ", "– ", "• ", "* ", "· ", "o ", "1. ", "2) ", "a) "]  # typed at the start of a list row or line
YEARS = st.integers(2019, 2031)


def text(required: bool = True) -> st.SearchStrategy[str]:
    words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
    return words if required else st.one_of(st.just(""), words)


def long_text(required: bool = True) -> st.SearchStrategy[str]:
    line = st.tuples(st.sampled_from(["", "", *MARKERS]), text()).map("".join)
    lines = st.lists(line, min_size=1, max_size=4).map("\n".join)
    return lines if required else st.one_of(st.just(""), lines)


def bullet_text() -> st.SearchStrategy[str]:
    """A list row's text, sometimes with the marker a lead types out of habit."""
    return st.tuples(st.sampled_from(["", "", "", *MARKERS]), text()).map("".join)


def money() -> st.SearchStrategy:
    """An amount in pounds as typed: none, TBC, zero, negative, whole or with pence, with £ and commas."""
    pounds = st.decimals(min_value=-10**7, max_value=10**8, places=2, allow_nan=False, allow_infinity=False)
    typed = pounds.flatmap(lambda d: st.sampled_from([
        str(d), f"£{d:,.2f}", f"{d:,.0f}" if d == d.to_integral_value() else f"{d:,.2f}",
        f"({abs(d):,.2f})" if d < 0 else f"£{d:,.2f}"]))
    return st.one_of(st.none(), st.sampled_from(["TBC", "tbc", "-", "", "0", "£0", "£630k", "(5,000)", "-5000"]),
                     typed)


def month_year() -> st.SearchStrategy[str]:
    """A month and year in each way it may be typed."""
    return st.tuples(st.integers(1, 12), YEARS).flatmap(lambda my: st.sampled_from([
        f"{MONTHS[my[0] - 1]} {my[1]}", f"{MONTH_NAMES[my[0] - 1].title()} {my[1]}", f"{my[0]}/{my[1]}",
        f"{my[0]:02d}/{my[1]}", f"{MONTHS[my[0] - 1]}-{my[1] % 100:02d}", f"{my[1]}-{my[0]:02d}",
        f"1/{my[0]}/{my[1]}", "Sept. 2024", f"{MONTHS[my[0] - 1]}. {my[1]}"]))


def when(words: tuple[str, ...] = (), years: bool = False) -> st.SearchStrategy:
    quarter = st.tuples(st.integers(1, 4), YEARS).flatmap(lambda qy: st.sampled_from([
        f"Q{qy[0]} {qy[1]}", f"Q{qy[0]} {qy[1] % 100:02d}/{(qy[1] + 1) % 100:02d}", f"{qy[1]} Q{qy[0]}"]))
    extra = [st.sampled_from(["TBC", "Ongoing", "N/A", "tbc", *words]), st.none()]
    if years:
        extra.append(YEARS.flatmap(lambda y: st.sampled_from([str(y), f"{y % 100:02d}/{(y + 1) % 100:02d}"])))
    return st.one_of(month_year(), quarter, *extra)


def _when_for(info) -> st.SearchStrategy:
    parsers = [getattr(m, "func", None) for m in info.metadata]
    if parse_gate_when in parsers:
        return when(("Completed",))
    if parse_year_when in parsers:
        return when(years=True)
    return when()


def _accepted(info):
    """Whether the field's own parsers take a value (an investment, say, is money that is never negative)."""
    parsers = [m.func for m in info.metadata if callable(getattr(m, "func", None))]

    def accepts(typed) -> bool:
        try:
            for parse in parsers:
                parse(typed)
        except ValueError:
            return False
        return True

    return accepts


def value(name: str, info, programme) -> st.SearchStrategy:
    """The strategy of one field that holds a value (not a list or a section), from its kind and parsers."""
    return _drawn(name, info, programme).filter(_accepted(info))


def _drawn(name: str, info, programme) -> st.SearchStrategy:
    kind = form_kind(info)
    required = info.is_required()
    what = kind.kind if kind else "text"
    if what == "choice":
        choices = st.sampled_from(getattr(programme, kind.choices))
        return choices if required else st.one_of(st.just(""), choices)
    if what == "text" and name == "text":
        return bullet_text()
    strategies = {
        "text": lambda: text(required), "longtext": lambda: long_text(required), "money": money,
        "when": lambda: _when_for(info), "rating": lambda: st.one_of(st.integers(1, 5), st.sampled_from(["3", "5"])),
        "count": lambda: st.one_of(st.integers(0, 10**6), st.just(10**9)), "level": lambda: st.sampled_from([1, 2]),
        "yesno": lambda: st.sampled_from([True, False, None, "Yes", "no"]),
        "mark": lambda: st.sampled_from([True, False, "X", ""]),
    }
    return strategies[what]()


def _item(annotation) -> type[BaseModel] | None:
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return item if isinstance(item, type) and issubclass(item, BaseModel) else None
    return None


def model(cls: type[BaseModel], programme) -> st.SearchStrategy[dict]:
    """A dict of `cls`'s fields: required ones always, optional ones sometimes (else their default)."""
    required, optional = {}, {}
    for name, info in cls.model_fields.items():
        if typing.get_origin(info.annotation) is typing.Literal:
            required[name] = st.just(typing.get_args(info.annotation)[0])
            continue
        item = _item(info.annotation)
        if item is not None:
            strategy = st.lists(model(item, programme), max_size=LIST_MAX)
        elif isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            strategy = model(info.annotation, programme)
        else:
            strategy = value(name, info, programme)
        (required if info.is_required() else optional)[name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


def cases(kind: str, programme) -> st.SearchStrategy[dict]:
    """Valid cases of `kind` as a lead would type them, as JSON for `casegen new KIND --data`."""
    return model(KINDS[kind], programme).map(lambda data: valid(kind, data, programme))


# --- mending a drawn case so that the programme's rules pass ----------------------------------------

def _date(typed, parser, end: bool = False):
    try:
        return when_as_date(parser(typed), end=end)
    except ValueError:
        return None


def _in_order(rows: list[dict], key: str, order, parser) -> None:
    """The dated `key`s of `rows`, reassigned so that they run in `order` of the rows (gate-order)."""
    dated = [i for i, r in enumerate(rows) if _date(r.get(key), parser)]
    dates = sorted((rows[i][key] for i in dated), key=lambda t: _date(t, parser))
    for i, typed in zip(sorted(dated, key=lambda i: (order(rows[i]), i)), dates, strict=True):
        rows[i][key] = typed


def _tracker_ready(data: dict, programme) -> None:
    """Past Stage 1 the tracker needs a budget code and a finance lead (and a BCL a direct team)."""
    project = data["project"]
    if (programme.stage_number(project.get("stage") or "") or 0) < INITIATION_STAGE:
        return
    for name, fill in (("budget_code", "CC-1234"), ("finance_lead", "Rhian Hughes")):
        if placeholder(project.get(name, "")):
            project[name] = fill
    if data["kind"] == "bcl":
        resources = data.setdefault("resources", {})
        if placeholder(resources.get("direct_team", "")):
            resources["direct_team"] = "Transformation team & ICT"


def _mend_bcl(data: dict, programme) -> None:
    table = data.get("position_table")
    if not (table or {}).get("rows"):
        # Without its rows the document prints no table: its headings are refused (position-table-empty,
        # test_property.test_an_empty_position_table_is_refused_or_kept), and the bullets after it follow those
        # before it, read back as one list.
        data.pop("position_table", None)
        data.pop("current_position_more", None)
    gates = {g: i for i, g in enumerate(programme.gates)}
    _in_order(data.get("gate_dates", []), "date", lambda r: gates.get(r["gate"], len(gates)), parse_gate_when)
    for d in data.get("deliverables", []):
        start, finish = _date(d.get("start"), parse_when), _date(d.get("finish"), parse_when, end=True)
        if start and finish and finish < start:
            d["start"], d["finish"] = d["finish"], d["start"]
            if _date(d["finish"], parse_when, end=True) < _date(d["start"], parse_when):
                d["finish"] = d["start"]  # Q3 2024 and Aug 2024 overlap either way round


def _mend_brief(data: dict, programme) -> None:
    raci = data.setdefault("raci", [])
    if not raci:
        raci.append({"who": "Project Sponsor: Siân Evans", "accountable": True})
    for row in raci:
        marks = ("responsible", "accountable", "consulted", "informed")
        if not any(row.get(m) not in (False, "", None) for m in marks):
            row["informed"] = True
    if not any(row.get("accountable") not in (False, "", None) for row in raci):
        raci[0]["accountable"] = "X"
    for dept in data.get("departments", []):
        involved = dept.get("involved") in (True, "Yes")
        if involved and not dept.get("level"):
            dept["level"] = programme.involvement_levels[0]
        elif not involved:
            dept["level"] = ""
    stages, seen = [], set()
    for stage in data.get("stages", []):
        if stage["name"].casefold() not in seen:
            seen.add(stage["name"].casefold())
            stages.append(stage)
    data["stages"] = stages
    items = data.get("stage_items", []) if stages else []
    for i, item in enumerate(items):
        item["stage"] = stages[i % len(stages)]["name"]
    for stage in stages[len(items):]:
        items.append({"stage": stage["name"], "text": "Plan agreed"})
    # Listed stage by stage, as the form asks: the document prints each stage's deliverables under it, so an
    # order interleaving the stages cannot come back from it (a limit of the format, said in the README).
    order = {stage["name"]: n for n, stage in enumerate(stages)}
    data["stage_items"] = sorted(items, key=lambda item: order[item["stage"]])


def _one_row_a_key(data: dict, cls: type[BaseModel]) -> None:
    """A table whose rows are named by a choice (the years, the gates) has each of its rows once: the
    document prints one row a year, and validate does not refuse a year typed twice (a gap, reported)."""
    for name, info in cls.model_fields.items():
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel) and isinstance(data.get(name), dict):
            _one_row_a_key(data[name], sub)
        elif _item(sub) is not None and data.get(name):
            key, first = next(iter(_item(sub).model_fields.items()))
            if getattr(form_kind(first), "kind", "") != "choice":
                continue
            rows = {}
            for row in data[name]:
                rows.setdefault(row[key], row)
            data[name] = list(rows.values())


def valid(kind: str, data: dict, programme) -> dict:
    """`data` mended where the programme's rules would refuse it (gates out of order, a RACI with no one
    Accountable ...): the rules are checked elsewhere; here every case must pass them."""
    _one_row_a_key(data, KINDS[kind])
    _tracker_ready(data, programme)
    (_mend_bcl if kind == "bcl" else _mend_brief)(data, programme)
    return data


def one_field(kind: str, programme) -> st.SearchStrategy[tuple[tuple, object]]:
    """A top-level value field of `kind` (a path and a new typed value) to change in a case."""
    fields = []
    for name, info in KINDS[kind].model_fields.items():
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            fields += [((name, n), i) for n, i in sub.model_fields.items()
                       if _item(i.annotation) is None and not (isinstance(i.annotation, type)
                                                               and issubclass(i.annotation, BaseModel))]
        elif _item(sub) is None and typing.get_origin(sub) is not typing.Literal:
            fields.append(((name,), info))
    return st.sampled_from(fields).flatmap(lambda f: value(f[0][-1], f[1], programme).map(lambda v: (f[0], v)))

