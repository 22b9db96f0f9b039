"""A rendered Word document as one accessible web page, for a council's website ("HTML first").

The page is made from the document itself, so the office keeps one template per kind: mammoth maps the
Word styles to HTML (Title to the one h1, Heading 1 to h2 ..., List Bullet 2 to a list inside the item
before it, a repeated header row to thead/th), then lxml finishes what mammoth leaves: header cells get
`scope`, the label column of label | value tables becomes row headers, a bold line just above a table
becomes its caption, money and number columns are right-aligned, and headings never skip a level. The
page skeleton adds the language, the title, a skip link and the `main` landmark, and inline CSS (GOV.UK's
19px sans serif, lines under 80 characters, a print stylesheet): nothing is fetched from elsewhere.

Measured (bench/html_routes.py) on the three samples and their portfolio summary, with tests/docx_text.py's
measure (the share of the Word document's words found in the page, in order):
  (A) mammoth from the document: 100% of the words in each, 57-111 ms of CPU a page (mammoth's own XML reading
      is most of it; its import, about 150 ms, is paid once a build);
  (B) the models through a second template in HTML (drawn for the summary): 100% and 0.5 ms, but only while a
      person copies every edit of the Word template into it: a heading renamed and a sentence added in Word,
      and (B) falls to 98% while (A) stays at 100%.
The office keeps one template per kind, so (A).
"""
from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lhtml

GENERATOR = "casegen"  # <meta name="generator">: what marks a page as casegen's, so a build may replace it
MARK = f'<meta name="generator" content="{GENERATOR}">'.encode()
SEAL = b'\n<meta name="casegen-sha256" content="%s">'  # the page's sha256 without this line: batch.html.whose

# Word's styles to HTML: the first rule that matches wins, before mammoth's own. A list item Word numbers at a
# level below the first (w:ilvl) goes inside the item above, whatever its style; List Bullet 2 carries a list of
# its own at level 0, so it is put inside the item above by its style.
STYLE_MAP = "\n".join([
    "p[style-name='Title'] => h1:fresh",
    *(f"p[style-name='Heading {n}'] => h{n + 1}:fresh" for n in range(1, 6)),
    "p[style-name='List Bullet 2'] => ul|ol > li > ul > li:fresh",
    "p[style-name='List Number 2'] => ul|ol > li > ol > li:fresh",
    *(f"p:{kind}-list({n}) => {'ul|ol > li > ' * (n - 1)}{tag} > li:fresh"
      for n in range(2, 6) for kind, tag in (("unordered", "ul"), ("ordered", "ol"))),
    "p[style-name='List Bullet'] => ul > li:fresh",
    "p[style-name='List Number'] => ol > li:fresh",
])
DROPPED = "dropped"  # the class of a picture mammoth found and the page leaves out
PICTURES = {"image/png", "image/jpeg", "image/gif"}  # shown inline as data: URIs; others are left out
LINKS = ("https:", "http:", "mailto:", "#")  # a link elsewhere is followed only when clicked: no request
MONEY = re.compile(r"-?£\d[\d,]*(\.\d\d)?|TBC( \(.*known so far\))?")
NUMBER = re.compile(r"-?\d[\d,]*(\.\d+)?%?")
FIGURE_HEADING = re.compile(r"\d\d(\d\d)?/\d\d|Total")  # a column of a financial year's figures, or their total
BLANK = {"", "-", "–", "—", "n/a"}
CAPTION_CHARS = 150  # a bold line longer than this above a table is a paragraph, not the table's title

CSS = """
html{font-family:Arial,"Helvetica Neue",Helvetica,sans-serif;font-size:19px;line-height:1.45;color:#0b0c0c;
background:#fff;-webkit-text-size-adjust:100%}
body{margin:0}
main{display:block;max-width:70ch;margin:0 auto;padding:1.5rem 1rem 3rem;text-align:left}
h1,h2,h3,h4,h5,h6{color:#1f3864;line-height:1.2;margin:1.8em 0 .6em}
h1{font-size:1.9rem;margin-top:.5em}h2{font-size:1.45rem}h3{font-size:1.2rem}h4,h5,h6{font-size:1rem}
p,ul,ol{margin:0 0 .8em}
li{margin-bottom:.3em}li>ul,li>ol{margin:.3em 0 0}
a{color:#1d70b8}a:visited{color:#4c2c92}
a:focus,.table:focus{outline:3px solid #ffdd00;outline-offset:0;background:#ffdd00;color:#0b0c0c}
.table:focus{background:none}
.skip{position:absolute;left:-9999px;top:0}
.skip:focus{position:static;display:block;padding:.5em 1rem}
.table{overflow-x:auto;margin:0 0 1.4em}
table{border-collapse:collapse;width:100%;font-size:1rem}
caption{text-align:left;font-weight:bold;padding:0 0 .4em}
th,td{border:1px solid #6f777b;padding:.35em .5em;text-align:left;vertical-align:top}
thead th{background:#1f3864;color:#fff}
tbody th{background:#d9e2f3;font-weight:bold}
th p,td p{margin:0 0 .4em}th p:last-child,td p:last-child{margin:0}
td ul,td ol{margin:0 0 .4em;padding-left:1.2em}
.num{text-align:right;white-space:nowrap}
img{max-width:100%;height:auto}
@media (max-width:40em){table{font-size:16px}main{padding:1rem .75rem 2rem}}
@media print{
html{font-size:11pt}main{max-width:none;padding:0}.skip{display:none}
a{color:#0b0c0c}.table{overflow:visible}
thead{display:table-header-group}img{break-inside:avoid}h1,h2,h3,h4,caption{break-after:avoid}
thead th{background:#fff;color:#0b0c0c;border-bottom:2px solid #0b0c0c}tbody th{background:#fff}
}
@page{margin:2cm}
"""


@dataclass
class Page:
    html: bytes
    notes: list[str] = field(default_factory=list)  # what the page leaves out of the document, and why


def page(docx: bytes, language: str) -> Page:
    """The web page of a rendered Word document (its bytes), its text in `language` (a BCP 47 tag)."""
    import mammoth  # only here: a build without --html never loads it

    notes: list[str] = []
    result = mammoth.convert_to_html(io.BytesIO(docx), style_map=STYLE_MAP,
                                     convert_image=mammoth.images.img_element(lambda image: _picture(image, notes)))
    main = lhtml.fragment_fromstring(result.value or "<p></p>", create_parent="main")
    _tidy(main)
    return Page(_skeleton(main, _page_title(document_title(docx), _first_heading(main)), language), notes)


def _picture(image, notes: list[str]) -> dict:
    """A picture inline (a data: URI) with its alternative text; one without, or of a kind a browser may not
    show, is left out and named."""
    alt = (image.alt_text or "").strip()
    if image.content_type not in PICTURES or not alt:
        notes.append("a picture " + ("without alternative text" if not alt else f"of type {image.content_type}")
                     + " is left out of the page: give it alternative text (Word: right-click › Edit Alt Text), "
                     "or save it as PNG or JPEG")
        return {"class": DROPPED}
    with image.open() as fh:
        data = base64.b64encode(fh.read()).decode("ascii")
    return {"src": f"data:{image.content_type};base64,{data}", "alt": alt}


def document_title(docx: bytes) -> str:
    """The title in the document's properties (File › Properties), as casegen sets it when it renders."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as zf, zf.open("docProps/core.xml") as fh:
            blob = fh.read(256 * 1024)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        found = etree.fromstring(blob, parser).find("{http://purl.org/dc/elements/1.1/}title")
    except (KeyError, OSError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return ""
    return (found.text or "").strip() if found is not None else ""


def _first_heading(main) -> str:
    h1 = main.find(".//h1")
    return h1.text_content().strip() if h1 is not None else ""


def _page_title(title: str, heading: str) -> str:
    """The browser's title: the document's (the project's), then what the page is ("Service Optimisation –
    Business Case Lite – Luton Transformation Programme"), so a tab or a search result says both."""
    if title and heading and title not in heading:
        return f"{title} – {heading}"
    return title or heading or "Document"


# What mammoth leaves

def _tidy(main) -> None:
    for img in main.findall(f".//img[@class='{DROPPED}']"):
        img.drop_tree()
    for a in main.iter("a"):
        href = a.get("href")
        if href is not None and not href.startswith(LINKS):  # javascript:, file: ...: the text stays
            del a.attrib["href"]
    _headings(main)
    for table in list(main.iter("table")):
        _table(table)


def _headings(main) -> None:
    """One h1, and no level skipped (a Heading 3 straight after a Heading 1 becomes the level below it)."""
    seen_h1, level = False, 1
    for h in [el for el in main.iter() if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]:
        n = int(h.tag[1])
        if n == 1 and seen_h1:
            n = 2
        seen_h1 = seen_h1 or n == 1
        n = min(n, level + 1)
        h.tag, level = f"h{n}", n


def _unwrap_single_paragraph(cell) -> None:
    """A cell of one paragraph holds its text directly (mammoth keeps Word's paragraph)."""
    kids = list(cell)
    if len(kids) == 1 and kids[0].tag == "p" and not (cell.text or "").strip():
        p = kids[0]
        cell.text, cell[:] = p.text, list(p)


def _all_bold(el) -> bool:
    """Whether every word of `el` is in bold (a label or a title line in casegen's templates)."""
    text = "".join(el.text_content().split())
    bold = "".join(s.text_content() for s in el.iter("strong", "b")
                   if not any(a.tag in ("strong", "b") for a in s.iterancestors()))
    return bool(text) and "".join(bold.split()) == text


def _plain(cell) -> None:
    """A header cell's text without its <strong>: a header cell is bold already."""
    for strong in cell.findall(".//strong"):
        strong.drop_tag()


def _table(table) -> None:
    rows = table.findall("./thead/tr") + table.findall("./tbody/tr") + table.findall("./tr")
    for cell in (c for row in rows for c in row if c.tag in ("th", "td")):
        _unwrap_single_paragraph(cell)
    for th in table.findall("./thead/tr/th"):
        if th.text_content().strip():
            th.set("scope", "col")
            _plain(th)
        else:
            th.tag = "td"  # the empty corner above a column of row labels
    body = table.findall("./tbody/tr") + table.findall("./tr")
    for row in body:
        first = next((c for c in row if c.tag in ("td", "th")), None)
        if first is not None and len(row) > 1 and _all_bold(first):  # a label | value row
            first.tag = "th"
            first.set("scope", "row")
            _plain(first)
    _numbers(table, body)
    _caption(table)
    if table.getparent() is not None and table.getparent().tag == "main":
        _scroller(table)


def _numbers(table, body) -> None:
    """Right-align a column of money (or of numbers), its header too, so that the digits line up."""
    width = max((len(row) for row in body), default=0)
    head = [row for row in table.findall("./thead/tr") if len(row) == width]
    columns = {}  # the columns of figures and dashes ("-" for a year with none), by their texts
    for col in range(1, width):
        cells = [row[col] for row in body if len(row) == width]
        texts = [c.text_content().strip() for c in cells]
        if any(texts) and all(t in BLANK or MONEY.fullmatch(t) or NUMBER.fullmatch(t) for t in texts):
            columns[col] = cells
    figures = any(MONEY.fullmatch(t) or NUMBER.fullmatch(t) for cells in columns.values() for t in
                  (c.text_content().strip() for c in cells))
    for col, cells in columns.items():
        headed = [row[col] for row in head]
        if figures or any(FIGURE_HEADING.fullmatch(h.text_content().strip()) for h in headed):
            for cell in cells + headed:
                cell.set("class", "num")


def _caption(table) -> None:
    """A bold line just above a table ("One off Investment required and savings") is the table's caption."""
    before = table.getprevious()
    if (before is None or before.tag != "p" or (before.tail or "").strip() or not _all_bold(before)
            or len(before.text_content()) > CAPTION_CHARS):
        return
    caption = lhtml.Element("caption")
    caption.text, caption[:] = before.text, list(before)
    _plain(caption)
    before.drop_tree()
    table.insert(0, caption)


def _scroller(table) -> None:
    """A wide table scrolls sideways inside its own box on a narrow screen, which the keyboard can reach."""
    index = sum(1 for _ in table.itersiblings(preceding=True)) + 1
    caption = table.find("caption")
    heads = [th.text_content().strip() for th in table.findall("./thead/tr/th")]
    name = caption.text_content().strip() if caption is not None else "Table: " + ", ".join(heads)[:80]
    box = lhtml.Element("div", {"class": "table", "role": "region", "tabindex": "0", "aria-label": name or
                                f"Table {index}"})
    table.addprevious(box)
    box.tail, table.tail = table.tail, None
    box.append(table)


def _skeleton(main, title: str, language: str) -> bytes:
    main.set("id", "main")
    body = lhtml.tostring(main, encoding="unicode", method="html")
    head = (f'<meta charset="utf-8">\n{MARK.decode()}\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_escape(title)}</title>\n<style>{CSS}</style>")
    return sealed((f'<!DOCTYPE html>\n<html lang="{_escape(language)}">\n<head>\n{head}\n</head>\n<body>\n'
                   f'<a class="skip" href="#main">Skip to main content</a>\n{body}\n</body>\n</html>\n').encode())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def sealed(html: bytes) -> bytes:
    """The page with its seal: the sha256 of the page without it, in a <meta> after the generator's, so that a
    page a person has edited since is told from casegen's own."""
    return html.replace(MARK, MARK + SEAL % hashlib.sha256(html).hexdigest().encode(), 1)


def whose(data: bytes) -> str:
    """"casegen" for a page casegen wrote as it wrote it, "edited" for one of casegen's a person has changed
    since (or one without its seal), "" for a file casegen did not write."""
    if MARK not in data[:4096]:
        return ""
    found = re.search(SEAL.replace(b"%s", b"([0-9a-f]{64})"), data[:4096])
    if found is None:
        return "edited"
    unsealed = data[:found.start()] + data[found.end():]
    return "casegen" if hashlib.sha256(unsealed).hexdigest().encode() == found.group(1) else "edited"
