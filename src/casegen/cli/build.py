"""`casegen build`: the documents of many forms, rebuilding only what changed."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from casegen.cli.common import EXISTING, programme, templates_folder


@click.command()
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help="Folder for the documents.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Documents made at once  [default: one per CPU]")
@click.option("--force", is_flag=True, help="Rebuild every document, changed or not, replacing any file of a "
                                            "document's name that casegen did not write.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors: such a form gets no document.")
@click.option("--prune", is_flag=True, help="Remove documents whose intake file no longer exists.")
@click.option("--pdf", is_flag=True, help="Also save each document as PDF (needs LibreOffice).")
@click.option("--html", is_flag=True, help="Also write each document as a web page, NAME.html beside NAME.docx, "
                                           "accessible and in one file, to publish on a website.")
@click.option("--redline", is_flag=True,
              help="For each document whose text changed, also write OUTPUT/redlines/NAME.docx: the new document "
                   "with the changes tracked, as Word's review pane shows them.")
@click.pass_context
def build(ctx, paths: tuple[Path, ...], out_dir: Path, jobs: int | None, force: bool, strict: bool,
          prune: bool, pdf: bool, html: bool, redline: bool) -> None:
    """Make the Word document of each intake workbook (files or folders), rebuilding only what changed.

    Exits 1 if any form failed, if no form was found, or if --pdf could not make every PDF (the Word
    documents are still made).
    """
    from casegen.batch.build import BuildOptions, build as build_all

    options = BuildOptions(force=force, strict=strict, prune=prune, pdf=pdf, redline=redline, jobs=jobs,
                           templates=templates_folder(ctx), html=html)
    with _Progress(sys.stdout.isatty()) as progress:
        report = build_all(paths, out_dir, programme(ctx), options, progress)
    for line in report.details():
        click.echo(line, err=True)
    click.echo(report.summary())
    ctx.exit(0 if report.ok else 1)


class _Progress:
    """A bar on a terminal; one line a document in a log."""

    def __init__(self, tty: bool):
        self.tty, self.bar = tty, None

    def __enter__(self):
        return self

    def __call__(self, tick) -> None:
        if self.tty:
            self.bar = self.bar or click.progressbar(length=tick.total, label="building")
            self.bar.update(tick.done - self.bar.pos)
        elif tick.outcome:
            click.echo(tick.outcome.line())

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.render_finish()
