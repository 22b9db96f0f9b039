"""The project lead's commands: a new form, checking it, the case it holds, bringing an old one up to date."""
from __future__ import annotations

from pathlib import Path

import click

from casegen.cli.common import (
    EXISTING,
    KIND_CHOICE,
    OK,
    PROBLEMS,
    ask_json,
    emit,
    force_option,
    jobs_option,
    json_option,
    programme,
    verbosity,
    verbosity_options,
    wants_json,
)
from casegen.errors import CasegenError


@click.command(short_help="Write a blank intake form (or one filled from JSON).")
@click.argument("kind", type=KIND_CHOICE)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Fill the form from a case saved as JSON (see `casegen dump`).")
@force_option("Replace a file already at PATH.")
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
        click.echo(f"wrote {path} from {data}: check it with `casegen validate {path}`, "
                   f"then run `casegen build {path}`")
    else:
        click.echo(f"wrote {path}: fill in the yellow cells, then run `casegen build {path}`")


def _format_alias(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--format json`, the old spelling of `--json` (kept for one release)."""
    if value is not None:
        click.echo(f"note: --format {value} is now {'--json' if value == 'json' else 'the default'}; "
                   "--format goes in the next release", err=True)
    if value == "json":
        ask_json(ctx)
    return value


@click.command(short_help="Check intake forms and list every problem, by cell.")
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@json_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), hidden=True, callback=_format_alias)
@click.option("--annotate", is_flag=True,
              help="Also write NAME.checked.xlsx beside each form: problem cells highlighted and commented, "
                   "with a list of the problems on the first sheet.")
@force_option("With --annotate: replace a NAME.checked.xlsx that casegen did not write.")
@jobs_option
@verbosity_options
@click.pass_context
def validate(ctx, paths: tuple[Path, ...], strict: bool, as_json: bool, fmt: str | None, annotate: bool, force: bool,
             jobs: int | None) -> None:
    """Check intake workbooks (files or folders) and list every problem, one a line.

    Exits 0 if every form is OK, 1 if any has errors (with --strict, warnings too) or no form was found.
    """
    from casegen.batch.validate import validate as check

    level = verbosity(ctx)
    report = check(paths, programme(ctx), strict=strict, annotate=annotate, force=force, jobs=jobs)
    if wants_json(ctx):
        emit(ctx, report.ok, report.problems, **report.as_dict())
    for line in report.file_lines() if level > 0 else []:
        click.echo(line)
    for written in report.annotated if level >= 0 else []:
        click.echo(f"wrote {written}", err=True)
    for p in report.problems:
        click.echo(str(p))
    if level >= 0:
        click.echo(report.summary())
    ctx.exit(OK if report.ok else PROBLEMS)


@click.command(short_help="Print the case in an intake form as JSON.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def dump(ctx, path: Path) -> None:
    """Print the case in an intake workbook as JSON (exit 1, with every problem, if it has errors)."""
    from casegen.intake.reader import read_workbook

    case, _ = read_workbook(path, programme(ctx))
    click.echo(case.model_dump_json(indent=2))


@click.command(short_help="Rewrite an older intake form onto today's layout, keeping a backup.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def upgrade(ctx, path: Path) -> None:
    """Rewrite an intake form onto today's layout, every value kept as typed, the old one kept as a backup.

    A form already on today's layout is left as it is. Exits 0 if the form has no errors, 1 if it still
    has some (listed) or PATH is not a form casegen can read.
    """
    from casegen.intake.upgrade import upgrade_form

    result = upgrade_form(path, programme(ctx))
    click.echo("\n".join(result.lines()))
    ctx.exit(0 if result.ok else 1)
