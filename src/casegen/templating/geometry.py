"""The widths of a document's tables, whatever Word or Writer wrote for them.

A template's table is drawn for the page, but its column loops ({%tc for %}) add or remove columns when a
case is rendered, and each office suite saves a table its own way: Writer writes the table's width in twips
(`w:tblW w:type="dxa"`), which then no longer matches the columns a loop made, and LibreOffice squeezes every
column into the old width (a finance table at 62% of the page, "£200,0" / "00"); Word may write cell widths in
fiftieths of a percent (`w:tcW w:type="pct"`). So after rendering, every table's grid is rebuilt from its
cells, its width follows the grid, and its columns are fitted to the text width so that no word (an amount
above all) is narrower than its column. `templates check` names a table that cannot hold its amounts.

Widths are measured with Arial's (and its metric twin Liberation Sans's) advance widths, in twips.
"""
from __future__ import annotations

import re

from lxml import etree

from casegen.ooxml import W

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)  # a docxtpl tag, which prints what a case gives it
MONEY_TAG = re.compile(r"\|\s*money\b")

TWIPS_PER_POINT = 20
DEFAULT_MARGIN = 108  # twips: Word's and Writer's default left and right cell margin (0.19 cm)
DEFAULT_SIZE = 22  # half-points: Word's default font size when the styles give none
# Advance widths of Arial / Liberation Sans (regular and bold), in thousandths of the font size, for the letters,
# digits and signs documents print; any other character counts as 0.6 em.
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-()/:;£%&'\"!?@"
_REGULAR = ("556 556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 "
            "667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 "
            + "556 " * 10 + "278 278 278 333 333 333 278 278 278 556 889 667 191 355 278 556 1015")
_BOLD = ("556 611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 "
         "722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 "
         + "556 " * 10 + "278 278 278 333 333 333 278 333 333 556 889 722 238 474 333 611 975")
WIDTHS = dict(zip(_LETTERS, map(int, _REGULAR.split())))
BOLD_WIDTHS = dict(zip(_LETTERS, map(int, _BOLD.split())))
ROUNDING = 20  # twips (1 pt) to spare when a document is rendered: Word and Writer round widths differently
# The amount a column that prints money must hold without breaking: ten million pounds.
AMOUNT = "£10,000,000"


def word_width(word: str, size: int, bold: bool = False) -> int:
    """Twips a word takes at `size` half-points."""
    widths = BOLD_WIDTHS if bold else WIDTHS
    thousandths = sum(widths.get(c, 600) for c in word)
    return round(thousandths * size / 2 / 1000 * TWIPS_PER_POINT)


def _on(element, tag: str) -> bool:
    found = element.find(tag)
    return found is not None and found.get(f"{W}val", "true") not in ("0", "false")


def _int(element, attr: str = "w", default: int = 0) -> int:
    try:
        return int(float(element.get(f"{W}{attr}")))
    except (TypeError, ValueError, AttributeError):
        return default


def default_size(styles_xml: bytes | None) -> int:
    """The body text's size in half-points: the Normal style's, else the document default's."""
    if not styles_xml:
        return DEFAULT_SIZE
    root = etree.fromstring(styles_xml, etree.XMLParser(resolve_entities=False, no_network=True))
    for path in (f"{W}style[@{W}styleId='Normal']/{W}rPr/{W}sz", f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}sz"):
        found = root.find(path)
        if found is not None:
            return _int(found, "val", DEFAULT_SIZE)
    return DEFAULT_SIZE


def text_width(body) -> int | None:
    """The width between the page's margins, in twips, from the body's section properties."""
    sect = body.find(f"{W}sectPr") if body is not None else None
    size, margins = (sect.find(f"{W}pgSz"), sect.find(f"{W}pgMar")) if sect is not None else (None, None)
    if size is None or margins is None:
        return None
    return _int(size) - _int(margins, "left") - _int(margins, "right")


def _margins(tbl, tc=None) -> int:
    """Left plus right margin of a cell: its own, else the table's, else the default."""
    for holder in (tc.find(f"{W}tcPr/{W}tcMar") if tc is not None else None,
                   tbl.find(f"{W}tblPr/{W}tblCellMar")):
        if holder is not None:
            sides = [holder.find(f"{W}{s}") for s in ("left", "start", "right", "end")]
            found = [_int(s) for s in sides if s is not None and s.get(f"{W}type", "dxa") == "dxa"]
            if found:
                return sum(found) if len(found) == 2 else 2 * found[0]
    return 2 * DEFAULT_MARGIN


def _need(tbl, tc, size: int, amount: bool, spare: int = ROUNDING) -> int:
    """The width the longest word of a cell needs (with its margins): words are not broken, lines are."""
    widest = 0
    for run in tc.iter(f"{W}r"):
        rpr = run.find(f"{W}rPr")
        here = _int(rpr.find(f"{W}sz"), "val", size) if rpr is not None and rpr.find(f"{W}sz") is not None else size
        bold = rpr is not None and _on(rpr, f"{W}b")
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        words = text.split() + ([AMOUNT] if amount else [])
        widest = max([widest] + [word_width(w, here, bold) for w in words])
    return widest + _margins(tbl, tc) + spare if widest else 0


def _span(tc) -> int:
    span = tc.find(f"{W}tcPr/{W}gridSpan")
    return max(1, _int(span, "val", 1)) if span is not None else 1


def _cell_width(tc, table_width: int) -> int | None:
    """A cell's width in twips as its tcW gives it (dxa, or pct of the table), None if it gives none."""
    width = tc.find(f"{W}tcPr/{W}tcW")
    kind = width.get(f"{W}type", "dxa") if width is not None else None
    if kind == "dxa" and _int(width) > 0:
        return _int(width)
    if kind == "pct" and table_width:
        value = width.get(f"{W}w", "")
        share = float(value.rstrip("%")) / 100 if value.endswith("%") else _int(width) / 5000
        return round(share * table_width)
    return None


def _columns(tbl) -> list[int] | None:
    """The table's column widths, from the cells of its widest row (each keeps the width of the template cell a
    loop copied it from), else from its grid; None if neither can be known."""
    grid = [_int(c) for c in tbl.findall(f"{W}tblGrid/{W}gridCol")]
    rows = [tr.findall(f"{W}tc") for tr in tbl.findall(f"{W}tr")]
    if not rows:
        return None
    widest = max(rows, key=lambda cells: sum(_span(tc) for tc in cells))
    if all(_span(tc) == 1 for tc in widest):
        widths = [_cell_width(tc, sum(grid)) for tc in widest]
        if None not in widths:
            return widths
    return grid if sum(_span(tc) for tc in widest) == len(grid) and all(grid) else None


def fit(widths: list[int], needs: list[int], limit: int | None) -> list[int]:
    """Column widths as close to `widths` as lets each column hold its widest word (`needs`), within `limit`.

    A column too narrow takes room from the columns that have room to spare; the table grows only if they have
    not enough, and never past `limit`; a table wider than `limit` gives up spare room first, then shrinks."""
    target = min(sum(widths), limit) if limit else sum(widths)
    widths = [max(w, n) for w, n in zip(widths, needs)]
    spare = [max(0, w - n) for w, n in zip(widths, needs)]
    excess = sum(widths) - target
    if excess > 0 and sum(spare):
        give = min(excess, sum(spare))
        cuts = [-(-give * s // sum(spare)) for s in spare]  # rounded up: the table never ends wider than asked
        widths = [w - c for w, c in zip(widths, cuts)]
    if limit and sum(widths) > limit:  # cannot hold: every column shrinks alike
        widths = [w * limit // sum(widths) for w in widths]
    return widths


def column_needs(tbl, size: int, amounts=lambda tc: False) -> list[int]:
    """For each column of a table, the width its widest word needs (cells spanning columns count for none)."""
    needs: dict[int, int] = {}
    for tr in tbl.findall(f"{W}tr"):
        at = 0
        for tc in tr.findall(f"{W}tc"):
            if _span(tc) == 1:
                needs[at] = max(needs.get(at, 0), _need(tbl, tc, size, amounts(tc)))
            at += _span(tc)
    return [needs.get(i, 0) for i in range(max(needs, default=-1) + 1)]


def repair_table(tbl, size: int, limit: int | None) -> None:
    """Rebuild a rendered table's grid from its cells, fit its columns to their words and the page, and write the
    widths everywhere both office suites read them: the grid, each cell's tcW, the table's tblW (if in twips)."""
    widths = _columns(tbl)
    grid = tbl.find(f"{W}tblGrid")
    if widths is None or grid is None:
        return
    needs = column_needs(tbl, size)
    widths = fit(widths, (needs + [0] * len(widths))[:len(widths)], limit)
    for col in grid.findall(f"{W}gridCol"):
        grid.remove(col)
    for width in widths:
        etree.SubElement(grid, f"{W}gridCol").set(f"{W}w", str(width))
    for tr in tbl.findall(f"{W}tr"):
        at = 0
        for tc in tr.findall(f"{W}tc"):
            span = _span(tc)
            tcpr = tc.find(f"{W}tcPr")
            if tcpr is None:
                tcpr = etree.Element(f"{W}tcPr")
                tc.insert(0, tcpr)
            width = tcpr.find(f"{W}tcW")
            if width is None:
                width = etree.Element(f"{W}tcW")
                tcpr.insert(1 if tcpr.find(f"{W}cnfStyle") is not None else 0, width)
            width.set(f"{W}w", str(sum(widths[at:at + span])))
            width.set(f"{W}type", "dxa")
            at += span
    table_width = tbl.find(f"{W}tblPr/{W}tblW")
    if table_width is not None and table_width.get(f"{W}type") == "dxa":
        table_width.set(f"{W}w", str(sum(widths)))


def repair_tables(tree, size: int = DEFAULT_SIZE) -> None:
    """Every table of a rendered part, outermost first; a table inside a cell is fitted to nothing but itself."""
    body = tree.find(f"{W}body") if tree.tag == f"{W}document" else None
    limit = text_width(body)
    for tbl in tree.iter(f"{W}tbl"):
        nested = any(a.tag == f"{W}tc" for a in tbl.iterancestors())
        repair_table(tbl, size, None if nested else limit)


def _template_needs(tbl, size: int) -> list[int]:
    """What each column of a template's table must hold: an amount where a tag prints money, else the longest
    word of its own text (a tag's value is not known before a case fills it)."""
    def strip_tags(tc):
        copy = etree.fromstring(etree.tostring(tc))
        for t in copy.iter(f"{W}t"):
            t.text = TAG.sub("", t.text or "")
        return copy

    needs: dict[int, int] = {}
    for tr in tbl.findall(f"{W}tr"):
        at = 0
        for tc in tr.findall(f"{W}tc"):
            money = bool(MONEY_TAG.search("".join(t.text or "" for t in tc.iter(f"{W}t"))))
            if _span(tc) == 1:
                needs[at] = max(needs.get(at, 0), _need(tbl, strip_tags(tc), size, money, spare=0))
            at += _span(tc)
    return [needs.get(i, 0) for i in range(max(needs, default=-1) + 1)]


def _cm(twips: int) -> str:
    return f"{twips / 567:.1f} cm"


def cramped(document_xml: bytes, size: int) -> list[tuple[str, str]]:
    """(where, what) of each table of a template that cannot hold what it prints on the page: wider than the
    text, or with a column too narrow for an amount (or a word of its own) that the rest of the table has no
    room to widen. Column loops count once, as the template draws them."""
    root = etree.fromstring(document_xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    body = root.find(f"{W}body")
    limit, found, section, number = text_width(body), [], "", 0
    for child in body if body is not None else ():
        if child.tag == f"{W}p":
            style = child.find(f"{W}pPr/{W}pStyle")
            text = "".join(t.text or "" for t in child.iter(f"{W}t")).strip()
            if style is not None and re.search("(?i)heading|title", style.get(f"{W}val", "")) and text:
                section = text
        if child.tag != f"{W}tbl":
            continue
        number += 1
        where = f"{section + ', ' if section else ''}table {number}"
        widths = _columns(child)
        if not widths or not limit:
            continue
        needs = (_template_needs(child, size) + [0] * len(widths))[:len(widths)]
        if sum(widths) > limit + 20:
            found.append((where, f"the table is {_cm(sum(widths))} wide, wider than the {_cm(limit)} between the "
                                 "page's margins"))
        narrow = [i for i, (w, n) in enumerate(zip(widths, needs)) if w < n]
        if narrow:
            i, holds = narrow[0], all(w >= n for w, n in zip(fit(widths, needs, limit), needs))
            found.append((where, f"column {i + 1} is {_cm(widths[i])} wide and needs {_cm(needs[i])} for what it "
                                 f"prints (an amount such as {AMOUNT} where it prints money): "
                                 + ("documents take the room from the other columns, so they print other widths "
                                    "than the template's" if holds else "the table has no room to give it, so its "
                                    "text would break in the middle of words")))
    return found
