"""The `casegen import` command: parses its options and calls the importer."""
from __future__ import annotations

from pathlib import Path

import click

from casegen.cli.common import plural, programme
from casegen.errors import CasegenError


@click.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="The form to write (.xlsx), or a folder for a folder of documents  "
                   "[default: SOURCE's name with .xlsx; for a folder, SOURCE itself]")
@click.option("--kind", type=click.Choice(["bcl", "brief"]), help="The kind of document, if its headings do not say.")
@click.option("--force", is_flag=True, help="Overwrite forms that exist.")
@click.pass_context
def import_command(ctx, source: Path, out: Path | None, kind: str | None, force: bool) -> None:
    """Read a Business Case Lite or Project Brief typed in Word (or a folder of them) into intake forms.

    Everything the form has no place for, and every section the document lacks, is listed (and on the
    form's Guide sheet). Exits 0 when everything was placed, 1 when something was reported (or, for a
    folder, some documents could not be imported), 2 when SOURCE is not a Word document (nothing written).
    """
    from casegen.wordimport.importer import import_document, import_folder

    if source.is_dir():
        out = out or source
        if out.exists() and not out.is_dir():
            raise click.UsageError(f"{out}: for a folder of documents, -o must be a folder")
        results = list(import_folder(source, out, programme(ctx), kind, force))
        if not results:
            raise CasegenError(f"no Word documents (.docx) found in {source}")
        codes = [_report(r) for r in results]
        made = sum(not isinstance(r, CasegenError) for r in results)
        click.echo(f"{made} of {plural(len(results), 'document')} imported"
                   + (f", {len(results) - made} not (see above)" if made < len(results) else ""))
        # 2 says nothing was written (README): once one form is written, a document that failed is exit 1.
        ctx.exit(1 if made and max(codes) == 2 else max(codes))
    out = out or source.with_suffix(".xlsx")
    if out.suffix.lower() != ".xlsx":
        raise click.UsageError(f"{out}: the form must be an .xlsx file")
    if out.exists() and not force:
        raise CasegenError(f"{out} already exists; choose another name, or add --force to replace it")
    try:
        result = import_document(source, out, programme(ctx), kind)
    except CasegenError as exc:
        result = exc
    ctx.exit(_report(result))


def _report(result) -> int:
    if isinstance(result, CasegenError):
        click.echo(f"Error: {result.message}", err=True)
        return result.exit_code
    for problem in result.problems:
        click.echo(str(problem))
    state = "check the problems above, then" if result.problems else "check it, then"
    click.echo(f"wrote {result.form} from {result.source}: {state} run `casegen build {result.form}`")
    return 1 if result.problems else 0
