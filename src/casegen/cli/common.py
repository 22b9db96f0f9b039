"""What every command shares: the programme and templates chosen on the group, and the argument types."""
from __future__ import annotations

from pathlib import Path

import click

from casegen.config import Programme
from casegen.errors import counted as plural  # noqa: F401  (the commands' name for it)

KIND_CHOICE = click.Choice(["bcl", "brief"])
# Paths a command reads: a missing one is a usage mistake (exit 2), caught before anything is written.
EXISTING = click.Path(exists=True, path_type=Path)


def programme(ctx: click.Context) -> Programme:
    return ctx.find_root().obj["programme"]


def templates_folder(ctx: click.Context) -> Path | None:
    """--templates DIR (or CASEGEN_TEMPLATES), for every command that renders."""
    return ctx.find_root().obj["templates"]


