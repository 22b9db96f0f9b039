"""`casegen portfolio` as one library call: the files it may replace, every form read and checked, the
tracker written (and the summary, if asked) with what moved since the last report, and this run's snapshot
kept in the store of the tracker's folder; never prints."""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from casegen.batch.store import Store
from casegen.config import Programme
from casegen.errors import CasegenError, Problem
from casegen.fileio import make_parent, not_ours, refusal, sweep_parts, write_bytes_atomic
from casegen.portfolio.figures import Portfolio, gather
from casegen.portfolio.movement import Movement, moved
from casegen.portfolio.record import earlier, has_store
from casegen.portfolio.snapshot import SnapCase, around_cases, case_of, heading, order_key
from casegen.portfolio.tracker import headline, write_tracker


@dataclass
class PortfolioMade:
    """What `make_portfolio` found and wrote."""

    portfolio: Portfolio
    written: list[Path] = field(default_factory=list)  # the tracker, then the summary, then its web page
    # A line each: what the store set aside, a snapshot passed over, what the web page left out (a picture
    # with no alt text)
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # a snapshot that cannot be read (snapshot-unreadable)
    since: str = ""  # the date of the snapshot what moved is against ("" for the first report)
    recorded: str = ""  # the date of this run's snapshot ("" for a trial run)

    @property
    def ok(self) -> bool:
        """No form left out (the tracker is written all the same)."""
        return not self.portfolio.excluded

    @property
    def problems(self) -> list[Problem]:
        return [p for checked in self.portfolio.excluded for p in checked.problems] + self.warnings

    def headline(self) -> str:
        return headline(self.portfolio)

    def as_dict(self) -> dict:
        """The report's own fields for `--json` (its problems go beside them: cli/common.envelope)."""
        return {"summary": self.headline(), "written": [str(p) for p in self.written],
                "cases": len(self.portfolio.rows), "forms": len(self.portfolio.forms),
                "excluded": [checked.file for checked in self.portfolio.excluded],
                "since": self.since or None, "recorded": self.recorded or None}


def make_portfolio(paths, programme: Programme, out: Path, *, summary: Path | None = None,
                   documents: Path | None = None, as_of: date | None = None, jobs: int | None = None,
                   force: bool = False, templates: Path | None = None, html: bool = False,
                   since: date | None = None, record: bool = True) -> PortfolioMade:
    """Write the tracker of the forms under `paths` to `out` (and the summary document to `summary`), with
    what moved since the snapshot of `since` (else the latest before the as-of date); then, unless not to
    `record` (a trial run), keep this run's snapshot in the store of `out`'s folder.

    A file at `out` or `summary` that casegen did not write is refused before any form is read (unless
    `force`); so is a summary template that cannot be loaded, or a `since` with no snapshot, so nothing is
    half made (a `since` whose snapshot cannot be read is refused once the forms are read, before anything is
    written). With `html` (and a summary) the summary is also written as a web page, FILE.html beside it.
    CasegenError if no form is found. The store's lock is held from reading the earlier snapshot to keeping
    this one, which is written last and whole: a run killed before then is simply run again.
    """
    for path, what, option in ((out, "tracker", "-o"), (summary, "document", "--summary")):
        why = "" if path is None or force else not_ours(path, what)
        if path is not None and why:
            raise CasegenError(refusal(path, why, f"choose another name with {option}"))
    page = _page_path(summary, force) if html and summary is not None else None
    template = _summary_template(programme, templates) if summary is not None else None
    folder = out.parent
    make_parent(folder)  # as writing the tracker would, before any form is read: the store is kept there
    # A trial run in a folder with no store makes none.
    with Store.open(folder) if record or has_store(folder) else nullcontext() as store:
        return _make(paths, programme, out, store, summary, template, page, documents, as_of, since, record, jobs)


def _make(paths, programme: Programme, out: Path, store, summary, template, page, documents, as_of, since, record,
          jobs) -> PortfolioMade:
    earlier(store, out.parent, as_of or date.today(), since, read=False)  # a --since not there: refused now
    found = gather(paths, programme, as_of, jobs)
    if not found.forms:
        raise CasegenError(f"no .xlsx forms found in {', '.join(map(str, paths))}")
    # Read once the workers are done: not in the process they are forked from, whose pages they would copy.
    then, warnings = earlier(store, out.parent, as_of or date.today(), since)
    made = PortfolioMade(found, notes=[f"warning: {note}" for note in getattr(store, "notes", [])]
                         + [str(w) for w in warnings], warnings=warnings, since=then.as_of.isoformat() if then else "")
    if record or then is not None:  # each case's snapshot into the store as it comes, never all of them held
        store.snapshot_cases((order_key(case), case.model_dump_json()) for case in
                             (case_of(row, found.as_of) for row in found.rows))
    movement = Movement(as_of=found.as_of, since=None) if then is None else moved(then, heading(found), (
        tuple(None if text is None else SnapCase.model_validate_json(text) for text in pair)
        for pair in store.snapshot_pairs()))  # the earlier snapshot's and this one's, a case at a time
    for path in (out, summary, page):  # what a killed portfolio left half-written beside them
        if path is not None:
            sweep_parts(path)
    write_bytes_atomic(out, write_tracker(found, out, documents, movement))
    made.written.append(out)
    if summary is not None:
        from casegen.portfolio.summary import (
            render_summary,  # the renderer: only when a summary is asked for
        )

        document = render_summary(found, template, movement)
        write_bytes_atomic(summary, document)
        made.written.append(summary)
        if page is not None:
            from casegen.batch.html import keep_if_edited
            from casegen.portfolio.summary import summary_page

            published = summary_page(document, found)
            made.notes += filter(None, [keep_if_edited(page)])
            write_bytes_atomic(page, published.html)
            made.written.append(page)
            made.notes += [f"{page}: {note}" for note in published.notes]
    if record:
        store.put_snapshot_cases(found.as_of.isoformat(), *around_cases(heading(found)))
        made.recorded = found.as_of.isoformat()
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
