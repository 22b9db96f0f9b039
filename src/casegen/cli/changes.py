"""`casegen changes DIR`: what changed in the documents of a build folder, field by field."""
from __future__ import annotations

from pathlib import Path

import click

from casegen.cli.common import OK, emit, json_option


@click.command("changes", short_help="What changed in the documents of a build folder, field by field.")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output"))
@click.option("--all", "everything", is_flag=True, help="Every build's changes, oldest first.")
@json_option
@click.pass_context
def changes(ctx, out_dir: Path, everything: bool, as_json: bool) -> None:
    """What changed in the documents of OUT_DIR (default: output) at the last build that changed one,
    in the form's words."""
    # Imported here: at the top they add ~55 ms (lxml, pydantic) to every casegen command's start.
    from casegen.batch.changelog import what_changed

    report = what_changed(out_dir, everything)
    if as_json:
        emit(ctx, True, report.problems, **report.as_dict())
    for note in report.notes:
        click.echo(note, err=True)
    for line in report.lines():
        click.echo(line)
    ctx.exit(OK)
