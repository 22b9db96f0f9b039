"""The fast paths of reading a form and writing a document (issue 27) find and write what the slow ones did.

The safety scan visits only the cells holding a formula, an error or text, and measures a sheet with a pattern
that may count more than the exact one; reading never loads openpyxl; a document's unchanging parts are
deflated once a template and copied into each document's zip as they are.
"""
import io
import subprocess
import sys
import zipfile

from openpyxl import load_workbook

from casegen.render import load_template, render_case, template_path
from helpers import named, rewrite, run, sheet_part, spoil, where

SO = "bcl-service-optimisation"
CONDITIONAL = (b'<conditionalFormatting sqref="A1"><cfRule type="expression" priority="1">'
               b'<formula>A1&gt;1</formula></cfRule></conditionalFormatting>')


def test_reading_a_form_never_loads_openpyxl(make_form):
    path = make_form(SO)
    code = ("import sys; from casegen import config; from casegen.intake.reader import read_workbook; "
            f"case, _ = read_workbook({str(path)!r}, config.load()); print(case.project.title); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'PIL')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    title, loaded = done.stdout.strip().splitlines()
    assert title and loaded == "[]"


def test_a_formula_without_a_value_is_found_beside_conditional_formatting(make_form):
    """A "<f" outside any cell (a conditional format's <formula>) is passed over; the cell's own is still found."""
    path = make_form(SO)
    effort = named(load_workbook(path), "qualification_effort")
    spoil(path, lambda wb: setattr(named(wb, "qualification_effort"), "value", "=1+2"))  # openpyxl saves no value
    rewrite(path, sheet_part(path, "Qualification"), lambda xml: xml.replace(b"</sheetData>",
                                                                            b"</sheetData>" + CONDITIONAL))
    result = run("validate", path)
    assert result.exit_code == 1
    assert f"{where(path, effort)}: Effort / Easy of Implementation: has a formula but no saved value" in result.output


def test_an_attribute_named_like_a_cell_ref_does_not_make_a_sheet_too_large(make_form):
    """'xr="XFD1048576"' is not a cell's ref: the quick measure counts it, the exact one does not, and decides."""
    path = make_form(SO)
    effort = named(load_workbook(path), "qualification_effort")
    rewrite(path, sheet_part(path, "Qualification"), lambda xml: xml.replace(
        f'<c r="{effort.coordinate}"'.encode(), f'<c r="{effort.coordinate}" xr="XFD1048576"'.encode()))
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert "far more than an intake form needs" not in result.output


def test_a_cell_past_the_sheet_limit_is_still_refused(make_form):
    path = make_form(SO)
    effort = named(load_workbook(path), "qualification_effort")
    rewrite(path, sheet_part(path, "Qualification"), lambda xml: xml.replace(
        f'<c r="{effort.coordinate}"'.encode(), b'<c r="XFD1048576"'))
    result = run("validate", path)
    assert result.exit_code == 1
    assert "an intake form needs far fewer" in result.output


def test_a_documents_unchanging_parts_are_the_templates_own(programme):
    """Each part a case does not change is the template's, byte for byte, in a zip whose every CRC checks."""
    from casegen.models.load import load_json
    from helpers import SAMPLES

    case = load_json(SAMPLES / f"{SO}.json", "bcl", programme)
    template = load_template(template_path("bcl", programme=programme))
    changed = {*template.compiled, "docProps/core.xml", "docProps/app.xml", "word/styles.xml", "word/settings.xml"}
    with zipfile.ZipFile(template.path) as source:
        originals = {info.filename: source.read(info) for info in source.infolist()}
    with zipfile.ZipFile(io.BytesIO(render_case(case, programme))) as document:
        assert document.testzip() is None
        assert document.namelist() == list(originals)
        kept = {name: document.read(name) for name in document.namelist() if name not in changed}
    assert kept and kept == {name: originals[name] for name in kept}
