"""Web pages of the built documents (`build --html`): NAME.html beside each NAME.docx, made from the document.

A page goes with its document: written when the document is built, and for an up-to-date document whose
page is missing or older than it; removed when --prune removes the document. A file of that name that
casegen did not write (no `<meta name="generator" content="casegen">`) is never replaced without --force:
the form fails, as for a document in the way (build-foreign-file), and its Word document stands. A page of
casegen's that a person has edited since (its seal, the sha256 in its head, no longer matches) is kept as
NAME.edited-DATE.html before the new one is written, and never pruned.
No external program is used (mammoth, in Python), so there is no tool to be missing.
"""
from __future__ import annotations

from pathlib import Path

from casegen.batch.report import BUILT, FAILED, UP_TO_DATE, BuildReport
from casegen.bounded import Unreadable, read_bounded
from casegen.errors import Problem
from casegen.fileio import keep_edited, plain_file, refusal, write_bytes_atomic

SUFFIX = ".html"
MAX_DOCUMENT = 64 * 2**20  # casegen's documents are well under 1 MB: a larger file is not made into a page


def page_path(document: Path) -> Path:
    return document.with_suffix(SUFFIX)


def _whose(path: Path) -> str:
    """render.html.whose of the file at `path` ("casegen" if there is none: nothing of anyone's is in the way), or
    why it cannot be read."""
    from casegen.render.html import whose  # here: a build with nothing to do loads neither mammoth nor lxml

    try:
        return whose(read_bounded(path, MAX_DOCUMENT, "web page", follow_links=False))
    except FileNotFoundError:
        return "casegen"
    except (OSError, Unreadable) as exc:
        return f"it cannot be read ({getattr(exc, 'strerror', None) or exc})"


def not_ours(path: Path) -> str:
    """Why casegen must not replace `path` with a page ("" if it may: nothing there, or a page of casegen's,
    which `keep_if_edited` first keeps aside if a person has changed it)."""
    other = plain_file(path)
    if other:
        return f"it is {other}"
    found = _whose(path)
    return "" if found in ("casegen", "edited") else found or "it is not a web page casegen wrote"


def keep_if_edited(path: Path) -> str:
    """A page of casegen's a person has edited since is renamed to NAME.edited-DATE.html; the note saying so."""
    if plain_file(path) or _whose(path) != "edited":
        return ""
    return f"{path}: edited since casegen wrote it; kept as {keep_edited(path)}, and the new page written in its place"


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
        kept = keep_if_edited(target)
        write_bytes_atomic(target, made.html)
    except OSError as exc:
        return f"cannot write {target}: {exc.strerror or exc}", "build-html"
    except Exception as exc:  # mammoth on a document it cannot read: that form's page only
        return f"could not make the web page {target} ({type(exc).__name__}: {exc})", "build-html"
    if notes is not None:
        notes += [kept] * bool(kept) + [f"{target}: {note}" for note in made.notes]
    return None


def prune(document: Path) -> str:
    """Remove the page of a pruned document if it is casegen's; else a note saying it is left alone."""
    target = page_path(document)
    if not target.exists() and not target.is_symlink():
        return ""
    why = not_ours(target) or ("it was edited since casegen wrote it" if _whose(target) == "edited" else "")
    if why:
        return f"{target}: not pruned with its document, {why}; it is left as it was"
    target.unlink()
    return ""
