"""The casegen command line: one door. Each command parses its options (declared once, in cli/common.py)
and calls one library function; what the library raises is turned here into one message (or, with
--json, the command's one JSON object) and an exit code (0 done, 1 problems found or something not made,
2 a usage mistake with nothing written).

The commands import the library inside their bodies, so each loads only what it uses: `import casegen.cli`
takes 73 ms of CPU time (Python itself 29 ms), against 508 ms with every command's library imported too (a
process each, fastest of 10, on this project's shared 2-core machine; docs/architecture.md gives the same
figures). The configuration is read by the group when a command runs, so `--version` and `--help` read none of
it; a no-op `casegen build` loads neither pydantic nor the renderer (tests/test_startup.py).
"""
from __future__ import annotations

import errno
import types
from pathlib import Path

import click

from casegen import __version__
from casegen.cli.build import build
from casegen.cli.changes import changes
from casegen.cli.common import (
    OwnProcess,
    as_json,
    config_option,
    console,
    envelope,
    templates_option,
    wants_json,
)
from casegen.cli.forms import dump, new, upgrade, validate
from casegen.cli.info import rules_command, schema
from casegen.cli.portfolio import portfolio, snapshots
from casegen.cli.templates import templates
from casegen.cli.wordimport import import_command
from casegen.errors import CasegenError, IntakeError, Problem, Severity


class _Door(click.Group):
    """The group every command goes through: each of a form's problems on a line of its own, each error
    marked `Error:` as click marks one; an operating system's error as one line naming the path; never a
    traceback; every file name and value written escaped where it holds a control character, and on any
    console's code page (common.console)."""

    def main(self, *args, **kwargs):
        with console():
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            try:
                return super().invoke(ctx)
            except OSError as exc:  # a full disk, a read-only folder, a name too long, a file where a folder should be
                if exc.errno == errno.EPIPE:  # the reader of the output went away: click's own handling
                    raise
                from casegen.fileio import os_error_message  # here: --version and --help load none of it

                raise CasegenError(os_error_message(exc)) from None
        except CasegenError as exc:
            problems = exc.problems if isinstance(exc, IntakeError) else [Problem("", exc.format_message())]
            if wants_json(ctx):  # the command's one JSON object, whatever stopped it
                click.echo(as_json(envelope(wants_json(ctx), exc.exit_code, problems)))
                ctx.exit(exc.exit_code)
            if not isinstance(exc, IntakeError):
                raise
            for problem in problems:
                click.echo(f"Error: {problem}" if problem.severity == Severity.ERROR else str(problem), err=True)
            ctx.exit(exc.exit_code)


# Each command sets its short_help, so the command list shows it whole (click would cut its first sentence
# at 45 characters); a terminal wider than 80 columns is used up to 120.
@click.group(cls=_Door, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
@config_option
@templates_option
@click.version_option(__version__, prog_name="casegen")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, templates_path: Path | None) -> None:
    """Business Case Lite and Project Brief documents from Excel intake forms.

    \b
    A project lead:       casegen new bcl my-case.xlsx    (fill it in, then)
                          casegen validate my-case.xlsx   (every problem, by cell)
                          casegen build my-case.xlsx      -> output/my-case.docx
    The programme office: casegen build inputs/ --redline (rebuilds what changed)
                          casegen changes output/         (what changed, field by field)
                          casegen portfolio inputs/ -o tracker.xlsx
                          casegen import old-case.docx -o old-case.xlsx

    Exit codes: 0 done, 1 problems found or files not made, 2 a usage mistake (a missing path, a typo).
    """
    from casegen import config  # here, not at the top: --version and --help read no configuration

    ctx.obj = {"programme": config.load(config_path), "templates": templates_path}


for command in (new, validate, build, dump, upgrade, schema, rules_command, templates, changes, import_command,
                portfolio):
    cli.add_command(command)
cli.add_command(snapshots)


def _terminated(signum, frame) -> None:
    raise KeyboardInterrupt  # as Ctrl-C: the workers are stopped, the lock released, temporary files removed


def _in_utf8_mode() -> None:
    """Under a locale whose encoding is not UTF-8 (a POSIX locale with PYTHONUTF8=0, a Latin-1 one), Python
    would read the folder's file names in that encoding: a form named `café Łódź.xlsx` would be "gone" and its
    document's name could not be asked for. casegen starts again in Python's UTF-8 mode (-X utf8), as it
    does by itself in the C locale; Windows always reads names as Unicode."""
    import os
    import sys

    if sys.flags.utf8_mode or sys.getfilesystemencoding().lower().replace("-", "") == "utf8" or os.name != "posix":
        return
    os.execv(sys.executable, [sys.executable, "-X", "utf8", *sys.orig_argv[1:]])


class _NoPydanticPlugins(types.ModuleType):
    """pydantic's plugin loader, as casegen's command line has it: no plugins. pydantic looks for plugins (entry
    points) as it builds the first model, which imports importlib.metadata and the email package: 15 ms of a
    one-form build's 0.25 s, for plugins casegen has none of. Any other name pydantic asks of its loader comes from
    the loader itself, which then takes this one's place."""

    def get_plugins(self) -> tuple:
        return ()

    def __getattr__(self, name: str):
        import importlib
        import sys

        if name.startswith("__"):  # what the import system asks of any module (__path__ ...)
            raise AttributeError(name)
        del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def _without_pydantic_plugins() -> None:
    """Only in the command line's own process (never where casegen is imported as a library), and only before
    pydantic has looked for its plugins."""
    import sys

    sys.modules.setdefault("pydantic.plugin._loader", _NoPydanticPlugins("pydantic.plugin._loader"))


def main() -> None:
    import signal

    _in_utf8_mode()
    _without_pydantic_plugins()
    OwnProcess.running = True
    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="casegen")
