"""A form's tables are found from the table parts the safety checks have inflated already, as calamine finds them;
a table calamine should read itself (no header row, a totals row) leaves them all to calamine."""
import pytest
from python_calamine import CalamineWorkbook

from casegen.intake.book import Book, _table
from casegen.intake.reader import read_intake
from casegen.intake.workbook import inspect_workbook
from helpers import rewrite


def _calamine_tables(path) -> dict:
    workbook = CalamineWorkbook.from_path(str(path), load_tables=True)
    try:
        return {name: _table(workbook.get_table_by_name(name)) for name in workbook.table_names}
    finally:
        workbook.close()


@pytest.mark.parametrize("name", ["bcl-service-optimisation", "brief-neighbourhood-working-model"])
def test_a_forms_tables_are_read_from_their_parts_as_calamine_reads_them(make_form, name):
    form = make_form(name)
    inspection = inspect_workbook(form)
    assert inspection.tables is not None and len(inspection.tables) >= 5
    book = Book(form, inspection)
    try:
        assert book.tables == _calamine_tables(form)
    finally:
        book.close()


def test_a_table_with_a_totals_row_is_left_to_calamine_and_the_form_reads_the_same(make_form, programme):
    form = make_form("bcl-service-optimisation")
    before = read_intake(form, programme)
    # the first table part found (approvals or another): a totals row of none, as another tool may write it
    rewrite(form, "xl/tables/table1.xml", lambda data: data.replace(b' ref="', b' totalsRowCount="0" ref="', 1))
    assert inspect_workbook(form).tables is not None  # a totals row of none is none
    rewrite(form, "xl/tables/table1.xml", lambda data: data.replace(b' totalsRowCount="0"', b' totalsRowCount="1"'))
    inspection = inspect_workbook(form)
    assert inspection.tables is None
    book = Book(form, inspection)
    try:
        assert book.tables == _calamine_tables(form)
    finally:
        book.close()
    after = read_intake(form, programme)
    assert after.case is not None and before.case is not None
    assert after.case.project.title == before.case.project.title
