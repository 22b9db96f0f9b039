"""Hostile Office files made by hand, where zipfile would refuse to write them: a zip whose directory lies."""
import struct
import zipfile
import zlib
from pathlib import Path


def _deflate_zeros(size: int) -> bytes:
    """Raw deflate of `size` zeros (a whole number of MiB), made in no time: a block compressed with a full
    flush depends on nothing before it, so one MiB's block repeated, then an empty final block, is the stream."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(bytes(2**20)) + co.flush(zlib.Z_FULL_FLUSH)
    return block * (size // 2**20) + b"\x03\x00"


def _write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> None:
    """members: (name, raw deflate data, declared size, declared CRC), written as zipfile would."""
    body, directory = bytearray(), bytearray()
    for name, raw, size, crc in members:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded), 0)
        body += encoded + raw
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(raw), size,
                                 len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory + end))


def lying_bomb(path: Path, member: str, inflates_to: int, declares: int = 2**20) -> Path:
    """Rewrites the Office file at `path` with `member` holding zeros that inflate to `inflates_to` bytes while
    its directory entry declares `declares` bytes and the CRC of that many zeros, so zipfile's own checks pass."""
    with zipfile.ZipFile(path) as zf:
        members = []
        for info in zf.infolist():
            data = zf.read(info)
            co = zlib.compressobj(6, zlib.DEFLATED, -15)
            members.append((info.filename, co.compress(data) + co.flush(), len(data), zlib.crc32(data)))
    members = [m for m in members if m[0] != member]
    members.append((member, _deflate_zeros(inflates_to), declares, zlib.crc32(bytes(declares))))
    _write_zip(path, members)
    return path
