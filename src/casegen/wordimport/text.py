"""A .docx's body as Word shows it, in order: paragraphs (with style, heading, bullet and level) and tables.

Text is read as Word displays it, not as the XML stores it: runs joined whatever split them (proofErr,
bookmarks, revisions), content controls' contents (but not their placeholder prompts), hyperlinks,
fields' results (never their codes, nor what a field nested in another's code shows), tabs, line breaks
and non-breaking spaces; deleted revisions (text, paragraphs and table rows) are skipped, inserted ones
read; hidden text (w:vanish on the run, its character or paragraph style, the styles they are based on,
or the document's defaults) is skipped, as Word does not show or print it. Content Word shows from another
file (w:altChunk: HTML, RTF or a document pasted in) is not read here: it is kept as a Para naming it
(`unread`), for the import to report. Bullets are recognised from Word numbering (w:numPr and its ilvl, on
the paragraph or its style) and from bullets typed by hand ("•", "·", "-", "–" then a tab or space).
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
TYPED_BULLET = re.compile(r"^([\t \xa0]*)([•·▪◦o\-–—*])[\t \xa0]+(?=\S)")
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
    unread: str = ""  # what Word shows here that casegen cannot read (an altChunk), in words

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
        self.hidden = _hidden_styles(doc)
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


def _hidden_styles(doc) -> dict[str, bool]:
    """Style id -> whether its text is hidden (w:vanish), for the styles that say so themselves or through the
    styles they are based on; "" for a paragraph of no style: the default paragraph style's, else the
    document's defaults (as for any paragraph whose styles say nothing)."""
    own, based, default_para = {}, {}, None
    for style in doc.styles.element.iter(W + "style"):
        sid = style.get(qn("w:styleId"))
        vanish = style.find(f"{W}rPr/{W}vanish")
        if vanish is not None:
            own[sid] = _on(vanish)
        parent = style.find(f"{W}basedOn")
        if parent is not None:
            based[sid] = parent.get(qn("w:val"))
        if style.get(qn("w:type")) == "paragraph" and style.get(qn("w:default")) in ("1", "true", "on"):
            default_para = sid

    def said(sid, seen=()):
        if sid in own:
            return own[sid]
        return said(based[sid], seen + (sid,)) if sid in based and sid not in seen else None

    out = {sid: value for sid in set(own) | set(based) if (value := said(sid)) is not None}
    defaults = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}vanish")
    out[""] = out.get(default_para, defaults is not None and _on(defaults))
    return out


def _on(toggle) -> bool:
    """A toggle property (w:b, w:vanish) is on unless its value says off."""
    return toggle.get(qn("w:val")) not in ("0", "false", "off")


def _hidden(run, state: dict) -> bool:
    """Whether Word hides the run: its own w:vanish, else its character style's, else its paragraph's."""
    rpr = run.find(f"{W}rPr")
    vanish = rpr.find(f"{W}vanish") if rpr is not None else None
    if vanish is not None:
        return _on(vanish)
    rstyle = rpr.find(f"{W}rStyle") if rpr is not None else None
    if rstyle is not None and rstyle.get(qn("w:val")) in state["styles"].hidden:
        return state["styles"].hidden[rstyle.get(qn("w:val"))]
    return state["hidden"]


def _field_char(child, state: dict) -> None:
    """Follows complex fields: a stack of the fields open, each in its code (before 'separate') or its result."""
    kind = child.get(qn("w:fldCharType"))
    fields = state["fields"]
    if kind == "begin":
        fields.append("code")
    elif kind == "separate" and fields:
        fields[-1] = "result"
    elif kind == "end" and fields:
        fields.pop()


def _shown(state: dict) -> bool:
    """Text is shown only in the result of every field it is inside: a field nested in another's code
    (an IF's condition, a REF inside a QUOTE's code) gives the outer field its value, not the page its text."""
    return all(f == "result" for f in state["fields"])


def _text(node, out: list[str], state: dict) -> None:
    """Appends the displayed text under `node`; `state` follows complex fields and the paragraph's hiding."""
    for child in node:
        tag = child.tag
        if tag in SKIPPED or not isinstance(tag, str):
            continue
        if tag == W + "sdt" and child.find(f"{W}sdtPr/{W}showingPlcHdr") is not None:
            continue  # an empty content control shows its prompt ("Click here to enter text"): not a value
        if tag == W + "r" and _hidden(child, state):
            for mark in child.iter(W + "fldChar"):  # a field may begin or end in hidden text
                _field_char(mark, state)
            continue
        if tag == W + "fldChar":
            _field_char(child, state)
            continue
        if tag == W + "t":
            if _shown(state):
                out.append(child.text or "")
        elif tag in (W + "tab", W + "ptab", W + "br", W + "cr", W + "noBreakHyphen"):
            if _shown(state):
                out.append({W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}.get(tag, "\t"))
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
    ppr = p.find(f"{W}pPr")
    sid_el = ppr.find(f"{W}pStyle") if ppr is not None else None
    sid = sid_el.get(qn("w:val")) if sid_el is not None else ""
    _text(p, out, {"fields": [], "styles": styles, "hidden": styles.hidden.get(sid, styles.hidden[""])})
    text = "".join(out)  # a non-breaking space stays one: the form keeps it as typed
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


def _table(tbl, styles: _Styles, doc=None) -> WordTable:
    rows = []
    for tr in _children(tbl, "tr"):
        if tr.find(f"{W}trPr/{W}del") is not None:
            continue  # a row deleted with changes tracked: Word's final view does not show it
        row = []
        for tc in _children(tr, "tc"):
            span = tc.find(f"{W}tcPr/{W}gridSpan")
            row.append(Cell(_blocks(tc, styles, doc), int(span.get(qn("w:val"))) if span is not None else 1))
        rows.append(row)
    return WordTable(rows)


def _blocks(container, styles: _Styles, doc=None) -> list:
    out: list[Para | WordTable] = []
    for child in container:
        if child.tag == W + "altChunk":
            out.append(Para("", unread=_alt_chunk(child, doc)))
        elif child.tag == W + "p":
            out.append(_para(child, styles))
        elif child.tag == W + "tbl":
            out.append(_table(child, styles, doc))
        elif child.tag == W + "sdt":
            if child.find(f"{W}sdtPr/{W}showingPlcHdr") is None and child.find(f"{W}sdtContent") is not None:
                out.extend(_blocks(child.find(f"{W}sdtContent"), styles, doc))
        elif child.tag in (W + "customXml", W + "ins"):
            out.extend(_blocks(child, styles, doc))
    return out


def _alt_chunk(chunk, doc) -> str:
    """Words for an altChunk: content Word shows in place, kept in a part of its own (HTML, RTF, a document)."""
    rid = chunk.get(qn("r:id"))
    rel = doc.part.rels.get(rid) if doc is not None and rid else None
    name = str(rel.target_part.partname).lstrip("/") if rel is not None and not rel.is_external else "another file"
    return (f"content that Word shows here from {name}, embedded whole (an altChunk), which casegen cannot read; "
            "open the document in Word, copy that text and paste it into the form")


def read_blocks(path: str | Path) -> list:
    """The body of the .docx at `path`: Paras and Tables in reading order."""
    doc = Document(str(path))
    return _blocks(doc.element.body, _Styles(doc), doc)
