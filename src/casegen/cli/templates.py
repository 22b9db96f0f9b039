"""`casegen templates`: check the Word templates against the models, or copy them out to edit."""
from __future__ import annotations

from pathlib import Path

import click

from casegen.cli.common import KIND_CHOICE, plural, programme, templates_folder


@click.group()
def templates() -> None:
    """Check the Word templates, or copy them into a folder of your own."""


@templates.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--kind", type=KIND_CHOICE, help="The kind of case the templates print (default: from their names).")
@click.option("--strict", is_flag=True, help="Fail on warnings too (a field of the form that no template prints).")
@click.pass_context
def templates_check(ctx, paths: tuple[Path, ...], kind: str | None, strict: bool) -> None:
    """Check TEMPLATES (default: all in the templates folder a build uses) against the case models, both ways:
    tags the models do not provide are errors, fields of the form that no template prints are warnings."""
    from casegen.render import templates_dir
    from casegen.templating.check import check_templates

    problems, checked = check_templates(paths, kind, templates_dir(programme(ctx), templates_folder(ctx)))
    for p in problems:
        click.echo(str(p))
    errors = sum(p.severity == "error" for p in problems)
    if not errors:
        warned = len(problems) - errors
        click.echo(f"{plural(len(checked), 'template')} OK" + (f", {plural(warned, 'warning')}" if warned else ""))
    ctx.exit(1 if errors or (strict and problems) else 0)


@templates.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace templates already in FOLDER.")
def templates_export(folder: Path, force: bool) -> None:
    """Copy casegen's templates and programme.toml into FOLDER, for the programme office to edit."""
    from casegen.render.export import export_templates

    for path in export_templates(folder, force):
        click.echo(f"wrote {path}")
    click.echo(f"edit them in Word or Writer, then: casegen --config {folder / 'programme.toml'} templates check")
