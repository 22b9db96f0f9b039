"""A .docx's body as Word shows it, in order: paragraphs (with style, heading, bullet and level) and tables.

Text is read as Word displays it, not as the XML stores it: runs joined whatever split them (proofErr,
bookmarks, revisions), content controls' contents (but not their placeholder prompts), hyperlinks,
fields' results (never their codes), tabs and line breaks; deleted revisions are skipped. Bullets are
recognised from Word numbering (w:numPr and its ilvl, on the paragraph or its style) and from bullets
typed by hand ("•", "·", "-", "–" then a tab or space).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from casegen.ooxml import W

MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
SKIPPED = {W + "del", W + "moveFrom", W + "instrText", W + "delText", W + "pPr", W + "rPr", W + "sdtPr",
           W + "footnoteReference", W + "endnoteReference", MC_FALLBACK}
TYPED_BULLET = re.compile(r"^([\t ]*)([•·▪◦o\-–—*])[\t ]+(?=\S)")
SECOND_LEVEL_MARKS = "◦o▪"
INDENT_PER_LEVEL = 700  # twentieths of a point: a typed bullet indented this far more is one level deeper


@dataclass
class Para:
    text: str
    style: str = ""
    heading: int = 0  # 1, 2… for a heading style or outline level; 0 for body text
    bullet: bool = False
    level: int = 0  # 1 for a bullet, 2 for a bullet under it
    bold: bool = False  # every visible character is bold
    used: bool = field(default=False, compare=False)

    @property
    def words(self) -> str:
        return " ".join(self.text.split())


@dataclass
class Cell:
    blocks: list  # Paras, and the Tables nested in the cell
    span: int = 1

    @property
    def paras(self) -> list[Para]:
        out = []
        for b in self.blocks:
            out.extend([b] if isinstance(b, Para) else [p for row in b.rows for c in row for p in c.paras])
        return out

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paras).strip()


@dataclass
class WordTable:
    rows: list[list[Cell]]
    used: bool = field(default=False, compare=False)

    @property
    def width(self) -> int:
        return max((sum(c.span for c in row) for row in self.rows), default=0)

    def texts(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.rows]


class _Styles:
    """Style names, heading levels, boldness and list levels of the document's paragraph styles."""

    def __init__(self, doc):
        self.names, self.bold, self.numbered, self.outline = {}, set(), {}, {}
        for style in doc.styles:
            sid = style.style_id
            self.names[sid] = style.name or sid
            el = style.element
            if el.find(f"{W}rPr/{W}b") is not None and el.find(f"{W}rPr/{W}b").get(qn("w:val")) not in ("0", "false"):
                self.bold.add(sid)
            num = el.find(f"{W}pPr/{W}numPr")
            if num is not None:
                ilvl = num.find(f"{W}ilvl")
                self.numbered[sid] = int(ilvl.get(qn("w:val"))) if ilvl is not None else 0
            lvl = el.find(f"{W}pPr/{W}outlineLvl")
            if lvl is not None and lvl.get(qn("w:val")).isdigit() and int(lvl.get(qn("w:val"))) < 9:
                self.outline[sid] = int(lvl.get(qn("w:val"))) + 1

    def heading(self, sid: str) -> int:
        name = self.names.get(sid, sid)
        m = re.fullmatch(r"(?i)heading\s*(\d)", name)
        if m:
            return int(m.group(1))
        if name.lower() == "title":
            return 1
        return self.outline.get(sid, 0)


def _text(node, out: list[str], state: dict) -> None:
    """Appends the displayed text under `node`; `state` follows complex fields (codes before 'separate')."""
    for child in node:
        tag = child.tag
        if tag in SKIPPED or not isinstance(tag, str):
            continue
        if tag == W + "sdt" and child.find(f"{W}sdtPr/{W}showingPlcHdr") is not None:
            continue  # an empty content control shows its prompt ("Click here to enter text"): not a value
        if tag == W + "fldChar":
            kind = child.get(qn("w:fldCharType"))
            state["depth"] += {"begin": 1, "end": -1}.get(kind, 0)
            state["code"] = kind == "begin" or (state["code"] and kind != "separate" and kind != "end")
            continue
        if tag == W + "t":
            if not state["code"]:
                out.append(child.text or "")
        elif tag in (W + "tab", W + "ptab"):
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        else:
            _text(child, out, state)


def _all_bold(p, styles: _Styles, sid: str) -> bool:
    seen = False
    for r in p.iter(W + "r"):
        if not "".join(t.text or "" for t in r.iter(W + "t")).strip():
            continue
        seen = True
        b = r.find(f"{W}rPr/{W}b")
        rstyle = r.find(f"{W}rPr/{W}rStyle")
        if b is not None:
            if b.get(qn("w:val")) in ("0", "false"):
                return False
        elif not (sid in styles.bold or (rstyle is not None and rstyle.get(qn("w:val")) in styles.bold | {"Strong"})):
            return False
    return seen


def _para(p, styles: _Styles) -> Para:
    out: list[str] = []
    _text(p, out, {"depth": 0, "code": False})
    text = "".join(out).replace("\u00a0", " ")
    ppr = p.find(f"{W}pPr")
    sid_el = ppr.find(f"{W}pStyle") if ppr is not None else None
    sid = sid_el.get(qn("w:val")) if sid_el is not None else ""
    para = Para(text.strip(), styles.names.get(sid, sid), styles.heading(sid), bold=_all_bold(p, styles, sid))
    outline = ppr.find(f"{W}outlineLvl") if ppr is not None else None
    if outline is not None and (outline.get(qn("w:val")) or "9").isdigit() and int(outline.get(qn("w:val"))) < 9:
        para.heading = int(outline.get(qn("w:val"))) + 1
    num = ppr.find(f"{W}numPr") if ppr is not None else None
    if num is not None and num.find(f"{W}numId") is not None and num.find(f"{W}numId").get(qn("w:val")) != "0":
        ilvl = num.find(f"{W}ilvl")
        para.bullet, para.level = True, 1 + (int(ilvl.get(qn("w:val"))) if ilvl is not None else 0)
    elif sid in styles.numbered and num is None:
        para.bullet = True
        suffix = re.search(r"(\d)$", para.style)
        para.level = int(suffix.group(1)) if suffix else 1 + styles.numbered[sid]
    _typed_bullet(para, text, ppr)
    return para


def _typed_bullet(para: Para, raw: str, ppr) -> None:
    m = TYPED_BULLET.match(raw)
    if not m:
        return
    indent = ppr.find(f"{W}ind") if ppr is not None else None
    left = indent.get(qn("w:left")) or indent.get(qn("w:start")) if indent is not None else None
    deeper = raw[: m.start(2)].count("\t") + (1 if m.group(2) in SECOND_LEVEL_MARKS else 0)
    if left and left.lstrip("-").isdigit() and int(left) >= 2 * INDENT_PER_LEVEL:
        deeper += 1
    para.text = raw[m.end():].strip()
    para.bullet, para.level = True, min(2, (para.level or 1) + deeper if not para.bullet else para.level)


def _children(parent, tag: str):
    """The `tag` children of a table or row, also those a content control or custom XML wraps."""
    for child in parent:
        if child.tag == W + tag:
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            yield from _children(child.find(f"{W}sdtContent") if child.tag == W + "sdt" else child, tag)


def _table(tbl, styles: _Styles) -> WordTable:
    rows = []
    for tr in _children(tbl, "tr"):
        row = []
        for tc in _children(tr, "tc"):
            span = tc.find(f"{W}tcPr/{W}gridSpan")
            row.append(Cell(_blocks(tc, styles), int(span.get(qn("w:val"))) if span is not None else 1))
        rows.append(row)
    return WordTable(rows)


def _blocks(container, styles: _Styles) -> list:
    out = []
    for child in container:
        if child.tag == W + "p":
            out.append(_para(child, styles))
        elif child.tag == W + "tbl":
            out.append(_table(child, styles))
        elif child.tag == W + "sdt":
            if child.find(f"{W}sdtPr/{W}showingPlcHdr") is None and child.find(f"{W}sdtContent") is not None:
                out.extend(_blocks(child.find(f"{W}sdtContent"), styles))
        elif child.tag in (W + "customXml", W + "ins"):
            out.extend(_blocks(child, styles))
    return out


def read_blocks(path: str | Path) -> list:
    """The body of the .docx at `path`: Paras and Tables in reading order."""
    doc = Document(str(path))
    return _blocks(doc.element.body, _Styles(doc))
