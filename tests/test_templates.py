"""`casegen templates check`, and template errors during a build: the models are the single source of truth."""
import shutil
import zipfile

import pytest

from casegen.models import KINDS
from casegen.render import TEMPLATE_FILES, context, templates_dir
from casegen.render.check import context_types
from helpers import sample_case
from helpers import leftovers, lines, run

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
    assert result.output.strip() == f"{len(list(templates_dir().glob('*.docx')))} template(s) OK"


def test_a_field_the_model_does_not_have(tmp_path):
    path = broken(tmp_path, lambda x: x.replace("{{ r.likelihood }}", "{{ r.likelihod }}"))
    result = run("templates", "check", path)
    assert result.exit_code == 1
    (line,) = lines(result)
    assert line.startswith(f"{path} (word/document.xml): {{{{ r.likelihod }}}}: Risk has no field 'likelihod'; "
                           "did you mean 'likelihood'? — near: ")
    assert "{{ r.risk }}" in line  # the text around it, to find it in Word


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
    ("{{ project.department }}", "{% if project.department %}", "Unexpected end of template"),
])
def test_each_kind_of_template_mistake(tmp_path, old, new, expected):
    path = broken(tmp_path, lambda x: x.replace(old, new, 1))
    result = run("templates", "check", path)
    assert result.exit_code == 1
    assert any(expected in line for line in lines(result)), result.output
    assert all(line.startswith(f"{path} (word/document.xml): ") for line in lines(result))


def test_what_the_models_provide_passes(tmp_path):
    """Loop variables, computed fields, dict keys, methods, loop.index, set and is defined all resolve."""
    tags = ("{% set t = finance.totals %}{{ t.net_savings | money }}{% for y in finance.years %}{{ loop.index }}"
            "{{ y.net_savings | money }}{% endfor %}{{ position_table.grand_total }}{{ risks[0].total }}"
            "{{ project.contributory_themes | map(attribute='text') | join(', ') }}{{ finance.total('net_savings') }}"
            "{% if nothing is defined %}{{ nothing }}{% endif %}{{ programme }}{{ council }}")
    path = broken(tmp_path, lambda x: x.replace("{{ project.department }}", tags, 1))
    result = run("templates", "check", path)
    assert result.exit_code == 0, result.output


def test_a_tag_word_split_across_runs(tmp_path):
    path = broken(tmp_path, lambda x: x.replace(
        "{{ project.lead }}", "{{ project.</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>lead }}"))
    result = run("templates", "check", path)
    assert result.exit_code == 1
    assert lines(result) == [f"{path} (word/document.xml): {{{{ project.lead }}}}: is split across 2 runs of Word "
                             "formatting; it renders, but retype it in Word in one go (or clear its formatting) so it "
                             "stays one tag — near: {{ project.lead }}"]


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
    ("{{ project.nosuch }}", "UndefinedError: 'casegen.models.bcl.ProjectInfo object' has no attribute 'nosuch'"),
    ("{{ project.title | money }}",
     "TemplateRuntimeError: the money filter needs an amount, got 'Service Optimisation'"),
])
def test_a_template_error_in_a_build_names_the_template_and_the_text_around_it(make_form, tmp_path, monkeypatch,
                                                                                tag, message):
    template = broken(tmp_path, lambda x: x.replace("{{ project.department }}", tag, 1))
    monkeypatch.setenv("CASEGEN_TEMPLATES", str(template.parent))
    form = make_form("bcl-service-optimisation")
    result = run("build", form, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"{template} (word/document.xml): {message}" in result.output
    assert "near: " in result.output and "Department and Team" in result.output
    assert f"casegen templates check {template}" in result.output
    assert not list((tmp_path / "out").glob("*.docx")) and leftovers(tmp_path) == []


def test_a_damaged_template_is_reported_not_raised(tmp_path):
    not_docx = tmp_path / "notes.docx"
    not_docx.write_text("not a document")
    cut = broken(tmp_path, lambda x: x[: len(x) // 2])
    result = run("templates", "check", "--kind", "bcl", not_docx, cut, tmp_path / "missing.docx")
    assert result.exit_code == 1
    out = lines(result)
    assert f"{not_docx}: cannot read the template: File is not a zip file" in out
    assert any(line.startswith(f"{cut} (word/document.xml): is not well-formed XML") for line in out)
    assert f"{tmp_path / 'missing.docx'}: no such template" in out
