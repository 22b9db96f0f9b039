"""The casegen command line: each command parses its options and calls one library function."""
from __future__ import annotations

import json
from pathlib import Path

import click

from casegen import __version__, config
from casegen.errors import CasegenError

KIND_CHOICE = click.Choice(["bcl", "brief"])


def _programme(ctx: click.Context):
    return ctx.obj["programme"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="CASEGEN_CONFIG",
              help="Programme configuration (TOML); the built-in Luton programme if not given.")
@click.option("--templates", "templates_path", type=click.Path(file_okay=False, path_type=Path),
              envvar="CASEGEN_TEMPLATES", help="Folder of the Word templates; else the configuration's `templates`, "
                                               "else casegen's own (see `casegen templates export`).")
@click.version_option(__version__, prog_name="casegen")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, templates_path: Path | None) -> None:
    """Business Case Lite and Project Brief documents from Excel intake forms.

    \b
    A project lead:    casegen new bcl my-case.xlsx   (fill it in, then)
                       casegen build my-case.xlsx     -> output/my-case.docx
    The programme office: casegen build inputs/       (rebuilds what changed)
    """
    ctx.obj = {"programme": config.load(config_path), "templates": templates_path}


@cli.command()
@click.argument("kind", type=KIND_CHOICE)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Fill the form from a case saved as JSON (see `casegen dump`).")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@click.pass_context
def new(ctx, kind: str, path: Path, data: Path | None, force: bool) -> None:
    """Write a blank intake form for KIND (bcl or brief) at PATH."""
    from casegen.intake.form import write_form
    from casegen.models.load import load_json

    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(f"{path}: the form must be an .xlsx file")
    if path.exists() and not force:
        raise CasegenError(f"{path} already exists; choose another name, or add --force to replace it")
    case = load_json(data, kind, _programme(ctx)) if data else None
    write_form(kind, path, _programme(ctx), case)
    click.echo(f"wrote {path}: fill in the yellow cells, then run `casegen build {path}`")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--annotate", is_flag=True,
              help="Also write NAME.checked.xlsx beside each form: problem cells highlighted and commented, "
                   "with a list of the problems on the first sheet.")
@click.pass_context
def validate(ctx, paths: tuple[Path, ...], strict: bool, fmt: str, annotate: bool) -> None:
    """Check intake workbooks (files or folders) and list every problem, one a line."""
    from casegen.intake.reader import read_intakes

    intakes = read_intakes(paths, _programme(ctx))
    if not intakes:
        raise CasegenError(f"no .xlsx forms found in {', '.join(map(str, paths))}")
    if annotate:
        from casegen.intake.annotate import annotate_intakes

        for written in annotate_intakes(intakes):
            click.echo(f"wrote {written}", err=True)
    problems = [p for intake in intakes for p in intake.problems]
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        for p in problems:
            click.echo(str(p))
        if not problems:
            click.echo(f"{len(intakes)} form(s) OK")
    failed = any(p.severity == "error" or strict for p in problems)
    ctx.exit(1 if failed else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help="Folder for the documents.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Documents made at once  [default: one per CPU]")
@click.option("--force", is_flag=True, help="Rebuild every document, changed or not.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors: such a form gets no document.")
@click.option("--prune", is_flag=True, help="Remove documents whose intake file no longer exists.")
@click.option("--pdf", is_flag=True, help="Also save each document as PDF (needs LibreOffice).")
@click.pass_context
def build(ctx, paths: tuple[Path, ...], out_dir: Path, jobs: int | None, force: bool, strict: bool,
          prune: bool, pdf: bool) -> None:
    """Make the Word document of each intake workbook (files or folders), rebuilding only what changed.

    Exits 1 if any form failed, or if --pdf could not make every PDF (the Word documents are still made).
    """
    import sys

    from casegen.batch.build import BuildOptions, build as build_all

    tty, bar = sys.stdout.isatty(), None

    def progress(tick) -> None:  # a bar on a terminal, one line a document in a log
        nonlocal bar
        if tty:
            bar = bar or click.progressbar(length=tick.total, label="building")
            bar.update(tick.done - bar.pos)
        elif tick.outcome:
            click.echo(tick.outcome.line())

    try:
        options = BuildOptions(force=force, strict=strict, prune=prune, pdf=pdf, jobs=jobs,
                               templates=ctx.obj["templates"])
        report = build_all(paths, out_dir, _programme(ctx), options, progress)
    finally:
        if bar is not None:
            bar.render_finish()
    for line in report.details():
        click.echo(line, err=True)
    click.echo(report.summary())
    ctx.exit(0 if report.ok else 1)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.pass_context
def dump(ctx, path: Path) -> None:
    """Print the case in an intake workbook as JSON."""
    from casegen.intake.reader import read_workbook

    case, _ = read_workbook(path, _programme(ctx))
    click.echo(case.model_dump_json(indent=2))


@cli.command()
@click.argument("kind", type=KIND_CHOICE)
def schema(kind: str) -> None:
    """Print the JSON Schema of a kind of case."""
    from casegen.models import KINDS

    click.echo(json.dumps(KINDS[kind].model_json_schema(mode="serialization"), indent=2, ensure_ascii=False))


@cli.command("rules")
def rules_command() -> None:
    """List every check casegen makes: code, severity, kinds and explanation."""
    from casegen.rules.catalogue import catalogue

    rows = [(r.code, r.severity, ",".join(r.kinds), r.explanation) for r in catalogue()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[3])


@cli.group()
def templates() -> None:
    """Check the Word templates, or copy them into a folder of your own."""


@templates.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--kind", type=KIND_CHOICE, help="The kind of case the templates print (default: from their names).")
@click.pass_context
def templates_check(ctx, paths: tuple[Path, ...], kind: str | None) -> None:
    """List every tag in TEMPLATES (default: all in templates/) that the case models do not provide."""
    from casegen.render import templates_dir
    from casegen.render.check import check_templates

    problems, checked = check_templates(paths, kind, templates_dir(_programme(ctx), ctx.obj["templates"]))
    for p in problems:
        click.echo(str(p))
    if not problems:
        click.echo(f"{len(checked)} template(s) OK")
    ctx.exit(1 if problems else 0)


@templates.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace templates already in FOLDER.")
def templates_export(folder: Path, force: bool) -> None:
    """Copy casegen's templates and programme.toml into FOLDER, for the programme office to edit."""
    from casegen.render.export import export_templates

    for path in export_templates(folder, force):
        click.echo(f"wrote {path}")
    click.echo(f"edit them in Word or Writer, then: casegen --config {folder / 'programme.toml'} templates check")


def main() -> None:
    cli(prog_name="casegen")
