"""A Project Brief typed by hand, read into the ProjectBrief model's shape."""
from __future__ import annotations

import re

from casegen.models import wording
from casegen.models.brief import (
    BriefBenefit,
    BriefHeader,
    DepartmentInvolvement,
    PersonalData,
    ProjectBrief,
    RaciRow,
    RiskStatement,
    Scope,
)
from casegen.wordimport.mapping import Reading, after_label, bullet, grid, label_table, model_grid, text_lines
from casegen.wordimport.match import field_labels, norm, which
from casegen.wordimport.text import Cell, Para, WordTable

_TITLES = field_labels(ProjectBrief)
HEADINGS = {
    "project": _TITLES["project"], "background": _TITLES["background"], "scope": _TITLES["scope"],
    "phase_end": _TITLES["phase_end"],
    "dependencies": wording.DEPENDENCIES_BOX, "risks": wording.RISKS_BOX, "benefits": _TITLES["benefits"],
    "stakeholders": wording.STAKEHOLDERS_BOX,
    "personal_data": field_labels(PersonalData)["involved"],
}
PREFIXED = {"personal_data"}  # the heading carries the answer: "… personal data? Yes"
EXPECTED = list(HEADINGS)
# Sub-headings inside a section, and the list their bullets go to.
SUBLISTS: dict[str, dict[str, tuple]] = {
    "scope": {wording.IN_SCOPE: ("scope", "products"), **{
        label: ("scope", name) for name, label in field_labels(Scope).items()}},
    "dependencies": {_TITLES[name]: (name,) for name in ("dependencies", "constraints", "assumptions")},
    "risks": {_TITLES["risks"]: (), _TITLES["disbenefits"]: ("disbenefits",)},
    "phase_end": {}, "personal_data": {},
}
INNER = tuple(label for labels in SUBLISTS.values() for label in labels) + (wording.PRODUCTS,)
DEFAULT_LIST = {"phase_end": ("phase_end",), "personal_data": ("personal_data", "items")}
METHOD = re.compile(r"^this project will run under an?\s+(.+?)\s+methodology\.?$", re.I)  # wording.METHODOLOGY
# Sentences the template prints itself (models.wording): read, and placed by being printed again.
BOILERPLATE = tuple(norm(s) for s in (
    wording.BENEFITS_LEAD_IN, wording.RACI_LEAD_IN, wording.DEPARTMENTS_LEAD_IN, wording.BRIEF_TITLE))
STATEMENT = field_labels(RiskStatement)  # Due to … There is a Risk … The Impact …


def read_paragraph(reading: Reading, p: Para) -> None:
    key = reading.section.key
    if not p.text:
        return
    p.used = True
    if not p.bullet and p.text.strip() in ("-", "–"):
        return  # the template's mark for a section left empty (no explanation, no items)
    sub = which(p.text, {label: label for label in SUBLISTS.get(key, {})}) if not p.bullet else None
    if sub is not None:
        reading.target = SUBLISTS[key][sub]
    elif key == "phase_end" and (method := METHOD.match(p.text)):
        reading.put(("methodology",), method.group(1))
    elif key == "background" or (key == "" and not p.bullet and not norm(p.text).startswith(norm(wording.BRIEF_TITLE))):
        reading.append_block(("background",), p)
    elif key == "personal_data" and not p.bullet:
        reading.append_text(("personal_data", "explanation"), p.text)
    elif reading.target or key in DEFAULT_LIST:
        reading.add(reading.target or DEFAULT_LIST[key], bullet(p))
    elif not any(norm(p.text).startswith(b) for b in BOILERPLATE):
        p.used = False


def start_section(reading: Reading, title: str) -> None:
    if reading.section.key == "personal_data":
        answer = after_label(title, HEADINGS["personal_data"])
        if answer and answer not in ("-", "–"):
            reading.put(("personal_data", "involved"), answer)


def read_table(reading: Reading, t: WordTable) -> None:
    if not t.rows:
        t.used = True
        return
    if label_table(reading, t, ("project",), BriefHeader, ("Item", "Details")):
        reading.found.add("project")
        return
    for read in (_stages, _risks):
        if read(reading, t):
            return
    for path, model, section in ((("benefits",), BriefBenefit, "benefits"), (("raci",), RaciRow, "stakeholders"),
                                 (("departments",), DepartmentInvolvement, "stakeholders")):
        if model_grid(reading, t, path, model):
            reading.found.add(section)
            return


def _stages(reading: Reading, t: WordTable) -> bool:
    def stage(cells: dict[str, Cell]):
        paras = [p for p in cells["name"].paras if p.text] if "name" in cells else []
        if not paras:
            return None
        name = paras[0].text
        for p in paras[1:]:
            reading.add(("stage_items",), {"stage": name, "text": p.text})
        timeframe = cells["timeframe"].text if "timeframe" in cells else ""
        return {"name": name, "timeframe": timeframe} if timeframe else {"name": name}

    rows = grid(reading, t, dict(zip(("name", "timeframe"), wording.STAGE_COLUMNS, strict=True)), stage)
    if rows is None:
        return False
    reading.put(("stages",), reading.get(("stages",), []) + rows)
    reading.found.add("phase_end")
    return True


def _risks(reading: Reading, t: WordTable) -> bool:
    def risk(cells: dict[str, Cell]):
        item = statement(cells["statement"].text) if "statement" in cells else {}
        item.update({k: cells[k].text for k in ("likelihood", "impact") if k in cells})
        return item

    columns = dict(zip(("statement", "likelihood", "impact"), wording.RISK_COLUMNS, strict=True))
    rows = grid(reading, t, columns, risk, need=3)
    if rows is None:
        return False
    reading.put(("risks",), reading.get(("risks",), []) + rows)
    reading.found.add("risks")
    return True


def statement(text: str) -> dict:
    """ "Due to: … There is a Risk: … The Impact: …", one part a line; unlabelled text goes to the risk."""
    parts: dict[str, list[str]] = {}
    current = "risk"
    for line in text_lines(text):
        for key, label in STATEMENT.items():
            head = re.match(rf"\s*{re.escape(label)}\s*:\s*", line, re.I)
            if head:
                current, line = key, line[head.end():]
                break
        parts.setdefault(current, []).append(line)
    return {k: " ".join(v).strip() for k, v in parts.items()}
