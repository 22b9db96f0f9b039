"""Many forms in bounded memory: what the build, validate and the tracker keep of each form is small, and
nothing of what they promise changes (bench/bench_memory.py measures the memory itself)."""
import json
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from casegen.batch.check import Workers
from casegen.batch.store import FOLDER
from casegen.portfolio.xlsx import CHUNK, Formulas, with_cached_values
from docx_text import text
from helpers import run

FORM = "bcl-service-optimisation"


def many_forms(make_form, n: int, same_ref: tuple[int, ...] = ()) -> Path:
    """`n` forms in inputs/, form i titled "Case i" with tracker ref RX-1i (those in `same_ref` share RX-DUP)."""
    def edit(i):
        def change(case):
            case.project.title = f"Case {i}"
            case.project.tracker_ref = "RX-DUP" if i in same_ref else f"RX-1{i:02d}"
        return change

    return [make_form(FORM, edit(i), filename=f"inputs/case-{i:02d}.xlsx") for i in range(n)][0].parent


def test_a_rule_across_forms_that_fails_one_form_of_many_leaves_it_without_a_document(make_form, tmp_path):
    inputs = many_forms(make_form, 14, same_ref=(3, 11))
    out = tmp_path / "out"
    result = run("build", inputs, "-o", out, "-j", "2")  # more forms than the workers are given at once
    assert result.exit_code == 1
    assert "RX-DUP is the tracker ref of 2 forms: case-03.xlsx and case-11.xlsx" in result.output
    assert sorted(p.name for p in out.glob("*.docx")) == [f"case-{i:02d}.docx" for i in range(14) if i not in (3, 11)]
    for i in (0, 5, 13):  # each document from its own form's case, however the cases were kept meanwhile
        assert f"Case {i}" in text(out / f"case-{i:02d}.docx") and f"RX-1{i:02d}" in text(out / f"case-{i:02d}.docx")
    assert not (out / FOLDER / "tmp").exists()  # the cases kept on disk for the build are gone with it
    changed = run("build", inputs, "-o", out, "-j", "2")
    assert changed.exit_code == 1 and "12 up to date, 2 failed" in changed.output


def test_validate_of_many_forms_lists_every_problem_with_its_cell(make_form, tmp_path):
    def edit(i):
        def change(case):
            case.project.tracker_ref = f"RX-1{i:02d}"
            if i in (2, 7):
                case.qualification.effort = 9  # the scale is 1 to 5
        return change

    for i in range(10):
        make_form(FORM, edit(i), filename=f"inputs/case-{i}.xlsx")
    result = run("validate", tmp_path / "inputs", "-j", "2", "--json")
    report = json.loads(result.output)
    assert report["exit_code"] == 1 and report["summary"].startswith("8 of 10 forms OK, 2 with errors")
    effort = [p for p in report["problems"] if p["message"] == "must be a whole number from 1 to 5, got 9"]
    assert sorted(Path(p["file"]).name for p in effort) == ["case-2.xlsx", "case-7.xlsx"]
    assert all(p["severity"] == "error" and (p["sheet"], p["cell"]) == ("Qualification", "B5") for p in effort)
    assert [f["ok"] for f in report["forms"]].count(False) == 2


def test_workers_take_tasks_a_few_at_a_time():
    taken = []

    def tasks():
        for i in range(40):
            taken.append(i)
            yield (i,)

    with Workers(2) as workers:
        results = workers.each(abs, tasks())
        first = next(results)
        assert len(taken) <= 4 * 2 + 2  # not the whole list at once: the rest wait in the caller, unmade
        assert sorted([first, *results]) == [(i, i) for i in range(40)]


def test_every_formula_keeps_its_value_across_the_chunks_the_sheet_is_read_in(tmp_path):
    wb, formulas = Workbook(), Formulas()
    ws = wb.active
    ws.title = "Sums"
    rows = 3000  # the sheet's XML is many chunks long, so formula cells straddle the chunks' ends
    for r in range(1, rows + 1):
        ws.cell(row=r, column=1, value=r)
        formulas.put(ws, r, 2, f"=A{r}*2", r * 2)
        formulas.put(ws, r, 3, f'=IF(A{r}>0,"yes & more","")', "yes & more" if r % 2 else "")
    path = tmp_path / "sums.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size > 5 * CHUNK
    path.write_bytes(with_cached_values(path.read_bytes(), formulas))
    cached, kept = load_workbook(path, data_only=True)["Sums"], load_workbook(path)["Sums"]
    assert [cached.cell(row=r, column=2).value for r in range(1, rows + 1)] == [r * 2 for r in range(1, rows + 1)]
    assert [cached.cell(row=r, column=3).value for r in (1, 2, 2999)] == ["yes & more", None, "yes & more"]
    assert kept["B2999"].value == "=A2999*2" and kept["C4"].value == '=IF(A4>0,"yes & more","")'


def test_a_case_that_cannot_be_kept_on_disk_fails_its_form_alone(make_form, tmp_path, monkeypatch):
    import errno

    from casegen.batch.spool import Spool

    inputs, out, put = many_forms(make_form, 3), tmp_path / "out", Spool.put

    def full(self, data):
        if b"Case 1" in data:
            raise OSError(errno.ENOSPC, "No space left on device")
        return put(self, data)

    monkeypatch.setattr(Spool, "put", full)
    result = run("build", inputs, "-o", out, "-j", "2")
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert "case-01.xlsx" in result.output and "its case cannot be kept in" in result.output
    assert sorted(p.name for p in out.glob("*.docx")) == ["case-00.docx", "case-02.docx"]


def test_a_long_sheet_written_a_block_at_a_time_keeps_every_row_its_table_and_its_widths(tmp_path):
    import io

    from openpyxl.styles import Font

    from casegen.portfolio.streamed import BLOCK, add_sheet, written
    from casegen.portfolio.xlsx import add_table, boxed
    from casegen.sheetcells import put

    rows = 2 * BLOCK + 57

    def compose(ws):
        put(ws, 1, 1, "Every case").font = Font(name="Calibri", bold=True)
        for c, name in enumerate(["Ref", "Title", "Formula-looking text"], start=1):
            put(ws, 2, c, name)
        ws.column_dimensions["B"].width = 33
        add_table(ws, "Long", 2, 1, 2 + rows, 3, box=False)
        for r in range(3, 3 + rows):
            put(ws, r, 1, f"RX-{r}")
            put(ws, r, 2, f"Case {r}")
            put(ws, r, 3, "=SUM(A1:A2)")  # text typed by a person stays text
            boxed(ws, r, 1, r, 3, head=False)
            ws.row_dimensions[r].height = 30 if r % 7 == 0 else None
            written(ws, r)

    wb = Workbook(write_only=True)
    add_sheet(wb, "Long", compose)
    buffer = io.BytesIO()
    wb.save(buffer)
    ws = load_workbook(io.BytesIO(buffer.getvalue()))["Long"]
    assert [ws.cell(row=r, column=2).value for r in range(3, 3 + rows)] == [f"Case {r}" for r in range(3, 3 + rows)]
    assert ws["C300"].value == "=SUM(A1:A2)" and ws["C300"].data_type == "s" and ws["A1"].font.b
    assert ws["B250"].border.left.style == "thin" and ws.column_dimensions["B"].width == 33
    assert ws.row_dimensions[7 * 40].height == 30
    assert [c.name for c in ws.tables["Long"].tableColumns] == ["Ref", "Title", "Formula-looking text"]


def test_a_sheet_that_fails_half_written_leaves_no_temporary_file_nor_half_xml(tmp_path):
    import gc

    import pytest
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    from casegen.portfolio.streamed import BLOCK, add_sheet, written
    from casegen.sheetcells import put

    def compose(ws):
        for r in range(1, 2 * BLOCK + 10):
            put(ws, r, 1, "x")
            written(ws, r)
        raise ValueError("a writer's bug")

    before = set(ALL_TEMP_FILES)
    wb = Workbook(write_only=True)
    add_sheet(wb, "First", lambda ws: put(ws, 1, 1, "whole"))
    with pytest.raises(ValueError):
        add_sheet(wb, "Second", compose)
    del wb
    gc.collect()  # an unfinished sheet's XML, ended by the collector, would raise here (an error under pytest)
    assert set(ALL_TEMP_FILES) == before
