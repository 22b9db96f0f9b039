"""Tabs, line breaks and page breaks typed in a value, made into Word's own elements in the rendered XML.

A value printed by a tag is text inside a run's <w:t>; Word shows a tab or a line break there only as an element
(<w:tab/>, <w:br/>). docxtpl's `resolve_listing` does this; this is the same rewriting, kept here so that rendering
a document never imports docxtpl, which loads python-docx (75 ms of a one-form build's start, measured; issue 27).
tests/test_templates.py checks it against docxtpl's, paragraph by paragraph.

In a run's text: a tab becomes a run of its own holding <w:tab/>; a line feed a <w:br/>; \\a (BEL, docxtpl's
"new paragraph") a new paragraph; \\f a page break between two paragraphs. Each new run and paragraph takes the
properties of the run and paragraph it splits.
"""
from __future__ import annotations

import re

CHARACTERS = re.compile("[\t\a\n\f]")
_PARAGRAPH_PROPERTIES = re.compile(r"<w:pPr>.*?</w:pPr>", re.DOTALL)
_RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
_RUN_PROPERTIES = re.compile(r"<w:rPr>.*?</w:rPr>", re.DOTALL)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)
_OPEN_TEXT = '<w:t xml:space="preserve">'


def _first(pattern: re.Pattern, xml: str) -> str:
    found = pattern.search(xml)
    return found.group(0) if found else ""


def resolve_paragraph(paragraph: str) -> str:
    """One paragraph's XML (<w:p ...>...</w:p>) with the characters of CHARACTERS in its runs' text made into
    elements."""
    paragraph_props = _first(_PARAGRAPH_PROPERTIES, paragraph)

    def run(match: re.Match) -> str:
        props = _first(_RUN_PROPERTIES, match.group(0))
        # In this order: what the first inserts holds none of the later characters.
        elements = (("\t", f"</w:t></w:r><w:r>{props}<w:tab/></w:r><w:r>{props}{_OPEN_TEXT}"),
                    ("\a", f"</w:t></w:r></w:p><w:p>{paragraph_props}<w:r>{props}{_OPEN_TEXT}"),
                    ("\n", f"</w:t><w:br/>{_OPEN_TEXT}"),
                    ("\f", f'</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r></w:p>'
                           f"<w:p>{paragraph_props}<w:r>{props}{_OPEN_TEXT}"))

        def text(found: re.Match) -> str:
            xml = found.group(0)
            for character, element in elements:
                xml = xml.replace(character, element)
            return xml

        return _TEXT.sub(text, match.group(0))

    return _RUN.sub(run, paragraph)
