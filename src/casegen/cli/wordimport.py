"""The `casegen import` command: parses its options and calls the importer."""
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
    output_option,
    plural,
    programme,
    verbosity,
    verbosity_options,
)
from casegen.errors import CasegenError, Problem


@click.command("import", short_help="Read a Business Case Lite or Project Brief typed in Word into an intake form.")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@output_option("out", "The form to write (.xlsx), or a folder for a folder of documents  "
                      "[default: SOURCE's name with .xlsx; for a folder, SOURCE itself]")
@click.option("--kind", type=KIND_CHOICE, help="The kind of document, if its headings do not say.")
@force_option("Replace forms already there.")
@json_option
@verbosity_options
@click.pass_context
def import_command(ctx, source: Path, out: Path | None, kind: str | None, force: bool, as_json: bool) -> None:
    """Read a Business Case Lite or Project Brief typed in Word (or a folder of them) into intake forms.

    Everything the form has no place for, and every section the document lacks, is listed (and on the
    form's Guide sheet). Exits 0 when everything was placed, 1 when something was reported or SOURCE
    could not be read as a Word document.
    """
    from casegen.wordimport.importer import import_document, import_folder

    level = -2 if as_json else verbosity(ctx)  # -2: nothing but the JSON
    if source.is_dir():
        out = out or source
        if out.exists() and not out.is_dir():
            raise click.UsageError(f"{out}: for a folder of documents, -o must be a folder")
        results = list(import_folder(source, out, programme(ctx), kind, force))
        if not results:
            raise CasegenError(f"no Word documents (.docx) found in {source}")
    else:
        out = out or source.with_suffix(".xlsx")
        if out.suffix.lower() != ".xlsx":
            raise click.UsageError(f"{out}: the form must be an .xlsx file")
        if out.exists() and not force:
            raise CasegenError(f"{out} already exists; choose another name, or add --force to replace it")
        try:
            results = [import_document(source, out, programme(ctx), kind)]
        except CasegenError as exc:
            results = [exc]
    ok = all(_report(r, level) == OK for r in results)
    if as_json:
        emit(ctx, ok, [p for r in results for p in _problems(r)],
             forms=[{"source": str(r.source), "form": str(r.form)} for r in results if not isinstance(r, CasegenError)])
    made = sum(not isinstance(r, CasegenError) for r in results)
    if source.is_dir() and level >= 0:
        click.echo(f"{made} of {plural(len(results), 'document')} imported"
                   + (f", {len(results) - made} not (see above)" if made < len(results) else ""))
    ctx.exit(OK if ok else PROBLEMS)


def _problems(result) -> list[Problem]:
    return [Problem("", result.format_message())] if isinstance(result, CasegenError) else result.problems


def _report(result, level: int) -> int:
    """Print what became of one document (nothing at level -2, only its problems at -1); its exit code."""
    if isinstance(result, CasegenError):
        if level > -2:
            click.echo(f"Error: {result.message}", err=True)
        return PROBLEMS
    for problem in result.problems if level > -2 else []:
        click.echo(str(problem))
    if level >= 0:
        state = "check the problems above, then" if result.problems else "check it, then"
        click.echo(f"wrote {result.form} from {result.source}: {state} run `casegen build {result.form}`")
    return PROBLEMS if result.problems else OK
