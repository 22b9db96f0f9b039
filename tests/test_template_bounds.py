"""A template cannot take the machine: each costly tag is named by `templates check` and refused by a build
with one line naming the template, in a second and a few MB, never a hang or a MemoryError."""
import re
import resource
import time

import pytest
from jinja2 import TemplateError

from casegen.render import context
from casegen.templating import bounds
from casegen.templating.environment import make_environment
from helpers import run, sample_case
from test_templates import SAMPLES, broken

# (tag, what `templates check` says of it) for tags whose typed numbers already ask too much
CHECKED = [
    ("{{ 9 ** 100000000 }}", "9 ** 100000000 is a number of 95,424,251 digits"),
    ("{{ 'x' * 2000000000 }}", "a repetition of 2,000,000,000 times"),
    ("{{ [1] * 2000000000 }}", "a repetition of 2,000,000,000 times"),
    ("{{ project.title | center(2000000000) }}", "center(2,000,000,000), a width of more than 1,000,000 characters"),
    ("{{ '%2000000000s' % project.title }}", "a width of more than 1,000,000 characters"),
    ("{{ project.title.ljust(2000000000) }}", "ljust(2,000,000,000), a width of more than 1,000,000 characters"),
    ("{{ '{:>2000000000}'.format(project.title) }}", "a width of more than 1,000,000 characters"),
    ("{{ project.title | indent(2000000000) }}", "indent(2,000,000,000), a width of more than 1,000,000 characters"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
     "loops inside loops that run 10,000,000,000 times"),
]

# Tags whose cost only shows when they run: refused by the render's budget.
CHARS = "the template would make more than 10,000,000 characters, far more than any document needs"
RENDERED = [(tag, "9 ** 100000000 is a number of 95,424,251 digits" if "**" in tag else
             "more than 200,000 loop turns and calls" if "range" in tag else CHARS) for tag, _ in CHECKED] + [
    ("{{ ('%' ~ project.title|length * 100000000 ~ 's') % 'x' }}", "more than 10,000,000 characters"),
    ("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
     "more than 10,000,000 characters"),
    ("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}",
     "more than 10,000,000 characters"),
    ("{% set ns = namespace(n=3) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n }}",
     "a number of more than 4,096 bits"),
    ("{{ range(100000) | join('x' * 100000) }}", "more than 10,000,000 characters"),
    ("{% for a in project.title * 1000 %}{% for b in project.title * 1000 %}{% endfor %}{% endfor %}",
     "more than 200,000 loop turns and calls"),
    ("{% set x %}{% for a in range(90000) %}{{ 'y' * 1000 }}{% endfor %}{% endset %}",
     "more than 10,000,000 characters"),
    ("{{ '%*s' % (1000000000, 'x') }}", "a width taken from a value"),
    ("{{ lipsum(1000000000) }}", "more than 10,000,000 characters"),
    ("{{ [1] | batch(1000000000, 'x') | list }}", "more than 10,000,000 characters"),
    ("{{ project.title.zfill(2000000000) }}", "more than 10,000,000 characters"),
    ("{{ project.title | wordwrap(1, wrapstring='y' * 999999) }}", "more than 10,000,000 characters"),
    ("{{ ('x'.encode() * 2000000000) | length }}", "more than 10,000,000 characters"),
    ("{{ 'x'.encode().center(2000000000) | length }}", "more than 10,000,000 characters"),
]


@pytest.mark.parametrize("tag, message", CHECKED)
def test_templates_check_names_a_costly_tag_with_its_place(tmp_path, tag, message):
    template = broken(tmp_path, lambda x: x.replace("{{ project.department }}", tag + "{{ project.department }}", 1))
    started = time.monotonic()
    checked = run("templates", "check", template)
    assert time.monotonic() - started < 10
    assert checked.exit_code == 1
    shown = tag.replace("{% for i in range(100000) %}", "")[:tag.find(" %}") + 3] if "for i" in tag else tag
    assert f"{template} (word/document.xml): {shown}: {message}" in checked.output, checked.output
    assert "— near: Project Information, table 1, row 9: " in checked.output and "[template-bounds]" in checked.output


@pytest.mark.parametrize("tag, message", RENDERED)
def test_a_costly_tag_is_refused_when_rendered_in_little_time_and_memory(programme, tag, message):
    case = context(sample_case(SAMPLES["bcl"], programme), programme)
    before, started = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.monotonic()
    with pytest.raises(TemplateError, match=re.escape(message)):
        make_environment().from_string(tag).render(case)
    assert time.monotonic() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 300 * 1024  # kB: a few hundred MB at most


def test_a_costly_tag_in_a_template_fails_the_build_with_one_line_naming_the_template(make_form, tmp_path,
                                                                                    monkeypatch):
    tag = "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
    template = broken(tmp_path, lambda x: x.replace("{{ project.department }}", tag + "{{ project.department }}", 1))
    monkeypatch.setenv("CASEGEN_TEMPLATES", str(template.parent))
    started = time.monotonic()
    built = run("build", make_form("bcl-service-optimisation"), "-o", tmp_path / "out")
    assert time.monotonic() - started < 30
    assert built.exit_code == 1
    assert f"{template} (word/document.xml): TemplateLimitError: the template would make more than 10,000,000 " \
           "characters, far more than any document needs" in built.output
    assert not list((tmp_path / "out").glob("*.docx"))


def test_a_render_over_its_time_is_stopped_with_a_message(programme, monkeypatch):
    """The time budget, made short here: a loop of loops that stays under the step budget still ends."""
    env = make_environment()
    env.budget.limits = (bounds.MAX_CHARS, bounds.MAX_STEPS, 0.01)
    slow = "{% for i in range(100000) %}{{ i }}{{ i * 2 }}{% endfor %}"
    started = time.monotonic()
    with pytest.raises(TemplateError, match="rendering took more than 0.01 s, the most a document may take"):
        env.from_string(slow).render()
    assert time.monotonic() - started < 3


def test_ordinary_arithmetic_and_text_still_render(programme):
    env = make_environment()
    source = ("{{ (3 + 4) * 5 }} {{ 2 ** 10 }} {{ 'ab' ~ 'c' }} {{ '%5s|' % 'x' }} {{ 'x' | center(5) }}| "
              "{{ '-' * 3 }} {{ [1, 2] | join(', ') }} {{ '{:>4}'.format(7) }} {{ 'a b' | replace(' ', '_') }}")
    assert env.from_string(source).render() == "35 1024 abc     x|   x  | --- 1, 2    7 a_b"
