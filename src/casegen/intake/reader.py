"""Reads an intake workbook into a case model, collecting every located problem on the way.

Fields are found by defined names and tables by name and header, never by fixed coordinates,
so the form can be restyled or rows inserted without breaking the reader. A table's rows run to the
next block of its sheet (`layout`); what is typed elsewhere on a sheet of the form is named in a
warning. Sheets the form does not name (a lead's notes, the summary of `casegen validate --annotate`)
are never looked at. A form of an older layout is read by what it has: a field it has no cell for
takes its default, with a warning that says how to bring the form up to date (`upgrade`).
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from casegen.config import Programme
from casegen.errors import IntakeError, Problem, Severity
from casegen.intake import labels, spec
from casegen.intake.book import Book
from casegen.intake.layout import MAX_STRAYS, SheetLayout, form_texts, sheet_layout
from casegen.intake.workbook import Inspection, SheetScan, inspect_workbook, range_boundaries
from casegen.intake.workbook import column_letter as get_column_letter
from casegen.models import KINDS, TITLES
from casegen.models.base import Model
from casegen.models.values import illegal_characters, line_breaks, strip_illegal
from casegen.rules import check_case
from casegen.sheetcells import MAX_TEXT, too_long

MAX_TABLE_ROWS = 5000
MAX_PROBLEMS = 200  # a form wrong everywhere is reported in part; what is shown leads to the rest
VALUE_CODES = {"longtext": "value-text", "when": "value-date"}


class _FormReading:
    def __init__(self, path: Path, programme: Programme, inspection: Inspection):
        self.path, self.programme, self.inspection = path, programme, inspection
        self.file = str(path)
        self.problems: list[Problem] = []
        self.places: dict[tuple, tuple[str, str, str]] = {}  # path -> (sheet, cell, field)
        self.kinds: dict[tuple, str] = {}  # path -> the column's kind of value
        self.spoiled: set[tuple[str, str]] = set()  # cells already reported; their value is not read
        self.lost: set[tuple] = set()  # paths of fields and tables the form does not have (reported)
        self.version = None  # the form version the control sheet states
        self.layouts: dict[str, SheetLayout] = {}  # by sheet title, worked out when first needed
        self.model: type[Model] | None = None  # the kind's model, once the control sheet is read

    def problem(self, message, sheet="", cell="", field="", severity=Severity.ERROR, code=""):
        self.problems.append(Problem(self.file, message, sheet, cell, field, severity, code))

    def clean(self, value, sheet: str, cell: str, field: str):
        if isinstance(value, str):
            # calamine has decoded the _xHHHH_ escapes already (a typed "_x0041_" is stored as _x005F_x0041_):
            # decoding again would turn text typed so into another character.
            value = line_breaks(value)
            if too_long(value):
                self.problem(f"the text is {len(value):,} characters long, more than the {MAX_TEXT:,} a cell "
                             "holds (the form was not saved by Excel or Calc, which cut it); shorten it",
                             sheet, cell, field, code="value-too-long")
            bad = illegal_characters(value)
            if bad:
                self.problem(f"removed characters a Word document cannot hold ({', '.join(bad)})",
                             sheet, cell, field, Severity.WARNING, "text-illegal-char")
                value = strip_illegal(value)
        return value

    def value(self, book: Book, sheet: str, row: int, col: int, field: str):
        """The value of an input cell, or None with a located problem if the cell cannot give one."""
        coord = f"{get_column_letter(col)}{row}"
        trouble = _trouble(self.inspection.sheet(sheet), coord, row, col)
        if trouble:
            self.problem(trouble[0], sheet, coord, field, code=trouble[1])
            self.spoiled.add((sheet, coord))
            return None
        return self.clean(book.value(sheet, row, col), sheet, coord, field)

    def kind(self, book: Book) -> str:
        if spec.CONTROL_SHEET not in book.sheetnames:
            raise IntakeError([Problem(
                self.file, f"this is not a casegen intake form (it has no '{spec.CONTROL_SHEET}' sheet); "
                "start from a blank form made by `casegen new bcl FILE.xlsx` or `casegen new brief FILE.xlsx`",
                code="form-foreign")])
        info = {book.value(spec.CONTROL_SHEET, r, 1): book.value(spec.CONTROL_SHEET, r, 2) for r in range(1, 11)}
        kind = str(info.get("kind") or "").strip()
        if kind not in KINDS:
            raise IntakeError([Problem(self.file, f"unknown kind of document {kind!r} in cell B1; "
                                       f"expected one of {', '.join(KINDS)}", spec.CONTROL_SHEET, "B1",
                                       code="form-foreign")])
        # An older layout is read by what it has: each missing field is named where it is missed.
        self.version = info.get("form_version")
        self.model = KINDS[kind]
        return kind

    def foreign(self, book: Book, kind: str, blocks: list) -> None:
        """One message, not one a name, when most of the form is missing (another tool's workbook)."""
        missing = [b for b in blocks if not _present(book, b)]
        if len(missing) * 2 <= len(blocks):
            return
        names = ", ".join(f"'{spec.block_name(b)}'" for b in missing[:3])
        raise IntakeError([Problem(
            self.file, f"this workbook does not match casegen's {TITLES[kind]} form version "
            f"{spec.form_version(KINDS[kind])} "
            f"(it says version {self.version}): {len(missing)} of its {len(blocks)} named cells and tables are "
            f"missing, such as {names}. It may come from an older casegen or have been rebuilt in another tool; "
            f"make a new form with `casegen new {kind} NEW.xlsx` and copy your entries across",
            code="form-foreign")])

    def missing(self, what: str, path: tuple, required: bool, code: str, sheet="", cell="") -> None:
        """A field the form has no place for: an older layout. Optional ones take their default."""
        upgrade = f"`casegen upgrade {self.path.name}`"
        if required:
            self.problem(f"the form has no {what}, which is required (an older form, or one changed by hand); "
                         f"run {upgrade} to bring the form up to date, then fill it in", sheet, cell, path[-1],
                         code=code)
        else:
            self.problem(f"the form has no {what} (an older form); it is left blank. Run {upgrade} to bring "
                         "the form up to date", sheet, cell, path[-1], Severity.WARNING, "form-old-layout")
        self.lost.add(path)

    def scalar(self, book: Book, block: spec.Scalar, data: dict) -> None:
        dest = book.names.get(block.defined_name)
        if dest is None or dest[0] not in book.sheetnames:
            self.missing(f"'{block.column.label}' cell", block.path, block.column.required, "form-missing-name")
            return
        sheet, ref = dest
        min_col, min_row, _, _ = range_boundaries(ref)
        value = self.value(book, sheet, min_row, min_col, block.path[-1])
        _put(data, block.path, value)
        self.places[block.path] = (sheet, f"{get_column_letter(min_col)}{min_row}", block.path[-1])
        self.kinds[block.path] = block.column.kind

    def layout(self, book: Book, sheet: str) -> SheetLayout:
        if sheet not in self.layouts:
            self.layouts[sheet] = sheet_layout(book, sheet, _labels(self.model), _texts(self.model))
        return self.layouts[sheet]

    def table(self, book: Book, block: spec.Table, data: dict) -> None:
        xl = book.tables.get(block.name)
        if xl is None:
            self.missing(f"table '{block.label}'", block.path, _required(self.model, block.path),
                         "form-missing-table")
            return
        columns = self.columns(book, xl, block)
        end = self.layout(book, xl.sheet).ends[xl.name]
        last = min(end, xl.head + MAX_TABLE_ROWS)
        rows: list[dict] = []
        # Blank rows are skipped: clearing a row is how a lead deletes an item in Calc.
        for r in self._filled_rows(book, xl.sheet, xl.head + 1, last, list(columns.values())):
            rows.append(self.row(book, xl.sheet, r, block, columns, len(rows)))
        if end > last:
            self.problem(f"table '{block.name}' has more than {MAX_TABLE_ROWS} rows; the rest were not read",
                         xl.sheet, f"A{last + 1}", block.path[-1], code="table-too-long")
        self.places[block.path] = (xl.sheet, f"A{xl.head}", block.path[-1])
        _put(data, block.path, [_drop_none(row) for row in rows])

    def columns(self, book: Book, xl, block: spec.Table) -> dict[str, int]:
        headers = [book.value(xl.sheet, xl.head, c) for c in range(xl.min_col, xl.max_col + 1)]
        columns = {}
        for col in block.columns:
            if col.label not in headers:
                self.missing(f"column headed '{col.label}' in the table '{block.label}'", block.path + (col.name,),
                             col.required, "form-missing-column", xl.sheet,
                             f"{get_column_letter(xl.min_col)}{xl.head}")
                continue
            columns[col.name] = xl.min_col + headers.index(col.label)
        return columns

    def row(self, book: Book, sheet: str, r: int, block: spec.Table, columns: dict, index: int) -> dict:
        kinds = {c.name: c.kind for c in block.columns}
        row = {}
        for name, c in columns.items():
            value = self.value(book, sheet, r, c, name)
            row[name] = None if isinstance(value, str) and not value.strip() else value
            self.places[block.path + (index, name)] = (sheet, f"{get_column_letter(c)}{r}", name)
            self.kinds[block.path + (index, name)] = kinds[name]
        self.places[block.path + (index,)] = (sheet, f"A{r}", block.path[-1])
        return row

    def _filled_rows(self, book: Book, sheet: str, first: int, last: int, columns: list[int]):
        """The rows from `first` to `last` with something in one of the table's `columns`, read off the sheet's
        grid: a table's blank rows (most of a form's) cost a list lookup a cell, not a call."""
        scan = self.inspection.sheet(sheet)
        marked = scan.formulas_without_values.union(scan.errors)  # on almost every sheet, none
        grid = book.grid(sheet)
        for r in range(first, last + 1):
            # A formula with no saved value reads as blank, but the row is not empty: report it.
            if marked and any(f"{get_column_letter(c)}{r}" in marked for c in columns):
                yield r
                continue
            if r > len(grid):
                if marked:
                    continue
                return  # below the sheet's last cell every row is blank
            row = grid[r - 1]
            width = len(row)
            for c in columns:
                v = row[c - 1] if c <= width else None
                if v is not None and (v.__class__ is not str or v.strip()):
                    yield r
                    break

    def strays(self, book: Book, sheet: str) -> None:
        """Warnings for what is typed on a sheet of the form where casegen does not read it."""
        layout = self.layout(book, sheet)
        for xl, col, heading in layout.unknown:
            self.problem(f"the table '{xl.name}' has a column headed {heading!r} that casegen does not read; its "
                         "entries are left out of the document", sheet, f"{get_column_letter(col)}{xl.head}",
                         severity=Severity.WARNING, code="table-unknown-column")
        for r, c, value in layout.strays[:MAX_STRAYS]:
            self.problem(f"{_shown(value)} is typed outside the form's cells; casegen does not read it (type it in "
                         "a yellow cell, or keep notes on a sheet of your own)", sheet, f"{get_column_letter(c)}{r}",
                         severity=Severity.WARNING, code="cell-outside")
        if len(layout.strays) > MAX_STRAYS:
            self.problem(f"… and {len(layout.strays) - MAX_STRAYS} more cells typed outside the form's cells",
                         sheet, severity=Severity.WARNING, code="cell-outside")

    def reported(self, loc: tuple) -> bool:
        """True if the form's own problem already explains an error at `loc` (a lost name, a spoiled cell)."""
        if any(tuple(loc[:len(p)]) == p for p in self.lost):
            return True
        if len(loc) >= 3 and any(p[:-1] == tuple(loc[:len(p) - 1]) and p[-1] == loc[-1] for p in self.lost):
            return True  # a cell of a column the table does not have
        sheet, cell, _ = self.locate(loc)
        return (sheet, cell) in self.spoiled

    def locate(self, loc: tuple) -> tuple[str, str, str]:
        for n in range(len(loc), 0, -1):
            if tuple(loc[:n]) in self.places:
                return self.places[tuple(loc[:n])]
        return ("", "", ".".join(str(p) for p in loc))

    def code(self, err: ErrorDetails) -> str:
        """The code of a value problem, from the kind of value the cell holds."""
        if err["type"] == "missing" or _message(err).startswith("is required"):
            return "value-required"
        kind = self.kinds.get(tuple(err["loc"]))
        return VALUE_CODES.get(kind, f"value-{kind}") if kind else "value-invalid"


def _shown(value) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


@lru_cache(maxsize=8)
def _sheets(model) -> tuple[spec.Sheet, ...]:
    """The form's sheets and blocks, worked out from the model once a process (read, never changed, here): each
    time, it took a tenth of reading a form's cells."""
    return tuple(spec.sheets(model))


@lru_cache(maxsize=8)
def _texts(model) -> frozenset[str]:
    return frozenset(form_texts(model))


@lru_cache(maxsize=8)
def _labels(model) -> dict[str, set[str]]:
    """The column headings casegen reads, by table name."""
    return {t.name: {c.label for c in t.columns} for s in spec.sheets(model) for t in s.blocks
            if isinstance(t, spec.Table)}


def _required(model, path: tuple) -> bool:
    """Whether the model's field at `path` must be filled in."""
    for part in path[:-1]:
        model = model.model_fields[part].annotation
    return model.model_fields[path[-1]].is_required()


def _trouble(scan: SheetScan, coord: str, row: int, col: int) -> tuple[str, str] | None:
    """(message, code) if the cell's XML shows its value cannot be read as typed; None if it can."""
    merged = scan.merge_over(row, col)
    if merged:
        return (f"is covered by the merged cells {merged}, so its value is lost; "
                "unmerge them (Home > Merge & Center) and type each value in its own cell", "cell-merged")
    if coord in scan.formulas_without_values:
        return ("has a formula but no saved value; open and save the form in Excel/LibreOffice, or type the value",
                "cell-formula-no-value")
    if coord in scan.errors:
        return f"shows the error {scan.errors[coord]} from a formula; fix the formula or type the value", \
            "cell-error-value"
    return None


def _present(book: Book, block) -> bool:
    if isinstance(block, spec.Scalar):
        return block.defined_name in book.names
    return block.name in book.tables


def _put(data: dict, path: tuple, value) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    data[path[-1]] = value


def _drop_none(row: dict) -> dict:
    return {k: v for k, v in row.items() if v is not None}


def _message(err: ErrorDetails) -> str:
    if err["type"] == "missing":
        return "is required; fill it in"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


@dataclass
class Intake:
    """What one workbook holds: the case (None if it has errors), every problem, and where each field is."""

    file: str
    kind: str
    case: Model | None = None
    problems: list[Problem] = dc_field(default_factory=list)
    places: dict = dc_field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]


def _read_blocks(reading: _FormReading, book: Book) -> tuple[str, dict]:
    kind = reading.kind(book)
    sheets = _sheets(KINDS[kind])
    reading.foreign(book, kind, [b for s in sheets for b in s.blocks if not isinstance(b, str)])
    data: dict = {"kind": kind}
    for sheet in sheets:
        for block in sheet.blocks:
            if isinstance(block, spec.Scalar):
                reading.scalar(book, block, data)
            elif isinstance(block, spec.Table):
                reading.table(book, block, data)
        if sheet.title in book.sheetnames:
            reading.strays(book, sheet.title)
    return kind, data


def _validate(reading: _FormReading, kind: str, data: dict, programme: Programme):
    try:
        return KINDS[kind].model_validate(data, context={"programme": programme})
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if not reading.reported(loc):  # else its cell's own problem says why it is blank
                reading.problem(_message(err), *reading.locate(loc), code=reading.code(err))
    return None


def read_cells(path: str | Path, programme: Programme) -> tuple[_FormReading, str, dict]:
    """The form's values by field path, unchecked, with the reading's problems and places so far."""
    path = Path(path)
    inspection = inspect_workbook(path)  # the safety checks, before calamine unpacks the file
    reading = _FormReading(path, programme, inspection)
    try:
        book = Book(path, inspection)
        try:
            kind, data = _read_blocks(reading, book)
        finally:
            book.close()
    except IntakeError:
        raise
    except Exception as exc:  # XML no Office program writes, that calamine chokes on: never a traceback
        raise inspection.unreadable(path, exc) from None
    return reading, kind, data


def read_intake(path: str | Path, programme: Programme) -> Intake:
    """Read and check one workbook, collecting every problem; raises IntakeError only when the
    file is not a readable intake form at all."""
    reading, kind, data = read_cells(path, programme)
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
    first = sorted(problems, key=lambda p: p.severity != Severity.ERROR)[:MAX_PROBLEMS]
    more = len(problems) - MAX_PROBLEMS
    return first + [Problem(file, f"… and {more} more problems; fix these first, then check again",
                            code="problems-more")]


def read_workbook(path: str | Path, programme: Programme):
    """The case in the workbook at `path`, and its warnings; raises IntakeError if it has errors."""
    intake = read_intake(path, programme)
    if intake.errors:
        raise IntakeError(intake.problems)
    return intake.case, intake.problems
