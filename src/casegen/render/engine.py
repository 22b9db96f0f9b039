"""Renders a case into a Word document from a docxtpl template, compiled once and reused.

docxtpl re-reads the template and recompiles its whole Jinja source on every render (about 43%
of its time, measured). Here docxtpl prepares each XML part once (joining tags that Word split
across runs, handling its {%p %} {%tr %} {%tc %} tags); the compiled parts are then rendered
for every case and written into a copy of the template's zip, with the document's own properties. The parts
that are the same in every document (all but the rendered ones and the properties) are deflated once a
template and copied into each document's zip as they are.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import TemplateError
from lxml import etree

from casegen import __version__
from casegen.config import LANGUAGE
from casegen.errors import TemplateProblem
from casegen.ooxml import TEMPLATE_PARTS, W
from casegen.templating.environment import make_environment
from casegen.templating.geometry import (
    DEFAULT_SIZE,
    FIT,
    MARKED,
    default_size,
    mark_tables,
    repair_marked,
    text_width,
)
from casegen.templating.listing import CHARACTERS, resolve_paragraph
from casegen.templating.parts import compiled_parts, template_bytes, template_problem, template_sources

_LISTING_CHARS = CHARACTERS  # tabs, line and page breaks typed in a value (templating.listing)
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # as docxtpl's resolve_listing finds them


def _resolve_listing(xml: str) -> str:
    """docxtpl's resolve_listing (tabs, line and page breaks typed in a value: templating.listing), run only on the
    paragraphs that hold one of those characters: on any other paragraph it changes nothing, and
    scanning every run of every paragraph took a tenth of a document's time."""
    if not _LISTING_CHARS.search(xml):
        return xml
    # _PARAGRAPH's pass from the start ends a match at every "</w:p>", save one with no paragraph start between it
    # and the match before (a text box's paragraphs within a paragraph): either way the pass can be taken up after
    # the last "</w:p>" before each character rather than run over the whole part (0.2 ms a document).
    out, done = [], 0
    for hit in _LISTING_CHARS.finditer(xml):
        if hit.start() < done:
            continue  # in the paragraph just resolved
        end = xml.rfind("</w:p>", done, hit.start())
        m = _PARAGRAPH.search(xml, done if end < 0 else end + len("</w:p>"))
        if m is None:
            break
        if m.start() < hit.start():
            out += [xml[done:m.start()], resolve_paragraph(m.group(0))]
            done = m.end()
    return "".join(out) + xml[done:]


_EMPTY_CELLS = etree.XPath("//w:tc[not(w:p)]", namespaces={"w": W[1:-1]})
# The marked tables (geometry.mark_tables) of a part whose marked tables are all its own, not in a cell, a text box
# or a content control: found without a search through every element (a quarter of a millisecond a document).
_MARKED_OUTERMOST = etree.XPath(f"/*/w:body/w:tbl[@{FIT}] | /*/w:tbl[@{FIT}]", namespaces={"w": W[1:-1]})
_MARK = f' {FIT}="'.encode()


def _cells_filled(xml: bytes) -> bytes | None:
    """The part with an empty paragraph in each cell that holds nothing but its properties, if every other cell
    begins with a paragraph (told by counting, without a tree); None if a cell may lack a paragraph otherwise."""
    cells = xml.count(b"<w:tc>") + xml.count(b"<w:tc ")
    empty = xml.count(b"</w:tcPr></w:tc>")
    if b"<w:tc/>" in xml or cells != xml.count(b"</w:tcPr><w:p>") + xml.count(b"</w:tcPr><w:p ") + empty:
        return None
    return xml.replace(b"</w:tcPr></w:tc>", b"</w:tcPr><w:p/></w:tc>") if empty else xml


def _repair_tables(tree, size: int = DEFAULT_SIZE, filled: bool = False, marks: int | None = None) -> None:
    """Keep every table valid and whole after loops have added or removed cells and paragraphs.

    A cell whose paragraphs were all looped away gets an empty one, as Word requires (unless `filled`: the part's
    text has had them added already, `_cells_filled`); a table whose columns a loop changed (marked by
    geometry.mark_tables in the template; `marks` of them in the part, if counted) has its grid and widths rebuilt
    from its cells and fitted to the page, whatever Word or Writer wrote for them (templating.geometry).
    """
    if not filled:
        for tc in _EMPTY_CELLS(tree):  # found by libxml2, without a Python object made for every cell
            etree.SubElement(tc, f"{W}p")
    tables = _MARKED_OUTERMOST(tree) if marks is not None else None
    if tables is None or len(tables) != marks:  # a marked table in a cell, a text box ...: searched for
        tables = MARKED(tree)
    body = tree.find(f"{W}body") if tree.tag == f"{W}document" else None
    repair_marked(tables, size, text_width(body))


def _stamp_application(app_xml: bytes) -> bytes:
    """Name casegen as the program that wrote the document (File > Properties in Word)."""
    stamp = f"<Application>casegen {__version__}</Application>".encode()
    if b"<Application>" in app_xml:
        return re.sub(rb"<Application>[^<]*</Application>", stamp, app_xml, count=1)
    return re.sub(rb"(<Properties[^>]*>)", rb"\1" + stamp, app_xml, count=1)


CORE = "docProps/core.xml"
_DC, _CP = "{http://purl.org/dc/elements/1.1/}", "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_DCTERMS, _XSI = "{http://purl.org/dc/terms/}", "{http://www.w3.org/2001/XMLSchema-instance}"


def _core_properties(template_core: bytes, title: str, author: str, when: datetime, language: str) -> bytes:
    """File > Properties of a document: its title, the programme as author, its language, made now by casegen.

    The template's other properties (subject, keywords, category) are kept."""
    root = etree.fromstring(template_core, etree.XMLParser(resolve_entities=False, no_network=True))
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    values = {f"{_DC}title": title, f"{_DC}creator": author, f"{_DC}language": language,
              f"{_CP}lastModifiedBy": "casegen", f"{_CP}revision": "1", f"{_DCTERMS}created": stamp,
              f"{_DCTERMS}modified": stamp}
    for tag, value in values.items():
        element = root.find(tag)
        if element is None:
            element = etree.SubElement(root, tag)
        element.text = value
        if tag.startswith(_DCTERMS):
            element.set(f"{_XSI}type", "dcterms:W3CDTF")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _entry(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh entry like the template's (zipfile fills in sizes and offsets of the one it is given)."""
    entry = zipfile.ZipInfo(info.filename, info.date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr, entry.create_system = info.external_attr, info.create_system
    return entry


LANGUAGE_PARTS = ("word/styles.xml", "word/settings.xml")


def _deflated(blob: bytes) -> tuple[bytes, int, int]:
    """A part deflated as zipfile deflates it (raw deflate at zlib's default level), with its CRC and size."""
    deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return deflate.compress(blob) + deflate.flush(), zlib.crc32(blob), len(blob)


def _write_deflated(zf: zipfile.ZipFile, info: zipfile.ZipInfo, deflated: tuple[bytes, int, int]) -> None:
    """Adds a part deflated beforehand (`_deflated`) to a zip being written, without deflating it again.

    zipfile has no public way to do this (Go's zip.Writer.CreateRaw, Rust zip's raw_copy_file): this does what
    zipfile's own writestr does on a seekable file (ZipFile._open_to_write, then _ZipWriteFile.close): the local
    header at start_dir, the data, the entry kept for the central directory. The bytes are those writestr
    writes. It saves deflating 13 of a document's 17 parts again: 0.8 ms of a 1.1 ms zip, about an eighth of
    rendering a document (measured, CPU time, business case lite template)."""
    data, crc, size = deflated
    entry = _entry(info)
    entry.CRC, entry.compress_size, entry.file_size, entry.flag_bits = crc, len(data), size, 0
    if not entry.external_attr:
        entry.external_attr = 0o600 << 16  # as zipfile writes it
    entry.header_offset = zf.start_dir
    fp = zf.fp
    assert fp is not None, "the zip is open for writing"
    fp.seek(zf.start_dir)
    fp.write(entry.FileHeader(False))
    fp.write(data)
    zf.start_dir = fp.tell()
    zf.filelist.append(entry)
    zf.NameToInfo[entry.filename] = entry


def _one_line(text: str) -> str:
    """A property holds no line breaks, tabs or control characters."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text).split())


def _title(context: dict, document: bytes) -> str:
    """The document's title, which a screen reader and a PDF viewer's window announce: the project's title, or
    (the portfolio summary) the text of the document's Title paragraph, or of its first paragraph."""
    title = _one_line(str(getattr(context.get("project"), "title", "") or ""))
    if title:
        return title
    body = etree.fromstring(document).find(f"{W}body")
    paragraphs = [p for p in body.iter(f"{W}p") if "".join(t.text or "" for t in p.iter(f"{W}t")).strip()]
    titled = [p for p in paragraphs if p.find(f"{W}pPr/{W}pStyle[@{W}val='Title']") is not None]
    first = (titled or paragraphs or [body])[0]
    return _one_line("".join(t.text or "" for t in first.iter(f"{W}t")))


def _in_language(part: bytes, language: str) -> bytes:
    """word/styles.xml or settings.xml with the text's language (every w:lang of the styles, the default run's,
    the theme's) set to `language`: Word's speller and screen readers follow it, and a template edited on a
    machine set to US English would otherwise say en-US."""
    root = etree.fromstring(part, etree.XMLParser(resolve_entities=False, no_network=True))
    defaults = root.find(f"{W}docDefaults")
    if defaults is not None:
        run = defaults.find(f"{W}rPrDefault")
        if run is None:
            run = etree.Element(f"{W}rPrDefault")
            defaults.insert(0, run)
        rpr = run.find(f"{W}rPr")
        if rpr is None:
            rpr = etree.SubElement(run, f"{W}rPr")
        if rpr.find(f"{W}lang") is None:
            etree.SubElement(rpr, f"{W}lang")
    for lang in [*root.iter(f"{W}lang"), *root.iter(f"{W}themeFontLang")]:
        lang.set(f"{W}val", language)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class CompiledTemplate:
    """A .docx template ready to render many cases."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.data = template_bytes(self.path)  # a regular file, of bounded size, no bomb
            with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
                self.entries = [(i, zf.read(i.filename)) for i in zf.infolist()]
        except (OSError, zipfile.BadZipFile) as exc:
            raise TemplateProblem(f"{self.path}: cannot read the template: {exc}") from None
        sha256 = hashlib.sha256(self.data).hexdigest()
        self.digest = sha256[:16]
        self.entries = [(info, _stamp_application(blob) if info.filename == "docProps/app.xml" else blob)
                        for info, blob in self.entries]
        self.core = next((blob for info, blob in self.entries if info.filename == CORE), None)
        styles = next((blob for info, blob in self.entries if info.filename == "word/styles.xml"), None)
        self.size = default_size(styles)
        self.env = make_environment()
        self._languages: dict[str, dict[str, tuple[bytes, int, int]]] = {}
        # checked in full and compiled, or as compiled and checked by an earlier run (templating.cache)
        self._sources: dict[str, str] | None = None
        self.compiled = compiled_parts(self.path, sha256, lambda: self.sources, self.env)
        self._unchanging = {info.filename: _deflated(blob) for info, blob in self.entries
                            if info.filename not in self.compiled and info.filename not in (CORE, *LANGUAGE_PARTS)}

    @property
    def sources(self) -> dict[str, str]:
        """{part: Jinja source} of the parts that hold tags, the tables a document's loops can change marked for
        render_part to repair those only: what is compiled, and an error's text around its tag (made when first
        asked: a template loaded from the cache renders without them)."""
        if self._sources is None:
            self._sources = template_sources(
                (info.filename, mark_tables(blob) if TEMPLATE_PARTS.fullmatch(info.filename) else blob)
                for info, blob in self.entries)
        return self._sources

    def _language_parts(self, language: str) -> dict[str, tuple[bytes, int, int]]:
        """The styles and settings in `language`, made and deflated once a template and language (they hold no
        tags)."""
        if language not in self._languages:
            self._languages[language] = {info.filename: _deflated(_in_language(blob, language))
                                         for info, blob in self.entries if info.filename in LANGUAGE_PARTS}
        return self._languages[language]

    def render_part(self, name: str, context: dict) -> bytes:
        try:
            xml = self.compiled[name].render(context)
        except TemplateError as exc:
            raise template_problem(self.path, name, self.sources[name], exc) from None
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")  # re.sub(r"\n<w:p([ >])") at half the cost
        xml = _resolve_listing(xml)
        data = xml.encode("utf-8")
        filled = _cells_filled(data)
        try:
            tree = etree.fromstring(data if filled is None else filled)
        except etree.XMLSyntaxError as exc:
            raise TemplateProblem(f"{self.path} ({name}): the rendered document would be damaged: {exc}") from None
        _repair_tables(tree, self.size, filled is not None, data.count(_MARK))
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)

    def render(self, context: dict, when: datetime | None = None) -> bytes:
        """The rendered document as the bytes of a .docx file, made at `when` (now if not given), its text in
        the context's `language` (the configuration's)."""
        language = str(context.get("language") or LANGUAGE)
        parts = {name: self.render_part(name, context) for name in self.compiled}
        if self.core is not None:  # every office suite writes one; a template without it keeps none
            parts[CORE] = _core_properties(self.core, _title(context, parts["word/document.xml"]),
                                           str(context.get("programme", "")), when or datetime.now(UTC),
                                           language)
        unchanging = {**self._unchanging, **self._language_parts(language)}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, _ in self.entries:
                if info.filename in parts:  # zlib's fastest level: a quarter of the default's time (0.12 ms against
                    # 0.44 for a Business Case Lite's text), for a document 1 kB larger
                    zf.writestr(_entry(info), parts[info.filename], compresslevel=1)
                else:
                    _write_deflated(zf, info, unchanging[info.filename])
        return out.getvalue()
