"""Writes the intake workbook for a kind of document, blank or filled with a case."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as XlTable, TableStyleInfo

from casegen import __version__
from casegen.config import Programme
from casegen.fileio import atomic_path
from casegen.intake import spec
from casegen.models import KINDS, TITLES

NAVY = "1F3864"
INPUT = PatternFill("solid", fgColor="FFF2CC")
GIVEN = PatternFill("solid", fgColor="E7E6E6")
LABEL = PatternFill("solid", fgColor="D9E2F3")
HEAD = PatternFill("solid", fgColor=NAVY)
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
MONEY_FORMAT = '"£"#,##0;-"£"#,##0'
WIDTH = {"longtext": 70, "text": 40, "choice": 42, "money": 16, "when": 14, "rating": 11, "count": 10,
         "level": 8, "yesno": 12, "mark": 12}
BLANK_ROWS = 6  # empty rows offered below the filled ones in every table


def _cell_value(value, kind: str):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if kind == "yesno" and value is not None:
        return "Yes" if value else "No"
    if kind == "mark":
        return "X" if value else None
    return value


def _put(ws, row: int, column: int, value, kind: str):
    cell = ws.cell(row=row, column=column, value=_cell_value(value, kind))
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text a lead typed, not a formula
    return cell


class _Validations:
    """One DataValidation per rule per sheet, as Excel and LibreOffice expect."""

    def __init__(self, ws, programme: Programme, lookups: dict | None = None):
        self.ws, self.programme, self.rules = ws, programme, {}
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
    cell.fill, cell.border, cell.alignment = fill, BOX, WRAP
    if col.kind == "money":
        cell.number_format = MONEY_FORMAT
    elif col.kind in ("when", "text", "longtext", "choice"):
        cell.number_format = "@"


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
        ws.column_dimensions["A"].width = 110
        title = f"{TITLES[self.kind]} – {self.programme.programme}: intake form"
        lines = [
            (title, Font(bold=True, size=16, color=NAVY)),
            ("How to fill in this form", Font(bold=True, size=12)),
            ("1. Work through the sheets from left to right; they follow the document's sections in order.", None),
            ("2. Type only in the yellow cells. Grey cells are given by the programme: change them only if told to.", None),
            ("3. Select a cell to see what it needs. Cells with an arrow offer a list: pick from it.", None),
            ("4. Money: type 200000 or £200,000; leave blank or type - for none. Dates: Oct 2023, or TBC / Ongoing.", None),
            ("5. Lists (scope, objectives, risks…) are tables: type in the empty rows; for more rows, type in the row just "
             "below the table or right-click a row inside it and insert a row.", None),
            ("6. Bullets: Level 1 is a bullet, Level 2 a bullet under the one above it.", None),
            ("7. A line break inside a cell (Alt+Enter) becomes a line break in the document.", None),
            ("8. Totals, net savings and risk scores are worked out for you: there is nowhere to type them.", None),
            ("9. Check the form with:   casegen validate THIS_FILE.xlsx      Make the document with:   casegen build THIS_FILE.xlsx", None),
            ("Sheets", Font(bold=True, size=12)),
        ]
        for sheet in spec.sheets(self.model):
            heads = [b if isinstance(b, str) else b.label if isinstance(b, spec.Table) else b.column.label
                     for b in sheet.blocks if isinstance(b, (str, spec.Table)) or len(b.path) == 1]
            lines.append((f"{sheet.title}: {', '.join(heads)}", None))
        for row, (text, font) in enumerate(lines, start=1):
            cell = ws.cell(row=row, column=1, value=text)
            cell.alignment = Alignment(wrap_text=True)
            if font:
                cell.font = font
        ws.sheet_view.showGridLines = False

    def _sheet(self, sheet: spec.Sheet) -> None:
        ws = self.wb.create_sheet(sheet.title)
        ws.sheet_view.showGridLines = False
        dvs = _Validations(ws, self.programme, self.lookups)
        widths: dict[int, float] = {1: 40}
        ws.cell(row=1, column=1, value=sheet.title).font = Font(bold=True, size=14, color=NAVY)
        row = 3
        for n, block in enumerate(sheet.blocks, start=1):
            if isinstance(block, str):
                row = self._heading(ws, row, block)
            elif isinstance(block, spec.Scalar):
                row = self._scalar(ws, row, block, dvs, widths)
            else:
                # Below any block but the last lies the next block: validations must stop short of it.
                row = self._table(ws, row, block, dvs, widths, below=200 if n == len(sheet.blocks) else 2)
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.sheet_properties.pageSetUpPr.fitToPage = True  # printed: every column on one page width
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.page_setup.orientation = "landscape"

    def _heading(self, ws, row: int, text: str) -> int:
        cell = ws.cell(row=row, column=1, value=text)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), HEAD
        return row + 1

    def _scalar(self, ws, row: int, block: spec.Scalar, dvs: _Validations, widths: dict) -> int:
        col = block.column
        if len(block.path) == 1:
            row = self._heading(ws, row, col.label)
        label = ws.cell(row=row, column=1, value=col.label + (" *" if col.required else ""))
        label.font, label.fill, label.border, label.alignment = Font(bold=True), LABEL, BOX, WRAP
        cell = _put(ws, row, 2, self._value(block.path), col.kind)
        _style_input(cell, col)
        if col.kind == "longtext":
            ws.row_dimensions[row].height = 150
        widths[2] = max(widths.get(2, 0), 70)
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

    def _table(self, ws, row: int, block: spec.Table, dvs: _Validations, widths: dict, below: int = 200) -> int:
        caption = ws.cell(row=row, column=1, value=block.label)
        caption.font = Font(bold=True, size=12, color=NAVY)
        ws.cell(row=row + 1, column=1, value=block.help).font = Font(italic=True, color="595959")
        head = row + 2
        for i, col in enumerate(block.columns, start=1):
            cell = ws.cell(row=head, column=i, value=col.label)
            # Filled by hand too: LibreOffice does not draw Excel's table styles.
            cell.font, cell.alignment, cell.fill = Font(bold=True, color="FFFFFF"), WRAP, HEAD
            widths[i] = max(widths.get(i, 0), WIDTH.get(col.kind, 20))
        rows = self._rows(block)
        n = len(rows) + (0 if block.prefill else BLANK_ROWS)
        for r in range(n):
            values = rows[r] if r < len(rows) else {}
            for i, col in enumerate(block.columns, start=1):
                cell = _put(ws, head + 1 + r, i, values.get(col.name), col.kind)
                given = block.prefill and i == 1
                _style_input(cell, col, GIVEN if given else INPUT)
                if col.name == "text" and values.get("level") == 2:
                    cell.alignment = Alignment(wrap_text=True, vertical="top", indent=2)
        last = head + max(n, 1)
        for i, col in enumerate(block.columns, start=1):
            letter = get_column_letter(i)
            # Validation reaches below the table so rows a lead adds get the same dropdowns.
            dvs.add(col, f"{letter}{head + 1}:{letter}{last + below}")
            # A later column may offer this one's entries as its dropdown: the table's own rows
            # only, since the rows below it may belong to the next table on the sheet.
            self.lookups[f"{block.name}.{col.name}"] = (
                f"{quote_sheetname(ws.title)}!${letter}${head + 1}:${letter}${last}")
        ref = f"A{head}:{get_column_letter(len(block.columns))}{last}"
        xl = XlTable(displayName=block.name, ref=ref)
        xl.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=False)
        ws.add_table(xl)
        return last + 3

    def _lists(self) -> None:
        ws = self.wb.create_sheet(spec.LISTS_SHEET)
        vocab = Programme.vocabularies()
        for i, key in enumerate(vocab, start=1):
            items = getattr(self.programme, key)
            ws.cell(row=1, column=i, value=key).font = Font(bold=True)
            for r, item in enumerate(items, start=2):
                ws.cell(row=r, column=i, value=item)
            letter = get_column_letter(i)
            ref = f"{quote_sheetname(ws.title)}!${letter}$2:${letter}${len(items) + 1}"
            self.wb.defined_names[f"list_{key}"] = DefinedName(f"list_{key}", attr_text=ref)
        ws.sheet_state = "hidden"

    def _control(self) -> None:
        ws = self.wb.create_sheet(spec.CONTROL_SHEET)
        for r, (k, v) in enumerate([("kind", self.kind), ("form_version", spec.FORM_VERSION),
                                    ("casegen", __version__), ("programme", self.programme.programme)], 1):
            ws.cell(row=r, column=1, value=k)
            ws.cell(row=r, column=2, value=v)
        ws.sheet_state = "hidden"


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
