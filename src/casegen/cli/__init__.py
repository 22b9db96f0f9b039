"""The casegen command line: one door. Each command parses its options and calls one library function;
what the library raises is turned here into one message and an exit code (0 done, 1 problems found or
files not made, 2 usage).

The commands import the library inside their bodies, so each loads only what it uses: `import casegen.cli`
takes 0.11 s, against 0.35 s with every command's library imported at the top (measured on this project's
2-core machine, fastest of 3); a no-op `casegen build` pays for the first, not the second.
"""
from __future__ import annotations

import errno
from pathlib import Path

import click

from casegen import __version__, config
from casegen.cli.build import build
from casegen.cli.changes import changes
from casegen.cli.forms import dump, new, upgrade, validate
from casegen.cli.info import rules_command, schema
from casegen.cli.portfolio import portfolio, snapshots
from casegen.cli.templates import templates
from casegen.cli.wordimport import import_command
from casegen.errors import CasegenError, IntakeError
from casegen.fileio import os_error_message

class _Door(click.Group):
    """The group every command goes through: each of a form's problems on a line of its own, each error
    marked `Error:` as click marks one; an operating system's error as one line naming the path; never a
    traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except IntakeError as exc:
            for problem in exc.problems:
                click.echo(f"Error: {problem}" if problem.severity == "error" else str(problem), err=True)
            ctx.exit(exc.exit_code)
        except OSError as exc:  # a full disk, a read-only folder, a name too long, a file where a folder should be
            if exc.errno == errno.EPIPE:  # the reader of the output went away: click's own handling
                raise
            raise CasegenError(os_error_message(exc)) from None


@click.group(cls=_Door, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="CASEGEN_CONFIG",
              help="Programme configuration (TOML); the built-in Luton programme if not given.")
@click.option("--templates", "templates_path", type=click.Path(file_okay=False, path_type=Path),
              envvar="CASEGEN_TEMPLATES", help="Folder of the Word templates; else the configuration's `templates`, "
                                               "else casegen's own (see `casegen templates export`).")
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
    ctx.obj = {"programme": config.load(config_path), "templates": templates_path}


for command in (new, validate, build, dump, upgrade, schema, rules_command, templates, changes, import_command,
                portfolio):
    cli.add_command(command)
cli.add_command(snapshots)


def _terminated(signum, frame) -> None:
    raise KeyboardInterrupt  # as Ctrl-C: the workers are stopped, the lock released, temporary files removed


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="casegen")
