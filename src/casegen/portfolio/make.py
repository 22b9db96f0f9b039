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
    written: list[Path] = field(default_factory=list)  # the tracker, then the summary

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
                   force: bool = False, templates: Path | None = None) -> PortfolioMade:
    """Write the tracker of the forms under `paths` to `out` (and the summary document to `summary`).

    A file at `out` or `summary` that casegen did not write is refused before any form is read (unless
    `force`); so is a summary template that cannot be loaded, so nothing is half made. CasegenError if no
    form is found.
    """
    for path, what, option in ((out, "tracker", "-o"), (summary, "document", "--summary")):
        why = "" if path is None or force else not_ours(path, what)
        if path is not None and why:
            raise CasegenError(refusal(path, why, f"choose another name with {option}"))
    template = _summary_template(programme, templates) if summary is not None else None
    found = gather(paths, programme, as_of, jobs)
    if not found.forms:
        raise CasegenError(f"no .xlsx forms found in {', '.join(map(str, paths))}")
    made = PortfolioMade(found)
    for path in (out, summary):  # what a killed portfolio left half-written beside them
        if path is not None:
            sweep_parts(path)
    write_bytes_atomic(out, write_tracker(found, out, documents))
    made.written.append(out)
    if summary is not None:
        from casegen.portfolio.summary import (
            render_summary,  # the renderer: only when a summary is asked for
        )

        write_bytes_atomic(summary, render_summary(found, template))
        made.written.append(summary)
    return made


def _summary_template(programme: Programme, templates: Path | None) -> Path:
    """The summary's template (--templates, as build takes it), loaded once here so a missing one stops the
    command before anything is written."""
    from casegen.render import load_template, template_path

    template = template_path("portfolio", templates, programme)
    load_template(template)
    return template
