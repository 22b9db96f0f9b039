"""Opening a legacy Word document safely: a clear message for anything that is not a .docx.

The same checks, in the same words, as intake forms get (intake/workbook.py): the kind of file
from its first bytes, Office's older container (a .doc, or a password-protected .docx), a zip cut
short, the zip directory's declared sizes before anything is inflated, no DTDs in the XML.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from casegen.errors import CasegenError
from casegen.intake.workbook import MAX_PARTS, MAX_UNPACKED, OLE_MAGIC, ZIP_MAGIC, _why
from casegen.wordimport.text import read_blocks

MAX_FILE = 50 * 2**20
SAVE_AGAIN = "open it in Word or LibreOffice and save it again as a Word document (.docx)"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_OLD_DOC = "WordDocument".encode("utf-16-le")


class NotADocument(CasegenError):
    """The file is not a Word document casegen can read: a usage error, exit 2."""

    exit_code = 2

    def __init__(self, path: Path, message: str):
        self.path = path
        super().__init__(f"{path}: {message}")


def _ole_message(path: Path) -> str:
    data = path.read_bytes()
    if _ENCRYPTED in data:
        return ("is protected with a password, so casegen cannot read it; remove the password "
                "(Word: File > Info > Protect Document > Encrypt with Password, clear it) and save again")
    if _OLD_DOC in data:
        return "is an old-style Word 97-2003 document (.doc); open it in Word and save it as .docx"
    return "is an old-style Office file, not a .docx document; open it in Word and save it as .docx"


def _check_file(path: Path) -> None:
    if not path.exists():
        raise NotADocument(path, "no such file")
    if path.is_dir() or not path.is_file():
        raise NotADocument(path, "is not a file that can be read as a Word document")
    if path.stat().st_size > MAX_FILE:
        raise NotADocument(path, f"is {path.stat().st_size // 2**20} MB, far more than any business case; "
                                 "it is not a document casegen will open")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        raise NotADocument(path, _ole_message(path))
    if head.startswith(ZIP_MAGIC) and not zipfile.is_zipfile(path):
        raise NotADocument(path, f"is damaged or incomplete (cut short while copying or saving?); {SAVE_AGAIN}")
    if not zipfile.is_zipfile(path):
        raise NotADocument(path, "is not a Word document (.docx)")


def _check_zip(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > MAX_UNPACKED:
            raise NotADocument(path, "would unpack to far more than any Word document (a zip bomb?); "
                                     "it is not a document casegen will open")
        if "word/document.xml" not in zf.namelist():
            raise NotADocument(path, "is a zip file but not a Word document (.docx)")
        bad = zf.testzip()
        if bad:
            raise NotADocument(path, f"is damaged (part {bad} is corrupt); {SAVE_AGAIN}")
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                with zf.open(info) as fh:
                    prologue = fh.read(2048)
                if b"<!DOCTYPE" in prologue or b"<!ENTITY" in prologue:
                    raise NotADocument(path, f"part {info.filename} declares a DTD, which no Office program "
                                             "writes; it is not a document casegen will open")


def open_document(path: str | Path) -> list:
    """The body of the Word document at `path` (see text.read_blocks); NotADocument if it is not one."""
    path = Path(path)
    try:
        _check_file(path)
        _check_zip(path)
        return read_blocks(path)
    except NotADocument:
        raise
    except OSError as exc:
        raise NotADocument(path, f"cannot be opened ({exc.strerror or exc}); close it in Word if it is open, "
                                 "and check that you may read it") from None
    except Exception as exc:  # zipfile, lxml and python-docx raise many kinds for damaged files
        raise NotADocument(path, f"cannot be read as a Word document ({_why(exc)}); {SAVE_AGAIN}") from None
