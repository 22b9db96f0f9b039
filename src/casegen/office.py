"""Opening an Office file from a stranger safely: the checks the form reader and the Word import share.

Everything that can be checked before a reader (calamine, python-docx) unpacks the file: that it is a
regular file (a pipe or a device named x.xlsx would block a reader for ever), the kind of file from
its first bytes, the zip directory's declared sizes, and then every part inflated through a stream
with a byte budget, whatever the directory declares: a part that inflates past its declared size is
a bomb, stopped within 64 KiB past its declared size. Each XML part is parsed by expat with no DTD
at all (a DOCTYPE anywhere, in any encoding, is refused: entity bombs and external entities need
one), and must be UTF-8, as every Office program writes it. A file that passes holds no part larger
than declared, so a reader that opens it afterwards inflates at most MAX_UNPACKED bytes.
"""
from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls/.doc, and password-protected .xlsx/.docx
ZIP_MAGIC = b"PK\x03\x04"
MAX_FILE = 50 * 2**20  # on disk; a real form or business case is well under 1 MB
MAX_UNPACKED = 100 * 2**20  # all parts together, as declared and as inflated
MAX_PARTS = 1000
MAX_DIRECTORY = MAX_PARTS * 1024  # bytes of zip directory: zipfile holds about ten times it in memory
MAX_RATIO = 200  # XML deflates about 10 to 1; far more in a large part is a bomb
ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # stream names in an OLE directory are UTF-16
XML_PARTS = (".xml", ".rels", ".vml")
_CHUNK = 2**16
_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")


class Refused(Exception):
    """Why a file is not one casegen will open, in words for the user; each caller raises it as its own error."""


@dataclass(frozen=True)
class Kind:
    """How the messages name the kind of file being opened."""

    what: str  # "a workbook": "is a folder, not a workbook"
    noun: str  # "intake form": "far more than any intake form"
    refusal: str  # "it is not a form casegen will open"
    save_again: str  # "open it in Excel or LibreOffice and save it again as .xlsx"


def check_regular(path: Path, kind: Kind) -> os.stat_result:
    """The file's status, if it is a regular file; Refused before anything opens it otherwise."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise Refused("no such file") from None
    if stat.S_ISDIR(st.st_mode):
        raise Refused(f"is a folder, not {kind.what}")
    if not stat.S_ISREG(st.st_mode):  # a pipe, socket or device: opening it could wait for ever
        raise Refused(f"is not a file that can be read as {kind.what}")
    if st.st_size > MAX_FILE:
        raise Refused(f"is {st.st_size // 2**20} MB, far more than any {kind.noun}; {kind.refusal}")
    return st


def first_bytes(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(8)


def is_regular(path: Path) -> bool:
    """A regular file (through a symlink too), without opening it: False for pipes, sockets, devices."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def directory_size(path: Path) -> tuple[int, int]:
    """(entries, bytes) of the zip directory as its end record says, read before zipfile reads the directory
    itself, which it does to the end whatever the count of entries says (600,000 empty parts: 330 MB)."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 22 - 65535))  # the end record, then at most a 64 KB comment
        tail = fh.read()
    return _end_record(tail)


def _end_record(tail: bytes) -> tuple[int, int]:
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return 0, 0  # no end record: zipfile says the file is not a zip
    entries, size = struct.unpack("<HI", tail[at + 10:at + 16])
    at64 = tail.rfind(b"PK\x06\x06", 0, at)  # Zip64's end record, just before its locator and the end record
    if (entries == 0xFFFF or size == 0xFFFFFFFF) and at64 >= 0 and at64 + 48 <= len(tail):
        entries, size = struct.unpack("<QQ", tail[at64 + 32:at64 + 48])
    return entries, size


def check_end_record(path: Path, kind: Kind) -> None:
    entries, size = directory_size(path)
    if entries > MAX_PARTS:
        raise Refused(f"holds {entries} parts, far more than any {kind.noun}; {kind.refusal}")
    if size > MAX_DIRECTORY:
        raise Refused(f"has a zip directory of {size // 1024:,} KB, far more than any {kind.noun}; {kind.refusal}")


def read_zip(data: bytes, kind: Kind) -> dict[str, bytes]:
    """Every check above, on the bytes of a file already read (a previous document, kept by casegen): its
    XML parts, each inflated within its budget. Refused, or zipfile's and expat's errors for a damaged file."""
    if len(data) > MAX_FILE:
        raise Refused(f"is {len(data) // 2**20} MB, far more than any {kind.noun}; {kind.refusal}")
    if not data.startswith(ZIP_MAGIC):
        raise zipfile.BadZipFile("not a zip file")
    entries, size = _end_record(data[-(22 + 65535):])
    if entries > MAX_PARTS:
        raise Refused(f"holds {entries} parts, far more than any {kind.noun}; {kind.refusal}")
    if size > MAX_DIRECTORY:
        raise Refused(f"has a zip directory of {size // 1024:,} KB, far more than any {kind.noun}; {kind.refusal}")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        check_directory(zf, kind)
        return read_parts(zf, kind)


def check_directory(zf: zipfile.ZipFile, kind: Kind) -> None:
    """Sizes as the zip directory declares them: nothing has been inflated yet."""
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise Refused(f"holds {len(infos)} parts, far more than any {kind.noun}; {kind.refusal}")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED:
        raise Refused(f"would unpack to {unpacked // 2**20:,} MB, far more than any {kind.noun} (a zip bomb?); "
                      f"{kind.refusal}")
    for info in infos:
        if info.file_size > 2**20 and info.compress_size > 0 and info.file_size / info.compress_size > MAX_RATIO:
            raise Refused(f"part {info.filename} is compressed {info.file_size // info.compress_size:,} to 1, as "
                          f"no Office program compresses (a zip bomb?); {kind.refusal}")


def read_parts(zf: zipfile.ZipFile, kind: Kind) -> dict[str, bytes]:
    """Inflates every part within its declared size (CRCs checked) and checks every XML part; returns the XML
    parts' bytes. A part is XML by its name or by its first bytes, whatever its name: readers follow the
    relationships, not the extension. zipfile and zlib errors (a damaged file) pass through to the caller."""
    xml = {}
    for info in zf.infolist():
        data = _inflate(zf, info, kind)
        if data is not None:
            check_xml(data, info.filename, kind)
            xml[info.filename] = data
    check_transitional(xml)
    return xml


# Office's "Strict Open XML" formats name every part in other namespaces (ECMA-376 Part 1, Strict): calamine
# reads a Strict workbook's cells but not its tables, and python-docx finds no text in a Strict document, so
# such a file would be called foreign, or read as empty. It is named, with the one step that mends it.
STRICT_REL = b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
STRICT = {"xl/workbook.xml": ("Strict Open XML Spreadsheet", "Excel", "Excel Workbook (.xlsx)"),
          "word/document.xml": ("Strict Open XML Document", "Word", "Word Document (.docx)")}


def check_transitional(xml: dict[str, bytes]) -> None:
    """Refused for a package saved in Office's Strict Open XML format, saying how to save it as casegen reads it."""
    if STRICT_REL not in xml.get("_rels/.rels", b""):
        return
    saved, program, kind = next((v for part, v in STRICT.items() if part in xml), ("Strict Open XML", "Office",
                                                                                     "the usual format"))
    raise Refused(f"is saved as {saved}, which casegen does not read; open it in {program} and save it as "
                  f"{kind} (File > Save As, then that file type)")


def _looks_like_xml(head: bytes) -> bool:
    return head.lstrip(b" \t\r\n").startswith((b"<", b"\x00<", b"\x00\x00\x00<", b"\xef\xbb\xbf", b"\xff\xfe",
                                                 b"\xfe\xff"))


_SMALL = 2**20  # a part declared this size or less is inflated in one call, its budget given to zlib
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature; name and extra field lengths, at byte 26


def _inflate_small(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """A small part's bytes in one zlib call with a budget of one byte past its declared size, checked as zipfile
    checks them (header, name, size, CRC); None for anything else, which `_inflate` streams through zipfile. A
    form's 45 small parts: 0.5 ms, against 1.0 ms through zipfile's reader (measured, CPU time)."""
    declared, fp = info.file_size, getattr(zf, "fp", None)
    if (fp is None or declared > _SMALL or info.compress_size > _SMALL + 1024 or info.flag_bits & 0x61
            or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)):
        return None  # encrypted (0x01), patched (0x20) or strongly encrypted (0x40) parts too
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        return None
    magic, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    try:
        name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
    except UnicodeEncodeError:
        return None
    if magic != ZIP_MAGIC or fp.read(name_length) != name:
        return None
    fp.seek(extra_length, os.SEEK_CUR)
    raw = fp.read(info.compress_size)
    if info.compress_type == zipfile.ZIP_STORED:
        data, whole = raw, len(raw) == info.compress_size
    else:
        inflate = zlib.decompressobj(-15)
        data = inflate.decompress(raw, declared + 1)
        whole = inflate.eof and not inflate.unused_data
    if not whole or len(data) != declared or zlib.crc32(data) != info.CRC:
        return None  # zipfile's reader says what is wrong: a bomb, a short part, a bad CRC
    return data


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, kind: Kind) -> bytes | None:
    """The part's bytes if it is XML (None otherwise), streamed with a budget of its declared size: zipfile's
    own read() would inflate up to 2 GiB in one call before cutting the data to the declared size."""
    small = _inflate_small(zf, info)
    if small is not None:
        xml = info.filename.endswith(XML_PARTS) or bool(small) and _looks_like_xml(small[:_CHUNK])
        return small if xml else None
    declared = info.file_size
    chunks, total, xml = [], 0, info.filename.endswith(XML_PARTS)
    # Room for one chunk past the declared size, so a longer part is seen (and zipfile's CRC check, made
    # when its count of bytes runs out, does not fire first); the entry is put back as it was after.
    info.file_size = declared + 2 * _CHUNK
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                if total == 0:
                    xml = xml or _looks_like_xml(chunk)
                total += len(chunk)
                if total > declared:
                    raise Refused(f"part {info.filename} inflates to more than the {declared:,} bytes its zip "
                                  f"directory declares (a zip bomb?); {kind.refusal}")
                if xml:
                    chunks.append(chunk)
    finally:
        info.file_size = declared
    if total != declared:
        raise zipfile.BadZipFile(f"part {info.filename} is shorter than its zip directory declares")
    return b"".join(chunks) if xml else None


def check_xml(data: bytes, name: str, kind: Kind) -> None:
    """Refused unless the part is UTF-8 XML with no DTD. Parsed by expat to the end (defusedxml's own check,
    without building a tree), so a DOCTYPE after the first bytes or in UTF-16 is found as surely as one at
    the start; expat raises on XML it cannot read, which the caller reports as damage."""
    if not data:
        return
    declared = _DECLARED.match(data[:200])
    wide = data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]  # UTF-16 or UTF-32
    utf8 = not wide and (not declared or declared.group(1).lower() in (b"utf-8", b"utf8"))
    if utf8 and b"<!" not in data:  # in UTF-8 no DOCTYPE can be written without these two bytes: no need to parse
        return
    parser = expat.ParserCreate()

    def no_dtd(*args):
        raise Refused(f"part {name} declares a DTD, which no Office program writes; {kind.refusal}")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.Parse(data, True)
    # calamine reads a UTF-16 sheet as blank, and the sheet scan reads bytes as UTF-8: say so instead.
    if not utf8:
        encoding = "UTF-16" if wide or not declared else declared.group(1).decode("ascii", "replace")[:20]
        raise Refused(f"part {name} is written in {encoding}, which casegen does not read; {kind.save_again}")


def ole_holds(path: Path, *streams: str) -> bool:
    """Whether an OLE file (at most MAX_FILE, checked before) has a stream of one of these names."""
    data = path.read_bytes()
    return any(name.encode("utf-16-le") in data for name in streams)


def why(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]
