"""A redline: the new document with Word's own tracked changes against the previous one.

casegen places the marks itself (w:ins, w:del) rather than through a comparison library: the two
documents come from one template, so their paragraphs and tables line up, and a word-by-word diff
(difflib, in time linear in a paragraph's length: worddiff.py) of each paired paragraph and table row
is all it takes: 32-38 ms a document here.
python-redlines (Open-XML-PowerTools) was measured on the same pairs by bench/bench_redline.py:
3.2-7.2 s a document, as it starts a 34 MB self-contained .NET program (a second wheel) for each.

Blocks (paragraphs, tables) are aligned by their text; a paired paragraph is diffed word by word
(runs keep their formatting); table rows are aligned by their cells' text, rows added or removed
shown as inserted or deleted rows (w:trPr/w:ins, w:del); what was removed is copied from the
previous document, without its pictures, bookmarks and links (their parts belong to that file).
The previous document is read with the checks `casegen import` makes (office.read_zip).
"""
from __future__ import annotations

import copy
import re
import shutil
import zipfile
import zlib
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path
from xml.parsers.expat import ExpatError

from lxml import etree

from casegen import office
from casegen.batch.worddiff import word_ops
from casegen.bounded import Unreadable, read_bounded
from casegen.fileio import atomic_path
from casegen.ooxml import W_NS, W

AUTHOR = "casegen"
DOCUMENT = "word/document.xml"
TEXT_RUN = {"rPr", "t", "tab", "br", "lastRenderedPageBreak", "noBreakHyphen", "softHyphen"}
PLAIN_PARAGRAPH = {"pPr", "r", "bookmarkStart", "bookmarkEnd", "proofErr"}
FOREIGN = {"drawing", "pict", "object", "bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd",
           "commentReference", "footnoteReference", "endnoteReference"}
_TOKENS = re.compile(r"\s+|\S+")


def w(tag: str) -> str:
    return f"{W}{tag}"


def local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def text_of(el) -> str:
    return "".join(t.text or "" for t in el.iter(w("t"), w("delText")))


def document_text(root) -> str:
    """The words of a document, paragraph by paragraph: what a redline is about."""
    return "\n".join(text_of(p) for p in root.iter(w("p")))


DOCX = office.Kind("a Word document", "document", "it is not a document casegen wrote",
                   "build it again without --redline")


def _read(docx: str | Path):
    """The document's body, read without following a link (a previous document is history, not a pointer)
    and through the checks `casegen import` makes: a file of a document's size, every part inflated within
    its budget (a zip bomb planted there took 2.1 GB through zipfile's own read), no DTD."""
    parts = office.read_zip(_read_bounded(Path(docx)), DOCX)
    return etree.fromstring(parts[DOCUMENT], etree.XMLParser(resolve_entities=False, no_network=True))


def _read_bounded(path: Path) -> bytes:
    """The bytes of a regular file of at most office.MAX_FILE; OSError for a link, office.Refused for anything
    else (a folder, a pipe, a file far larger than any document)."""
    try:
        return read_bounded(path, office.MAX_FILE, "document", follow_links=False)
    except Unreadable as exc:
        raise office.Refused(str(exc)) from None


def write_redline(old: str, new: str, out: str, date: str) -> tuple[bool, str]:
    """Write `out`: the document `new` with its changes since `old` tracked. (True, "") when written,
    (False, "") if the two have the same text, (False, why) if `old` cannot be read (nothing written)."""
    try:
        before = _read(old)
    except office.Refused as exc:
        return False, f"the previous document {old} was not compared ({exc})"
    except (OSError, KeyError, zipfile.BadZipFile, zlib.error, ExpatError, etree.XMLSyntaxError) as exc:
        return False, f"the previous document {old} is damaged ({getattr(exc, 'strerror', None) or exc})"
    after = _read(new)
    if document_text(before) == document_text(after):
        return False, ""
    Marks(date, after).blocks(before.find(w("body")), after.find(w("body")))
    try:
        with (zipfile.ZipFile(new) as src, atomic_path(out) as tmp,
              zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst):
            for info in src.infolist():
                data = src.read(info)
                if info.filename == DOCUMENT:
                    data = etree.tostring(after, xml_declaration=True, encoding="UTF-8", standalone=True)
                dst.writestr(info, data)
    except OSError as exc:
        return False, f"cannot write {out} ({exc.strerror or exc})"
    return True, ""


class Marks:
    """Places tracked changes in a document's tree, each with its own id."""

    def __init__(self, date: str, root):
        self.date = date
        ids = [int(v) for v in root.xpath("//@w:id", namespaces={"w": W_NS}) if v.lstrip("-").isdigit()]
        self.next_id = max(ids, default=0) + 1

    def mark(self, tag: str):
        el = etree.Element(w(tag))
        el.set(w("id"), str(self.next_id))
        el.set(w("author"), AUTHOR)
        el.set(w("date"), self.date)
        self.next_id += 1
        return el

    # blocks: the children of a body or a table cell

    def blocks(self, old_parent, new_parent) -> None:
        old = [b for b in old_parent if local(b) in ("p", "tbl")]
        new = [b for b in new_parent if local(b) in ("p", "tbl")]
        keys = SequenceMatcher(None, [_key(b) for b in old], [_key(b) for b in new], autojunk=False)
        for op, i1, i2, j1, j2 in keys.get_opcodes():
            if op == "equal":
                continue
            pairs = 0
            if op == "replace":
                while pairs < min(i2 - i1, j2 - j1) and local(old[i1 + pairs]) == local(new[j1 + pairs]):
                    self.pair(old[i1 + pairs], new[j1 + pairs])
                    pairs += 1
            for b in new[j1 + pairs:j2]:
                self.inserted(b)
            anchor = new[j2] if j2 < len(new) else None
            for b in old[i1 + pairs:i2]:
                _place(new_parent, self.deleted(copy.deepcopy(b)), anchor)

    def pair(self, old, new) -> None:
        if local(new) == "tbl":
            self.table(old, new)
        elif _plain(old) and _plain(new) and _style(old) == _style(new) and _alike(old, new):
            self.paragraph(old, new)
        else:  # rewritten, restyled, or with fields, pictures, links: the old paragraph out, the new one in
            _place(new.getparent(), self.deleted(copy.deepcopy(old)), new)
            self.inserted(new)

    # paragraphs

    def paragraph(self, old, new) -> None:
        """Rewrite `new`'s runs: words both have as they are, old words deleted, new words inserted."""
        was, now = _tokens(old), _tokens(new)
        runs = []
        for op, i1, i2, j1, j2 in word_ops([t for t, _ in was], [t for t, _ in now]):
            if op == "equal":
                runs += _runs(now[j1:j2])
                continue
            if i2 > i1:
                runs.append(self.wrap("del", _runs(was[i1:i2], deleted=True)))
            if j2 > j1:
                runs.append(self.wrap("ins", _runs(now[j1:j2])))
        for child in list(new):
            if local(child) != "pPr":
                new.remove(child)
        new.extend(runs)

    def wrap(self, tag: str, runs: list):
        el = self.mark(tag)
        el.extend(runs)
        return el

    def paragraph_mark(self, p, tag: str) -> None:
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = etree.Element(w("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = etree.Element(w("rPr"))
            later = [c for c in ppr if local(c) in ("sectPr", "pPrChange")]
            (later[0].addprevious(rpr) if later else ppr.append(rpr))
        rpr.insert(0, self.mark(tag))

    def inserted(self, block) -> None:
        """Everything in `block` (a paragraph or a table) shown as put in."""
        for tr in block.iter(w("tr")):
            self.row_mark(tr, "ins")
        for p in block.iter(w("p")):
            for r in [r for r in p.iter(w("r")) if local(r.getparent()) not in ("ins", "del")]:
                r.addprevious(self.mark("ins"))
                r.getprevious().append(r)
            self.paragraph_mark(p, "ins")

    def deleted(self, block):
        """`block` (a copy from the previous document) shown as taken out; returns it."""
        for el in [e for e in block.iter() if local(e) in FOREIGN]:
            el.getparent().remove(el)
        for link in list(block.iter(w("hyperlink"))):  # its target is a part of the previous document
            for child in list(link):
                link.addprevious(child)
            link.getparent().remove(link)
        for tr in block.iter(w("tr")):
            self.row_mark(tr, "del")
        for p in block.iter(w("p")):
            for r in list(p.iter(w("r"))):
                for t in r.iter(w("t"), w("instrText")):
                    t.tag = w("delText") if local(t) == "t" else w("delInstrText")
                if local(r.getparent()) not in ("ins", "del"):
                    r.addprevious(self.mark("del"))
                    r.getprevious().append(r)
            self.paragraph_mark(p, "del")
        return block

    # tables

    def row_mark(self, tr, tag: str) -> None:
        trpr = tr.find(w("trPr"))
        if trpr is None:
            trpr = etree.Element(w("trPr"))
            ex = tr.find(w("tblPrEx"))
            (ex.addnext(trpr) if ex is not None else tr.insert(0, trpr))
        if not any(local(c) not in ("ins", "del", "trPrChange") for c in trpr):
            # The schema wants a row property before the mark: one that changes nothing.
            etree.SubElement(trpr, w("hidden")).set(w("val"), "0")
        change = trpr.find(w("trPrChange"))
        (change.addprevious(self.mark(tag)) if change is not None else trpr.append(self.mark(tag)))

    def table(self, old, new) -> None:
        was, now = old.findall(w("tr")), new.findall(w("tr"))
        rows = SequenceMatcher(None, [_key(r) for r in was], [_key(r) for r in now], autojunk=False)
        for op, i1, i2, j1, j2 in rows.get_opcodes():
            if op == "equal":
                continue
            pairs = 0
            if op == "replace":
                while pairs < min(i2 - i1, j2 - j1) and _cells(was[i1 + pairs]) == _cells(now[j1 + pairs]):
                    for a, b in zip(was[i1 + pairs].findall(w("tc")), now[j1 + pairs].findall(w("tc")), strict=True):
                        self.blocks(a, b)
                    pairs += 1
            for r in now[j1 + pairs:j2]:
                self.inserted(r)
            anchor = now[j2] if j2 < len(now) else None
            for r in was[i1 + pairs:i2]:
                _place(new, self.deleted(copy.deepcopy(r)), anchor)


def _key(block) -> str:
    if local(block) == "tbl":
        return "\x1e".join(_key(r) for r in block.iter(w("tr")))
    if local(block) == "tr":
        return "\x1f".join(text_of(c) for c in block.findall(w("tc")))
    return text_of(block)


def _cells(tr) -> int:
    return len(tr.findall(w("tc")))


def _place(parent, block, anchor) -> None:
    """Put `block` before `anchor`, or at the end of `parent` (before a body's section properties)."""
    if anchor is not None:
        anchor.addprevious(block)
        return
    last = parent[-1] if len(parent) else None
    if last is not None and local(last) == "sectPr":
        last.addprevious(block)
    else:
        parent.append(block)


def _style(p) -> str:
    style = p.find(f"{w('pPr')}/{w('pStyle')}")
    return "" if style is None else style.get(w("val"), "")


def _alike(old, new) -> bool:
    """Whether the two share enough words for a word-by-word redline to read better than a swap: the words
    they share, counted in any order (difflib's ratio, which weighs their order, is quadratic)."""
    a, b = Counter(text_of(old).split()), Counter(text_of(new).split())
    total = sum(a.values()) + sum(b.values())
    return not a or not b or 2 * sum((a & b).values()) / total >= 0.5


def _plain(p) -> bool:
    """A paragraph of plain runs of text, which can be diffed word by word."""
    return (local(p) == "p" and all(local(c) in PLAIN_PARAGRAPH for c in p)
            and all(local(c) in TEXT_RUN for r in p.iter(w("r")) for c in r))


def _tokens(p) -> list[tuple[str, object]]:
    """The paragraph's words and spaces, each with its run's properties (tabs and breaks as tokens)."""
    out = []
    for r in p.iter(w("r")):
        rpr = r.find(w("rPr"))
        for c in r:
            if local(c) == "t":
                out += [(tok, rpr) for tok in _TOKENS.findall(c.text or "")]
            elif local(c) in ("tab", "br"):
                out.append((f"\x00{local(c)}", rpr))
    return out


def _runs(tokens: list[tuple[str, object]], deleted: bool = False) -> list:
    """Runs for `tokens`, one a stretch of equal properties. A text element's words are gathered and set once:
    lxml copies the whole text at each `t.text +=` (a 100,000-character paragraph: 6 s)."""
    runs: list = []
    texts: list[tuple] = []  # (a text element, the words it gets)
    last: object = object()
    words: list[str] | None = None
    for tok, rpr in tokens:
        if rpr is not last or not runs:
            run = etree.Element(w("r"))
            if rpr is not None:
                run.append(copy.deepcopy(rpr))
            runs.append(run)
            last, words = rpr, None
        if tok.startswith("\x00"):
            etree.SubElement(runs[-1], w(tok[1:]))
            words = None
            continue
        if words is None:
            t = etree.SubElement(runs[-1], w("delText" if deleted else "t"))
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            words = []
            texts.append((t, words))
        words.append(tok)
    for t, words in texts:
        t.text = "".join(words)
    return runs


def write_redlines(history, out_dir: Path, jobs, workers) -> list[Path]:
    """A tracked-changes copy of each rebuilt document (batch.history's) whose text changed, against the document
    casegen last wrote. When some text changed, an older redline of a document whose text did not is removed."""
    from casegen.batch.history import REDLINES, TMP
    from casegen.batch.store import FOLDER
    from casegen.fileio import folder_trouble, remove_plain, set_aside

    tmp, redlines = out_dir / FOLDER / TMP, out_dir / REDLINES
    if folder_trouble(redlines):
        history.notes.append(f"{redlines}: {folder_trouble(redlines)}, not a folder; set aside as "
                             f"{set_aside(redlines).name}")
    tmp.mkdir(exist_ok=True)
    tasks, done = [], []
    for job in jobs:
        before = history.store.document(job.target.name) if job.target.name in history.built else None
        if before is not None:
            (tmp / job.target.name).write_bytes(before)
            tasks.append((str(tmp / job.target.name), str(job.target), str(redlines / job.target.name),
                          history.date[:19] + "Z"))  # to the second, as Word shows a tracked change's date
            done.append(job)
    written: list[Path] = []  # redlines whose text changed
    same: list[Path] = []
    try:
        for i, (changed, trouble) in workers.each(write_redline, tasks):
            if trouble:
                history.notes.append(f"{done[i].target}: no redline: {trouble}")
            (written if changed else same).append(Path(tasks[i][2]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if written:
        for target in same:
            remove_plain(target)
    history.redlined = bool(written)
    return sorted(written)
