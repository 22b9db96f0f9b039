"""`casegen portfolio`: the tracker workbook (and, if asked, the summary document) of many forms."""
from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import click

from casegen.cli.common import EXISTING, plural, programme, templates_folder


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
@click.option("--since", callback=_as_of, metavar="YYYY-MM-DD",
              help="Report what moved since the snapshot of this date  [default: the latest before --as-of]")
@click.option("--no-record", "record", flag_value=False, default=True,
              help="A trial run: keep no snapshot of the portfolio in the tracker's folder.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Forms read at once  [default: one per CPU]")
@click.option("--force", is_flag=True,
              help="Replace the tracker or summary even if the file there is not one casegen wrote.")
@click.pass_context
def portfolio(ctx, paths, out: Path, documents: Path | None, as_of: date | None, summary: Path | None,
              since: date | None, record: bool, jobs: int | None, force: bool) -> None:
    """One tracker workbook of every case in the intake forms PATHS (files or folders).

    Sheets: Cases, Movement (what moved since the last report), Savings (against the configuration's
    targets), Pipeline, Risks and Problems (the forms left out, with their errors). Each run keeps a
    snapshot of the portfolio as of its date in the tracker's folder (one a date; `casegen snapshots`
    lists them), which the next month's report compares with. Exits 1 if any form was left out; the
    tracker is written all the same.
    """
    from contextlib import nullcontext

    from casegen.batch.store import Store
    from casegen.errors import CasegenError
    from casegen.fileio import not_ours, refusal
    from casegen.portfolio.record import has_store

    for path, suffix in ((out, ".xlsx"), (summary, ".docx")):
        if path is not None and path.suffix.lower() != suffix:
            raise click.UsageError(f"{path}: must be a {suffix} file")
    for path, what in ((out, "tracker"), (summary, "document")):  # before the forms are read: nothing to lose
        why = path is not None and not force and not_ours(path, what)
        if why:
            where = "-o" if what == "tracker" else "--summary"
            raise CasegenError(refusal(path, why, f"choose another name with {where}"))
    folder = out.parent  # the store of the tracker's folder, under its lock while the tracker is made
    with os.scandir(folder):  # a folder that is not there, or is a file: the system's words, before any is read
        pass
    # A trial run (--no-record) in a folder with no store makes none.
    with Store.open(folder) if record or has_store(folder) else nullcontext() as store:
        for note in getattr(store, "notes", []):
            click.echo(f"warning: {note}", err=True)
        _report(ctx, paths, out, documents, as_of, summary, since, record, jobs, store)


def _report(ctx, paths, out: Path, documents: Path | None, as_of: date | None, summary: Path | None,
            since: date | None, record: bool, jobs: int | None, store) -> None:
    """The portfolio's tracker (and summary) with what moved since the earlier snapshot; then, unless a
    trial run, this one's snapshot, last: a run killed before it is simply run again."""
    from casegen.errors import CasegenError
    from casegen.fileio import sweep_parts, write_bytes_atomic
    from casegen.portfolio.figures import gather
    from casegen.portfolio.movement import compare
    from casegen.portfolio.record import earlier
    from casegen.portfolio.snapshot import take, to_json
    from casegen.portfolio.tracker import headline, write_tracker

    then, problems = earlier(store, out.parent, as_of or date.today(), since)
    for problem in problems:
        click.echo(str(problem), err=True)
    found = gather(paths, programme(ctx), as_of, jobs)
    if not found.forms:
        raise CasegenError(f"no .xlsx forms found in {', '.join(map(str, paths))}")
    for checked in found.excluded:
        click.echo(f"excluded {checked.file}:", err=True)
        for problem in checked.problems:
            click.echo(f"  {problem}", err=True)
    for path in (out, summary):  # what a killed portfolio left half-written beside them
        if path is not None:
            sweep_parts(path)
    now = take(found)
    movement = compare(then, now)
    write_bytes_atomic(out, write_tracker(found, out, documents, movement))
    click.echo(f"wrote {out}: {headline(found)}")
    if not found.programme.targets:  # the documents say "Targets not yet set"; how to set them is said here
        from casegen.portfolio.summary import TARGETS_HOW_TO

        click.echo(TARGETS_HOW_TO, err=True)
    if summary is not None:
        from casegen.portfolio.summary import render_summary
        from casegen.render import template_path

        template = template_path("portfolio", templates_folder(ctx), found.programme)  # --templates, as build
        write_bytes_atomic(summary, render_summary(found, template, movement))
        click.echo(f"wrote {summary}")
    if record:
        store.put_snapshot(found.as_of.isoformat(), to_json(now))
        click.echo(f"recorded the portfolio as of {found.as_of.isoformat()} in {out.parent}"
                   + (f"; what moved is against {then.as_of.isoformat()}" if then else "; the first snapshot there"))
    ctx.exit(1 if found.excluded else 0)


@click.command("snapshots")
@click.argument("folder", type=EXISTING, default=Path("."))
@click.option("--json", "as_json", is_flag=True, help="JSON for tools: one object a snapshot.")
def snapshots(folder: Path, as_json: bool) -> None:
    """The snapshots of the portfolio kept in FOLDER (the tracker's folder, or the tracker; default: here),
    oldest first: the dates `casegen portfolio --since` can compare with."""
    import json

    from casegen.batch.store import Store
    from casegen.models.values import Total, format_money
    from casegen.portfolio.record import has_store, kept, unreadable

    folder = folder.parent if folder.is_file() else folder
    found = []
    if has_store(folder):
        with Store.open(folder, locked=False) as store:  # a reader: a portfolio or build running is not stopped
            found = kept(store)
    if as_json:
        click.echo(json.dumps([{"as_of": k.as_of, "cases": len(k.snapshot.cases), "left_out": len(k.snapshot.left_out)}
                               if k.snapshot else {"as_of": k.as_of, "problem": k.why} for k in found], indent=2))
        return
    if not found:
        click.echo(f"{folder} has no snapshot of the portfolio yet; casegen portfolio FORMS -o "
                   f"{folder / 'tracker.xlsx'} records one")
    for k in found:
        if k.snapshot is None:
            click.echo(f"{k.as_of}  {unreadable(folder, k, 'reports compare with the one before it')}")
            continue
        s = k.snapshot
        net = format_money(Total.of(c.net_total for c in s.cases if c.has_finance))
        left = f", {plural(len(s.left_out), 'form')} left out with errors" if s.left_out else ""
        click.echo(f"{k.as_of}  {plural(len(s.cases), 'case')}{left}; net savings {net}")
