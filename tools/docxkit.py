"""Helpers that draw casegen's Word templates with python-docx: one look for every document.

The templates in templates/ are made by the make_*_template.py scripts beside this file, then kept
and edited by the programme office in Word. Tags follow docxtpl: {%p %} paragraph tags,
{%tr %} row tags and {%tc %} column tags each sit alone in their paragraph, row or cell.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor, Twips

FONT = "Arial"
NAVY = RGBColor(0x1F, 0x38, 0x64)
LABEL_FILL = "D9E2F3"
HEAD_FILL = "1F3864"
PAGE_WIDTH = Cm(17)
LANGUAGE = "en-GB"  # the template's; casegen sets each document's from the configuration when it renders it
FOOTER_SIZE = Pt(8)
LEVEL_2_BULLET = ("o", "Courier New")  # Word's own second-level glyph, so the levels differ at a glance
# The styles new_document gives the council's look: kept for the office to use, used yet or not.
KEPT_STYLES = {"Normal", "Title", "Heading1", "Heading2", "ListBullet", "ListBullet2"}


def new_document(title: str, footer: str) -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = Cm(2)
    sec.top_margin = sec.bottom_margin = Cm(2)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "List Bullet", "List Bullet 2"):
        style = doc.styles[name]
        style.font.name = FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
        for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            if fonts.get(qn(theme_attr)) is not None:
                del fonts.attrib[qn(theme_attr)]
    doc.styles["Normal"].font.size = Pt(10)
    doc.styles["Normal"].paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 18), ("Heading 1", 13), ("Heading 2", 11)):
        style = doc.styles[name]
        style.font.size, style.font.bold, style.font.color.rgb = Pt(size), True, NAVY
        style.paragraph_format.space_before = Pt(14 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(6)
    _drop_thumbnail(doc)
    _drop_styles_with_effects(doc)
    _language(doc, LANGUAGE)
    _level_2_bullet(doc)
    _properties(doc, title)
    doc.add_paragraph(title, style="Title")
    _footer(doc, footer)
    return doc


def _drop_thumbnail(doc) -> None:
    """python-docx's blank document carries a preview picture of another document: leave it out."""
    rels = doc.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype.endswith("/thumbnail")]:
        del rels[rid]


def _drop_styles_with_effects(doc) -> None:
    """python-docx's blank document carries Word 2010's stylesWithEffects.xml, a copy of styles.xml that
    no longer matches it once the styles are changed; Word reads such a file as unreadable content.
    Word writes the part only for its own compatibility and does without it."""
    rels = doc.part.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype.endswith("/stylesWithEffects")]:
        del rels[rid]


def _language(doc, language: str) -> None:
    """The text's language for Word's speller and screen readers: the default of every run, and the theme's."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    theme = doc.settings.element.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), language)
    doc.core_properties.language = language


def _level_2_bullet(doc) -> None:
    """List Bullet 2 has a glyph of its own (python-docx's blank document gives it List Bullet's)."""
    numbering = doc.part.numbering_part.element
    num_pr = doc.styles["List Bullet 2"].element.find(qn("w:pPr")).find(qn("w:numPr"))
    num_id = num_pr.find(qn("w:numId")).get(qn("w:val"))
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id)
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id)
    level = abstract.find(qn("w:lvl"))
    glyph, font = LEVEL_2_BULLET
    level.find(qn("w:lvlText")).set(qn("w:val"), glyph)
    fonts = level.find(qn("w:rPr")).find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), font)


def _properties(doc, title: str) -> None:
    """File > Properties of the template (casegen sets a document's own when it renders one)."""
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "casegen", "casegen"
    props.comments = ""
    props.created = props.modified = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    props.revision = 1


def save(doc, path) -> None:
    """Save the template with only the styles it uses (and what they are based on, linked to or followed by).

    python-docx's blank document defines 164 styles, 100 of them table styles nobody picks; they are
    340 kB of the template's 350 kB of styles, which every document copies and compresses again.
    Word offers its built-in styles anyway (latentStyles), so the office loses nothing.
    """
    styles = doc.styles.element
    by_id = {st.get(qn("w:styleId")): st for st in styles.findall(qn("w:style"))}
    used = {st for st, el in by_id.items() if el.get(qn("w:default")) == "1"} | KEPT_STYLES
    parts = [doc.part, doc.part.numbering_part]
    parts += [s.footer.part for s in doc.sections] + [s.header.part for s in doc.sections]
    for part in parts:
        for attr in ("pStyle", "rStyle", "tblStyle", "numStyleLink", "styleLink"):
            used |= {el.get(qn("w:val")) for el in part.element.iter(qn(f"w:{attr}"))}
    todo = list(used)
    while todo:
        style = by_id.get(todo.pop())
        for ref in ("basedOn", "link", "next") if style is not None else ():
            el = style.find(qn(f"w:{ref}"))
            if el is not None and el.get(qn("w:val")) not in used:
                used.add(el.get(qn("w:val")))
                todo.append(el.get(qn("w:val")))
    for style_id, el in by_id.items():
        if style_id not in used:
            styles.remove(el)
    doc.save(path)


def draw(path, title: str, footer: str, sections) -> None:
    """Draw a template: a new document, each section function in turn, saved to `path`."""
    doc = new_document(title, footer)
    for section in sections:
        section(doc)
    Path(path).parent.mkdir(exist_ok=True)
    save(doc, path)
    print(path)


def _field(paragraph, instr: str, size=FOOTER_SIZE) -> None:
    """A field (PAGE, NUMPAGES) whose result prints at `size`, like the text around it."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(int(size.pt * 2)))
        rpr.append(el)
    run.append(rpr)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _footer(doc, text: str) -> None:
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(f"{text}  ·  Page ")
    run.font.size = FOOTER_SIZE
    _field(p, "PAGE")
    p.add_run(" of ").font.size = FOOTER_SIZE
    _field(p, "NUMPAGES")


def heading(doc, text: str, level: int = 1):
    return doc.add_paragraph(text, style=f"Heading {level}")


def para(container, text: str = "", style: str | None = None, bold: bool = False):
    p = container.add_paragraph(style=style)
    if text:
        p.add_run(text).bold = bold
    return p


def lead_in(container, text: str, bold: bool = False):
    """A sentence or caption that introduces the table after it, kept on the table's page."""
    return keep_with_next(para(container, text, bold=bold))


def tag(container, text: str):
    """A paragraph holding only a docxtpl {%p %} tag: removed when the document is rendered."""
    return container.add_paragraph(text)


def between_tables(doc):
    """The only empty paragraph casegen's templates have: between two tables, which Word would otherwise join
    into one. 8 pt high: a gap, not a line of text."""
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(8)
    return p


def space_before(paragraph, points: float = 12):
    """Room above a paragraph that follows a table (instead of an empty paragraph, which a screen reader
    reads out as "blank")."""
    paragraph.paragraph_format.space_before = Pt(points)
    return paragraph


def bullets(container, items: str, var: str = "b", after_table: bool = False) -> None:
    """Two-level bullets over `items`, a list of Bullet models (with room above them after a table: bullets
    of one style are spaced by their style alone, Word's contextual spacing)."""
    tag(container, f"{{%p for {var} in {items} %}}")
    tag(container, f"{{%p if {var}.level == 2 %}}")
    level_2 = para(container, f"{{{{ {var}.text }}}}", "List Bullet 2")
    tag(container, "{%p else %}")
    level_1 = para(container, f"{{{{ {var}.text }}}}", "List Bullet")
    for p in (level_1, level_2) if after_table else ():
        space_before(p)
    tag(container, "{%p endif %}")
    tag(container, "{%p endfor %}")


def shade(cell, fill: str) -> None:
    shd = f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'
    cell._tc.get_or_add_tcPr().append(parse_xml(shd))


def set_text(cell, text: str, bold: bool = False, white: bool = False) -> None:
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold = bold
    if white:
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def twips(widths_cm: list[float]) -> list[int]:
    """Column widths in twips that add up to the table's width rounded once: each rounded on its own, 6 + 7 + 4 cm
    came to 9,639 twips, one more than the 17 cm between the margins, and a table wider than the page is fitted
    again in every document rendered (templating.geometry)."""
    edges = [Cm(sum(widths_cm[:i])).twips for i in range(len(widths_cm) + 1)]
    return [b - a for a, b in zip(edges, edges[1:], strict=False)]


def table(doc, widths_cm: list[float], header: list[str] | None = None):
    """A bordered table with its column widths on the grid (LibreOffice reads only the grid)."""
    t = doc.add_table(rows=0, cols=len(widths_cm))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    t.autofit = False  # w:tblLayout fixed: the widths below, not the content, decide the columns
    for col, w in zip(t.columns, twips(widths_cm), strict=True):
        col.width = Twips(w)
    if header:
        add_row(t, header, head=True)
    return t


def _row_properties(row, *names: str) -> None:
    """Row properties, in the order the schema wants them (cantSplit before tblHeader)."""
    trpr = row._tr.get_or_add_trPr()
    for name in names:
        trpr.append(OxmlElement(f"w:{name}"))


def keep_with_next(paragraph):
    """Keep a paragraph on the page of what follows it: a heading, a lead-in or a table header row
    never ends a page on its own."""
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def add_row(t, texts: list[str], head: bool = False, label: bool = False):
    """A row that stays on one page (a risk or a deliverable split across two pages is hard to read);
    a header row is repeated at the top of each page the table runs onto, and kept with the first row."""
    row = t.add_row()
    _row_properties(row, "cantSplit", *(["tblHeader"] if head else []))
    for i, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
        cell.width = t.columns[i].width
        if head:
            shade(cell, HEAD_FILL)
            set_text(cell, text, bold=True, white=True)
            keep_with_next(cell.paragraphs[0])
        elif label and i == 0:
            shade(cell, LABEL_FILL)
            set_text(cell, text, bold=True)
        else:
            set_text(cell, text)
    return row


def tag_row(t, text: str):
    """A row holding only a docxtpl {%tr %} tag in its first cell: removed when rendered."""
    row = t.add_row()
    row.cells[0].paragraphs[0].add_run(text)
    return row


def label_table(doc, rows: list[tuple[str, str]], header: tuple[str, str], widths=(6.0, 11.0)):
    """Label | value rows under a header row naming the two columns: a data table to a screen reader (and to
    Word's and LibreOffice's accessibility checks), not a layout."""
    t = table(doc, list(widths), list(header))
    for label, value in rows:
        if label.startswith("{%tr"):
            tag_row(t, label)
        else:
            add_row(t, [label, value], label=True)
    return t


def section(doc, title: str, width_cm: float = 17):
    """A boxed section as the council's briefs draw it: a shaded title row over one content cell.

    Returns the content cell, emptied, for the caller's paragraphs, bullets and tags.
    """
    t = table(doc, [width_cm])
    add_row(t, [title], head=True)
    cell = t.add_row().cells[0]  # may split: a long background runs over pages, its title repeated
    cell.width = t.columns[0].width
    cell._tc.remove(cell.paragraphs[0]._p)
    return cell


def labelled(container, label: str, value: str):
    """A paragraph with a bold label run and a plain value run: `Due to: {{ r.cause }}`."""
    p = container.add_paragraph()
    p.add_run(label).bold = True
    p.add_run(value)
    return p


def text_bullets(container, items: str, var: str = "item") -> None:
    """One-level bullets over `items`, a list of strings."""
    tag(container, f"{{%p for {var} in {items} %}}")
    para(container, f"{{{{ {var} }}}}", "List Bullet")
    tag(container, "{%p endfor %}")


def centre(row, columns):
    """Centre the text of the given cells of a row (marks, scores)."""
    for i in columns:
        for p in row.cells[i].paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return row


def narrow_margins(row, columns, twips: int = 28) -> None:
    """Narrow left and right cell margins (28 twips, 0.05 cm) for columns of one-digit scores, so that the
    text columns beside them get the room."""
    for i in columns:
        tcpr = row.cells[i]._tc.get_or_add_tcPr()
        tcpr.append(parse_xml(f'<w:tcMar {nsdecls("w")}><w:left w:w="{twips}" w:type="dxa"/>'
                              f'<w:right w:w="{twips}" w:type="dxa"/></w:tcMar>'))


def right(row, columns):
    """Right-align the given cells of a row: amounts of money, so that their digits line up."""
    for i in columns:
        for p in row.cells[i].paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return row



# The project information rows the tracker rules ask for once a project moves on (optional at Stage 0):
# printed only when filled in.
TRACKER_ROWS = [
    ("{%tr if project.budget_code %}", ""),
    ("Indicative Budget Code", "{{ project.budget_code }}"),
    ("{%tr endif %}", ""),
    ("{%tr if project.finance_lead %}", ""),
    ("Finance Lead", "{{ project.finance_lead }}"),
    ("{%tr endif %}", ""),
]


def paragraphs(container, text: str, after_table: bool = False) -> None:
    """The paragraphs of a long text field (split at blank lines), one Word paragraph each."""
    tag(container, f"{{%p for text in {text} | paragraphs %}}")
    p = para(container, "{{ text }}")
    if after_table:
        space_before(p, 8)
    tag(container, "{%p endfor %}")


def typed_text(container, text: str, none: str = "", after_table: bool = False, split: bool = False) -> None:
    """A text field whose lines typed with a list marker print as bullets (List Bullet, and List Bullet 2 under
    them), the lines between them as paragraphs: `split` at blank lines (a long text), else one paragraph a run of
    lines (a table cell). `none` is printed when the field is empty."""
    none = f"({none!r})" if none else ""
    tag(container, f"{{%p for part in {text} | blocks{none} %}}")
    tag(container, "{%p if part.level == 2 %}")
    para(container, "{{ part.text }}", "List Bullet 2")
    tag(container, "{%p elif part.level == 1 %}")
    para(container, "{{ part.text }}", "List Bullet")
    tag(container, "{%p else %}")
    if split:
        tag(container, "{%p for text in part.text | paragraphs %}")
    plain = para(container, "{{ text }}" if split else "{{ part.text }}")
    if after_table:
        space_before(plain, 8)
    if split:
        tag(container, "{%p endfor %}")
    tag(container, "{%p endif %}")
    tag(container, "{%p endfor %}")


def cell_text(cell, text: str, none: str = "-") -> None:
    """A table cell holding a text field, its typed bullets as bullets (see typed_text)."""
    for p in list(cell.paragraphs):
        cell._tc.remove(p._p)
    typed_text(cell, text, none)
