"""`casegen changes DIR`: what changed in the documents of a build folder, field by field."""
from __future__ import annotations

import json
import os
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
    from casegen.batch.carry import carry_over
    from casegen.batch.changes import when_for_people
    from casegen.batch.store import FILE, FOLDER, Store

    if not os.path.lexists(out_dir / FOLDER / FILE) and not os.path.lexists(out_dir / ".casegen-manifest.json"):
        raise CasegenError(f"{out_dir} has no build history; build into it first: casegen build FORMS -o {out_dir}")
    try:  # a folder of an earlier casegen is carried into the store first; while a build runs, read as it is
        store = Store.open(out_dir).__enter__()
    except BuildError:
        store = Store.open(out_dir, locked=False).__enter__()
    try:
        if store.locked:
            carry_over(store)
        for note in store.notes:
            click.echo(note, err=True)
        last, log = store.last_build(), store.read_log()
    finally:
        store.close()
    if last is None:
        raise CasegenError(f"{out_dir} has no build history; build into it first: casegen build FORMS -o {out_dir}")
    found = [c for c in log if everything or c.date == last]
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
