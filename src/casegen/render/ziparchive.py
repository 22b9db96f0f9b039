"""Writing a .docx (a zip) whose unchanged parts were compressed once, when the template was compiled.

A template's styles alone are about 800 kB of XML; zipfile would deflate them again for every
document (a third of the time a document takes). A Member holds a part already deflated, and
`write_zip` lays the members out with the headers zipfile would write: deterministic, since every
date comes from the template and nothing from the clock.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from zipfile import ZipInfo

DEFLATED = 8
VERSION = 20  # deflate, no zip64: a document is far below 4 GB
LOCAL = struct.Struct("<4s2B4HL2L2H")
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
END = struct.Struct("<4s4H2LH")


@dataclass(frozen=True)
class Member:
    info: ZipInfo  # the template's entry: name, date, attributes
    crc: int
    size: int
    data: bytes  # deflated


def deflate(info: ZipInfo, blob: bytes) -> Member:
    """The part `blob`, deflated as zipfile does (level 6, raw stream)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return Member(info, zlib.crc32(blob), len(blob), compressor.compress(blob) + compressor.flush())


def _dos_stamp(info: ZipInfo) -> tuple[int, int]:
    year, month, day, hour, minute, second = info.date_time
    year = min(max(year, 1980), 2107)
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def write_zip(members: list[Member]) -> bytes:
    """The zip holding `members` in order."""
    chunks, central, offset = [], [], 0
    for m in members:
        name = m.info.filename.encode("utf-8")
        flags = 0 if m.info.filename.isascii() else 0x800  # names in UTF-8
        time, date = _dos_stamp(m.info)
        header = LOCAL.pack(b"PK\x03\x04", VERSION, 0, flags, DEFLATED, time, date, m.crc, len(m.data), m.size,
                            len(name), 0)
        central.append(CENTRAL.pack(b"PK\x01\x02", VERSION, m.info.create_system, VERSION, 0, flags, DEFLATED,
                                    time, date, m.crc, len(m.data), m.size, len(name), 0, 0, 0,
                                    m.info.internal_attr, m.info.external_attr, offset) + name)
        chunks += [header, name, m.data]
        offset += len(header) + len(name) + len(m.data)
    directory = b"".join(central)
    end = END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0)
    return b"".join(chunks) + directory + end
