"""Where a tag is in a template, in the words the office sees in Word: the section, table and row.

A template check names a tag's place by the nearest heading above it and, inside a table, by the
table's number and the row's ("Risks, table 6, row 2"), with the text around the tag, so that it
can be found in Word without reading XML.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from lxml import etree

from casegen.ooxml import W

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_HEADING = re.compile(r"(?i)heading|title")
# docxtpl's paragraph, row, cell and run tags ({%tr for ... %}) compile as plain ones ({% for ... %}).
_PREFIX = re.compile(r"^\{([{%#])-?\s*(?:p|tr|tc|r)\s")


def key(tag: str) -> str:
    """A tag as it compiles, to match the office's spelling of it with the compiled source's."""
    return " ".join(_PREFIX.sub(r"{\1 ", tag).split())


@dataclass(frozen=True)
class Paragraph:
    text: str  # as the office reads it
    where: str  # "Risks, table 6, row 2"

    @property
    def tags(self) -> list[str]:
        return TAG.findall(self.text)


def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W}t"))


def _heading(p) -> bool:
    style = p.find(f"{W}pPr/{W}pStyle")
    return style is not None and bool(_HEADING.search(style.get(f"{W}val", "")))


def paragraphs(xml: str) -> list[Paragraph]:
    """Every paragraph of a part (normalised, so each tag is whole), in order, with its place."""
    try:
        root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True,
                                                                      huge_tree=True))
    except etree.XMLSyntaxError:
        return []
    tables = {tbl: n for n, tbl in enumerate(
        (t for t in root.iter(f"{W}tbl") if next(t.iterancestors(f"{W}tbl"), None) is None), start=1)}
    section, out = "", []
    for p in root.iter(f"{W}p"):
        text = _text(p)
        if _heading(p) and text.strip():
            section = text.strip()
        place = [section] if section else []
        tbl = next((t for t in p.iterancestors(f"{W}tbl") if t in tables), None)
        if tbl is not None:
            row = next(r for r in p.iterancestors(f"{W}tr") if r.getparent() is tbl)
            place.append(f"table {tables[tbl]}, row {tbl.findall(f'{W}tr').index(row) + 1}")
        out.append(Paragraph(text, ", ".join(place)))
    return out


def plain(line: str) -> str:
    """A line of a compiled source as text."""
    return html.unescape(re.sub(r"<[^>]+>", "", line)).strip()


def _around(text: str, tag: str) -> str:
    at = max(text.find(tag), 0) if tag else 0
    start = max(0, min(at - 60, len(text) - 160))
    return ("…" if start else "") + text[start:start + 160] + ("…" if len(text) > start + 160 else "")


def locate(paras: list[Paragraph], source: str, lineno: int, tag: str) -> tuple[str, str]:
    """(the tag as the office wrote it, "place: text around it") for a tag on a line of the compiled source."""
    lines = source.splitlines()
    wanted = key(tag)
    # The n-th time this tag appears in the source is its n-th appearance in the document.
    nth = sum(key(t) == wanted for line in lines[:max(lineno - 1, 0)] for t in TAG.findall(plain(line)))
    found = [(i, t) for i, p in enumerate(paras) for t in p.tags if key(t) == wanted] if tag else []
    if not found:
        line = plain(lines[lineno - 1]) if 0 < lineno <= len(lines) else ""
        return tag, _around(line, tag)
    i, office_tag = found[min(nth, len(found) - 1)]
    text = paras[i].text.strip()
    if not TAG.sub("", text).strip() and i > 0:  # the tag is all there is: the paragraph before says what it is
        text = f"{paras[i - 1].text.strip()} … {text}".strip(" …")
    where = paras[i].where
    return office_tag, (f"{where}: " if where else "") + _around(text, office_tag)
