"""The widths of a document's tables, whatever Word or Writer wrote for them.

A template's table is drawn for the page, but its column loops ({%tc for %}) add or remove columns when a
case is rendered, and each office suite saves a table its own way: Writer writes the table's width in twips
(`w:tblW w:type="dxa"`), which then no longer matches the columns a loop made, and LibreOffice squeezes every
column into the old width (a finance table at 62% of the page, "£200,0" / "00"); Word may write cell widths in
fiftieths of a percent (`w:tcW w:type="pct"`). So after rendering, a table's width in twips follows its grid,
and a table whose cells no longer match its grid (a loop's columns, widths in percent) or that is wider than the
page has its grid rebuilt from its cells and its columns fitted to the text width, so that no word (an amount
above all) is wider than its column. Which tables can need it is known from the template (`mark_tables`, once a
template); only those are looked at in each document. `templates check` names a table that cannot hold its amounts.

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


class _Widths(dict):
    def __missing__(self, letter: str) -> int:
        return 600  # not remembered: a document's letters would grow the table without bound


WIDTHS = _Widths(zip(_LETTERS, map(int, _REGULAR.split()), strict=True))
BOLD_WIDTHS = _Widths(zip(_LETTERS, map(int, _BOLD.split()), strict=True))
ROUNDING = 20  # twips (1 pt) to spare when a document is rendered: Word and Writer round widths differently
# The amount a column that prints money must hold without breaking: ten million pounds.
AMOUNT = "£10,000,000"


def word_width(word: str, size: int, bold: bool = False) -> int:
    """Twips a word takes at `size` half-points."""
    thousandths = sum(map((BOLD_WIDTHS if bold else WIDTHS).__getitem__, word))
    return round(thousandths * size / 2 / 1000 * TWIPS_PER_POINT)


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


TBL_PR, CELL_MARGINS, TR, TC, TC_PR, TC_MARGINS, TC_W, SPAN = (f"{W}{t}" for t in (
    "tblPr", "tblCellMar", "tr", "tc", "tcPr", "tcMar", "tcW", "gridSpan"))
P, T, SZ, B = f"{W}p", f"{W}t", f"{W}sz", f"{W}b"


def _margin_pair(holder) -> int | None:
    if holder is None:
        return None
    sides = [holder.find(f"{W}{s}") for s in ("left", "start", "right", "end")]
    found = [_int(s) for s in sides if s is not None and s.get(f"{W}type", "dxa") == "dxa"]
    return (sum(found) if len(found) == 2 else 2 * found[0]) if found else None


def _table_margins(tbl) -> int:
    """Left plus right cell margin of a table: its own, else the default."""
    props = tbl.find(TBL_PR)
    found = _margin_pair(props.find(CELL_MARGINS)) if props is not None else None
    return 2 * DEFAULT_MARGIN if found is None else found


def _need(tc, props, size: int, margins: int, amount: bool, spare: int = ROUNDING) -> int:
    """The width the widest word of a cell needs (with its margins): words are not broken, lines are. Measured at
    the cell's largest size, bold if any of it is: never less than it needs."""
    paragraphs, here, bold = [], size, False
    for el in tc.iter(P, SZ, B):  # one walk through the cell (the fitting's largest cost)
        if el.tag == P:
            paragraphs.append(el)
        elif el.tag == SZ:
            here = max(here, _int(el, "val", size))
        elif el.get(f"{W}val", "true") not in ("0", "false"):
            bold = True
    words = [w for p in paragraphs for w in "".join(p.itertext(T)).split()]
    if amount:
        words.append(AMOUNT)
    if not words:
        return 0
    longest = max(map(len, words))
    # Only words at least half as long as the longest can be the widest (Arial's widest letter is 4.6 of its narrowest).
    widest = max(word_width(w, here, bold) for w in words if 2 * len(w) >= longest)
    own = _margin_pair(props.find(TC_MARGINS))
    return widest + (margins if own is None else own) + spare


def _span(props) -> int:
    span = props.find(SPAN)
    return max(1, _int(span, "val", 1)) if span is not None else 1


def _cell_width(props, table_width: int) -> int | None:
    """A cell's width in twips as its tcW gives it (dxa, or pct of the table), None if it gives none."""
    width = props.find(TC_W)
    kind = width.get(f"{W}type", "dxa") if width is not None else None
    if kind == "dxa" and _int(width) > 0:
        return _int(width)
    if kind == "pct" and table_width:
        value = width.get(f"{W}w", "")
        share = float(value.rstrip("%")) / 100 if value.endswith("%") else _int(width) / 5000
        return round(share * table_width)
    return None


def _columns(tbl, grid: list[int]) -> list[int] | None:
    """The table's column widths, from the cells of its widest row (each keeps the width of the template cell a
    loop copied it from), else from its grid; None if neither can be known."""
    rows = tbl.findall(TR)
    if not rows:
        return None
    return _row_columns(max(rows, key=lambda tr: len(tr.findall(TC))), grid)


def _row_columns(tr, grid: list[int]) -> list[int] | None:
    """The column widths the cells of row `tr` give, else the grid's if they span it; None if neither."""
    cells = [_properties(tc) for tc in tr.iterchildren(TC)]
    spans = [_span(props) for props in cells]
    if all(span == 1 for span in spans):
        widths = [w for w in (_cell_width(props, sum(grid)) for props in cells) if w is not None]
        if len(widths) == len(cells):  # every cell's width known
            return widths
    return grid if sum(spans) == len(grid) and all(grid) else None


def fit(widths: list[int], needs: list[int], limit: int | None) -> list[int]:
    """Column widths as close to `widths` as lets each column hold its widest word (`needs`), within `limit`.

    A column too narrow takes room from the columns that have room to spare; the table grows only if they have
    not enough, and never past `limit`; a table wider than `limit` gives up spare room first, then shrinks."""
    target = min(sum(widths), limit) if limit else sum(widths)
    widths = [max(w, n) for w, n in zip(widths, needs, strict=True)]
    spare = [max(0, w - n) for w, n in zip(widths, needs, strict=True)]
    excess = sum(widths) - target
    if excess > 0 and sum(spare) > 0:
        give = min(excess, sum(spare))
        cuts = [-(-give * s // sum(spare)) for s in spare]  # rounded up: the table never ends wider than asked
        widths = [w - c for w, c in zip(widths, cuts, strict=True)]
    if limit and sum(widths) > limit:  # cannot hold: every column shrinks alike
        widths = [w * limit // sum(widths) for w in widths]
    return widths


def column_needs(tbl, size: int, amounts=lambda tc: False, spare: int = ROUNDING, rows=None) -> list[int]:
    """For each column of a table, the width its widest word needs (cells spanning columns count for none)."""
    needs: dict[int, int] = {}
    margins = _table_margins(tbl)
    for cells in rows if rows is not None else _cells(tbl):
        at = 0
        for tc, props, span in cells:
            if span == 1:
                needs[at] = max(needs.get(at, 0), _need(tc, props, size, margins, amounts(tc), spare))
            at += span
    return [needs.get(i, 0) for i in range(max(needs, default=-1) + 1)]


def _properties(tc):
    """A cell's properties (w:tcPr), made if it has none: its width is written there."""
    props = tc.find(TC_PR)
    if props is None:
        props = etree.Element(TC_PR)
        tc.insert(0, props)
    return props


def _cells(tbl) -> list[list[tuple]]:
    """(cell, its properties, how many grid columns it spans) of each row of a table."""
    return [[(tc, props, _span(props)) for tc in tr.iterchildren(TC) for props in (_properties(tc),)]
            for tr in tbl.iterchildren(TR)]


def _write_width(props, width: int) -> None:
    tcw = props.find(TC_W)
    if tcw is None:
        tcw = etree.Element(TC_W)
        props.insert(1 if props.find(f"{W}cnfStyle") is not None else 0, tcw)
    tcw.set(f"{W}w", str(width))
    tcw.set(f"{W}type", "dxa")


def repair_table(tbl, size: int, limit: int | None) -> None:
    """Rebuild a rendered table's grid from its cells, fit its columns to their words and the page, and write the
    widths everywhere both office suites read them: the grid, each cell's tcW, the table's tblW (if in twips)."""
    grid = tbl.find(f"{W}tblGrid")
    drawn = [_int(c) for c in grid.findall(f"{W}gridCol")] if grid is not None else []
    widths = _columns(tbl, drawn)
    if widths is None or grid is None:
        return
    table_width = tbl.find(f"{TBL_PR}/{W}tblW")
    # A table whose cells are as its grid draws them, within the page, is left as the template has it (its width
    # in twips set to its grid's, which Writer writes); the others are rebuilt and their words measured: measuring
    # every cell of every table would cost more than the rest of the rendering (about 15 ms a document, measured).
    if widths == drawn and not (limit and sum(widths) > limit):
        if table_width is not None and table_width.get(f"{W}type") == "dxa":
            table_width.set(f"{W}w", str(sum(widths)))
        return
    rows = _cells(tbl)
    if len(widths) > 1:
        needs = column_needs(tbl, size, rows=rows)
        widths = fit(widths, (needs + [0] * len(widths))[:len(widths)], limit)
    for col in grid.findall(f"{W}gridCol"):
        grid.remove(col)
    for width in widths:
        etree.SubElement(grid, f"{W}gridCol").set(f"{W}w", str(width))
    for cells in rows:
        at = 0
        for _, props, span in cells:
            _write_width(props, sum(widths[at:at + span]))
            at += span
    if table_width is not None and table_width.get(f"{W}type") == "dxa":
        table_width.set(f"{W}w", str(sum(widths)))


# Most of a template's tables have the same columns in every document: only a loop over columns ({%tc %}, or
# docxtpl's {% colspan %} and {% hm %}) changes them. Those are marked once a template (`mark_tables`, on the part
# before it is compiled) and only the marked ones are repaired in each document (`repair_marked`): looking at every
# table, and fitting one drawn a twip wider than the page, took more of a document's time than any other step.
FIT = "casegen_fit"  # the mark: "page" (fitted to the text's width) or "cell" (a table in a table's cell)
MARKED = etree.XPath(f"//w:tbl[@{FIT}]", namespaces={"w": W[1:-1]})
_COLUMN_TAG = re.compile(r"\{%-?\s*(?:tc|colspan|hm)\b")


def settled(tbl, limit: int | None) -> bool:
    """Whether a template's table is one that `repair_table` leaves as the template has it in every document:
    no tag of it changes its columns, and whichever of its rows is the widest after its row loops have run, its
    cells are as its grid draws them, within `limit`."""
    if _COLUMN_TAG.search("".join(tbl.itertext(T))):
        return False
    grid = tbl.find(f"{W}tblGrid")
    drawn = [_int(c) for c in grid.findall(f"{W}gridCol")] if grid is not None else []
    if grid is None or (limit and sum(drawn) > limit):
        return grid is None  # a table with no grid is never repaired
    return all(_row_columns(tr, drawn) in (None, drawn) for tr in tbl.iterchildren(TR))


def mark_tables(xml: bytes) -> bytes:
    """A template's part with each table a document's rendering must repair marked (FIT); each of the others has
    its width in twips set to its grid's now, as `repair_table` would set it in every document."""
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError:
        return xml  # the renderer reports it
    limit = text_width(root.find(f"{W}body")) if root.tag == f"{W}document" else None
    for tbl in root.iter(f"{W}tbl"):
        nested = any(a.tag == f"{W}tc" for a in tbl.iterancestors())
        if not settled(tbl, None if nested else limit):
            tbl.set(FIT, "cell" if nested else "page")
            continue
        table_width, grid = tbl.find(f"{TBL_PR}/{W}tblW"), tbl.find(f"{W}tblGrid")
        if table_width is not None and table_width.get(f"{W}type") == "dxa" and grid is not None:
            table_width.set(f"{W}w", str(sum(_int(c) for c in grid.findall(f"{W}gridCol"))))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def repair_marked(tables, size: int, limit: int | None) -> None:
    """Repair each marked table of `tables` (a rendered part's, outermost first) and take its mark away."""
    for tbl in tables:
        where = tbl.attrib.pop(FIT, None)
        if where is not None:
            repair_table(tbl, size, limit if where == "page" else None)


def _template_needs(tbl, size: int) -> list[int]:
    """What each column of a template's table must hold: an amount where a tag prints money, else the longest
    word of its own text (a tag's value is not known before a case fills it)."""
    copy = etree.fromstring(etree.tostring(tbl))
    for tc in copy.iter(TC):
        if MONEY_TAG.search("".join(tc.itertext(T))):
            tc.set("money", "1")  # on the copy only: a mark for column_needs below
    for t in copy.iter(T):
        t.text = TAG.sub("", t.text or "")
    return column_needs(copy, size, lambda tc: tc.get("money") == "1", spare=0)


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
        widths = _columns(child, [_int(c) for c in child.findall(f"{W}tblGrid/{W}gridCol")])
        if not widths or not limit:
            continue
        needs = (_template_needs(child, size) + [0] * len(widths))[:len(widths)]
        if sum(widths) > limit + 20:
            found.append((where, f"the table is {_cm(sum(widths))} wide, wider than the {_cm(limit)} between the "
                                 "page's margins"))
        narrow = [i for i, (w, n) in enumerate(zip(widths, needs, strict=True)) if w < n]
        if narrow:
            i, holds = narrow[0], all(w >= n for w, n in zip(fit(widths, needs, limit), needs, strict=True))
            found.append((where, f"column {i + 1} is {_cm(widths[i])} wide and needs {_cm(needs[i])} for what it "
                                 f"prints (an amount such as {AMOUNT} where it prints money): "
                                 + ("documents take the room from the other columns, so they print other widths "
                                    "than the template's" if holds else "the table has no room to give it, so its "
                                    "text would break in the middle of words")))
    return found
