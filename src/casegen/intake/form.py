"""Writes the intake workbook for a kind of document, blank or filled with a case."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo

from casegen import __version__
from casegen.config import Programme
from casegen.fileio import atomic_path
from casegen.intake import fit, spec
from casegen.models import KINDS, TITLES
from casegen.sheetcells import put

NAVY = "1F3864"
INPUT = PatternFill("solid", fgColor="FFF2CC")
GIVEN = PatternFill("solid", fgColor="E7E6E6")
LABEL = PatternFill("solid", fgColor="D9E2F3")
HEAD = PatternFill("solid", fgColor=NAVY)
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRED = Alignment(wrap_text=True, vertical="top", horizontal="center")
SHORT = ("level", "rating", "count", "yesno", "mark")  # a digit or a word: centred under its heading
MONEY_FORMAT = '"£"#,##0;-"£"#,##0'
# Width (characters) a column of each kind gets; text columns share TEXT_SPAN between them.
WIDTH = {"money": 14, "when": 16, "rating": 11, "count": 10, "level": 7,
         "yesno": 11, "mark": 11}
TEXT_SPAN, TEXT_MIN, TEXT_MAX = 100, 32, 60
NARROW = {"ref": 9}  # short codes, whatever their kind: the models carry no width
LABEL_MAX, HEADER_MAX, VALUE_WIDTH, LONG_VALUE_WIDTH = 40, 36, 50, 80
BLANK_ROWS = 2  # empty rows of the table itself, below the filled ones
GAP_ROWS = 8  # yellow rows below a table: they belong to it, as any row up to the next heading does
FIXED_GAP_ROWS = 3  # below a table filled from the configuration (years, gates), for a row it lacks
GUIDE_WIDTH = 90  # narrower than a portrait A4 page: Calc does not shrink a single column to fit
LAST_ROWS = 200  # how far the checks and dropdowns of a sheet's last table reach


def _font(**style) -> Font:
    """A font named in full: a font with no name is drawn in a serif face by LibreOffice."""
    return Font(name="Calibri", **style)


def _cell_value(value, kind: str):
    if kind == "yesno" and isinstance(value, bool):  # a raw value (`casegen import`) is written as typed
        return "Yes" if value else "No"
    if kind == "mark":
        return "X" if value else None
    return value


def _put(ws, row: int, column: int, value, kind: str):
    return put(ws, row, column, _cell_value(value, kind))  # text a lead typed stays text, never a formula


class _Validations:
    """One DataValidation per rule per sheet, as Excel and LibreOffice expect."""

    def __init__(self, ws, programme: Programme, lookups: dict | None = None):
        self.ws, self.programme = ws, programme
        self.rules: dict[tuple[str, str, str, str], DataValidation] = {}
        self.lookups = lookups or {}  # "table.column" -> the cells of that column, for lookup dropdowns

    def add(self, col: spec.Column, ref: str) -> None:
        key = (col.kind, col.choices, col.label, col.lookup)
        dv = self.rules.get(key)
        if dv is None:
            dv = self._make(col)
            if dv is None:
                return
            dv.promptTitle = col.label[:32]
            dv.prompt = (col.help or col.label)[:250]
            dv.showInputMessage = True
            dv.showErrorMessage = True
            self.ws.add_data_validation(dv)
            self.rules[key] = dv
        dv.add(ref)

    def _make(self, col: spec.Column) -> DataValidation:
        if col.lookup and col.lookup in self.lookups:
            return DataValidation(type="list", formula1=self.lookups[col.lookup], allow_blank=True,
                                  error=f"Choose one of the names typed in {col.lookup.split('.')[0]}"[:225])
        if col.kind == "mark":
            return DataValidation(type="list", formula1='"X"', allow_blank=True, error="Type X, or leave blank")
        # Formulas are stored without a leading "=", as Excel itself writes them.
        if col.kind == "choice":
            return DataValidation(type="list", formula1=f"list_{col.choices}", allow_blank=True,
                                  error=f"Choose one of the listed values for {col.label}"[:225])
        if col.kind == "rating":
            return DataValidation(type="whole", operator="between", formula1="1", formula2="5",
                                  allow_blank=True, error="Type a whole number from 1 to 5")
        if col.kind == "count":
            return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                                  allow_blank=True, error="Type a whole number")
        if col.kind == "level":
            return DataValidation(type="list", formula1='"1,2"', allow_blank=True,
                                  error="1 for a bullet, 2 for a bullet under the one above")
        if col.kind == "yesno":
            return DataValidation(type="list", formula1='"Yes,No"', allow_blank=True, error="Yes or No")
        return DataValidation(type="none", allow_blank=True)


def _style_input(cell, col: spec.Column, fill=INPUT) -> None:
    cell.fill, cell.border, cell.alignment = fill, BOX, CENTRED if col.kind in SHORT else WRAP
    if col.kind == "money":
        cell.number_format = MONEY_FORMAT
    elif cell.is_date:  # a date the office program made of what was typed (`upgrade`): it stays a date
        cell.number_format = "mmm yyyy" if col.kind == "when" else "dd/mm/yyyy"
    elif col.kind in ("when", "text", "longtext", "choice"):
        cell.number_format = "@"


GUIDE_STEPS = [
    "1. Work through the sheets from left to right; they follow the document's sections in order.",
    "2. Type only in the yellow cells. Grey cells are given by the programme: change them only if told to.",
    "3. Select a cell to see what it needs. Cells with an arrow offer a list: pick from it.",
    "4. Money: type 200000, £200,000 or 200000.50 (a point before the pence: 1,5 is refused as unclear); "
    "TBC if not yet known; blank or - for none.\nDates: Oct 2023, Q3 2024, Q1 24/25 (a financial-year quarter), "
    "TBC or Ongoing; Completed for a gate already passed; a realisation date may be just a year, 2025.",
    "5. Lists (scope, objectives, risks…) are tables: one item a row. For more items, type directly below the "
    "table, as many rows as you need, up to the next heading: every row there belongs to the table, with the "
    "same lists and checks. Blank rows are skipped; to delete an item, clear its row.",
    "6. Bullets: Level 1 is a bullet, Level 2 a bullet under the one above it.",
    "7. A line break inside a cell (Alt+Enter) becomes a line break in the document.",
    "8. Totals, net savings and risk scores are worked out for you: there is nowhere to type them.",
    "9. Check the form with:   casegen validate THIS_FILE.xlsx\nMake the document with:   casegen build THIS_FILE.xlsx",
]


class FormWriter:
    def __init__(self, kind: str, programme: Programme, case=None):
        self.kind, self.programme, self.case = kind, programme, case
        self.model = KINDS[kind]
        self.wb = Workbook()
        self.lookups: dict[str, str] = {}

    def write(self, path: Path) -> None:
        self.wb.remove(self.wb.active)
        self._guide()
        for sheet in spec.sheets(self.model):
            self._sheet(sheet)
        self._lists()
        self._control()
        with atomic_path(path) as tmp:
            self.wb.save(tmp)

    def _value(self, path: tuple):
        obj = self.case
        for part in path:
            if obj is None:
                return None
            obj = getattr(obj, part)
        return obj

    def _guide(self) -> None:
        ws = self.wb.create_sheet(spec.GUIDE_SHEET)
        ws.sheet_view.showGridLines = False
        title = f"{TITLES[self.kind]} – {self.programme.programme}: intake form"
        lines = [(title, _font(bold=True, size=16, color=NAVY)),
                 ("How to fill in this form", _font(bold=True, size=12))]
        lines += [(step, None) for step in GUIDE_STEPS] + [("Sheets", _font(bold=True, size=12))]
        for sheet in spec.sheets(self.model):
            heads = [b if isinstance(b, str) else b.label if isinstance(b, spec.Table) else b.column.label
                     for b in sheet.blocks if isinstance(b, (str, spec.Table)) or len(b.path) == 1]
            lines.append((f"{sheet.title}: {', '.join(heads)}", None))
        for row, (text, font) in enumerate(lines, start=1):
            cell = ws.cell(row=row, column=1, value=text)
            cell.alignment = WRAP
            if font:
                cell.font = font
        widths = {1: GUIDE_WIDTH}  # one wide column of prose: the Guide has no table to line up with
        fit.set_widths(ws, widths)
        fit.fit_rows(ws)
        fit.print_setup(ws, widths)

    def _sheet(self, sheet: spec.Sheet) -> None:
        ws = self.wb.create_sheet(sheet.title)
        ws.sheet_view.showGridLines = False
        self.widths: dict[int, float] = {1: 8, 2: 8}
        self.minimum: dict[int, float] = {1: 22}  # the sheet's title, 14 point
        heads = []
        dvs = _Validations(ws, self.programme, self.lookups)
        ws.cell(row=1, column=1, value=sheet.title).font = _font(bold=True, size=14, color=NAVY)
        row, previous = 3, None
        for n, block in enumerate(sheet.blocks, start=1):
            if isinstance(previous, spec.Scalar) and len(previous.path) > 1 and not isinstance(block, spec.Scalar):
                row += 1  # a blank row closes a group of fields
            if isinstance(block, str):
                row = self._heading(ws, row, block)
            elif isinstance(block, spec.Scalar):
                row = self._scalar(ws, row, block, dvs)
            else:
                heads.append(row + 2)
                row = self._table(ws, row, block, dvs, last=n == len(sheet.blocks))
            previous = block
        fit.set_widths(ws, self.widths)
        fit.fit_rows(ws, self.minimum)
        # A sheet ending in its one table: the header row repeats on the pages the table runs on to.
        alone = len(heads) == 1 and isinstance(sheet.blocks[-1], spec.Table)
        fit.print_setup(ws, self.widths, f"{heads[0]}:{heads[0]}" if alone else None)
        fit.keep_together(ws, [(head - 2, head + 2) for head in heads])  # a table's heading prints with its rows

    def _need(self, column: int, width: float) -> None:
        self.widths[column] = max(self.widths.get(column, 0), width)

    def _heading(self, ws, row: int, text: str) -> int:
        for column in (1, 2):
            ws.cell(row=row, column=column).fill = HEAD
        ws.cell(row=row, column=1, value=text).font = _font(bold=True, color="FFFFFF")
        return row + 1

    def _scalar(self, ws, row: int, block: spec.Scalar, dvs: _Validations) -> int:
        col = block.column
        if len(block.path) == 1:
            row = self._heading(ws, row, col.label)
        text = col.label + (" *" if col.required else "")
        label = ws.cell(row=row, column=1, value=text)
        label.font, label.fill, label.border, label.alignment = _font(bold=True), LABEL, BOX, WRAP
        self._need(1, min(LABEL_MAX, fit.text_width(text, bold=True)))
        cell = _put(ws, row, 2, self._value(block.path), col.kind)
        _style_input(cell, col)
        if col.kind == "longtext":
            self.minimum[row] = 8 * fit.LINE  # room to type a paragraph
            self._need(2, LONG_VALUE_WIDTH)
        else:
            self._need(2, max(VALUE_WIDTH, self._choice_width(col)))
        ref = f"{quote_sheetname(ws.title)}!${get_column_letter(2)}${row}"
        self.wb.defined_names[block.defined_name] = DefinedName(block.defined_name, attr_text=ref)
        dvs.add(col, cell.coordinate)
        return row + 1 + (1 if len(block.path) == 1 else 0)

    def _rows(self, block: spec.Table) -> list[dict]:
        items = self._value(block.path) if self.case is not None else None
        if items:
            return [{c.name: getattr(item, c.name) for c in block.columns} for item in items]
        if block.prefill:
            return [{block.columns[0].name: v} for v in getattr(self.programme, block.prefill)]
        return []

    def _table(self, ws, row: int, block: spec.Table, dvs: _Validations, last: bool) -> int:
        """Caption, help, header, the rows, then the gap below: yellow rows that belong to the table.

        The table owns every row down to the next block's first row, as the reader finds it
        (intake/layout.py), so its checks and dropdowns reach that far; below a sheet's last table they
        reach LAST_ROWS rows.
        """
        caption = ws.cell(row=row, column=1, value=block.label)
        caption.font = _font(bold=True, size=12, color=NAVY)
        self.minimum[row] = 17
        ws.cell(row=row + 1, column=1, value=block.help).font = _font(italic=True, color="595959")
        head = row + 2
        first = 2 if len(block.columns) == 1 else 1  # a one-column list sits under the values, not the labels
        rows = self._rows(block)
        n = max(1, len(rows) + (0 if block.prefill else BLANK_ROWS))
        filled = head + n
        end = filled + (FIXED_GAP_ROWS if block.prefill else GAP_ROWS) + 1  # and one blank row before the next block
        for i, col in enumerate(block.columns, start=first):
            cell = ws.cell(row=head, column=i, value=col.label)
            # Filled by hand too: LibreOffice does not draw Excel's table styles.
            cell.font, cell.alignment, cell.fill = _font(bold=True, color="FFFFFF"), WRAP, HEAD
            self._need(i, self._column_width(block, col, [r.get(col.name) for r in rows]))
            for r in range(head + 1, end):
                values = rows[r - head - 1] if r - head - 1 < len(rows) else {}
                cell = _put(ws, r, i, values.get(col.name), col.kind)
                given = block.prefill and i == first and r <= filled
                _style_input(cell, col, GIVEN if given else INPUT)
                if col.name == "text" and values.get("level") == 2:
                    cell.alignment = Alignment(wrap_text=True, vertical="top", indent=2)
            letter = get_column_letter(i)
            dvs.add(col, f"{letter}{head + 1}:{letter}{filled + LAST_ROWS if last else end}")
            # A later column may offer this one's entries as its dropdown: every row the table owns.
            self.lookups[f"{block.name}.{col.name}"] = \
                f"{quote_sheetname(ws.title)}!${letter}${head + 1}:${letter}${end}"
        ws.add_table(_excel_table(block, f"{get_column_letter(first)}{head}:{get_column_letter(i)}{filled}"))
        return end + 1

    def _column_width(self, block: spec.Table, col: spec.Column, values: list) -> float:
        header = min(HEADER_MAX, fit.text_width(col.label, bold=True))
        if col.name in NARROW:
            return max(NARROW[col.name], min(header, 12))
        if col.kind == "choice" and not col.lookup:
            return max(header, self._choice_width(col))
        if col.kind not in ("text", "longtext"):
            return max(header, WIDTH.get(col.kind, 12))
        texts = sum(c.kind in ("text", "longtext") and c.name not in NARROW for c in block.columns)
        width = min(TEXT_MAX, max(TEXT_MIN, TEXT_SPAN / texts))
        typed = [len(str(v)) for v in values if v]
        if col.kind == "text" and typed and len(typed) == len(values):
            width = min(width, max(typed) + 2)  # short entries (a ref, a stage name): as wide as they are
        return max(header, width)

    def _choice_width(self, col: spec.Column) -> float:
        if col.kind != "choice" or col.lookup or not col.choices:
            return 0
        items = getattr(self.programme, col.choices)
        return min(LONG_VALUE_WIDTH, max(map(len, items), default=8) + 4)  # and the dropdown's arrow

    def _lists(self) -> None:
        ws = self.wb.create_sheet(spec.LISTS_SHEET)
        vocab = Programme.vocabularies()
        for i, key in enumerate(vocab, start=1):
            items = getattr(self.programme, key)
            ws.cell(row=1, column=i, value=key).font = _font(bold=True)
            for r, item in enumerate(items, start=2):
                put(ws, r, i, item)
            letter = get_column_letter(i)
            ref = f"{quote_sheetname(ws.title)}!${letter}$2:${letter}${len(items) + 1}"
            self.wb.defined_names[f"list_{key}"] = DefinedName(f"list_{key}", attr_text=ref)
        ws.sheet_state = "hidden"

    def _control(self) -> None:
        """Kind in B1 and version in B2 (where every casegen looks), then the layout the version is made of."""
        ws = self.wb.create_sheet(spec.CONTROL_SHEET)
        for r, (k, v) in enumerate([("kind", self.kind), ("form_version", spec.form_version(self.model)),
                                    ("casegen", __version__), ("programme", self.programme.programme)], 1):
            ws.cell(row=r, column=1, value=k)
            put(ws, r, 2, v)  # the programme's name among them: text, whatever it starts with
        for r, values in enumerate([spec.LAYOUT_HEADER] + spec.layout(self.model), 1):
            for c, value in enumerate(values, start=spec.LAYOUT_COLUMN):
                ws.cell(row=r, column=c, value=value)
        ws.sheet_state = "hidden"


def _excel_table(block: spec.Table, ref: str) -> XlTable:
    """An Excel table without filter buttons: they would cover the end of each heading."""
    xl = XlTable(displayName=block.name, ref=ref, autoFilter=None)
    # Columns given here, so openpyxl does not add the autoFilter it adds to tables without them.
    xl.tableColumns = [TableColumn(id=i, name=c.label) for i, c in enumerate(block.columns, start=1)]
    xl.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=False)
    return xl


def write_form(kind: str, path: str | Path, programme: Programme, case=None) -> Path:
    """Write the intake workbook for `kind` at `path`, filled with `case` if given."""
    path = Path(path)
    FormWriter(kind, programme, case).write(path)
    return path


class _Values:
    """Raw values by field name, read like a case (`casegen import`): what a document held, unchecked."""

    def __init__(self, data: dict):
        self._data = data

    def __getattr__(self, name: str):
        value = self._data.get(name)
        if isinstance(value, list):
            return [_Values(v) if isinstance(v, dict) else v for v in value]
        return _Values(value) if isinstance(value, dict) else value


def write_form_values(kind: str, path: str | Path, programme: Programme, data: dict) -> Path:
    """Write the form for `kind` filled with raw values shaped like the case model's data, kept as given
    (a date casegen cannot read stays in its cell, for the reader to report)."""
    return write_form(kind, path, programme, _Values(data))
