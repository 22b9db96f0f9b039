"""Every cell a lead could have meant is read or named: a table's rows run to the next block of the form,
blank rows inside are skipped, rows typed below a table belong to it, and what is typed elsewhere on a
sheet of the form, or in a column casegen does not read, is a warning naming the cell."""
import json

from openpyxl import load_workbook

from helpers import lines, run, spoil, table_cell

SO = "bcl-service-optimisation"


def dumped(path) -> dict:
    result = run("dump", path)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def table_rows(path, table: str) -> tuple[int, int]:
    """(header row, last row) of the Excel table `table`."""
    wb = load_workbook(path)
    ref = next(ws.tables[table].ref for ws in wb.worksheets if table in ws.tables)
    first, last = (int("".join(filter(str.isdigit, c))) for c in ref.split(":"))
    return first, last


def texts(case: dict, table: str) -> list[str]:
    return [row["text"] for row in case[table]]


def test_rows_after_a_blank_row_are_read(make_form):
    path = make_form(SO)
    before = texts(dumped(path), "objectives")
    head, last = table_rows(path, "objectives")
    first_blank = head + 1 + len(before)

    def type_after_a_gap(wb):
        ws = wb["Objectives"]
        ws.cell(row=first_blank + 1, column=1, value=1)  # one row left empty, then an objective
        ws.cell(row=first_blank + 1, column=2, value="Typed after an empty row")

    spoil(path, type_after_a_gap)
    assert texts(dumped(path), "objectives") == before + ["Typed after an empty row"]


def test_a_cleared_row_in_the_middle_drops_only_that_item(make_form):
    """Clearing a row is how an item is deleted in Calc, where a table's rows cannot be removed."""
    path = make_form(SO)
    before = texts(dumped(path), "objectives")
    assert len(before) >= 3
    spoil(path, lambda wb: [setattr(table_cell(wb, "objectives", 2, h), "value", None) for h in ("Level", "Text")])
    assert texts(dumped(path), "objectives") == [before[0]] + before[2:]


def type_risks_below(path, n: int) -> list[str]:
    """Type `n` risks in the rows just below the risks table (whose next block is two rows further down)."""
    _, last = table_rows(path, "risks")
    typed = [f"Typed risk {i}" for i in range(1, n + 1)]

    def edit(wb):
        ws = wb["Risks"]
        for i, text in enumerate(typed, start=1):
            for col, value in enumerate((f"R{i}", text, 2, 3, "Watch it"), start=1):
                ws.cell(row=last + i, column=col, value=value)

    spoil(path, edit)
    return typed


def test_one_row_typed_below_a_table_belongs_to_it(make_form):
    path = make_form(SO)
    before = [r["risk"] for r in dumped(path)["risks"]]
    typed = type_risks_below(path, 1)
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert [r["risk"] for r in dumped(path)["risks"]] == before + typed


def test_two_rows_typed_below_a_table_stop_at_the_next_block(make_form):
    """The Guide's advice: the second row no longer runs the reader into the next table's caption."""
    path = make_form(SO)
    before = dumped(path)
    typed = type_risks_below(path, 2)
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    after = dumped(path)
    assert [r["risk"] for r in after["risks"]] == [r["risk"] for r in before["risks"]] + typed
    assert after["dependencies"] == before["dependencies"]


def test_ten_rows_typed_below_the_last_table_of_a_sheet(make_form):
    path = make_form(SO)
    before = texts(dumped(path), "objectives")
    _, last = table_rows(path, "objectives")
    typed = [f"Objective typed below {i}" for i in range(1, 11)]

    def edit(wb):
        for i, text in enumerate(typed, start=1):
            wb["Objectives"].cell(row=last + i, column=1, value=1)
            wb["Objectives"].cell(row=last + i, column=2, value=text)

    spoil(path, edit)
    assert run("validate", path).exit_code == 0
    assert texts(dumped(path), "objectives") == before + typed


def test_rows_typed_over_the_next_tables_caption_are_named_not_read(make_form):
    """Past the next block's caption the rows are not the table's: each cell is named in a warning."""
    path = make_form(SO)
    head, _ = table_rows(path, "dependencies")
    caption = head - 2  # the dependencies table's caption, above its help line and header
    spoil(path, lambda wb: wb["Risks"].cell(row=caption, column=3, value="risk typed too far down"))
    result = run("validate", path)
    assert result.exit_code == 0
    assert lines(result) == [
        f"{path}: Risks!C{caption}: warning: 'risk typed too far down' is typed outside the form's cells; casegen "
        "does not read it (type it in a yellow cell, or keep notes on a sheet of your own) [cell-outside]"]


def test_an_added_column_is_named(make_form):
    path = make_form(SO)
    head, _ = table_rows(path, "risks")

    def owner(wb):
        ws = wb["Risks"]
        ws.cell(row=head, column=6, value="Owner")  # typed beside the headings, as in Calc (the table stays A:E)
        ws.cell(row=head + 1, column=6, value="Head of Service")

    spoil(path, owner)
    result = run("validate", path)
    assert result.exit_code == 0
    assert lines(result) == [
        f"{path}: Risks!F{head}: warning: the table 'risks' has a column headed 'Owner' that casegen does not read; "
        "its entries are left out of the document [table-unknown-column]"]


def test_a_column_excel_added_to_the_table_is_named(make_form):
    """Excel grows the table when a heading is typed beside it: the column is inside the table's ref."""
    path = make_form(SO)
    head, last = table_rows(path, "risks")

    def grow(wb):
        ws = wb["Risks"]
        ws.cell(row=head, column=6, value="Owner")
        ws.tables["risks"].ref = f"A{head}:F{last}"
        from openpyxl.worksheet.table import TableColumn
        ws.tables["risks"].tableColumns.append(TableColumn(id=6, name="Owner"))

    spoil(path, grow)
    assert any("Risks!F" in line and "column headed 'Owner'" in line for line in lines(run("validate", path)))


def test_a_value_typed_outside_the_form_is_named(make_form):
    path = make_form(SO)
    spoil(path, lambda wb: wb["Objectives"].cell(row=30, column=6, value="Ask Sam about this"))
    result = run("validate", path)
    assert result.exit_code == 0
    assert lines(result) == [
        f"{path}: Objectives!F30: warning: 'Ask Sam about this' is typed outside the form's cells; casegen does not "
        "read it (type it in a yellow cell, or keep notes on a sheet of your own) [cell-outside]"]


def test_a_sheet_of_the_leads_own_is_not_looked_at(make_form):
    path = make_form(SO)
    spoil(path, lambda wb: wb.create_sheet("My notes").cell(row=3, column=3, value="notes"))
    result = run("validate", path)
    assert result.exit_code == 0 and "warning" not in result.output and "notes" not in result.output
