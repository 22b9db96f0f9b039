"""What every command shares: the programme and templates chosen on the group, and the argument types."""
from __future__ import annotations

import io
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from casegen.config import Programme
from casegen.errors import counted as plural  # noqa: F401  (the commands' name for it)

KIND_CHOICE = click.Choice(["bcl", "brief"])
# Paths a command reads: a missing one is a usage mistake (exit 2), caught before anything is written.
EXISTING = click.Path(exists=True, path_type=Path)


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
