"""Reads an intake workbook into a case model, collecting every located problem on the way.

Fields are found by defined names and tables by name and header, never by fixed coordinates,
so the form can be restyled or rows inserted without breaking the reader.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from pathlib import Path

from openpyxl.utils import get_column_letter, range_boundaries
from pydantic import ValidationError

from casegen.config import Programme
from casegen.errors import IntakeError, Problem
from casegen.intake import spec
from casegen.intake.workbook import open_workbook
from casegen.models import KINDS
from casegen.models.values import illegal_characters, strip_illegal
from casegen.rules import check_case

MAX_TABLE_ROWS = 5000


class _Reading:
    def __init__(self, path: Path, programme: Programme):
        self.path, self.programme = path, programme
        self.file = str(path)
        self.problems: list[Problem] = []
        self.places: dict[tuple, tuple[str, str, str]] = {}  # path -> (sheet, cell, field)

    def problem(self, message, sheet="", cell="", field="", severity="error", code=""):
        self.problems.append(Problem(self.file, message, sheet, cell, field, severity, code))

    def clean(self, value, sheet: str, cell: str, field: str):
        if isinstance(value, str):
            bad = illegal_characters(value)
            if bad:
                self.problem(f"removed characters a Word document cannot hold ({', '.join(bad)})",
                             sheet, cell, field, "warning", "text-illegal-char")
                value = strip_illegal(value)
        return value

    def kind(self, wb) -> str:
        if spec.CONTROL_SHEET not in wb.sheetnames:
            raise IntakeError([Problem(
                self.file, f"this is not a casegen intake form (it has no '{spec.CONTROL_SHEET}' sheet); "
                "start from a blank form made by `casegen new bcl FILE.xlsx` or `casegen new brief FILE.xlsx`")])
        ws = wb[spec.CONTROL_SHEET]
        info = {row[0]: row[1] for row in ws.iter_rows(min_row=1, max_row=10, max_col=2, values_only=True)}
        kind = str(info.get("kind") or "").strip()
        if kind not in KINDS:
            raise IntakeError([Problem(self.file, f"unknown kind of document {kind!r} in cell B1; "
                                       f"expected one of {', '.join(KINDS)}", spec.CONTROL_SHEET, "B1")])
        version = info.get("form_version")
        if version != spec.FORM_VERSION:
            self.problem(f"the form is version {version}, casegen expects version {spec.FORM_VERSION}; "
                         "copy your entries into a new form from `casegen new`", spec.CONTROL_SHEET, "B2",
                         severity="warning", code="form-version")
        return kind

    def scalar(self, wb, block: spec.Scalar, data: dict) -> None:
        name = block.defined_name
        dn = wb.defined_names.get(name)
        dests = list(dn.destinations) if dn is not None else []
        if not dests or dests[0][0] not in wb.sheetnames:
            self.problem(f"the form has lost the named cell '{name}' ({block.column.label}); "
                         "make a new form with `casegen new` and copy your entries across",
                         field=block.path[-1], code="form-missing-name")
            return
        sheet, coord = dests[0]
        coord = coord.replace("$", "")
        value = self.clean(wb[sheet][coord].value, sheet, coord, block.path[-1])
        _put(data, block.path, value)
        self.places[block.path] = (sheet, coord, block.path[-1])

    def table(self, wb, block: spec.Table, data: dict) -> None:
        found = [(ws, ws.tables[block.name]) for ws in wb.worksheets if block.name in ws.tables]
        if not found:
            self.problem(f"the form has lost the table '{block.name}' ({block.label}); "
                         "make a new form with `casegen new` and copy your entries across",
                         field=block.path[-1], code="form-missing-table")
            return
        ws, xl = found[0]
        min_col, min_row, max_col, max_row = range_boundaries(xl.ref)
        headers = [ws.cell(row=min_row, column=c).value for c in range(min_col, max_col + 1)]
        columns = {}
        for col in block.columns:
            if col.label not in headers:
                self.problem(f"table '{block.name}' has no column headed '{col.label}'; put the heading back",
                             ws.title, f"{get_column_letter(min_col)}{min_row}", col.name, code="form-missing-column")
                continue
            columns[col.name] = min_col + headers.index(col.label)
        rows = []
        r = min_row + 1
        # Rows typed just below the table belong to it (LibreOffice does not grow tables by itself).
        while r <= max_row or self._filled(ws, r, columns):
            if r - min_row > MAX_TABLE_ROWS:
                self.problem(f"table '{block.name}' has more than {MAX_TABLE_ROWS} rows; the rest were not read",
                             ws.title, f"A{r}", block.path[-1], code="table-too-long")
                break
            if self._filled(ws, r, columns):
                row = {}
                for name, c in columns.items():
                    coord = f"{get_column_letter(c)}{r}"
                    value = self.clean(ws.cell(row=r, column=c).value, ws.title, coord, name)
                    row[name] = None if isinstance(value, str) and not value.strip() else value
                    self.places[block.path + (len(rows), name)] = (ws.title, coord, name)
                self.places[block.path + (len(rows),)] = (ws.title, f"A{r}", block.path[-1])
                rows.append(row)
            r += 1
        self.places[block.path] = (ws.title, f"A{min_row}", block.path[-1])
        _put(data, block.path, [_drop_none(row) for row in rows])

    @staticmethod
    def _filled(ws, r: int, columns: dict) -> bool:
        for c in columns.values():
            v = ws.cell(row=r, column=c).value
            if v is not None and not (isinstance(v, str) and not v.strip()):
                return True
        return False

    def locate(self, loc: tuple) -> tuple[str, str, str]:
        for n in range(len(loc), 0, -1):
            if tuple(loc[:n]) in self.places:
                return self.places[tuple(loc[:n])]
        return ("", "", ".".join(str(p) for p in loc))


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


def read_intake(path: str | Path, programme: Programme) -> Intake:
    """Read and check one workbook, collecting every problem; raises IntakeError only when the
    file is not a readable intake form at all."""
    path = Path(path)
    reading = _Reading(path, programme)
    wb = open_workbook(path)
    try:
        kind = reading.kind(wb)
        model = KINDS[kind]
        data: dict = {"kind": kind}
        for sheet in spec.sheets(model):
            for block in sheet.blocks:
                if isinstance(block, spec.Scalar):
                    reading.scalar(wb, block, data)
                elif isinstance(block, spec.Table):
                    reading.table(wb, block, data)
    finally:
        wb.close()
    case = None
    try:
        case = model.model_validate(data, context={"programme": programme})
    except ValidationError as exc:
        for err in exc.errors():
            sheet, cell, field = reading.locate(tuple(err["loc"]))
            reading.problem(_message(err), sheet, cell, field)
    if case is not None:
        for rule, loc, message in check_case(case, programme):
            sheet, cell, field = reading.locate(loc)
            reading.problem(message, sheet, cell, field, rule.severity, rule.code)
    intake = Intake(reading.file, kind, case, reading.problems, reading.places)
    if intake.errors:
        intake.case = None
    return intake


def read_workbook(path: str | Path, programme: Programme):
    """The case in the workbook at `path`, and its warnings; raises IntakeError if it has errors."""
    intake = read_intake(path, programme)
    if intake.errors:
        raise IntakeError(intake.problems)
    return intake.case, intake.problems
