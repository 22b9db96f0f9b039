"""What openxml-audit (the OOXML validator Word's own checks are modelled on) finds in a file casegen wrote.

A .docx must have no finding at all. In a .xlsx, openpyxl's own two are tolerated, since every workbook
openpyxl writes has them: the order of a font's children in xl/styles.xml, and strings written inline
(Excel moves them into a shared-strings table when it saves).
"""
from __future__ import annotations

from pathlib import Path

import pytest

openxml_audit = pytest.importorskip("openxml_audit", reason="openxml-audit is in the test extra: pip install -e '.[test]'")


def _openpyxl_s_own(error) -> bool:
    fonts = error.part_uri == "/xl/styles.xml" and "/fonts[1]/font[" in error.path
    inline = "inline-string cell(s)" in error.description
    return fonts or inline


def findings(path: Path) -> list[str]:
    """Every finding in `path`, one a line, but openpyxl's own in a workbook."""
    result = openxml_audit.OpenXmlValidator(max_errors=0).validate(str(path))
    tolerated = _openpyxl_s_own if Path(path).suffix == ".xlsx" else (lambda error: False)
    return [f"{path}: {e}" for e in result.errors if not tolerated(e)]
