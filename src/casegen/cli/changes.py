"""`casegen changes DIR`: what changed in the documents of a build folder, field by field."""
from __future__ import annotations

import json
from itertools import groupby
from pathlib import Path

import click

from casegen.errors import BuildError, CasegenError


@click.command("changes")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output"))
@click.option("--all", "everything", is_flag=True, help="Every build's changes, oldest first.")
@click.option("--json", "as_json", is_flag=True, help="JSON for tools: one object a change.")
def changes(out_dir: Path, everything: bool, as_json: bool) -> None:
    """What changed in the documents of OUT_DIR (default: output) at the last build that changed one,
    in the form's words."""
    # Imported here: at the top they add ~55 ms (lxml, pydantic) to every casegen command's start.
    from casegen.batch.changes import when_for_people
    from casegen.batch.history import last_build, read_log
    from casegen.batch.journal import COMMIT, damaged_lines, journal, recover
    from casegen.batch.lock import BuildLock

    if journal(out_dir, COMMIT).exists():  # a build killed as it wrote its history: finish it first
        try:
            with BuildLock(out_dir):
                recover(out_dir)
        except BuildError:  # a build is running: it finishes it
            pass
    last = last_build(out_dir)
    if last is None:
        raise CasegenError(f"{out_dir} has no build history; build into it first: casegen build FORMS -o {out_dir}")
    damaged = damaged_lines(out_dir)
    if damaged:
        click.echo(f"{out_dir}: {damaged} damaged line{'s' if damaged > 1 else ''} of the change log left out "
                   "(the next build sets them aside)", err=True)
    found = [c for c in read_log(out_dir) if everything or c.date == last]
    if as_json:
        click.echo(json.dumps([c.as_dict() for c in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo(f"nothing changed at the last build ({when_for_people(last)})" if not everything else "nothing changed yet")
        return
    for date, group in groupby(found, key=lambda c: c.date):
        click.echo(f"build of {when_for_people(date)}:")
        for change in group:
            click.echo(f"  {change.line()}")
