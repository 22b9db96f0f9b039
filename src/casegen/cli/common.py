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

import io
import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from casegen.codes import Kind
from casegen.errors import Problem
from casegen.errors import counted as plural  # noqa: F401  (the commands' name for it)

if TYPE_CHECKING:  # the configuration (pydantic) is loaded only when a command runs, not for --help or --version
    from casegen.config import Programme

KIND_CHOICE = click.Choice([kind.value for kind in Kind])
# Paths a command reads: a missing one is a usage mistake (exit 2), caught before anything is written.
EXISTING = click.Path(exists=True, path_type=Path)
OK, PROBLEMS = 0, 1  # the one exit-code rule (README, "Exit codes"); 2, a usage mistake, is click's own
_JSON, _LEVEL = "casegen.json", "casegen.verbosity"  # in click's ctx.meta, shared by the group and its commands


class OwnProcess:
    """Whether this is casegen's own process (the `casegen` command, cli.main), not casegen's commands called by
    a test or another program in theirs."""

    running = False


def imported() -> None:
    """Said by a command once it has imported what it uses. In casegen's own process, what the imports made lives
    as long as the process: the collector is told so (gc.freeze), and no collection goes through it again, the
    ones as Python exits included (8 ms of a build with nothing to do); forked workers share its pages untouched."""
    if OwnProcess.running:
        import gc

        gc.freeze()


def capped_jobs(ctx: click.Context, param, jobs: int | None) -> int | None:
    """-j N: at most one worker a CPU (batch.check.Workers caps it too), with a note where N was more."""
    if jobs is not None:
        from casegen.batch.check import usable_cpus  # here, not above: 140 ms (the reader, the pool) measured

        if jobs > usable_cpus():
            click.echo(f"note: -j {jobs} is more than this computer's {usable_cpus()} CPUs; {usable_cpus()} "
                       "are used", err=True)
            return usable_cpus()
    return jobs


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
jobs_option = click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N", callback=capped_jobs,
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


# The terminal: file names and values are data. A control character in one (ESC, BEL, a C1 control, a
# bidirectional override) would be a command to the terminal (a window title, the clipboard, text drawn
# over other text), so it is shown escaped (`\x1b`), as Python's repr shows it. Kept: line breaks and tabs,
# and the carriage return and cursor codes that click's own progress bar starts and ends a line with.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BAR_START = re.compile(r"\r(?:\x1b\[\?25l)?")
_BAR_END = "\x1b[?25h\n"


def shown(text: str) -> str:
    """`text` with every control character escaped (`\\x1b`), safe to write to a terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        text)


class _Shown(io.TextIOBase):
    """A standard stream that escapes control characters in what casegen writes (see `shown`)."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        start = _BAR_START.match(text)
        head = start.group() if start else ""
        tail = _BAR_END if text.endswith(_BAR_END) else ""
        body = text[len(head): len(text) - len(tail)]
        self.stream.write(head + shown(body) + tail)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self):
        return getattr(self.stream, "encoding", "utf-8")

    @property
    def errors(self):
        return getattr(self.stream, "errors", "strict")


@contextmanager
def console():
    """The standard streams as every command writes to them: on a console's code page (cp1252, cp437) or a
    redirected Windows output, a character the code page lacks is written as `\\u0142`, never an
    UnicodeEncodeError, as Python's UTF-8 mode would avoid; control characters are escaped."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (_Shown(s) if s is not None else s for s in saved)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
