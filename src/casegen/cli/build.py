"""`casegen build`: the documents of many forms, rebuilding only what changed."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar  # what click.progressbar returns

from casegen.cli.common import (
    EXISTING,
    OK,
    PROBLEMS,
    emit,
    force_option,
    imported,
    jobs_option,
    json_option,
    output_option,
    programme,
    templates_folder,
    verbosity,
    verbosity_options,
)


@click.command(short_help="Make the Word document of each intake form, rebuilding only what changed.")
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
@output_option("out_dir", "Folder for the documents.", file_okay=False, default=Path("output"))
@jobs_option
@click.option("-B", "--always-make", "--rebuild", "always_make", is_flag=True,
              help="Rebuild every document, up to date or not (as make -B).")
@force_option("Replace a file at a document's name that casegen did not write (never a folder). Given without "
              "-B, it also rebuilds every document, as it did before -B (until the next release).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors: such a form gets no document.")
@click.option("--prune", is_flag=True, help="Remove documents whose intake file no longer exists.")
@click.option("--pdf", is_flag=True, help="Also save each document as PDF (needs LibreOffice).")
@click.option("--html", is_flag=True, help="Also write each document as a web page, NAME.html beside NAME.docx, "
                                           "accessible and in one file, to publish on a website.")
@click.option("--redline", is_flag=True,
              help="For each document whose text changed, also write OUTPUT/redlines/NAME.docx: the new document "
                   "with the changes tracked, as Word's review pane shows them.")
@json_option
@verbosity_options
@click.pass_context
def build(ctx, paths: tuple[Path, ...], out_dir: Path, jobs: int | None, always_make: bool, force: bool, strict: bool,
          prune: bool, pdf: bool, html: bool, redline: bool, as_json: bool) -> None:
    """Make the Word document of each intake workbook (files or folders), rebuilding only what changed.

    Exits 1 if any form failed, if no form was found, or if --pdf could not make every PDF (the Word
    documents are still made).
    """
    from casegen.batch.build import BuildOptions
    from casegen.batch.build import build as build_all

    imported()
    level = verbosity(ctx)
    if force and not always_make:  # --force used to mean -B as well: it still does, for one release
        always_make = True
        if not as_json:
            click.echo("note: --force also rebuilds every document in this release, as it did; in the next it only "
                       "replaces files casegen did not write: add -B (--always-make) to rebuild everything", err=True)
    options = BuildOptions(force=force, rebuild=always_make, strict=strict, prune=prune, pdf=pdf, redline=redline,
                           jobs=jobs, templates=templates_folder(ctx), html=html)
    quiet = as_json or level < 0
    with _Progress(sys.stdout.isatty() and level <= 0, quiet) as progress:
        report = build_all(paths, out_dir, programme(ctx), options, progress)
    if as_json:
        emit(ctx, report.ok, report.problems, **report.as_dict())
    for line in report.problem_lines() if quiet else report.details():
        click.echo(line, err=True)
    if not quiet:
        click.echo(report.summary())
    ctx.exit(OK if report.ok else PROBLEMS)


class _Progress:
    """A bar on a terminal; one line a document in a log (and on a terminal with -v); nothing with -q or --json."""

    def __init__(self, tty: bool, quiet: bool = False):
        self.tty, self.quiet = tty, quiet
        self.bar: ProgressBar[int] | None = None
        self.flushed = 0.0

    def __enter__(self):
        return self

    def __call__(self, tick) -> None:
        if self.quiet:
            return
        if self.tty:
            self.bar = self.bar or click.progressbar(length=tick.total, label="building")
            self.bar.update(tick.done - self.bar.pos)
        elif tick.outcome:
            # As click.echo, but flushed at most every tenth of a second: a log still shows each document as it
            # is made, and the hundreds of lines of a build with nothing to do are not a write each (1.5 ms).
            sys.stdout.write(f"{tick.outcome.line()}\n")
            if time.monotonic() - self.flushed >= 0.1:
                sys.stdout.flush()
                self.flushed = time.monotonic()

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.render_finish()
        elif not self.tty and not self.quiet:
            sys.stdout.flush()
