"""The casegen command line: each command parses its options and calls one library function."""
from __future__ import annotations

import json
from pathlib import Path

import click

from casegen import __version__, config
from casegen.errors import CasegenError, IntakeError

KIND_CHOICE = click.Choice(["bcl", "brief"])


def _programme(ctx: click.Context):
    return ctx.obj["programme"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="CASEGEN_CONFIG",
              help="Programme configuration (TOML); the built-in Luton programme if not given.")
@click.version_option(__version__, prog_name="casegen")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Business Case Lite and Project Brief documents from Excel intake forms.

    \b
    A project lead:    casegen new bcl my-case.xlsx   (fill it in, then)
                       casegen build my-case.xlsx     -> output/my-case.docx
    The programme office: casegen build inputs/       (rebuilds what changed)
    """
    ctx.obj = {"programme": config.load(config_path)}


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
@click.pass_context
def validate(ctx, paths: tuple[Path, ...], strict: bool, fmt: str) -> None:
    """Check intake workbooks and list every problem, one a line."""
    from casegen.intake.reader import read_workbook

    problems, failed = [], False
    for path in paths:
        try:
            _, warnings = read_workbook(path, _programme(ctx))
            problems += warnings
            failed |= strict and bool(warnings)
        except IntakeError as exc:
            problems += exc.problems
            failed = True
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems], indent=2))
    else:
        for p in problems:
            click.echo(str(p))
        if not problems:
            click.echo(f"{len(paths)} form(s) OK")
    ctx.exit(1 if failed else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help="Folder for the documents.")
@click.pass_context
def build(ctx, paths: tuple[Path, ...], out_dir: Path) -> None:
    """Make the Word document for each intake workbook (files or folders)."""
    from casegen.build import build_one

    failed = 0
    for path in paths:
        sources = sorted(path.glob("*.xlsx")) if path.is_dir() else [path]
        for source in sources:
            try:
                target, warnings = build_one(source, out_dir, _programme(ctx))
            except CasegenError as exc:
                click.echo(exc.format_message(), err=True)
                failed += 1
                continue
            for w in warnings:
                click.echo(str(w), err=True)
            click.echo(f"built {target}")
    ctx.exit(1 if failed else 0)


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


def main() -> None:
    cli(prog_name="casegen")
