"""`casegen portfolio`: the tracker workbook (and, if asked, the summary document) of many forms."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from casegen.cli.common import EXISTING, programme, templates_folder


def _as_of(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-10-31") from None


@click.command()
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("tracker.xlsx"),
              show_default=True, help="The tracker workbook to write (.xlsx).")
@click.option("--documents", type=click.Path(file_okay=False, path_type=Path),
              help="The folder `casegen build` wrote the documents to: each case links to its document.")
@click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
              help="The date gates are overdue against  [default: today]")
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the monthly summary for the finance review group (.docx).")
@click.option("--html", is_flag=True, help="With --summary, also write the summary as a web page (FILE.html beside "
                                           "FILE.docx), to publish on a website.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Forms read at once  [default: one per CPU]")
@click.option("--force", is_flag=True,
              help="Replace the tracker or summary even if the file there is not one casegen wrote.")
@click.pass_context
def portfolio(ctx, paths, out: Path, documents: Path | None, as_of: date | None, summary: Path | None,
              html: bool, jobs: int | None, force: bool) -> None:
    """One tracker workbook of every case in the intake forms PATHS (files or folders).

    Sheets: Cases, Savings (against the configuration's targets), Pipeline, Risks and Problems (the forms
    left out, with their errors). Exits 1 if any form was left out; the tracker is written all the same.
    """
    from casegen.errors import CasegenError
    from casegen.fileio import not_ours, refusal, sweep_parts, write_bytes_atomic
    from casegen.portfolio.figures import gather
    from casegen.portfolio.tracker import headline, write_tracker

    for path, suffix in ((out, ".xlsx"), (summary, ".docx")):
        if path is not None and path.suffix.lower() != suffix:
            raise click.UsageError(f"{path}: must be a {suffix} file")
    for path, what in ((out, "tracker"), (summary, "document")):  # before the forms are read: nothing to lose
        why = path is not None and not force and not_ours(path, what)
        if why:
            where = "-o" if what == "tracker" else "--summary"
            raise CasegenError(refusal(path, why, f"choose another name with {where}"))
    page = _page_path(summary, html, force)
    found = gather(paths, programme(ctx), as_of, jobs)
    if not found.forms:
        raise CasegenError(f"no .xlsx forms found in {', '.join(map(str, paths))}")
    for checked in found.excluded:
        click.echo(f"excluded {checked.file}:", err=True)
        for problem in checked.problems:
            click.echo(f"  {problem}", err=True)
    for path in (out, summary, page):  # what a killed portfolio left half-written beside them
        if path is not None:
            sweep_parts(path)
    write_bytes_atomic(out, write_tracker(found, out, documents))
    click.echo(f"wrote {out}: {headline(found)}")
    if not found.programme.targets:  # the documents say "Targets not yet set"; how to set them is said here
        from casegen.portfolio.summary import TARGETS_HOW_TO

        click.echo(TARGETS_HOW_TO, err=True)
    if summary is not None:
        from casegen.portfolio.summary import render_summary
        from casegen.render import template_path

        template = template_path("portfolio", templates_folder(ctx), found.programme)  # --templates, as build
        document = render_summary(found, template)
        write_bytes_atomic(summary, document)
        click.echo(f"wrote {summary}")
        if page is not None:
            from casegen.portfolio.summary import summary_page

            made = summary_page(document, found)
            write_bytes_atomic(page, made.html)
            for note in made.notes:
                click.echo(f"{page}: {note}", err=True)
            click.echo(f"wrote {page}")
    ctx.exit(1 if found.excluded else 0)


def _page_path(summary: Path | None, html: bool, force: bool) -> Path | None:
    """The summary's web page (--html), checked before the forms are read: a file of that name that casegen
    did not write is refused, as the summary's own name is."""
    from casegen.batch.html import not_ours, page_path
    from casegen.errors import CasegenError
    from casegen.fileio import plain_file, refusal

    if not html:
        return None
    if summary is None:
        raise click.UsageError("--html writes the summary as a web page: give the summary with --summary FILE.docx")
    page = page_path(summary)
    why, replaceable = not_ours(page), plain_file(page) in ("", "a symbolic link")
    if why and not (force and replaceable):
        raise CasegenError(refusal(page, why, "choose another name with --summary", replaceable))
    return page
