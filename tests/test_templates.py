"""`casegen templates check`, and template errors during a build: the models are the single source of truth."""
import importlib.metadata
import shutil
import zipfile

import pytest
from jinja2 import UndefinedError
from jinja2.exceptions import SecurityError

from casegen import ooxml
from casegen.models import KINDS
from casegen.models.base import field
from casegen.models.bcl import BusinessCaseLite, Finance, FinanceYear
from casegen.models.brief import ProjectBrief
from casegen.models.kinds import TEMPLATE_MODELS
from casegen.models.values import Money
from casegen.render import TEMPLATE_FILES, context, templates_dir
from casegen.templating.check import context_types, stands_for, unprinted
from casegen.templating.environment import make_environment
from helpers import leftovers, lines, run, sample_case

BCL = templates_dir() / TEMPLATE_FILES["bcl"]
SAMPLES = {"bcl": "bcl-service-optimisation", "brief": "brief-neighbourhood-working-model"}


def broken(tmp_path, change, name: str = TEMPLATE_FILES["bcl"]):
    """A copy of the Business Case Lite template with its document.xml changed by `change(text)`."""
    target = tmp_path / "templates" / name
    target.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(BCL) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                changed = change(text)
                assert changed != text, "the edit did not apply"
                data = changed.encode("utf-8")
            out.writestr(info, data)
    return target


def test_the_shipped_templates_pass():
    result = run("templates", "check")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{len(list(templates_dir().glob('*.docx')))} templates OK"


def test_a_field_the_model_does_not_have(tmp_path):
    path = broken(tmp_path, lambda x: x.replace("{{ r.likelihood }}", "{{ r.likelihod }}"))
    result = run("templates", "check", path)
    assert result.exit_code == 1
    (line,) = lines(result)
    assert line.startswith(f"{path} (word/document.xml): {{{{ r.likelihod }}}}: Risk has no field 'likelihod'; "
                           "did you mean 'likelihood'? — near: ")
    assert "Risks, table 12, row 3" in line  # its place, to find it in Word


@pytest.mark.parametrize("old, new, expected", [
    ("{{ project.title }}", "{{ projct.title }}", "{{ projct.title }}: the model has no field 'projct'; did you mean "
                                                  "'project'?"),
    ("{{ finance.totals.net_savings | money }}", "{{ finance.totals.net_saving | money }}",
     "{{ finance.totals.net_saving | money }}: has no 'net_saving' (it has: net_savings, one_off_investment, "
     "one_off_savings, recurring_investment, recurring_savings); did you mean 'net_savings'?"),
    ("{{ project.department }}", "{{ project.department | shout }}",
     "{{ project.department | shout }}: there is no filter 'shout'"),
    ("{{ project.department }}", "{% for c in project.department %}{{ c }}{% endfor %}",
     "{% for c in project.department %}: loops over text, not a list (it would go letter by letter)"),
    ("{{ project.department }}", "{% for q in qualification %}{{ q }}{% endfor %}",
     "{% for q in qualification %}: loops over one Qualification, not a list"),
    ("{{ project.department }}", "{{ project.department | money }}",
     "{{ project.department | money }}: the money filter needs an amount, not text"),
    ("{{ project.department }}", "{% if project.department is shouting %}x{% endif %}",
     "{% if project.department is shouting %}: there is no test 'shouting'"),
    ("{{ project.department }}", "{{ objectives | selectattr('levl', 'equalto', 2) | list }}",
     "Bullet has no field 'levl'; did you mean 'level'?"),
    ("{{ project.department }}", "{{ project.__class__ }}", "'__class__' starts with _, which templates cannot use"),
    ("{{ project.department }}", "{% include 'other.docx' %}", "a template cannot include, import or extend"),
    ("{{ project.department }}", "{% if project.department %}",
     "{% if project.department %}: is never closed: add {% endif %} where what it shows ends"),
    ("{{ project.department }}", "{{ qualification.effort | when }}",
     "{{ qualification.effort | when }}: the when filter needs text, not a number"),
    ("{{ project.department }}", "{{ finance.totals.net_savings | money(0) }}",
     "the money filter's argument is text, in quotes: money(\"0\")"),
    ("{{ project.department }}", "{{ project.department | dash('-', 'n/a') }}",
     "{{ project.department | dash('-', 'n/a') }}: the dash filter takes 1 argument, not 2"),
    ("{{ project.department }}", "{{ objectives | join(', ') | money }}", "the money filter needs an amount, not text"),
])
def test_each_kind_of_template_mistake(tmp_path, old, new, expected):
    path = broken(tmp_path, lambda x: x.replace(old, new, 1))
    result = run("templates", "check", path)
    assert result.exit_code == 1
    assert any(expected in line for line in lines(result)), result.output
    errors = [line for line in lines(result)
              if ": warning: " not in line and "templates OK" not in line and "template OK" not in line]
    assert errors and all(line.startswith(f"{path} (word/document.xml): ") for line in errors)


def test_what_the_models_provide_passes(tmp_path):
    """Loop variables, computed fields, dict keys, methods, loop.index, set and is defined all resolve."""
    tags = ("{% set t = finance.totals %}{{ t.net_savings | money }}{% for y in finance.years %}{{ loop.index }}"
            "{{ y.net_savings | money }}{% endfor %}{{ position_table.grand_total }}{{ risks[0].total }}"
            "{{ project.contributory_themes | map(attribute='text') | join(', ') }}{{ finance.total('net_savings') }}"
            "{% if nothing is defined %}{{ nothing }}{% endif %}{{ programme }}{{ council }}")
    path = broken(tmp_path, lambda x: x.replace("{{ project.department }}", tags, 1))
    result = run("templates", "check", path)
    assert result.exit_code == 0, result.output


def test_a_tag_word_split_across_runs_is_no_finding(tmp_path):
    """casegen joins it before compiling (render.normalise), so the office need not retype it."""
    path = broken(tmp_path, lambda x: x.replace(
        "{{ project.lead }}", "{{ project.</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>lead }}"))
    result = run("templates", "check", path)
    assert result.exit_code == 0 and lines(result) == ["1 template OK"], result.output


def test_a_template_of_unknown_kind_needs_kind(tmp_path):
    path = tmp_path / "my letter.docx"
    shutil.copy(BCL, path)
    result = run("templates", "check", path)
    assert result.exit_code == 1 and "cannot tell which kind of case this template prints; pass --kind" in result.output
    assert run("templates", "check", "--kind", "bcl", path).exit_code == 0


def test_the_check_knows_every_name_a_build_provides(programme):
    for kind, name in SAMPLES.items():
        assert set(context_types(kind)) == set(context(sample_case(name, programme), programme))
    assert set(SAMPLES) == set(KINDS)


@pytest.mark.parametrize("tag, message", [
    ("{{ project.nosuch }}", "{{ project.nosuch }}: ProjectInfo has no field 'nosuch'"),
    ("{{ project.title | money }}", "{{ project.title | money }}: the money filter needs an amount, not text"),
    # Used only in a test that neither sample reaches (their budget codes are blank): still a mistake.
    ("{% if project.budget_code and project.nosuch %}x{% endif %}",
     "{% if project.budget_code and project.nosuch %}: ProjectInfo has no field 'nosuch'"),
    ("{% if project.nosuch is defined %}x{% endif %}",
     "{% if project.nosuch is defined %}: ProjectInfo has no field 'nosuch'"),
])
def test_a_template_error_in_a_build_names_the_template_the_tag_and_its_place(make_form, tmp_path, monkeypatch,
                                                                               tag, message):
    template = broken(tmp_path, lambda x: x.replace("{{ project.department }}", tag + "{{ project.department }}", 1))
    monkeypatch.setenv("CASEGEN_TEMPLATES", str(template.parent))
    form = make_form("bcl-service-optimisation")
    result = run("build", form, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"{template} (word/document.xml): {message} — near: Project Information, table 1, row 9: " in result.output
    assert "Traceback" not in result.output and "jinja2" not in result.output
    assert not list((tmp_path / "out").glob("*.docx")) and leftovers(tmp_path) == []


@pytest.mark.parametrize("tag", ["{% if project.nosuch is none %}x{% endif %}", "{{ project.nosuch | default('') }}",
                                 "{% if project.nosuch is defined %}x{% endif %}"])
def test_rendering_refuses_a_field_the_model_does_not_have_even_where_jinja_would_not(programme, tag):
    """A model's fields are always there: Jinja's quiet ways round a missing one hide a misspelling."""
    with pytest.raises(UndefinedError, match="ProjectInfo has no field 'nosuch'"):
        make_environment().from_string(tag).render(context(sample_case(SAMPLES["bcl"], programme), programme))


def test_an_unclosed_loop_names_its_opening_tag_and_table(tmp_path, make_form, monkeypatch):
    def drop_risks_endfor(xml: str) -> str:
        head, mitigations, tail = xml.partition("{%p for part in r.mitigations | blocks('-') %}")
        return head + mitigations + tail.replace("{%tr endfor %}", "", 1)

    template = broken(tmp_path, drop_risks_endfor)
    expected = (f"{template} (word/document.xml): {{%tr for r in risks %}}: is never closed: add {{%tr endfor %}} "
                "where what it repeats ends — near: Risks, table 12, row 2: ")
    result = run("templates", "check", template)
    assert result.exit_code == 1 and lines(result)[0].startswith(expected), result.output
    monkeypatch.setenv("CASEGEN_TEMPLATES", str(template.parent))
    result = run("build", make_form("bcl-service-optimisation"), "-o", tmp_path / "out")
    assert result.exit_code == 1 and expected in result.output


def test_a_field_no_template_prints_is_a_warning_with_its_form_label(tmp_path):
    path = broken(tmp_path, lambda x: x.replace("part in r.mitigations | blocks", "part in r.risk | blocks"))
    result = run("templates", "check", path)
    assert result.exit_code == 0
    assert lines(result) == [f"{path}: warning: Risks › Mitigations: the form asks for it (risks.mitigations) "
                             "but no bcl template prints it, so what a lead types there never reaches the document; "
                             "print it in the template, or mark the field printed=False in the model "
                             "[template-unprinted-field]",
                             "1 template OK, 1 warning"]
    assert run("templates", "check", "--strict", path).exit_code == 1


def test_tracker_data_the_council_formats_do_not_print_is_not_asked_for():
    """The budget code and finance lead are tracker rules' data: marked printed=False in the model."""
    labels = {p.field for p in unprinted("bcl", set(), "t.docx")}
    assert "Project Information › Project Lead" in labels
    assert not labels & {"Project Information › Indicative Budget Code", "Project Information › Finance Lead"}


def test_a_field_printed_through_a_computed_value_counts_as_printed():
    """The brief prints its stages and their items through stage_plan, computed from both tables."""
    labels = {p.field for p in unprinted("brief", {(KINDS["brief"], "stage_plan")}, "t.docx")}
    assert not any(label.startswith(("Stages ›", "Stage deliverables and activities ›")) for label in labels)


@pytest.mark.parametrize("suffix", [".odt", ".doc"])
def test_a_template_saved_in_another_format_is_told_to_save_as_docx(tmp_path, monkeypatch, suffix):
    folder = tmp_path / "templates"
    folder.mkdir()
    for name in TEMPLATE_FILES.values():
        shutil.copy(templates_dir() / name, folder / name)
    (folder / f"business_case_lite{suffix}").write_bytes(b"saved by an office suite")
    monkeypatch.setenv("CASEGEN_TEMPLATES", str(folder))
    result = run("templates", "check")
    assert result.exit_code == 1
    assert lines(result) == [f"{folder / f'business_case_lite{suffix}'}: is a {suffix} file, which casegen cannot "
                             "read as a template: save it as .docx (Word: File › Save As › Word Document; Writer: "
                             "File › Save As › Word 2007-365) [template-format]"]


def test_a_damaged_template_is_reported_not_raised(tmp_path):
    not_docx = tmp_path / "notes.docx"
    not_docx.write_text("not a document")
    cut = broken(tmp_path, lambda x: x[: len(x) // 2])
    result = run("templates", "check", "--kind", "bcl", not_docx, cut)
    assert result.exit_code == 1
    out = lines(result)
    assert f"{not_docx}: cannot read the template: File is not a zip file [template-format]" in out
    assert any(line.startswith(f"{cut} (word/document.xml): is not well-formed XML") for line in out)


class YearWithGrants(FinanceYear):
    grants: Money = field("Grants", "Pounds of grant funding; blank for none", default=None)


class FinanceWithGrants(Finance):
    years: list[YearWithGrants] = field("Financial Delivery", "Amounts by financial year", list,
                                        prefill="financial_years")


class CaseWithGrants(BusinessCaseLite):
    finance: FinanceWithGrants = field("Financial Delivery", "Money by year", FinanceWithGrants(), sheet="Finance")


def test_a_column_added_to_a_finance_year_that_no_tag_prints_fails_strict(monkeypatch):
    """The totals read every column of a year, but reading is not printing: the new column is named."""
    monkeypatch.setitem(KINDS, "bcl", CaseWithGrants)
    monkeypatch.setitem(TEMPLATE_MODELS, "bcl", CaseWithGrants)
    result = run("templates", "check", "--strict", BCL)
    assert result.exit_code == 1
    assert lines(result) == [f"{BCL}: warning: Financial Delivery › Financial Delivery › Grants: the form asks for it "
                             "(finance.years.grants) but no bcl template prints it, so what a lead types there never "
                             "reaches the document; print it in the template, or mark the field printed=False in "
                             "the model [template-unprinted-field]", "1 template OK, 1 warning"]


def test_a_computed_value_declared_to_stand_for_a_table_prints_it():
    """stage_plan declares that it stands for the Stages tables; the totals declare nothing."""
    assert stands_for(ProjectBrief, "stage_plan") == ("stages", "stage_items")
    assert stands_for(Finance, "totals") == ()


@pytest.mark.parametrize("tag, message", [
    ("{{ risks.append(1) }}", "{{ risks.append(1) }}: 'append' would change the case or reach inside it, which the "
                              "template sandbox refuses when the document is built"),
    ("{{ finance.totals.clear() }}", "{{ finance.totals.clear() }}: 'clear' would change the case or reach inside it, "
                                     "which the template sandbox refuses when the document is built"),
    ("{{ range(1000000) | length }}", "{{ range(1000000) | length }}: a range of more than 100,000 numbers, which "
                                      "the template sandbox refuses when the document is built"),
    ("{{ project.title.mro }}", "{{ project.title.mro }}: text has no 'mro'"),
])
def test_what_the_sandbox_refuses_at_build_time_the_check_refuses(make_form, tmp_path, monkeypatch, tag, message):
    """The check asks the renderer's own sandboxed environment, so what it passes a build renders."""
    template = broken(tmp_path, lambda x: x.replace("{{ project.department }}", tag + "{{ project.department }}", 1))
    checked = run("templates", "check", template)
    assert checked.exit_code == 1
    assert f"{template} (word/document.xml): {message} — near: Project Information, table 1, row 9: " in checked.output
    monkeypatch.setenv("CASEGEN_TEMPLATES", str(template.parent))
    built = run("build", make_form("bcl-service-optimisation"), "-o", tmp_path / "out")
    assert built.exit_code == 1 and message in built.output
    assert not list((tmp_path / "out").glob("*.docx"))


def test_a_template_cannot_change_the_case_it_prints(programme):
    case = sample_case(SAMPLES["bcl"], programme)
    with pytest.raises(SecurityError):
        make_environment().from_string("{{ risks.pop() }}").render(context(case, programme))
    assert len(case.risks) == len(sample_case(SAMPLES["bcl"], programme).risks)


def test_a_docxtpl_casegen_was_not_tested_with_is_named_not_a_traceback(monkeypatch):
    """casegen calls two of docxtpl's internals: another docxtpl stops with a message saying what to install."""
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.1.0" if name == "docxtpl" else "1")
    ooxml.docxtpl_fixer.cache_clear()
    try:
        result = run("templates", "check")
    finally:
        ooxml.docxtpl_fixer.cache_clear()
    assert result.exit_code == 1
    assert ("casegen was tested with docxtpl 0.18, 0.19, 0.20, and docxtpl 9.1.0 is installed: install a tested one "
            "(pip install 'docxtpl>=0.18,<0.21')") in result.output


def test_a_template_that_does_not_exist_is_a_usage_mistake(tmp_path):
    result = run("templates", "check", tmp_path / "missing.docx")
    assert result.exit_code == 2 and f"'{tmp_path / 'missing.docx'}' does not exist" in result.output


@pytest.mark.parametrize("kind", sorted(TEMPLATE_FILES))
def test_tabs_and_breaks_typed_in_a_value_are_made_as_docxtpl_makes_them(kind):
    """Rendering resolves tabs, line breaks, \\a and page breaks itself (templating.listing, so that no render loads
    docxtpl and python-docx): each paragraph of every template, a value with each of them typed into its text,
    comes out as docxtpl's resolve_listing makes it."""
    import re

    from casegen.templating.listing import resolve_paragraph

    with zipfile.ZipFile(templates_dir() / TEMPLATE_FILES[kind]) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p(?: [^>]*)?>.*?</w:p>", xml, re.DOTALL)
    typed = [re.sub(r"(<w:t(?: [^>]*)?>)", "\\1Line one\\nTwo\\tcolumns\\aNew paragraph\\fNew page ", p, count=2)
             for p in paragraphs]
    typed = [p for p in typed if "\n" in p]
    assert len(typed) > 20 and any("<w:rPr>" in p for p in typed) and any("<w:pPr>" in p for p in typed)
    docxtpl = ooxml.docxtpl_fixer()
    for paragraph in typed:
        assert resolve_paragraph(paragraph) == docxtpl.resolve_listing(paragraph)
        assert "<w:tab/>" in resolve_paragraph(paragraph) and '<w:br w:type="page"/>' in resolve_paragraph(paragraph)
