"""What a file casegen wrote must be: clean for openxml-audit, and (a Word document) accessible.

openxml-audit is the OOXML validator Word's own checks are modelled on. A .docx must have no finding at
all. In a .xlsx, openpyxl's own two are tolerated, since every workbook openpyxl writes has them: the
order of a font's children in xl/styles.xml, and strings written inline (Excel moves them into a
shared-strings table when it saves).

The accessibility checks are those of Word's and LibreOffice's checkers that casegen guarantees by
construction (README, "Accessibility"): the text's language and the title in the properties, headings in
order, a repeated header row on every table, alternative text on every picture.
"""
from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree

from helpers import REWRITTEN

openxml_audit = pytest.importorskip("openxml_audit",
                                    reason="openxml-audit is in the test extra: pip install -e '.[test]'")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC = "{http://purl.org/dc/elements/1.1/}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
AUDITED_SIZE = 2_000_000  # unpacked bytes; a test's 100,000-row table takes openxml-audit minutes


def _openpyxl_s_own(error) -> bool:
    fonts = error.part_uri == "/xl/styles.xml" and "/fonts[1]/font[" in error.path
    inline = "inline-string cell(s)" in error.description
    return fonts or inline


def findings(path: Path) -> list[str]:
    """Every finding in `path`, one a line, but openpyxl's own in a workbook."""
    result = openxml_audit.OpenXmlValidator(max_errors=0).validate(str(path))
    tolerated = _openpyxl_s_own if Path(path).suffix == ".xlsx" else (lambda error: False)
    return [f"{path}: {e}" for e in result.errors if not tolerated(e)]


def written_by_casegen(path: Path) -> bool:
    """A whole document or form as casegen wrote it: not a fixture a test damaged or grew on purpose, a
    document typed "by hand" for `import`, nor a form saved again by LibreOffice (then not openpyxl's)."""
    if not path.is_file() or path.is_symlink():  # a test's pipe or link
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            if zf.comment == REWRITTEN or sum(i.file_size for i in zf.infolist()) > AUDITED_SIZE:
                return False
            if path.suffix == ".docx":
                return b"<Application>casegen " in zf.read("docProps/app.xml")
            names = set(zf.namelist())
            marked = b'name="_casegen"' in zf.read("xl/workbook.xml") or (  # a form, or a tracker / annotated copy
                "docProps/custom.xml" in names and b'name="casegen"' in zf.read("docProps/custom.xml"))
            return marked and b"Openpyxl" in zf.read("docProps/app.xml")
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, zlib.error, EOFError):
        return False


def whole(path: Path) -> bool:
    """Every part of the zip reads back with its checksum (a test may cut a file short on purpose)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.testzip() is None
    except (OSError, zipfile.BadZipFile, RuntimeError, zlib.error, EOFError):
        return False


def content_key(path: Path) -> str:
    """A digest of the file's parts (from the checksums in the zip's directory), less the time stamps in its
    properties: the same document built twice has the same key, so each distinct file is audited once."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.filename == "docProps/core.xml":
                digest.update(re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\1", zf.read(info)))
            else:
                digest.update(f"{info.filename}\0{info.CRC}\0{info.file_size}\0".encode())
    return digest.hexdigest()


def _part(zf: zipfile.ZipFile, name: str):
    try:
        return etree.fromstring(zf.read(name))
    except KeyError:
        return None


def _heading_levels(styles) -> dict[str, int]:
    """The outline level (1 for Heading 1) of each paragraph style that has one, itself or from its base."""
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style") if s.get(f"{W}type") == "paragraph"}

    def level(style_id, seen=()):
        style = by_id.get(style_id)
        if style is None or style_id in seen:
            return None
        outline = style.find(f"{W}pPr/{W}outlineLvl")
        if outline is not None:
            value = int(outline.get(f"{W}val"))
            return value + 1 if value < 9 else None  # 9 is body text
        name = style.find(f"{W}name")
        if name is not None and re.fullmatch(r"heading [1-9]", name.get(f"{W}val", "").lower()):
            return int(name.get(f"{W}val")[-1])
        based = style.find(f"{W}basedOn")
        return level(based.get(f"{W}val"), seen + (style_id,)) if based is not None else None

    return {sid: lvl for sid in by_id if (lvl := level(sid)) is not None}


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


def heading_findings(document, styles) -> list[str]:
    levels = _heading_levels(styles)
    found, last = [], 0
    for p in document.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        level = levels.get(style.get(f"{W}val")) if style is not None else None
        if level is None:
            continue
        if level > last + 1:
            found.append(f"heading {_text(p)!r} is level {level} after level {last}: a level is skipped")
        last = level
    return found


def table_findings(document) -> list[str]:
    found = []
    for tbl in document.iter(f"{W}tbl"):
        first = tbl.find(f"{W}tr")
        if first is not None and first.find(f"{W}trPr/{W}tblHeader") is None:
            found.append(f"table starting {_text(first)[:40]!r} has no header row marked to repeat (w:tblHeader)")
    return found


def accessibility_findings(path: Path, language: str | None = None) -> list[str]:
    """What Word's and LibreOffice's accessibility checkers would say of a .docx, one a line (none: none)."""
    with zipfile.ZipFile(path) as zf:
        document, styles = _part(zf, "word/document.xml"), _part(zf, "word/styles.xml")
        core = _part(zf, "docProps/core.xml")
    found = []
    title = core.findtext(f"{DC}title") if core is not None else None
    if not (title or "").strip():
        found.append("no title in the document's properties (dc:title)")
    said = core.findtext(f"{DC}language") if core is not None else None
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang") if styles is not None else None
    styled = lang.get(f"{W}val") if lang is not None else None
    if not styled or styled != said or (language and styled != language):
        found.append(f"the text's language is {styled!r} in the styles and {said!r} in the properties"
                     + (f", not {language!r}" if language else ""))
    if styles is not None:
        found += heading_findings(document, styles)
    found += table_findings(document)
    for pr in document.iter(f"{WP}docPr"):
        if not (pr.get("descr") or pr.get("title") or "").strip():
            found.append(f"picture {pr.get('name')!r} has no alternative text")
    return [f"{path}: {line}" for line in found]


def audited(path: Path) -> list[str]:
    """What openxml-audit and (a .docx) the accessibility checks find in a file casegen wrote, one a line."""
    found = findings(path) + (accessibility_findings(path) if Path(path).suffix == ".docx" else [])
    return [line.replace(f"{path}: ", "", 1) for line in found]
