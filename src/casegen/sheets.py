"""A workbook's package and print set-up: each sheet's part (for the form's safety check and the tracker's cached
values), and a sheet fitted to the width of A4 (the intake form's sheets; the tracker's wide sheets print at a
scale across pages instead, portfolio/xlsx.py)."""
from __future__ import annotations

import posixpath
from collections.abc import Callable, Container
from typing import TYPE_CHECKING

from lxml import etree

from casegen.ooxml import SHEET

if TYPE_CHECKING:  # reading a form finds its sheets here, and never imports openpyxl
    from openpyxl.worksheet.page import PageMargins

DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
RELS = "xl/_rels/workbook.xml.rels"


def parse(data: bytes):
    """A part's XML, with no entity resolved and no DTD or network fetched."""
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))


def sheet_parts(read: Callable[[str], bytes | None], names: Container[str], workbook=None) -> dict[str, str]:
    """Sheet title -> the worksheet part holding it, as the workbook's relationships say; only parts in `names`.

    `read(part)` gives a part's bytes (None if there is none); `workbook` is xl/workbook.xml already parsed."""
    if workbook is None:
        data = read("xl/workbook.xml")
        workbook = parse(data) if data is not None else etree.Element(f"{SHEET}workbook")
    rels = read(RELS)
    targets = {}
    for rel in (parse(rels).iter(f"{PKG_REL}Relationship") if rels is not None else ()):
        target = rel.get("Target") or ""
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = part
    out: dict[str, str] = {}
    for sheet in workbook.iter(f"{SHEET}sheet"):
        part = targets.get(sheet.get(f"{DOC_REL}id") or "")
        if part is not None and part in names and "worksheets/" in part:
            out[sheet.get("name") or ""] = part
    return out


def print_setup(ws, *, landscape: bool, margins: PageMargins, footer: str, title_rows: str | None = None) -> None:
    """A4, every column on one page's width and as many pages down as it takes, `footer` centred below."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # 0: as many pages down as it takes
    ws.page_margins = margins
    ws.oddFooter.center.text = footer
    if title_rows:
        ws.print_title_rows = title_rows
