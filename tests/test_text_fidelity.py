"""Text comes back as typed, or is refused with a message: never changed or cut on the way (issue 24).

OOXML reads `_xHHHH_` in a cell as the character HHHH, so casegen writes a typed `_x0020_` escaped, as Excel
does; text over the 32,767 characters a cell holds is refused (a form from JSON, the tracker) or reported
(a form's cell), never cut as openpyxl would cut it.
"""
from __future__ import annotations

import json

import pytest
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from casegen.intake.form import write_form
from casegen.sheetcells import MAX_TEXT, TextTooLong, put
from helpers import REWRITTEN, leftovers, lines, named, rewrite, run, sample_case, sheet_part

TYPED = ["Budget_x0020_2025", "C:\\Data\\_x0041_", "Jane_x000D_Smith", "lower_x005f_case", "_x005F_x0041_",
         "two_x0041_x0042_in a row", "not one: _x41_ _X0041_ _x00g1_", "non\u00a0breaking\u00a0spaces",
         "=HYPERLINK(\"_x0041_\")"]


def calamine_values(path) -> list:
    wb = CalamineWorkbook.from_path(str(path))
    return [v for s in wb.sheet_names for row in wb.get_sheet_by_name(s).to_python() for v in row if v != ""]


def comments_as_excel_shows_them(path) -> str:
    """The cell comments' text, each `_xHHHH_` decoded as Excel decodes it (ECMA-376 22.4.2.4): left to right."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zf:
        xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/comments"))
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), xml)


def test_every_text_written_into_a_cell_reads_back_as_typed(tmp_path):
    wb = Workbook()
    long_escapes = "_x0041_" * (MAX_TEXT // 7)  # at the limit as typed; longer once escaped, and kept whole
    for i, text in enumerate(TYPED + [long_escapes], start=1):
        put(wb.active, i, 1, text)
    wb.save(tmp_path / "cells.xlsx")
    assert calamine_values(tmp_path / "cells.xlsx") == TYPED + [long_escapes]


def test_escapes_come_back_from_new_dump_build_import_and_the_tracker(tmp_path, programme):
    case = sample_case("bcl-service-optimisation", programme)
    case.project.title = "Budget_x0020_2025 for Jane_x000D_Smith"
    case.summary = "Files in C:\\Data\\_x0041_ are kept.\n\nNine\u00a0hundred homes."
    case.risks[0].risk = "Budget_x0020_2025 slips"
    data = json.loads(run("dump", write_form("bcl", tmp_path / "first.xlsx", programme, case)).output)
    assert (data["project"]["title"], data["summary"]) == (case.project.title, case.summary)
    (tmp_path / "case.json").write_text(json.dumps(data), encoding="utf-8")
    forms = tmp_path / "forms"
    forms.mkdir()
    assert run("new", "bcl", forms / "typed.xlsx", "--data", tmp_path / "case.json").exit_code == 0
    assert json.loads(run("dump", forms / "typed.xlsx").output) == data

    assert run("build", forms / "typed.xlsx", "-o", tmp_path / "out").exit_code == 0
    result = run("import", tmp_path / "out" / "typed.docx", "-o", tmp_path / "imported.xlsx")
    assert result.exit_code == 0, result.output
    assert json.loads(run("dump", tmp_path / "imported.xlsx").output) == data

    assert run("portfolio", forms, "-o", tmp_path / "tracker.xlsx", "-j", "1").exit_code == 0
    shown = calamine_values(tmp_path / "tracker.xlsx")
    assert case.project.title in shown and "Budget_x0020_2025 slips" in shown
    assert not any(isinstance(v, str) and ("Budget 2025" in v or "Jane\rSmith" in v) for v in shown)


def test_escapes_come_back_from_an_upgrade_and_an_annotated_copy(make_form, tmp_path, monkeypatch):
    from test_reader_layout import add_a_field

    def edit(case):
        case.project.title = "Budget_x0020_2025 for Jane_x000D_Smith"
        case.gate_dates[0].date = "C:\\Data\\_x0041_"  # refused, and quoted on the Problems sheet

    form = make_form(edit=edit)
    assert run("validate", "--annotate", form).exit_code == 1
    shown = calamine_values(form.with_name(f"{form.stem}.checked.xlsx"))
    assert "Budget_x0020_2025 for Jane_x000D_Smith" in shown and "C:\\Data\\_x0041_" in shown
    assert any(isinstance(v, str) and "'C:\\Data\\_x0041_'" in v for v in shown)  # the message quotes it as typed
    assert "'C:\\Data\\_x0041_'" in comments_as_excel_shows_them(form.with_name(f"{form.stem}.checked.xlsx"))
    add_a_field(monkeypatch)
    assert run("upgrade", form).exit_code == 1  # the date it cannot read is carried across, and named
    assert len(list(form.parent.glob(f"{form.stem}.backup-*.xlsx"))) == 1
    shown = calamine_values(form)
    assert "Budget_x0020_2025 for Jane_x000D_Smith" in shown and "C:\\Data\\_x0041_" in shown


def test_new_refuses_a_text_longer_than_a_cell_naming_the_field(tmp_path, programme):
    data = json.loads(run("dump", write_form("bcl", tmp_path / "f.xlsx", programme,
                                             sample_case("bcl-service-optimisation", programme))).output)
    data["summary"] = "x" * 40000
    (tmp_path / "case.json").write_text(json.dumps(data), encoding="utf-8")
    result = run("new", "bcl", tmp_path / "new.xlsx", "--data", tmp_path / "case.json")
    assert result.exit_code == 1
    assert f"Error: {tmp_path / 'case.json'}: summary: the text is 40,000 characters long, " \
           "more than the 32,767 a cell of the form holds; shorten it [value-too-long]" in lines(result)
    assert not (tmp_path / "new.xlsx").exists()


def test_a_form_cell_longer_than_a_cell_holds_is_an_error_with_its_cell(make_form):
    path = make_form()
    title = named(load_workbook(path), "project_title")
    rewrite(path, sheet_part(path, "Project"), lambda xml: xml.replace(
        b"<t>Service Optimisation</t>", b"<t>" + b"y" * 40000 + b"</t>"))
    result = run("validate", path)
    assert result.exit_code == 1
    assert f"{path}: Project!{title.coordinate}: Project Title: the text is 40,000 characters long, more than the " \
           "32,767 a cell holds (the form was not saved by Excel or Calc, which cut it); shorten it " \
           "[value-too-long]" in lines(result)


def test_the_tracker_refuses_a_risk_longer_than_a_cell_and_writes_nothing(tmp_path, programme):
    case = sample_case("brief-neighbourhood-working-model", programme)
    risk = case.risks[0]
    risk.cause, risk.risk, risk.consequence = "staff " * 2500, "budgets " * 2000, "delays " * 2000  # each fits a cell
    (tmp_path / "forms").mkdir()
    write_form("brief", tmp_path / "forms" / "brief.xlsx", programme, case)
    result = run("portfolio", tmp_path / "forms", "-o", tmp_path / "tracker.xlsx", "-j", "1")
    assert result.exit_code == 1
    assert any(line.startswith("Error: Risks!E") and "more than the 32,767 a cell of a workbook holds" in line
               for line in lines(result))
    assert not (tmp_path / "tracker.xlsx").exists() and not leftovers(tmp_path)


def test_text_too_long_names_its_cell(tmp_path):
    wb = Workbook()
    with pytest.raises(TextTooLong, match=r"^Sheet!C2: the text “zzz+ …” is 32,768 characters long"):
        put(wb.active, 2, 3, "z" * (MAX_TEXT + 1))


# The redline of a long paragraph, and of a previous document planted by someone else (issue 24).

def _document(path, paragraphs: list[str]):
    from docx import Document

    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.core_properties.last_modified_by = "casegen"
    doc.save(path)
    return path


def _sentences(seed: int, characters: int) -> str:
    import random

    rnd, words, out = random.Random(seed), ["budget", "service", "residents", "hub", "savings", "the", "and"], []
    while sum(map(len, out)) + len(out) < characters:
        out.append(" ".join(rnd.choice(words) + str(rnd.randrange(500)) for _ in range(12)) + ".")
    return " ".join(out)[:characters]


def _tracked(path) -> tuple[str, str, int]:
    """The text with every change accepted, with every change rejected, and how many characters are marked."""
    import zipfile

    from lxml import etree

    from casegen.ooxml import W

    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    accepted, rejected, marked = [], [], 0
    for t in root.iter(W + "t", W + "delText"):
        change, text = next((a.tag for a in t.iterancestors(W + "ins", W + "del")), None), t.text or ""
        if change != W + "del":
            accepted.append(text)
        if change != W + "ins":
            rejected.append(text)
        marked += len(text) if change else 0
    return "".join(accepted), "".join(rejected), marked


@pytest.mark.parametrize("change", ["rewritten", "edited"])
def test_the_redline_of_a_100000_character_paragraph_takes_linear_time(tmp_path, change):
    import time

    from casegen.batch.redline import write_redline

    before = _sentences(1, 100_000)
    after = _sentences(2, 100_000) if change == "rewritten" else before.replace("hub1", "HUB-ONE")
    old = _document(tmp_path / "old.docx", ["Summary", before])
    new = _document(tmp_path / "new.docx", ["Summary", after])
    started = time.perf_counter()
    assert write_redline(str(old), str(new), str(tmp_path / "red.docx"), "2026-01-01T00:00:00Z") == (True, "")
    took = time.perf_counter() - started
    assert took < 5, f"{took:.1f} s"  # quadratic: 13-18 s for a third of the length, 400 s for this one
    accepted, rejected, marked = _tracked(tmp_path / "red.docx")
    assert (accepted, rejected) == ("Summary" + after, "Summary" + before)  # Word's accept all, reject all
    if change == "edited":
        assert marked < len(after) // 10  # the edits marked, not the paragraph


BOMB_PEAK = """
import resource, sys
from casegen.batch.redline import write_redline
print(write_redline(sys.argv[1], sys.argv[2], sys.argv[3], "2026-01-01T00:00:00Z")[1])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_a_zip_bomb_planted_as_the_previous_document_is_refused_within_a_memory_budget(tmp_path):
    import subprocess
    import sys

    from hostile_files import lying_bomb

    new = _document(tmp_path / "new.docx", ["Summary", "Nine hundred homes."])
    bomb = lying_bomb(_document(tmp_path / "old.docx", ["Summary", "x"]), "word/document.xml",
                      inflates_to=1024 * 2**20)
    assert bomb.stat().st_size < 2 * 2**20  # a 1 MB file that inflates to 1 GB
    done = subprocess.run([sys.executable, "-c", BOMB_PEAK, bomb, new, tmp_path / "red.docx"], capture_output=True,
                          text=True, timeout=120)
    why, peak = done.stdout.splitlines()
    assert why == (f"the previous document {bomb} was not compared (part word/document.xml inflates to more than the "
                   f"1,048,576 bytes its zip directory declares (a zip bomb?); it is not a document casegen wrote)")
    assert int(peak) < 300, f"{peak} MB"  # zipfile's own read took 2.1 GB
    assert not (tmp_path / "red.docx").exists()


# Office's Strict Open XML formats (Excel: "Strict Open XML Spreadsheet"), made here from a real form and a real
# document by moving every namespace to Strict's (ECMA-376 Part 1), as Excel and Word write them.

OOXML = "http://schemas.openxmlformats.org/"
STRICT = "http://purl.oclc.org/ooxml/"
TO_STRICT = [(OOXML + "spreadsheetml/2006/main", STRICT + "spreadsheetml/main"),
             (OOXML + "wordprocessingml/2006/main", STRICT + "wordprocessingml/main"),
             (OOXML + "officeDocument/2006/relationships", STRICT + "officeDocument/relationships"),
             (OOXML + "drawingml/2006/main", STRICT + "drawingml/main"),
             (OOXML + "officeDocument/2006/extended-properties", STRICT + "officeDocument/extendedProperties"),
             (OOXML + "officeDocument/2006/custom-properties", STRICT + "officeDocument/customProperties"),
             (OOXML + "officeDocument/2006/docPropsVTypes", STRICT + "officeDocument/docPropsVTypes")]


def strict(path, to):
    import zipfile

    with zipfile.ZipFile(path) as src, zipfile.ZipFile(to, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            for transitional, strict_ns in TO_STRICT:
                data = data.replace(transitional.encode(), strict_ns.encode())
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
            dst.writestr(info, data)
        dst.comment = REWRITTEN  # not as casegen wrote it: conftest's audit leaves it alone
    return to


def test_a_strict_open_xml_form_is_named_with_how_to_save_it(make_form, tmp_path):
    form = strict(make_form(), tmp_path / "strict.xlsx")
    assert CalamineWorkbook.from_path(str(form), load_tables=True).table_names == []  # why it is not read
    result = run("validate", form)
    assert result.exit_code == 1
    assert lines(result) == [f"{form}: is saved as Strict Open XML Spreadsheet, which casegen does not read; open it "
                             "in Excel and save it as Excel Workbook (.xlsx) (File > Save As, then that file type) "
                             "[form-unreadable]"]


def test_a_strict_open_xml_document_is_named_on_import(tmp_path):
    legacy = strict(_document(tmp_path / "doc.docx", ["Business Case Lite", "Project Information"]),
                    tmp_path / "strict.docx")
    result = run("import", legacy, "-o", tmp_path / "form.xlsx")
    assert result.exit_code == 1 and not (tmp_path / "form.xlsx").exists()
    assert lines(result) == [f"Error: {legacy}: is saved as Strict Open XML Document, which casegen does not read; "
                             "open it in Word and save it as Word Document (.docx) (File > Save As, then that file "
                             "type)"]


def test_the_word_diff_covers_both_texts_and_marks_only_what_changed():
    import random

    from casegen.batch.worddiff import word_ops

    rnd = random.Random(3)
    before = _sentences(4, 60_000).split(" ")
    for edits in (1, 5, 40, 200):
        after = list(before)
        for _ in range(edits):  # words replaced, inserted and removed (full stops too, which move sentences)
            at, kind = rnd.randrange(len(after)), rnd.randrange(3)
            if kind == 0:
                after[at] = f"new{rnd.randrange(99)}."
            elif kind == 1:
                after.insert(at, f"added{rnd.randrange(99)}")
            else:
                del after[at]
        a = [t for word in before for t in (word, " ")][:-1]
        b = [t for word in after for t in (word, " ")][:-1]
        ops = word_ops(a, b)
        assert (ops[0][1], ops[0][3], ops[-1][2], ops[-1][4]) == (0, 0, len(a), len(b))
        assert all(ops[k][2] == ops[k + 1][1] and ops[k][4] == ops[k + 1][3] for k in range(len(ops) - 1))
        assert all(a[i1:i2] == b[j1:j2] for op, i1, i2, j1, j2 in ops if op == "equal")
        marked = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in ops if op != "equal")
        assert marked <= 30 * edits, f"{marked} words marked for {edits} edits"  # the edits, not the paragraph
