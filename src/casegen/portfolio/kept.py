"""The tracker's rows of a portfolio's cases, kept on disk while the tracker and the summary are written: each
row is pickled by the worker that reads its form (`kept_row`), written as it is into a temporary file as it comes
back (the row's objects never made in casegen's own process until read), and read again at each pass over the
cases (the Cases sheet's widths, then its rows; the Risks sheet; the figures, worked out once in one pass), so
the portfolio holds of each case only where its row is, not the row (memory flat in the number of cases).

Not batch.spool's Spool, which lives under a store's folder: a trial run of the portfolio makes no store.
The file is unnamed where the system allows (Linux), and goes with casegen, even killed.
"""
from __future__ import annotations

import pickle
import tempfile
import weakref
from collections.abc import Callable, Iterator
from typing import BinaryIO, NamedTuple

from casegen.models import Kind
from casegen.portfolio.collect import CaseRow, tracker_row


class Place(NamedTuple):
    """Where a case's row is in the file, and what a Project Brief of its project takes from it: a Business Case
    Lite's tracker ref (as compared), stage and next gate (None for any other row)."""

    at: int
    size: int
    stage_of: tuple[str, str, str] | None


def kept_row(case, file: str, problems, programme) -> tuple[bytes, tuple[str, str, str] | None]:
    """check_forms' `extract` for the portfolio (run in a worker): the tracker's row of the case pickled, and what a
    Project Brief of its project takes from it: a Business Case Lite's tracker ref (as compared), stage and next
    gate (None for any other case)."""
    row = tracker_row(case, file, problems, programme)
    bcl = (row.ref.strip().upper(), row.stage, row.next_gate) if row.kind == Kind.BCL and row.stage else None
    return pickle.dumps(row, pickle.HIGHEST_PROTOCOL), bcl


class RowFile:
    """The temporary file of the rows."""

    def __init__(self) -> None:
        self.file: BinaryIO | None = None
        self.end = 0

    def put(self, kept: tuple[bytes, tuple[str, str, str] | None]) -> Place:
        """Write a row as `kept_row` gives it; where it is."""
        if self.file is None:  # made at the first row: a portfolio of no case makes none
            self.file = tempfile.TemporaryFile(prefix="casegen-portfolio-")
            # closed when this goes (the portfolio with it), before the collector could find the file unclosed
            weakref.finalize(self, self.file.close)
        data, stage_of = kept
        self.file.seek(self.end)  # after a read
        self.file.write(data)
        self.end += len(data)
        return Place(self.end - len(data), len(data), stage_of)

    def get(self, place: Place) -> CaseRow:
        assert self.file is not None, "a row is read before any was put"
        self.file.seek(place.at)
        return pickle.loads(self.file.read(place.size))

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class Rows:
    """Rows read from the file in turn, as often as asked (a sequence's `len` and truth without reading them)."""

    def __init__(self, places: list[Place], read: Callable[[Place], CaseRow]):
        self.places, self.read = places, read

    def __len__(self) -> int:
        return len(self.places)

    def __bool__(self) -> bool:
        return bool(self.places)

    def __iter__(self) -> Iterator[CaseRow]:
        return map(self.read, self.places)


class Each:
    """Every item `of` each row, as often as asked, with their number known."""

    def __init__(self, rows: Rows, of: Callable[[CaseRow], list], count: int):
        self.rows, self.of, self.count = rows, of, count

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def __iter__(self) -> Iterator:
        return (item for row in self.rows for item in self.of(row))
