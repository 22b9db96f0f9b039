"""Reads an intake workbook into a case model, collecting every located problem on the way.

Fields are found by defined names and tables by name and header, never by fixed coordinates,
so the form can be restyled or rows inserted without breaking the reader. Sheets the form does
not name (a lead's notes, the summary of `casegen validate --annotate`) are never looked at.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from pathlib import Path

from openpyxl.utils import get_column_letter, range_boundaries
from pydantic import ValidationError

from casegen.config import Programme
from casegen.errors import IntakeError, Problem
from casegen.intake import fastbook, labels, spec
from casegen.intake.files import CHECKED_SUFFIX, find_forms, not_a_form, not_forms  # noqa: F401  (re-exported)
from casegen.intake.workbook import Inspection, inspect_workbook
from casegen.models import KINDS, TITLES
from casegen.models.values import illegal_characters, line_breaks, strip_illegal
from casegen.rules import check_case

MAX_TABLE_ROWS = 5000
MAX_PROBLEMS = 200  # a form wrong everywhere is reported in part; what is shown leads to the rest
# Excel saves a control character typed or pasted into a cell as _xHHHH_; loaders leave it so.
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
VALUE_CODES = {"longtext": "value-text", "when": "value-date"}


def _unescape(text: str) -> str:
    # Only control characters are decoded, so a literal "_x0041_" stays as typed.
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)) if int(m.group(1), 16) < 0x20 else m.group(0), text)


class _Reading:
    def __init__(self, path: Path, programme: Programme, facts: Inspection):
        self.path, self.programme, self.facts = path, programme, facts
        self.file = str(path)
        self.problems: list[Problem] = []
        self.places: dict[tuple, tuple[str, str, str]] = {}  # path -> (sheet, cell, field)
        self.kinds: dict[tuple, str] = {}  # path -> the column's kind of value
        self.spoiled: set[tuple[str, str]] = set()  # cells already reported; their value is not read
        self.lost: set[tuple] = set()  # paths of fields and tables the form no longer has (reported)
        self.version = None  # the form version the control sheet states

    def problem(self, message, sheet="", cell="", field="", severity="error", code=""):
        self.problems.append(Problem(self.file, message, sheet, cell, field, severity, code))

    def clean(self, value, sheet: str, cell: str, field: str):
        if isinstance(value, str):
            value = line_breaks(_unescape(value))
            bad = illegal_characters(value)
            if bad:
                self.problem(f"removed characters a Word document cannot hold ({', '.join(bad)})",
                             sheet, cell, field, "warning", "text-illegal-char")
                value = strip_illegal(value)
        return value

    def value(self, ws, coord: str, field: str):
        """The value of an input cell, or None with a located problem if the cell cannot give one."""
        trouble = _trouble(self.facts.sheet(ws.title), coord)
        if trouble:
            self.problem(trouble[0], ws.title, coord, field, code=trouble[1])
            self.spoiled.add((ws.title, coord))
            return None
        return self.clean(ws[coord].value, ws.title, coord, field)

    def kind(self, wb) -> str:
        if spec.CONTROL_SHEET not in wb.sheetnames:
            raise IntakeError([Problem(
                self.file, f"this is not a casegen intake form (it has no '{spec.CONTROL_SHEET}' sheet); "
                "start from a blank form made by `casegen new bcl FILE.xlsx` or `casegen new brief FILE.xlsx`",
                code="form-foreign")])
        ws = wb[spec.CONTROL_SHEET]
        info = {row[0]: row[1] for row in ws.iter_rows(min_row=1, max_row=10, max_col=2, values_only=True)}
        kind = str(info.get("kind") or "").strip()
        if kind not in KINDS:
            raise IntakeError([Problem(self.file, f"unknown kind of document {kind!r} in cell B1; "
                                       f"expected one of {', '.join(KINDS)}", spec.CONTROL_SHEET, "B1",
                                       code="form-foreign")])
        self.version = info.get("form_version")
        if self.version != spec.FORM_VERSION:
            self.problem(f"the form is version {self.version}, casegen expects version {spec.FORM_VERSION}; "
                         "copy your entries into a new form from `casegen new`", spec.CONTROL_SHEET, "B2",
                         severity="warning", code="form-version")
        return kind

    def foreign(self, wb, kind: str, blocks: list) -> None:
        """One message, not one a name, when most of the form is missing (another tool's or an old form)."""
        missing = [b for b in blocks if not _present(wb, b)]
        if len(missing) * 2 <= len(blocks):
            return
        names = ", ".join(f"'{b.name if isinstance(b, spec.Table) else b.defined_name}'" for b in missing[:3])
        raise IntakeError([Problem(
            self.file, f"this workbook does not match casegen's {TITLES[kind]} form version {spec.FORM_VERSION} "
            f"(it says version {self.version}): {len(missing)} of its {len(blocks)} named cells and tables are "
            f"missing, such as {names}. It may come from an older casegen or have been rebuilt in another tool; "
            f"make a new form with `casegen new {kind} NEW.xlsx` and copy your entries across",
            code="form-foreign")])

    def scalar(self, wb, block: spec.Scalar, data: dict) -> None:
        name = block.defined_name
        dest = _destination(wb, block)
        if dest is None:
            self.problem(f"the form has lost the named cell '{name}' ({block.column.label}); "
                         "make a new form with `casegen new` and copy your entries across",
                         field=block.path[-1], code="form-missing-name")
            self.lost.add(block.path)
            return
        sheet, coord = dest
        value = self.value(wb[sheet], coord, block.path[-1])
        _put(data, block.path, value)
        self.places[block.path] = (sheet, coord, block.path[-1])
        self.kinds[block.path] = block.column.kind

    def table(self, wb, block: spec.Table, data: dict) -> None:
        found = [(ws, ws.tables[block.name]) for ws in wb.worksheets if block.name in ws.tables]
        if not found:
            self.problem(f"the form has lost the table '{block.name}' ({block.label}); "
                         "make a new form with `casegen new` and copy your entries across",
                         field=block.path[-1], code="form-missing-table")
            self.lost.add(block.path)
            return
        ws, xl = found[0]
        min_col, min_row, max_col, max_row = range_boundaries(xl.ref)
        columns = self.columns(ws, block, min_row, min_col, max_col)
        # Rows past the last one with anything in it are empty: never walk a table stretched to row 1,048,576.
        last = min(max_row, ws.max_row)
        rows = []
        r = min_row + 1
        # Rows typed just below the table belong to it (LibreOffice does not grow tables by itself).
        while r <= last or self._filled(ws, r, columns):
            if r - min_row > MAX_TABLE_ROWS:
                self.problem(f"table '{block.name}' has more than {MAX_TABLE_ROWS} rows; the rest were not read",
                             ws.title, f"A{r}", block.path[-1], code="table-too-long")
                break
            if self._filled(ws, r, columns):
                rows.append(self.row(ws, r, block, columns, len(rows)))
            r += 1
        self.places[block.path] = (ws.title, f"A{min_row}", block.path[-1])
        _put(data, block.path, [_drop_none(row) for row in rows])

    def columns(self, ws, block: spec.Table, head: int, min_col: int, max_col: int) -> dict[str, int]:
        headers = [ws.cell(row=head, column=c).value for c in range(min_col, max_col + 1)]
        columns = {}
        for col in block.columns:
            if col.label not in headers:
                self.problem(f"table '{block.name}' has no column headed '{col.label}'; put the heading back",
                             ws.title, f"{get_column_letter(min_col)}{head}", col.name, code="form-missing-column")
                continue
            columns[col.name] = min_col + headers.index(col.label)
        return columns

    def row(self, ws, r: int, block: spec.Table, columns: dict, index: int) -> dict:
        kinds = {c.name: c.kind for c in block.columns}
        row = {}
        for name, c in columns.items():
            coord = f"{get_column_letter(c)}{r}"
            value = self.value(ws, coord, name)
            row[name] = None if isinstance(value, str) and not value.strip() else value
            self.places[block.path + (index, name)] = (ws.title, coord, name)
            self.kinds[block.path + (index, name)] = kinds[name]
        self.places[block.path + (index,)] = (ws.title, f"A{r}", block.path[-1])
        return row

    def _filled(self, ws, r: int, columns: dict) -> bool:
        facts = self.facts.sheet(ws.title)
        for c in columns.values():
            coord = f"{get_column_letter(c)}{r}"
            # A formula with no saved value reads as blank, but the row is not empty: report it.
            if coord in facts.formulas_without_values or coord in facts.errors:
                return True
            v = ws.cell(row=r, column=c).value
            if v is not None and not (isinstance(v, str) and not v.strip()):
                return True
        return False

    def reported(self, loc: tuple) -> bool:
        """True if the form's own problem already explains an error at `loc` (a lost name, a spoiled cell)."""
        if any(tuple(loc[:len(p)]) == p for p in self.lost):
            return True
        sheet, cell, _ = self.locate(loc)
        return (sheet, cell) in self.spoiled

    def locate(self, loc: tuple) -> tuple[str, str, str]:
        for n in range(len(loc), 0, -1):
            if tuple(loc[:n]) in self.places:
                return self.places[tuple(loc[:n])]
        return ("", "", ".".join(str(p) for p in loc))

    def code(self, err: dict) -> str:
        """The code of a value problem, from the kind of value the cell holds."""
        if err["type"] == "missing" or _message(err).startswith("is required"):
            return "value-required"
        kind = self.kinds.get(tuple(err["loc"]))
        return VALUE_CODES.get(kind, f"value-{kind}") if kind else "value-invalid"


def _trouble(facts: SheetFacts, coord: str) -> tuple[str, str] | None:
    """(message, code) if the cell's XML shows its value cannot be read as typed; None if it can."""
    min_col, min_row, _, _ = range_boundaries(coord)
    if (min_row, min_col) in facts.merged:
        return (f"is covered by the merged cells {facts.merged[(min_row, min_col)]}, so its value is lost; "
                "unmerge them (Home > Merge & Center) and type each value in its own cell", "cell-merged")
    if coord in facts.formulas_without_values:
        return ("has a formula but no saved value; open and save the form in Excel/LibreOffice, or type the value",
                "cell-formula-no-value")
    if coord in facts.errors:
        return f"shows the error {facts.errors[coord]} from a formula; fix the formula or type the value", \
            "cell-error-value"
    return None


def _destination(wb, block: spec.Scalar) -> tuple[str, str] | None:
    dn = wb.defined_names.get(block.defined_name)
    dests = list(dn.destinations) if dn is not None else []
    if not dests or dests[0][0] not in wb.sheetnames:
        return None
    return dests[0][0], dests[0][1].replace("$", "")


def _present(wb, block) -> bool:
    if isinstance(block, spec.Scalar):
        return _destination(wb, block) is not None
    return any(block.name in ws.tables for ws in wb.worksheets)


def _put(data: dict, path: tuple, value) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    data[path[-1]] = value


def _drop_none(row: dict) -> dict:
    return {k: v for k, v in row.items() if v is not None}


def _message(err: dict) -> str:
    if err["type"] == "missing":
        return "is required; fill it in"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


@dataclass
class Intake:
    """What one workbook holds: the case (None if it has errors), every problem, and where each field is."""

    file: str
    kind: str
    case: object = None
    problems: list[Problem] = dc_field(default_factory=list)
    places: dict = dc_field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def _read_blocks(reading: _Reading, wb) -> tuple[str, dict]:
    kind = reading.kind(wb)
    sheets = spec.sheets(KINDS[kind])
    reading.foreign(wb, kind, [b for s in sheets for b in s.blocks if not isinstance(b, str)])
    data: dict = {"kind": kind}
    for sheet in sheets:
        for block in sheet.blocks:
            if isinstance(block, spec.Scalar):
                reading.scalar(wb, block, data)
            elif isinstance(block, spec.Table):
                reading.table(wb, block, data)
    return kind, data


def _validate(reading: _Reading, kind: str, data: dict, programme: Programme):
    try:
        return KINDS[kind].model_validate(data, context={"programme": programme})
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if not reading.reported(loc):  # else its cell's own problem says why it is blank
                reading.problem(_message(err), *reading.locate(loc), code=reading.code(err))
    return None


def read_intake(path: str | Path, programme: Programme) -> Intake:
    """Read and check one workbook, collecting every problem; raises IntakeError only when the
    file is not a readable intake form at all."""
    path = Path(path)
    facts = inspect_workbook(path)  # the safety checks, before any loader unpacks the file
    reading = _Reading(path, programme, facts)
    try:
        wb = fastbook.open_workbook(path)  # openpyxl's values, without its full load
        try:
            kind, data = _read_blocks(reading, wb)
        finally:
            wb.close()
    except IntakeError:
        raise
    except Exception as exc:  # XML no Office program writes, that a loader chokes on: never a traceback
        raise facts.unreadable(path, exc) from None
    case = _validate(reading, kind, data, programme)
    if case is not None:
        for rule, loc, message in check_case(case, programme):
            sheet, cell, field = reading.locate(loc)
            reading.problem(message, sheet, cell, field, rule.severity, rule.code)
    problems = labels.labelled(reading.problems, reading.places, KINDS[kind], data)  # in the form's words
    intake = Intake(reading.file, kind, case, _capped(reading.file, problems), reading.places)
    if intake.errors:
        intake.case = None
    return intake


def _capped(file: str, problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    first = sorted(problems, key=lambda p: p.severity != "error")[:MAX_PROBLEMS]
    more = len(problems) - MAX_PROBLEMS
    return first + [Problem(file, f"… and {more} more problems; fix these first, then check again",
                            code="problems-more")]


def read_workbook(path: str | Path, programme: Programme):
    """The case in the workbook at `path`, and its warnings; raises IntakeError if it has errors."""
    intake = read_intake(path, programme)
    if intake.errors:
        raise IntakeError(intake.problems)
    return intake.case, intake.problems


def read_intakes(paths, programme: Programme) -> list[Intake]:
    """Every form under `paths`, read and checked, with the rules across them (a tracker ref used twice).

    A file that cannot be read at all gives an Intake with no kind and its one problem.
    """
    from casegen.rules.portfolio import check_portfolio

    intakes = []
    for path in find_forms(paths):
        try:
            intakes.append(read_intake(path, programme))
        except IntakeError as exc:
            intakes.append(Intake(str(path), "", None, list(exc.problems)))
    intakes += [Intake(str(path), "", None, [not_a_form(path)]) for path in not_forms(paths)]
    by_file = {i.file: i for i in intakes}
    for problem in check_portfolio(intakes):
        by_file[problem.file].problems.append(problem)
    return intakes
