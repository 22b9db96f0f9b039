"""`casegen templates`: check the Word templates against the models, or copy them out to edit."""
from __future__ import annotations

from pathlib import Path

import click

from casegen.cli.common import (
    KIND_CHOICE,
    OK,
    PROBLEMS,
    emit,
    force_option,
    json_option,
    plural,
    programme,
    templates_folder,
    verbosity,
    verbosity_options,
)
from casegen.errors import Severity


@click.group(short_help="Check the Word templates, or copy them into a folder of your own.")
def templates() -> None:
    """Check the Word templates, or copy them into a folder of your own."""


@templates.command("check", short_help="Check templates against the case models, both ways.")
@click.argument("templates", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--kind", type=KIND_CHOICE, help="The kind of case the templates print (default: from their names).")
@click.option("--strict", is_flag=True, help="Fail on warnings too (a field of the form that no template prints).")
@json_option
@verbosity_options
@click.pass_context
def templates_check(ctx, templates: tuple[Path, ...], kind: str | None, strict: bool, as_json: bool) -> None:
    """Check TEMPLATES (default: all in the templates folder a build uses) against the case models, both ways:
    tags the models do not provide are errors, fields of the form that no template prints are warnings."""
    from casegen.render import templates_dir
    from casegen.templating.check import check_templates

    level = verbosity(ctx)
    problems, checked = check_templates(templates, kind, templates_dir(programme(ctx), templates_folder(ctx)))
    errors = sum(p.severity == Severity.ERROR for p in problems)
    ok = not errors and not (strict and problems)
    if as_json:
        emit(ctx, ok, problems, templates=[str(path) for path in checked])
    for path in checked if level > 0 else []:
        click.echo(f"checked {path}")
    for p in problems:
        click.echo(str(p))
    if not errors and level >= 0:
        warned = len(problems) - errors
        click.echo(f"{plural(len(checked), 'template')} OK" + (f", {plural(warned, 'warning')}" if warned else ""))
    ctx.exit(OK if ok else PROBLEMS)


@templates.command("export", short_help="Copy casegen's templates and programme.toml into a folder, to edit.")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@force_option("Replace templates already in FOLDER.")
def templates_export(folder: Path, force: bool) -> None:
    """Copy casegen's templates and programme.toml into FOLDER, for the programme office to edit."""
    from casegen.render.export import export_templates

    for path in export_templates(folder, force):
        click.echo(f"wrote {path}")
    click.echo(f"edit them in Word or Writer, then: casegen --config {folder / 'programme.toml'} templates check")
