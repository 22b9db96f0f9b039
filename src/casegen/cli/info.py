"""What casegen knows: the JSON Schema of a case, and every check it makes."""
from __future__ import annotations

import json

import click

from casegen.cli.common import KIND_CHOICE, OK, emit, json_option


@click.command(short_help="Print the JSON Schema of a kind of case.")
@click.argument("kind", type=KIND_CHOICE)
def schema(kind: str) -> None:
    """Print the JSON Schema of a kind of case."""
    from casegen.models import KINDS

    click.echo(json.dumps(KINDS[kind].model_json_schema(mode="serialization"), indent=2, ensure_ascii=False))


@click.command("rules", short_help="List every check casegen makes: code, severity, kinds and explanation.")
@json_option
@click.pass_context
def rules_command(ctx, as_json: bool) -> None:
    """List every check casegen makes: code, severity, kinds and explanation."""
    from casegen.rules.catalogue import catalogue

    if as_json:
        emit(ctx, True, [], rules=[{"code": r.code, "severity": r.severity, "kinds": list(r.kinds),
                                    "explanation": r.explanation} for r in catalogue()])
    rows = [(r.code, r.severity, ",".join(r.kinds), r.explanation) for r in catalogue()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[3])
    ctx.exit(OK)
