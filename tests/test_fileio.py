"""Documents are written whole or not at all, and readable like any other file."""
import os
import stat

import pytest

from casegen.fileio import atomic_path, write_bytes_atomic


def test_written_file_has_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        write_bytes_atomic(tmp_path / "doc.docx", b"data")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "doc.docx").stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path):
    target = tmp_path / "doc.docx"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("killed")
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.docx"]
