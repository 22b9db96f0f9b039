"""`casegen portfolio`: the tracker workbook (and, if asked, the summary document) of many forms."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from casegen.cli.common import (
    EXISTING,
    OK,
    PROBLEMS,
    emit,
    force_option,
    jobs_option,
    json_option,
    output_option,
    plural,
    programme,
    templates_folder,
    verbosity,
    verbosity_options,
)


def _as_of(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-10-31") from None


@click.command(short_help="One tracker workbook of every case in the intake forms.")
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
@output_option("out", "The tracker workbook to write (.xlsx).", dir_okay=False, default=Path("tracker.xlsx"))
@click.option("--documents", type=click.Path(file_okay=False, path_type=Path),
              help="The folder `casegen build` wrote the documents to: each case links to its document.")
@click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
              help="The date gates are overdue against  [default: today]")
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the monthly summary for the finance review group (.docx).")
@click.option("--html", is_flag=True, help="With --summary, also write the summary as a web page (FILE.html beside "
                                           "FILE.docx), to publish on a website.")
@click.option("--since", callback=_as_of, metavar="YYYY-MM-DD",
              help="Report what moved since the snapshot of this date  [default: the latest before --as-of]")
@click.option("--no-record", "record", flag_value=False, default=True,
              help="A trial run: keep no snapshot of the portfolio in the tracker's folder.")
@jobs_option
@force_option("Replace the tracker or summary even if the file there is not one casegen wrote.")
@json_option
@verbosity_options
@click.pass_context
def portfolio(ctx, paths, out: Path, documents: Path | None, as_of: date | None, summary: Path | None,
              html: bool, since: date | None, record: bool, jobs: int | None, force: bool, as_json: bool) -> None:
    """One tracker workbook of every case in the intake forms PATHS (files or folders).

    Sheets: Cases, Movement (what moved since the last report), Savings (against the configuration's
    targets), Pipeline, Risks and Problems (the forms left out, with their errors). Each run keeps a
    snapshot of the portfolio as of its date in the tracker's folder (one a date; `casegen snapshots`
    lists them), which the next month's report compares with. Exits 1 if any form was left out; the
    tracker is written all the same.
    """
    from casegen.portfolio.make import make_portfolio

    level = verbosity(ctx)
    for path, suffix in ((out, ".xlsx"), (summary, ".docx")):
        if path is not None and path.suffix.lower() != suffix:
            raise click.UsageError(f"{path}: must be a {suffix} file")
    if html and summary is None:
        raise click.UsageError("--html writes the summary as a web page: give the summary with --summary FILE.docx")
    made = make_portfolio(paths, programme(ctx), out, summary=summary, documents=documents, as_of=as_of, jobs=jobs,
                          force=force, templates=templates_folder(ctx), html=html, since=since, record=record)
    if as_json:
        emit(ctx, made.ok, made.problems, **made.as_dict())
    for checked in made.portfolio.forms if level > 0 else []:
        click.echo(f"{'excluded' if checked.failing else 'read':<8} {checked.file}")
    for checked in made.portfolio.excluded:
        click.echo(f"excluded {checked.file}:", err=True)
        for problem in checked.problems:
            click.echo(f"  {problem}", err=True)
    if made.recorded and level >= 0:  # before the lines of what was written, which end the output
        click.echo(f"recorded the portfolio as of {made.recorded} in {out.parent}"
                   + (f"; what moved is against {made.since}" if made.since else "; nothing earlier to compare"))
    if level >= 0:
        click.echo(f"wrote {out}: {made.headline()}")
    if not made.portfolio.programme.targets:  # the documents say "Targets not yet set"; how to set them is said here
        from casegen.portfolio.summary import TARGETS_HOW_TO

        click.echo(TARGETS_HOW_TO, err=True)
    for note in made.notes:
        click.echo(note, err=True)
    for path in made.written[1:] if level >= 0 else []:
        click.echo(f"wrote {path}")
    ctx.exit(OK if made.ok else PROBLEMS)


@click.command("snapshots", short_help="The snapshots of the portfolio kept in a tracker's folder.")
@click.argument("folder", type=EXISTING, default=Path("."))
@click.option("--forget", callback=_as_of, metavar="YYYY-MM-DD",
              help="Remove the snapshot of this date (one recorded by mistake), then list those left.")
@json_option
@click.pass_context
def snapshots(ctx, folder: Path, forget: date | None, as_json: bool) -> None:
    """The snapshots of the portfolio kept in FOLDER (the tracker's folder, or the tracker; default: here),
    oldest first: the dates `casegen portfolio --since` can compare with."""
    from casegen.models.values import format_money
    from casegen.portfolio.record import forget as forget_snapshot
    from casegen.portfolio.record import listed, unreadable

    folder = folder.parent if folder.is_file() else folder
    if forget is not None:
        forget_snapshot(folder, forget)
        if not as_json:
            click.echo(f"forgot the snapshot of {forget.isoformat()}", err=True)
    found = listed(folder)
    problems = [unreadable(folder, k, "reports compare with the one before it") for k in found if not k.snapshot]
    if as_json:
        emit(ctx, True, problems, folder=str(folder), snapshots=[
            {"as_of": k.as_of, "cases": len(k.snapshot.cases), "left_out": len(k.snapshot.left_out),
             "net_savings": format_money(k.snapshot.net_total())} for k in found if k.snapshot])
    if not found:
        click.echo(f"{folder} has no snapshot of the portfolio yet; casegen portfolio FORMS -o "
                   f"{folder / 'tracker.xlsx'} records one")
    for k in found:
        if k.snapshot is None:
            click.echo(f"{k.as_of}  {unreadable(folder, k, 'reports compare with the one before it')}")
            continue
        s = k.snapshot
        left = f", {plural(len(s.left_out), 'form')} left out with errors" if s.left_out else ""
        click.echo(f"{k.as_of}  {plural(len(s.cases), 'case')}{left}; net savings {format_money(s.net_total())}")
    ctx.exit(OK)
