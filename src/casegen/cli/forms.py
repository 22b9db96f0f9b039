"""The project lead's commands: a new form, checking it, the case it holds, bringing an old one up to date."""
from __future__ import annotations

import json
from pathlib import Path

import click

from casegen.cli.common import EXISTING, KIND_CHOICE, programme
from casegen.errors import CasegenError


@click.command()
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
    from casegen.sheetcells import refuse_overlong

    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(f"{path}: the form must be an .xlsx file")
    if path.exists() and not force:
        raise CasegenError(f"{path} already exists; choose another name, or add --force to replace it")
    case = load_json(data, kind, programme(ctx)) if data else None
    if case is not None:
        refuse_overlong(str(data), case.model_dump(mode="json"))  # refused, never cut to fit a cell
    write_form(kind, path, programme(ctx), case)
    if data:
        click.echo(f"wrote {path} from {data}: check it with `casegen validate {path}`, then run `casegen build {path}`")
    else:
        click.echo(f"wrote {path}: fill in the yellow cells, then run `casegen build {path}`")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--annotate", is_flag=True,
              help="Also write NAME.checked.xlsx beside each form: problem cells highlighted and commented, "
                   "with a list of the problems on the first sheet.")
@click.option("--force", is_flag=True, help="With --annotate: replace a NAME.checked.xlsx that casegen did not write.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Forms read at once  [default: one per CPU]")
@click.pass_context
def validate(ctx, paths: tuple[Path, ...], strict: bool, fmt: str, annotate: bool, force: bool,
             jobs: int | None) -> None:
    """Check intake workbooks (files or folders) and list every problem, one a line.

    Exits 0 if every form is OK, 1 if any has errors (with --strict, warnings too) or no form was found.
    """
    from casegen.batch.validate import validate as check

    report = check(paths, programme(ctx), strict=strict, annotate=annotate, force=force, jobs=jobs)
    for written in report.annotated:
        click.echo(f"wrote {written}", err=True)
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in report.problems], indent=2, ensure_ascii=False))
    else:
        for p in report.problems:
            click.echo(str(p))
        click.echo(report.summary())
    ctx.exit(0 if report.ok else 1)


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def dump(ctx, path: Path) -> None:
    """Print the case in an intake workbook as JSON (exit 1, with every problem, if it has errors)."""
    from casegen.intake.reader import read_workbook

    case, _ = read_workbook(path, programme(ctx))
    click.echo(case.model_dump_json(indent=2))


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def upgrade(ctx, path: Path) -> None:
    """Rewrite an intake form onto today's layout, every value kept as typed, the old one kept as a backup.

    A form already on today's layout is left as it is. Exits 0 if the form has no errors, 1 if it still
    has some (listed), 2 if PATH is not a form.
    """
    from casegen.intake.upgrade import upgrade_form

    result = upgrade_form(path, programme(ctx))
    click.echo("\n".join(result.lines()))
    ctx.exit(0 if result.ok else 1)
