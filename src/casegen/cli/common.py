"""What every command shares: the options that mean one thing in every command (declared once here, so each
reads the same in every command's help), how a command speaks (lines, problems, one JSON object), and the
programme and templates chosen on the group.

The vocabulary is that of tools people know: `-o/--output` where a command writes, `-j/--jobs` where it
works in processes, `--json` where it reports, `-q/--quiet` (only the problems) and `-v/--verbose` (a line a
file too), `-B/--always-make` to rebuild everything (as make), `--force` to replace a file casegen did not
write (as cp and git). Exit codes: 0 done; 1 problems found or something not made; 2 a usage mistake, with
nothing written.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from casegen.codes import Kind
from casegen.config import Programme
from casegen.errors import Problem
from casegen.errors import counted as plural  # noqa: F401  (the commands' name for it)

KIND_CHOICE = click.Choice([kind.value for kind in Kind])
# Paths a command reads: a missing one is a usage mistake (exit 2), caught before anything is written.
EXISTING = click.Path(exists=True, path_type=Path)
OK, PROBLEMS = 0, 1  # the one exit-code rule (README, "Exit codes"); 2, a usage mistake, is click's own
_JSON, _LEVEL = "casegen.json", "casegen.verbosity"  # in click's ctx.meta, shared by the group and its commands


def programme(ctx: click.Context) -> Programme:
    return ctx.find_root().obj["programme"]


def templates_folder(ctx: click.Context) -> Path | None:
    """--templates DIR (or CASEGEN_TEMPLATES), for every command that renders."""
    return ctx.find_root().obj["templates"]


# The options, each declared once.

config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), envvar="CASEGEN_CONFIG",
    help="Programme configuration (TOML); the built-in Luton programme if not given.")
templates_option = click.option(
    "--templates", "templates_path", type=click.Path(file_okay=False, path_type=Path), envvar="CASEGEN_TEMPLATES",
    help="Folder of the Word templates; else the configuration's `templates`, else casegen's own "
         "(see `casegen templates export`).")
jobs_option = click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
                           help="Processes working at once  [default: one per CPU]")


def output_option(name: str, help: str, *, file_okay: bool = True, dir_okay: bool = True,
                  default: Path | None = None):
    """-o/--output: what the command writes (a file or a folder)."""
    return click.option("-o", "--output", name, type=click.Path(file_okay=file_okay, dir_okay=dir_okay, path_type=Path),
                        default=default, show_default=default is not None, metavar="PATH", help=help)


def force_option(help: str):
    """--force: replace a file casegen did not write (never a folder); nothing else, in every command."""
    return click.option("--force", is_flag=True, help=help)


def _remember(key: str, value: object):
    def callback(ctx: click.Context, param: click.Parameter, given: object) -> object:
        if given:
            ctx.meta[key] = value(ctx) if callable(value) else value
        return given
    return callback


def _command_name(ctx: click.Context) -> str:
    return " ".join(ctx.command_path.split()[1:])  # "templates check", without the program's name


def json_option(command):
    """--json: one JSON object on stdout (README, "JSON reports") in place of the command's lines."""
    return click.option("--json", "as_json", is_flag=True, callback=_remember(_JSON, _command_name),
                        help="Print one JSON object for tools instead of lines (see the README).")(command)


def ask_json(ctx: click.Context) -> None:
    """What --json does, for an old spelling of it."""
    ctx.meta[_JSON] = _command_name(ctx)


def verbosity_options(command):
    """-q/--quiet and -v/--verbose, read back with `verbosity(ctx)`."""
    quiet = click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_remember(_LEVEL + "-q", True),
                         help="Print only the problems.")
    verbose = click.option("-v", "--verbose", is_flag=True, expose_value=False,
                           callback=_remember(_LEVEL + "-v", True), help="Also print a line for each file.")
    return quiet(verbose(command))


def verbosity(ctx: click.Context) -> int:
    """-1 quiet, 0 as usual, 1 verbose; both given is a usage mistake."""
    quiet, verbose = ctx.meta.get(_LEVEL + "-q", False), ctx.meta.get(_LEVEL + "-v", False)
    if quiet and verbose:
        raise click.UsageError("-q (--quiet) and -v (--verbose) ask opposite things: give one of them")
    return -1 if quiet else 1 if verbose else 0


def wants_json(ctx: click.Context) -> str:
    """The name of the command asked for JSON (`--json`), or ""."""
    return ctx.meta.get(_JSON, "")


def emit(ctx: click.Context, ok: bool, problems: list[Problem], **fields: object) -> None:
    """Print a command's report as the one JSON object of every command, and exit by the rule."""
    code = OK if ok else PROBLEMS
    click.echo(as_json(envelope(_command_name(ctx), code, problems, **fields)))
    ctx.exit(code)


def envelope(command: str, code: int, problems: list[Problem], **fields: object) -> dict:
    """Every JSON report: the command, whether it went well, its exit code, its problems, then its own fields."""
    return {"command": command, "ok": code == OK, "exit_code": code,
            "problems": [p.as_dict() for p in problems], **fields}


def as_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)  # default: a Path as its text
