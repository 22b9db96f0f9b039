"""Two ways to make the web page of a document, measured side by side (issue 28: decide by measuring).

    python bench/html_routes.py [--repeat 5]

  (A) the rendered Word document through mammoth and casegen.render.html (what `--html` does);
  (B) the models through a second template, written in HTML: drawn here for the portfolio summary, the
      smallest document, by copying tools/make_summary_template.py's words into Jinja HTML.

For each: the words of the page against the Word document's (tests/docx_text.py's measure: the share of
the document's words found in the page, in order) and the CPU time per page (least of --repeat; mammoth's
import, paid once a build, is not in it). Then the office edits the Word template, as it may (one heading
renamed, one sentence added), and both are measured again: (A) follows the document, (B) keeps the words
of the template a person last copied. This is a benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import difflib
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from docx import Document  # noqa: E402
from jinja2 import Environment  # noqa: E402
from lxml import html as lhtml  # noqa: E402

import docx_text  # noqa: E402  (tests/docx_text.py: the measure the tests use)
from casegen import config  # noqa: E402
from casegen.intake.form import write_form  # noqa: E402
from casegen.models.load import load_json  # noqa: E402
from casegen.models.summary import PortfolioSummary  # noqa: E402
from casegen.models.values import format_money  # noqa: E402
from casegen.portfolio.figures import gather  # noqa: E402
from casegen.portfolio.summary import render_summary, summarise  # noqa: E402
from casegen.render import context, load_template, template_path  # noqa: E402
from casegen.render.html import page  # noqa: E402

BLOCKS = ("p", "li", "ul", "ol", "tr", "th", "td", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "br", "div")

# (B): the summary's template, its words copied from tools/make_summary_template.py (no targets configured
# in the samples' programme, so only that branch is drawn, as a person keeping it would have to draw both).
SUMMARY_HTML = """<!DOCTYPE html><html lang="{{ language }}"><head><meta charset="utf-8">
<title>Portfolio summary – {{ programme }}</title></head><body><main>
<h1>Portfolio summary – {{ programme }}</h1>
<p>As of {{ as_of }}: {{ cases }} cases from {{ forms }} intake forms.{% if excluded %} {{ excluded }} forms were
left out because they have errors (listed at the end).{% endif %}</p>
<p><strong>Net savings across the portfolio: {{ net_total | money }}.</strong></p>
<p>{{ no_targets }}</p>
<h2>Net savings by financial year</h2>
<table><thead><tr><th>Financial year</th><th>Net savings</th></tr></thead><tbody>
{% for line in years %}<tr><th>{{ line.name }}</th><td>{{ line.net | money }}</td></tr>{% endfor %}
<tr><th>Total</th><td>{{ total.net | money }}</td></tr></tbody></table>
<p>Net savings are recurring savings less recurring investment, from each Business Case Lite.</p>
<h2>Net savings by theme (all years)</h2>
<table><thead><tr><th>Theme</th><th>Net savings</th></tr></thead><tbody>
{% for line in themes %}<tr><th>{{ line.name }}</th><td>{{ line.net | money }}</td></tr>{% endfor %}
<tr><th>Total</th><td>{{ total.net | money }}</td></tr></tbody></table>
<h2>Pipeline</h2>
<table><thead><tr><th>Stage</th><th>Cases</th><th>Net savings</th></tr></thead><tbody>
{% for s in pipeline %}<tr><th>{{ s.stage }}</th><td>{{ s.cases }}</td><td>{{ s.net | money }}</td></tr>{% endfor %}
</tbody></table>
<h2>Overdue gates</h2>
{% if overdue %}<p>The next gate of these cases was due before {{ as_of }}:</p>
<table><thead><tr><th>Case</th><th>Project</th><th>Next gate</th><th>Date</th><th>Lead</th></tr></thead><tbody>
{% for g in overdue %}<tr><td>{{ g.ref }} {{ g.kind }}</td><td>{{ g.title }}</td><td>{{ g.gate }}</td>
<td>{{ g.date }}</td><td>{{ g.lead }}</td></tr>{% endfor %}</tbody></table>
{% else %}<p>No case's next gate is overdue.</p>{% endif %}
<h2>Top risks</h2>
{% if top_risks %}<table><thead><tr><th>Case</th><th>Project</th><th>Risk</th><th>L</th><th>I</th><th>Score</th>
</tr></thead><tbody>{% for r in top_risks %}<tr><td>{{ r.ref }} {{ r.kind }}</td><td>{{ r.title }}</td>
<td>{{ r.risk }}</td><td>{{ r.likelihood }}</td><td>{{ r.impact }}</td><td>{{ r.score }}</td></tr>{% endfor %}
</tbody></table>
<p>Case: tracker ref and kind (BCL: Business Case Lite; Brief: Project Brief). L: likelihood, I: impact, each 1 to
5; score = L × I. Every risk is on the tracker's Risks sheet.</p>
{% else %}<p>No case records a risk.</p>{% endif %}
{% if excluded_forms %}<h2>Forms left out</h2><table><thead><tr><th>Form</th><th>Problems</th><th>First error</th>
</tr></thead><tbody>{% for f in excluded_forms %}<tr><td>{{ f.form }}</td><td>{{ f.problems }}</td>
<td>{{ f.first }}</td></tr>{% endfor %}</tbody></table>{% endif %}
</main></body></html>"""


def page_words(html: bytes) -> list[str]:
    main = lhtml.fromstring(html).find(".//main")
    for el in main.iter(*BLOCKS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    return docx_text.words(lhtml.tostring(main, method="text", encoding="unicode"))


def fidelity(document: Path, html: bytes) -> float:
    want, got = docx_text.words(docx_text.text(document)), page_words(html)
    matched = sum(b.size for b in difflib.SequenceMatcher(None, want, got, autojunk=False).get_matching_blocks())
    return matched / max(1, len(want))


def fastest(repeat: int, work) -> tuple[float, object]:
    """The least CPU time of `repeat` runs (a shared machine's load lengthens the wall-clock time, not this)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.process_time()
        out = work()
        best = min(best, time.process_time() - started)
    return best, out


def office_edit(template: Path, to: Path) -> Path:
    """The summary template as the office might edit it in Word: a heading renamed, a sentence added."""
    doc = Document(template)
    for p in doc.paragraphs:
        if p.text == "Pipeline":
            p.runs[0].text, p.runs[1:] = "Cases by stage", []
            p.insert_paragraph_before("Figures are checked by Finance each month.").style = doc.styles["Normal"]
            break
    to.mkdir(parents=True, exist_ok=True)
    doc.save(to / template.name)
    return to / template.name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    programme = config.load()
    work = Path(tempfile.mkdtemp(prefix="casegen-html-bench-"))
    try:
        for sample in sorted((ROOT / "samples").glob("*.json")):
            case = load_json(sample, sample.stem.split("-", 1)[0], programme)
            write_form(case.kind, work / "inputs" / f"{sample.stem}.xlsx", programme, case)
        found = gather([work / "inputs"], programme, jobs=1)
        documents = {}
        for sample in sorted((ROOT / "samples").glob("*.json")):
            case = load_json(sample, sample.stem.split("-", 1)[0], programme)
            target = work / f"{sample.stem}.docx"
            target.write_bytes(load_template(template_path(case.kind)).render(context(case, programme)))
            documents[sample.stem] = target
        summary = work / "summary.docx"
        summary.write_bytes(render_summary(found))
        documents["summary"] = summary
        page(summary.read_bytes(), "en-GB")  # mammoth's import, once

        print(f"(A) mammoth from the Word document, CPU time: least of {repeat}")
        for name, path in documents.items():
            seconds, made = fastest(repeat, lambda path=path: page(path.read_bytes(), "en-GB"))
            print(f"  {name:<36} words {fidelity(path, made.html):7.2%}   {seconds * 1000:6.1f} ms")

        env = Environment(autoescape=True)
        env.filters["money"] = format_money
        html_template = env.from_string(SUMMARY_HTML)

        def route_b() -> bytes:
            model = summarise(found)
            values = {name: getattr(model, name) for name in PortfolioSummary.model_fields}
            return html_template.render(values, language=programme.language).encode("utf-8")

        seconds, made = fastest(repeat, route_b)
        print("(B) the models through an HTML template (summary only)")
        print(f"  {'summary':<36} words {fidelity(summary, made):7.2%}   {seconds * 1000:6.1f} ms")

        edited = office_edit(template_path("portfolio"), work / "office")
        summary.write_bytes(render_summary(found, edited))
        print("after the office edits the Word template (a heading renamed, a sentence added):")
        route_a = page(summary.read_bytes(), 'en-GB').html
        print(f"  (A) summary                             words {fidelity(summary, route_a):7.2%}")
        print(f"  (B) summary                             words {fidelity(summary, route_b()):7.2%}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
