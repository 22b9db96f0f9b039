"""Every check casegen makes, for `casegen rules`: each problem code casegen can print, from the one
registry (casegen/codes.py) that the rules and every other check take their codes from."""
from __future__ import annotations

from casegen.codes import CODES, Code


def catalogue() -> list[Code]:
    """Every code, programme rules first, each with its severity, kinds and explanation."""
    return list(CODES.values())
