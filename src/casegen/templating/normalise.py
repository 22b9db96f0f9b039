"""What Word and LibreOffice do inside a template's tags, undone before the template is compiled.

The programme office edits the templates in Word or Writer, and each suite stores a typed tag in
its own way: Word splits `{{ project.lead }}` into runs of different formatting or revision ids,
puts spell-check marks, bookmarks, tracked insertions and deletions between the pieces, and turns
typed quotes into curly ones; LibreOffice writes the quotes of `money("£ N/A")` as `&quot;`.
`normalise` gives back the part with every tag whole, in the first run it starts in, in the
characters Jinja reads, so the same template saved by either suite renders the same text.

docxtpl's `patch_xml` (which runs after this) joins split tags with regular expressions from one
`</w:t>` to the next `<w:t>`: it cannot see a tracked deletion (`w:delText`) whose text holds the
end of a tag, it turns `&lt;`/`&gt;` and curly quotes back but not `&quot;`, `&apos;` or `&amp;`,
and it leaves soft hyphens and non-breaking spaces. Its `{%p %}` `{%tr %}` `{%tc %}` handling
needs each tag in one piece of text, which is what this gives it.
"""
from __future__ import annotations

import re

from lxml import etree

from casegen.ooxml import W

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# In the serialised part a tag's text holds no '<': its own '<' is written &lt;.
_SERIAL_TAG = re.compile(r"\{\{[^<]*?\}\}|\{%[^<]*?%\}|\{#[^<]*?#\}")

# Characters an office suite types for what the template's author meant as plain ASCII.
_IN_TAGS = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"',
                          "\u00ad": None, "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2011": "-"})
# Word's elements for a soft or non-breaking hyphen, read as the characters they stand for.
_HYPHENS = {f"{W}softHyphen": "\u00ad", f"{W}noBreakHyphen": "\u2011"}
# Marks without text that only record Word's state (spelling, where a page last broke).
_MARKS = (f"{W}proofErr", f"{W}lastRenderedPageBreak")
# A table row's on/off properties, which LibreOffice writes as w:val="true"/"false": openxml-audit (and Word's
# validator) allow only on/off there, so they are written as Word writes them.
_ROW_SWITCHES = (f"{W}cantSplit", f"{W}tblHeader", f"{W}hidden")
_ON_OFF = {"true": None, "1": None, "on": None, "false": "off", "0": "off", "off": "off"}


def _accept_revisions(root) -> None:
    """Accept tracked insertions and deletions of text.

    Only run-level changes (w:ins, w:del around runs); a deleted tag still in `w:delText` would
    otherwise be read by Jinja, and a generated case is not a draft under review.
    """
    for tag in ("del", "moveFrom"):
        for el in list(root.iter(f"{W}{tag}")):
            if not el.getparent().tag.endswith("Pr") and len(el):
                el.getparent().remove(el)
    for tag in ("ins", "moveTo"):
        for el in list(root.iter(f"{W}{tag}")):
            parent = el.getparent()
            if parent.tag.endswith("Pr") or not len(el):
                continue
            at = parent.index(el)
            for offset, child in enumerate(list(el)):
                parent.insert(at + offset, child)
            parent.remove(el)


def _paragraph_of(el):
    for ancestor in el.iterancestors(f"{W}p"):
        return ancestor
    return None


def _pieces(p) -> list:
    """The elements holding p's own text, in order (not the text of a text box nested in it)."""
    return [el for el in p.iter(f"{W}t", *_HYPHENS) if _paragraph_of(el) is p]


def _text(el) -> str:
    return _HYPHENS.get(el.tag, el.text or "")


def _join_tags(p) -> None:
    """Move each tag of paragraph p, cleaned, into the piece of text it starts in."""
    pieces = _pieces(p)
    owners = [i for i, el in enumerate(pieces) for _ in _text(el)]
    chars = [c for el in pieces for c in _text(el)]
    text = "".join(chars)
    if "{" not in text:
        return
    for m in reversed(list(TAG.finditer(text))):
        first = owners[m.start()]
        cleaned = m.group(0).translate(_IN_TAGS)
        chars[m.start():m.end()] = list(cleaned)
        owners[m.start():m.end()] = [first] * len(cleaned)
    texts = [""] * len(pieces)
    for owner, c in zip(owners, chars, strict=True):
        texts[owner] += c
    for el, new in zip(pieces, texts, strict=True):
        if new == _text(el):
            continue
        if el.tag != f"{W}t" or not new:
            _remove(el)
            continue
        el.text = new
        if new != new.strip():
            el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _remove(el) -> None:
    """Remove a piece of text, and its run if nothing but formatting is left in it."""
    run = el.getparent()
    run.remove(el)
    if run.tag == f"{W}r" and all(child.tag == f"{W}rPr" for child in run):
        run.getparent().remove(run)


def _unescape(m: re.Match) -> str:
    return m.group(0).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _row_switches(root) -> None:
    for el in root.iter(*_ROW_SWITCHES):
        if el.getparent() is None or el.getparent().tag != f"{W}trPr" or f"{W}val" not in el.attrib:
            continue
        value = _ON_OFF.get(el.get(f"{W}val").lower(), "off")
        if value is None:
            del el.attrib[f"{W}val"]
        else:
            el.set(f"{W}val", value)


def join_tags(xml: bytes | str) -> str:
    """The part's XML with every tag whole, in one run, in plain characters; still well-formed XML.

    A part that is not well-formed XML comes back as it was, for the renderer to report.
    """
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError:
        return data.decode("utf-8", errors="replace")
    _accept_revisions(root)
    for mark in list(root.iter(*_MARKS)):
        mark.getparent().remove(mark)
    for p in list(root.iter(f"{W}p")):
        _join_tags(p)
    _row_switches(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode("utf-8")


def normalise(xml: bytes | str) -> str:
    """The part as Jinja should read it, ready for docxtpl's patch_xml: tags whole, and in them
    `&lt;`, `&gt;` and `&amp;` as the characters typed (`{% if a > b %}`, `"R&D"`)."""
    return unescape_tags(join_tags(xml))


def unescape_tags(xml: str) -> str:
    return _SERIAL_TAG.sub(_unescape, xml)
