"""`casegen portfolio` as one library call: the files it may replace, every form read and checked, the
tracker written (and the summary, if asked); never prints."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from casegen.config import Programme
from casegen.errors import CasegenError, Problem
from casegen.fileio import not_ours, refusal, sweep_parts, write_bytes_atomic
from casegen.portfolio.figures import Portfolio, gather
from casegen.portfolio.tracker import headline, write_tracker


@dataclass
class PortfolioMade:
    """What `make_portfolio` found and wrote."""

    portfolio: Portfolio
    written: list[Path] = field(default_factory=list)  # the tracker, then the summary, then its web page
    notes: list[str] = field(default_factory=list)  # what the web page left out (a picture with no alt text)

    @property
    def ok(self) -> bool:
        """No form left out (the tracker is written all the same)."""
        return not self.portfolio.excluded

    @property
    def problems(self) -> list[Problem]:
        return [p for checked in self.portfolio.excluded for p in checked.problems]

    def headline(self) -> str:
        return headline(self.portfolio)

    def as_dict(self) -> dict:
        """The report's own fields for `--json` (its problems go beside them: cli/common.envelope)."""
        return {"summary": self.headline(), "written": [str(p) for p in self.written],
                "cases": len(self.portfolio.rows), "forms": len(self.portfolio.forms),
                "excluded": [checked.file for checked in self.portfolio.excluded]}


def make_portfolio(paths, programme: Programme, out: Path, *, summary: Path | None = None,
                   documents: Path | None = None, as_of: date | None = None, jobs: int | None = None,
                   force: bool = False, templates: Path | None = None, html: bool = False) -> PortfolioMade:
    """Write the tracker of the forms under `paths` to `out` (and the summary document to `summary`).

    A file at `out` or `summary` that casegen did not write is refused before any form is read (unless
    `force`); so is a summary template that cannot be loaded, so nothing is half made. With `html` (and a
    summary) the summary is also written as a web page, FILE.html beside it. CasegenError if no form is found.
    """
    for path, what, option in ((out, "tracker", "-o"), (summary, "document", "--summary")):
        why = "" if path is None or force else not_ours(path, what)
        if path is not None and why:
            raise CasegenError(refusal(path, why, f"choose another name with {option}"))
    page = _page_path(summary, force) if html and summary is not None else None
    template = _summary_template(programme, templates) if summary is not None else None
    found = gather(paths, programme, as_of, jobs)
    if not found.forms:
        raise CasegenError(f"no .xlsx forms found in {', '.join(map(str, paths))}")
    made = PortfolioMade(found)
    for path in (out, summary, page):  # what a killed portfolio left half-written beside them
        if path is not None:
            sweep_parts(path)
    write_bytes_atomic(out, write_tracker(found, out, documents))
    made.written.append(out)
    if summary is not None:
        from casegen.portfolio.summary import (
            render_summary,  # the renderer: only when a summary is asked for
        )

        document = render_summary(found, template)
        write_bytes_atomic(summary, document)
        made.written.append(summary)
        if page is not None:
            from casegen.portfolio.summary import summary_page

            published = summary_page(document, found)
            write_bytes_atomic(page, published.html)
            made.written.append(page)
            made.notes += [f"{page}: {note}" for note in published.notes]
    return made


def _page_path(summary: Path, force: bool) -> Path:
    """The summary's web page, checked before the forms are read: a file of that name that casegen did not
    write is refused, as the summary's own name is (a folder even with --force)."""
    from casegen.batch.html import not_ours as not_our_page
    from casegen.batch.html import page_path
    from casegen.fileio import plain_file

    page = page_path(summary)
    why, replaceable = not_our_page(page), plain_file(page) in ("", "a symbolic link")
    if why and not (force and replaceable):
        raise CasegenError(refusal(page, why, "choose another name with --summary", replaceable))
    return page


def _summary_template(programme: Programme, templates: Path | None) -> Path:
    """The summary's template (--templates, as build takes it), loaded once here so a missing one stops the
    command before anything is written."""
    from casegen.render import load_template, template_path

    template = template_path("portfolio", templates, programme)
    load_template(template)
    return template
