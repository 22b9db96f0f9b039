"""Web pages of the built documents (`build --html`): NAME.html beside each NAME.docx, made from the document.

A page goes with its document: written when the document is built, and for an up-to-date document whose
page is missing or older than it; removed when --prune removes the document. A file of that name that
casegen did not write (no `<meta name="generator" content="casegen">`) is never replaced without --force:
the form fails, as for a document in the way (build-foreign-file), and its Word document stands.
No external program is used (mammoth, in Python), so there is no tool to be missing.
"""
from __future__ import annotations

from pathlib import Path

from casegen.batch.report import BUILT, FAILED, UP_TO_DATE, BuildReport
from casegen.errors import Problem
from casegen.fileio import plain_file, refusal, write_bytes_atomic

SUFFIX = ".html"
HEAD_BYTES = 4096  # casegen's mark is in the first lines of its pages
MAX_DOCUMENT = 64 * 2**20  # casegen's documents are well under 1 MB: a larger file is not made into a page


def page_path(document: Path) -> Path:
    return document.with_suffix(SUFFIX)


def not_ours(path: Path) -> str:
    """Why casegen must not replace `path` with a page ("" if it may: nothing there, or a page of casegen's)."""
    from casegen.render.html import is_ours  # here: a build with nothing to do loads neither mammoth nor lxml

    other = plain_file(path)
    if other:
        return f"it is {other}"
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    return "" if is_ours(head) else "it is not a web page casegen wrote"


def stale(document: Path) -> bool:
    """Whether the document's page is missing or older than the document."""
    target = page_path(document)
    try:
        return target.stat().st_mtime_ns < document.stat().st_mtime_ns
    except FileNotFoundError:
        return True


def publish(report: BuildReport, language: str, force: bool = False) -> None:
    """A page beside each document built, and each up-to-date one whose page is stale; a form whose page
    cannot be written fails (its document is built)."""
    for outcome in report.outcomes:
        if outcome.status == BUILT or (outcome.status == UP_TO_DATE and stale(outcome.target)):
            problem = write_page(outcome.target, language, force, report.notes)
            if problem is not None:
                outcome.problems.append(Problem(outcome.source, problem[0], code=problem[1]))
                outcome.status = FAILED
            else:
                report.html.append(page_path(outcome.target))


def write_page(document: Path, language: str, force: bool = False,
               notes: list[str] | None = None) -> tuple[str, str] | None:
    """Write DOCUMENT.html; None, or (what went wrong, its code). What the page leaves out goes to `notes`."""
    from casegen.render.html import page

    target = page_path(document)
    why = not_ours(target)
    replaceable = plain_file(target) in ("", "a symbolic link")
    if why and not (force and replaceable):
        return refusal(target, why, "move or rename it, or build into another folder with -o",
                       replaceable), "build-foreign-file"
    try:
        if document.stat().st_size > MAX_DOCUMENT:
            return f"{document} is too large to make a web page of", "build-html"
        made = page(document.read_bytes(), language)
        write_bytes_atomic(target, made.html)
    except OSError as exc:
        return f"cannot write {target}: {exc.strerror or exc}", "build-html"
    except Exception as exc:  # mammoth on a document it cannot read: that form's page only
        return f"could not make the web page {target} ({type(exc).__name__}: {exc})", "build-html"
    if notes is not None:
        notes += [f"{target}: {note}" for note in made.notes]
    return None


def prune(document: Path) -> str:
    """Remove the page of a pruned document if it is casegen's; else a note saying it is left alone."""
    target = page_path(document)
    if not target.exists() and not target.is_symlink():
        return ""
    why = not_ours(target)
    if why:
        return f"{target}: not pruned with its document, {why}; it is left as it was"
    target.unlink()
    return ""
