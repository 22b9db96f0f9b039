"""The text of a .docx in reading order, and a word-level fidelity score against a reference.

The same measure as the programme's docx_fidelity.py, kept here so the tests stand alone. One
difference: a cell seen twice in a row is recognised by the element itself, not by `id()` of its
lxml proxy; lxml recycles proxies, so `id()` matches a different cell and drops it (measured:
cells after the fifth in a row are lost).
"""
from __future__ import annotations

import difflib
import re

from docx import Document
from docx.oxml.ns import qn

BULLETS = "·•▪◦-–*"


def _para_text(p) -> str:
    parts = []
    for node in p.iter():
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
        elif node.tag in (qn("w:br"), qn("w:cr")):
            parts.append("\n")
    return "".join(parts)


def _cell_blocks(tc):
    for child in tc.iterchildren():
        if child.tag == qn("w:p"):
            yield _para_text(child)
        elif child.tag == qn("w:tbl"):
            yield from _table_blocks(child)


def _table_blocks(tbl):
    for tr in tbl.iterchildren(qn("w:tr")):
        for tc in list(tr.iterchildren(qn("w:tc"))):
            yield from _cell_blocks(tc)


def blocks(path) -> list[str]:
    doc = Document(path)
    out = [p.text for p in doc.sections[0].header.paragraphs]
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            out.append(_para_text(child))
        elif child.tag == qn("w:tbl"):
            out.extend(_table_blocks(child))
    return out


def text(path) -> str:
    return "\n".join(blocks(path))


def words(text: str) -> list[str]:
    text = text.replace("\u00a0", " ").replace("’", "'").replace("‘", "'").replace("–", "-")
    toks = []
    for line in text.splitlines():
        line = line.strip().lstrip(BULLETS).strip()
        toks.extend(re.findall(r"[A-Za-z0-9£%]+", line.lower()))
    return toks


def fidelity(docx_path, reference: str) -> tuple[float, list[str]]:
    """Share of the reference's words found in the document in order, and the longest misses."""
    got, want = words(text(docx_path)), words(reference)
    sm = difflib.SequenceMatcher(None, want, got, autojunk=False)
    matched = sum(b.size for b in sm.get_matching_blocks())
    missing = [" ".join(want[i1:i2]) for tag, i1, i2, _, _ in sm.get_opcodes()
               if tag in ("delete", "replace") and i2 - i1 >= 3]
    return matched / max(1, len(want)), missing
