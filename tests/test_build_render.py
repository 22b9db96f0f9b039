"""The renderer's shortcut changes nothing: listing resolved only where needed; every part written as is."""
import io
import re
import zipfile

import pytest
from lxml import etree

from casegen.ooxml import docxtpl_fixer
from casegen.render import context, load_template, template_path
from casegen.render import engine as rdocx
from helpers import sample_case

SAMPLES = ["bcl-service-optimisation", "bcl-neighbourhood-working-model", "brief-neighbourhood-working-model"]
DOCXTPL = docxtpl_fixer()  # docxtpl's own resolve_listing, which the renderer's (templating.listing) must match


def _as_docxtpl_would(template, ctx) -> dict[str, bytes]:
    """The document's parts the straightforward way: every part through docxtpl's resolve_listing."""
    def part(name):
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", template.compiled[name].render(ctx))
        tree = etree.fromstring(DOCXTPL.resolve_listing(xml).encode("utf-8"))
        rdocx._repair_tables(tree, template.size)
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)

    return {info.filename: part(info.filename) if info.filename in template.compiled else blob
            for info, blob in template.entries}


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("title", [None, "tab\there, new line\nthere, page\fbreak, bell\aend"])
def test_rendered_document_has_the_parts_docxtpl_would_write(name, title, programme):
    case = sample_case(name, programme)
    if title:
        case.project.title = title
    template = load_template(template_path(case.kind))
    ctx = context(case, programme)
    with zipfile.ZipFile(io.BytesIO(template.render(ctx))) as zf:
        assert zf.testzip() is None
        written = {name: zf.read(name) for name in zf.namelist()}
    expected = _as_docxtpl_would(template, ctx)
    assert list(written) == list(expected)
    assert ({n: b for n, b in written.items() if n != rdocx.CORE}
            == {n: b for n, b in expected.items() if n != rdocx.CORE})


def test_listing_is_resolved_as_docxtpl_does_it():
    xml = ('<w:body><w:p><w:pPr><w:jc/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>a\tb\nc</w:t></w:r></w:p>'
           '<w:p w:rsidR="1"><w:r><w:t>plain</w:t></w:r></w:p><w:p><w:r><w:t>x\fy\az</w:t></w:r></w:p></w:body>')
    assert rdocx._resolve_listing(xml) == DOCXTPL.resolve_listing(xml)
    plain = "<w:p><w:r><w:t>nothing to do</w:t></w:r></w:p>"
    assert rdocx._resolve_listing(plain) == plain
