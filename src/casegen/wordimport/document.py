"""Opening a legacy Word document safely: a clear message for anything that is not a .docx.

The same checks, in the same words, as intake forms get (casegen.office): a regular file, the kind of
file from its first bytes, Office's older container (a .doc, or a password-protected .docx), a zip cut
short, the zip directory's declared sizes, every part inflated within a budget before python-docx
reads it, and no DTDs in the XML.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from casegen import office
from casegen.errors import CasegenError
from casegen.wordimport.text import read_blocks

DOCUMENT = office.Kind("a Word document", "Word document", "it is not a document casegen will open",
                       "open it in Word or LibreOffice and save it again as a Word document (.docx)")
SAVE_AGAIN = DOCUMENT.save_again


class NotADocument(CasegenError):
    """The file is not a Word document casegen can read: exit 1, as every command exits on an unreadable
    input (2 is for mistakes in the command line itself)."""

    def __init__(self, path: Path, message: str):
        self.path = path
        super().__init__(f"{path}: {message}")


def _ole_message(path: Path) -> str:
    if office.ole_holds(path, "EncryptionInfo"):
        return ("is protected with a password, so casegen cannot read it; remove the password "
                "(Word: File > Info > Protect Document > Encrypt with Password, clear it) and save again")
    if office.ole_holds(path, "WordDocument"):
        return "is an old-style Word 97-2003 document (.doc); open it in Word and save it as .docx"
    return "is an old-style Office file, not a .docx document; open it in Word and save it as .docx"


def _check_file(path: Path) -> None:
    office.check_regular(path, DOCUMENT)
    head = office.first_bytes(path)
    if head == office.OLE_MAGIC:
        raise NotADocument(path, _ole_message(path))
    if head.startswith(office.ZIP_MAGIC) and not zipfile.is_zipfile(path):
        raise NotADocument(path, f"is damaged or incomplete (cut short while copying or saving?); {SAVE_AGAIN}")
    if not zipfile.is_zipfile(path):
        raise NotADocument(path, "is not a Word document (.docx)")
    office.check_end_record(path, DOCUMENT)


def _check_zip(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        office.check_directory(zf, DOCUMENT)
        if "word/document.xml" not in zf.namelist():
            raise NotADocument(path, "is a zip file but not a Word document (.docx)")
        office.read_parts(zf, DOCUMENT)


def open_document(path: str | Path) -> list:
    """The body of the Word document at `path` (see text.read_blocks); NotADocument if it is not one."""
    path = Path(path)
    try:
        _check_file(path)
        _check_zip(path)
        return read_blocks(path)
    except NotADocument:
        raise
    except office.Refused as exc:
        raise NotADocument(path, str(exc)) from None
    except OSError as exc:
        raise NotADocument(path, f"cannot be opened ({exc.strerror or exc}); close it in Word if it is open, "
                                 "and check that you may read it") from None
    except Exception as exc:  # zipfile, lxml and python-docx raise many kinds for damaged files
        raise NotADocument(path, f"cannot be read as a Word document ({office.why(exc)}); {SAVE_AGAIN}") from None
