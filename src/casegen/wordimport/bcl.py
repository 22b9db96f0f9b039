"""A Business Case Lite typed by hand, read into the BusinessCaseLite model's shape."""
from __future__ import annotations

import re

from pydantic import BaseModel

from casegen.models import wording
from casegen.models.bcl import (
    BusinessCaseLite,
    FinanceYear,
    NonCashableBenefit,
    PositionTable,
    ProjectInfo,
    Qualification,
    Resources,
    Risk,
)
from casegen.models.common import Approval, Deliverable, GateDate
from casegen.wordimport.mapping import (
    Reading,
    after_label,
    bullet,
    cell_bullets,
    columns,
    grid,
    items,
    label_table,
    model_grid,
)
from casegen.wordimport.match import computed_labels, field_labels, norm, which
from casegen.wordimport.text import Para, WordTable

_TITLES = field_labels(BusinessCaseLite)
# The format's sections: the models' own labels where a field has the section's name.
HEADINGS = {
    "project": _TITLES["project"], "scope": wording.SCOPE, "linked_obcs": _TITLES["linked_obcs"],
    "objectives": _TITLES["objectives"], "current_position": _TITLES["current_position"],
    "proposed_changes": _TITLES["proposed_changes"], "qualification": _TITLES["qualification"],
    "finance": _TITLES["finance"], "benefits": _TITLES["benefits"], "resources": _TITLES["resources"],
    "risks": _TITLES["risks"], "dependencies": _TITLES["dependencies"], "timetable": _TITLES["gate_dates"],
    "approvals": _TITLES["approvals"],
}
EXPECTED = list(HEADINGS)
BULLET_SECTIONS = {"objectives": "objectives", "proposed_changes": "proposed_changes", "dependencies": "dependencies"}
YEAR = re.compile(r"^\d{2}\s*/\s*\d{2}$")
# The rows of a table of years, by the labels the models give them (net savings last, as printed).
YEAR_LINES = {name: label for name, label in field_labels(FinanceYear).items() if name != "year"} | computed_labels(
    FinanceYear)
VALIDATED = wording.VALIDATED  # the caption over Finance's statement and table
CATEGORY = re.compile(r"^note\W+this saving\w* is categori[sz]ed as an?\s+['‘’\"“”]?(.*?)['‘’\"“”]?\.?$", re.I)
# Sentences the template prints itself (models.wording): read, and placed by being printed again.
BOILERPLATE = tuple(norm(wording.opening(s)) for s in (
    wording.ONE_OFF, wording.ONGOING, wording.VALIDATED_SENTENCE, wording.NOT_VALIDATED, wording.MTFS,
    wording.TEAM_LEAD_IN, wording.RISKS_LEAD_IN, wording.BCL_TITLE))
# Bold sub-headings inside the format's sections (a bold paragraph that is none of these starts a section
# the format lacks).
INNER = (wording.ONE_OFF, wording.ONGOING, VALIDATED)
GRIDS: list[tuple[tuple, type[BaseModel], str]] = [  # (path, item model, section it belongs to)
    (("benefits",), NonCashableBenefit, "benefits"), (("gate_dates",), GateDate, "timetable"),
    (("deliverables",), Deliverable, "timetable"), (("approvals",), Approval, "approvals"),
]


def read_paragraph(reading: Reading, p: Para) -> None:
    key = reading.section.key
    if not p.text:
        return
    p.used = True
    if key in BULLET_SECTIONS:
        reading.add((BULLET_SECTIONS[key],), bullet(p))
    elif key == "current_position":
        more = reading.get(("position_table", "rows")) is not None
        reading.add(("current_position_more" if more else "current_position",), bullet(p))
    elif key == "project":
        reading.append_block(("summary",), p)
    elif key == "linked_obcs":
        for item in items(p.text):
            reading.add(("linked_obcs",), item)
    elif key == "qualification" and norm(p.text).startswith("note"):
        reading.put(("qualification", "note"), after_label(p.text, field_labels(Qualification)["note"]))
    elif key == "finance" and (category := CATEGORY.match(p.text)):
        reading.put(("finance", "savings_category"), category.group(1).strip())
    elif key == "finance" and norm(p.text).startswith(norm(VALIDATED)):
        reading.target = ("finance", "validated")
    elif not any(norm(p.text).startswith(b) for b in BOILERPLATE):
        p.used = False


def read_table(reading: Reading, t: WordTable) -> None:
    if not t.rows:
        t.used = True
        return
    for read in (_year_table, _label_tables, _scope_table, _risk_table, _grids, _position_table):
        if read(reading, t):
            return


def _year_table(reading: Reading, t: WordTable) -> bool:
    head = [c.text for c in t.rows[0]]
    years = {i: re.sub(r"\s", "", h) for i, h in enumerate(head) if YEAR.match(h)}
    if not years:
        return False
    validated = reading.target == ("finance", "validated")
    path = ("finance", "validated") if validated else ("finance", "years")
    by_year = {row["year"]: row for row in reading.get(path, [])}
    for year in years.values():
        by_year.setdefault(year, {"year": year})
    for i, h in enumerate(head[1:], start=1):
        if i not in years and h and norm(h) != "total":
            reading.unplaced(f"the column '{h}' of a table of years")
    for row in t.rows[1:]:
        key = which(row[0].text, YEAR_LINES)
        if key is None or (validated and key.startswith("one_off")):
            reading.unplaced(" ".join(c.text for c in row))
        elif key != "net_savings":  # worked out by casegen, never typed
            for i, year in years.items():
                if i < len(row):
                    by_year[year][key] = row[i].text
    reading.put(path, list(by_year.values()))
    reading.found.add("finance")
    t.used = True
    return True


def _label_tables(reading: Reading, t: WordTable) -> bool:
    for path, model, header in ((("project",), ProjectInfo, wording.PROJECT_HEADER),
                                (("qualification",), Qualification, wording.QUALIFICATION_HEADER),
                                (("resources",), Resources, wording.RESOURCES_HEADER)):
        if label_table(reading, t, path, model, header):
            reading.found.add(path[0])
            return True
    return False


def _scope_table(reading: Reading, t: WordTable) -> bool:
    cols = columns(t.rows[0], {"scope_in": _TITLES["scope_in"], "scope_out": _TITLES["scope_out"]})
    if not cols:
        return False
    for row in t.rows[1:]:
        for i, key in cols.items():
            if i < len(row):
                for b in cell_bullets(row[i]):
                    reading.add((key,), b)
    reading.found.add("scope")
    t.used = True
    return True


def _risk_table(reading: Reading, t: WordTable) -> bool:
    labels = field_labels(Risk) | computed_labels(Risk)
    rows = grid(reading, t, labels, need=3)
    if rows is None:
        return False
    for i, row in enumerate(rows):
        total = row.pop("total", "")
        if total:
            reading.typed_totals[len(reading.get(("risks",), [])) + i] = total
    reading.put(("risks",), reading.get(("risks",), []) + rows)
    reading.found.add("risks")
    return True


def _grids(reading: Reading, t: WordTable) -> bool:
    scored = [(len(columns(t.rows[0], field_labels(model))), path, model, key) for path, model, key in GRIDS]
    best = max(scored, key=lambda s: s[0])
    if best[0] < 2:
        return False
    _, path, model, key = best
    model_grid(reading, t, path, model)
    reading.found.add(key)
    return True


def _position_table(reading: Reading, t: WordTable) -> bool:
    rows = t.rows[1:]
    grand = bool(rows) and norm(rows[-1][0].text) == norm(computed_labels(PositionTable)["grand_total"])
    if len(t.rows[0]) != 2 or not (grand or reading.section.key == "current_position"):
        return False
    reading.put(("position_table", "heading"), t.rows[0][0].text)
    reading.put(("position_table", "count_heading"), t.rows[0][1].text)
    body = rows[:-1] if grand else rows
    reading.put(("position_table", "rows"), [{"item": r[0].text, "count": r[1].text} for r in body])
    t.used = True
    return True
