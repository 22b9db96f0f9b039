"""Office Open XML names casegen relies on, in one place: namespaces, part names and docxtpl's internals.

casegen renders with docxtpl's tag handling but not its document object: it calls its XML helper `patch_xml`
(which joins a tag split across runs and reads {%p %} {%tr %} {%tc %}) on an instance made without a template,
when a template is first compiled (`resolve_listing`'s rewriting is templating.listing's, tested against it).
Those are docxtpl internals, so the versions they were tested with are pinned here; another version stops with
a message saying so, not a traceback in the middle of a build.
"""
from __future__ import annotations

import re
from functools import lru_cache

from casegen.errors import TemplateProblem

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{" + W_NS + "}"  # WordprocessingML, as lxml spells a tag: f"{W}p"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "{" + SHEET_NS + "}"

# The parts of a Word document that hold a template's tags: what the renderer compiles and the checker walks.
TEMPLATE_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes)\.xml")

# The docxtpl releases whose patch_xml and resolve_listing casegen has been tested with.
DOCXTPL_TESTED = ("0.18", "0.19", "0.20")


@lru_cache(maxsize=1)
def docxtpl_fixer():
    """A DocxTemplate without a document, for its pure XML helpers (patch_xml, resolve_listing)."""
    # docxtpl is imported here, not with this module: the namespaces above are used where docxtpl is not
    # (the Word import, redlines), and a build with nothing to do must not load it.
    from importlib.metadata import version

    from docxtpl import DocxTemplate

    found = version("docxtpl")
    if not found.startswith(tuple(v + "." for v in DOCXTPL_TESTED)) or not all(
            callable(getattr(DocxTemplate, name, None)) for name in ("patch_xml", "resolve_listing")):
        raise TemplateProblem(f"casegen was tested with docxtpl {', '.join(DOCXTPL_TESTED)}, and docxtpl {found} is "
                              "installed: install a tested one (pip install 'docxtpl>=0.18,<0.21')")
    return DocxTemplate.__new__(DocxTemplate)  # no template loaded: only the XML helpers are used
