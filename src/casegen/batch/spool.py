"""Where a build keeps the cases of the forms it has checked until it renders them: on disk, not in memory."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import BinaryIO


class Spool:
    """The pickled cases of the forms checked, kept on disk until each is rendered, so that the build holds of each
    form only where its case is (memory flat in the number of forms: 11 KB a form held before). An unnamed
    temporary file under .casegen/tmp: no other program opens it by a name, and it goes with casegen, even
    killed (where a system gives it a name, the next build sweeps it: history.sweep_leftovers)."""

    def __init__(self, folder: Path):
        self.folder, self.end = folder, 0
        self.file: BinaryIO | None = None

    def put(self, data: bytes) -> tuple[int, int]:
        if self.file is None:  # made at the first case: a build with nothing to read makes none
            self.folder.mkdir(parents=True, exist_ok=True)
            self.file = tempfile.TemporaryFile(dir=self.folder)
        self.file.seek(self.end)  # after a `get`
        self.file.write(data)
        at, self.end = self.end, self.end + len(data)
        return at, len(data)

    def get(self, at: tuple[int, int] | None) -> bytes:
        assert self.file is not None and at is not None, "a case is taken from the spool before it is put there"
        self.file.seek(at[0])
        return self.file.read(at[1])

    def close(self) -> None:
        """The file goes, and the folder with it when empty (as it was before the build)."""
        if self.file is not None:
            self.file.close()
            self.file = None
            try:
                self.folder.rmdir()
            except OSError:  # not empty: what else is there is swept at the next build
                pass
