"""One check for `validate` and `build`: each form read and checked in a worker, then every rule
across forms over them all.

A worker sends back a Checked: its problems and the facts the rules across forms need, and of the case
only what the caller's `extract` takes from it (the build: the case pickled, which it spools to disk at
once; the portfolio: the tracker's row; validate: nothing), so memory stays flat in the number of forms.
Forms the build does not read again take part in the rules across forms through the facts their
manifest entries keep; validate and build therefore give the same findings for the same forms.
"""
from __future__ import annotations

import gc
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from casegen.config import Programme
from casegen.errors import BuildError, IntakeError, Problem, Severity
from casegen.facts import Fact, Form, facts_of
from casegen.rules.crossform import check_across_forms


@dataclass
class Checked:
    """One form, checked: every problem, and (when it has no errors) its facts and what `extract` took."""

    source: str
    kind: str
    problems: list[Problem]
    facts: dict[str, Fact] = field(default_factory=dict)
    recorded: bool = False  # not read: an up-to-date form, known by the facts its manifest entry keeps
    extract: object = None  # what check_forms' `extract` took from the case, in place of the case itself
    read: bool = False  # its case was made: it takes part in the rules across forms (unless it has errors)

    @property
    def file(self) -> str:  # the name reader.Intake gives it, so `validate --annotate` takes either
        return self.source

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def failing(self) -> bool:
        return bool(self.errors)

    def form(self) -> Form | None:
        """What the rules across forms see of it; None for a form with errors."""
        if self.failing or not (self.read or self.recorded):
            return None
        return Form(self.source, self.kind, self.facts)


def check_form(source: str, programme: Programme, extract: Callable | None = None) -> Checked:
    """Read and check one form (runs in a worker); never raises, so one form cannot stop the others.

    With `extract` (a module-level function of the case, the file, its problems and the programme), the
    worker sends back what it returns; the case itself never comes back, so a caller keeps only what it
    needs of each form (the portfolio a few figures, validate nothing).
    """
    # Imported here: a build with nothing to do reads no form, and the reader (openpyxl, calamine, the models)
    # would add 150 ms to it (python -X importtime).
    from casegen.intake.reader import read_intake

    try:
        intake = read_intake(source, programme)
    except IntakeError as exc:
        return Checked(source, "", list(exc.problems))
    except Exception as exc:  # a form no check foresaw: report it, carry on with the others
        return Checked(source, "", [Problem(source, f"could not be read ({type(exc).__name__}: {exc})")])
    if intake.case is None:
        return Checked(source, intake.kind, intake.problems)
    taken = extract(intake.case, source, intake.problems, programme) if extract is not None else None
    return Checked(source, intake.kind, intake.problems, facts_of(intake.case, intake.places), extract=taken,
                   read=True)


def pickled(case, source: str, problems: list[Problem], programme: Programme) -> bytes:
    """The case itself, pickled (an `extract` for the build, which renders it)."""
    return pickle.dumps(case, protocol=pickle.HIGHEST_PROTOCOL)


def _worker_start(main: int) -> None:
    """In each worker: leave Ctrl-C to the parent (it stops the workers), and end when casegen is gone.

    The parent is watched by polling (its pid, and os.getppid()), not by prctl(PR_SET_PDEATHSIG): that
    signal follows the death of the parent's *thread* that started the worker, and exists on Linux only.
    A worker whose casegen was killed (SIGKILL, out of memory) ends within half a second.
    """
    # What the worker was forked with (the parent's lists of every form among it) is never collected here:
    # the collector walking it would copy each of its pages into the worker, memory growing with the forms.
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler (cli.main): stopped means ended
    parent = os.getppid()  # casegen itself, or a forkserver that ends with it

    def watch() -> None:
        while os.getppid() == parent and _running(main):
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="casegen-parent-watch", daemon=True).start()


def _running(pid: int) -> bool:
    if os.name != "posix":  # there os.kill(pid, 0) is no question but a Ctrl-C: the ppid check alone
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # exists, but is not ours to signal
        return True
    return True


def usable_cpus() -> int:
    """The CPUs this process may run on (fewer than the machine's under a container's or a job's limit)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # Windows and macOS have no affinity call
        return os.cpu_count() or 1


class Workers:
    """Runs tasks in a process pool, or in this process when one worker is enough. As a context manager,
    it waits for its workers on the way out, or stops them at once if it is left by an exception
    (Ctrl-C, SIGTERM, an error)."""

    def __init__(self, workers: int):
        self.size, self.pool = workers, None
        if workers > 1:  # imported here: a build with nothing to read, or one form, starts no pool (9 ms of imports)
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(workers, initializer=_worker_start, initargs=(os.getpid(),))

    @classmethod
    def start(cls, jobs: int | None, tasks: int) -> Workers:
        # Never more workers than CPUs: -j 100000 started 100 workers on 2 CPUs (4 GB) for no gain.
        return cls(min(jobs or usable_cpus(), usable_cpus(), tasks))

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.close()
        else:
            self.stop()

    def each(self, fn, tasks: Iterable[tuple]):
        """(index, result) for every task, as each finishes. The tasks are taken from `tasks` a few at a time,
        and a result is let go once yielded: however many there are, only a few are in memory at once."""
        pool = self.pool
        if pool is None:
            for i, task in enumerate(tasks):
                yield i, fn(*task)
            return
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        pending, running = enumerate(tasks), {}
        ahead = 4 * self.size  # enough that no worker waits for the next task

        def submit(n: int) -> None:
            for i, task in islice(pending, n):
                running[pool.submit(fn, *task)] = i

        try:
            submit(ahead)
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield running.pop(future), future.result()
                submit(len(done))
        except BrokenProcessPool:
            raise BuildError("a casegen process died (out of memory?); no manifest was written, "
                             "documents already written are complete: run the command again") from None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def stop(self) -> None:
        """End the workers now, mid-task (what they leave half-written is a temporary file, swept)."""
        if self.pool is None:
            return
        if hasattr(self.pool, "terminate_workers"):  # Python 3.14
            self.pool.terminate_workers()
            return
        processes = list((getattr(self.pool, "_processes", None) or {}).values())  # no public handle before 3.14
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)


def read_forms(sources: Iterable[Path | str], programme: Programme, workers: Workers,
               progress: Callable[[Checked], None] | None = None, extract: Callable | None = None) -> list[Checked]:
    """Each form read and checked in the workers, in the order given."""
    tasks = [(str(source), programme, extract) for source in sources]
    checked: dict[int, Checked] = {}
    for i, result in workers.each(check_form, tasks):
        checked[i] = result
        if progress:
            progress(result)
    return [checked[i] for i in range(len(tasks))]


def across_forms(checked: list[Checked]) -> None:
    """Every rule across forms over the forms without errors; each finding joins its form's problems."""
    by_file = {c.source: c for c in checked}
    for problem in check_across_forms([f for f in (c.form() for c in checked) if f is not None]):
        by_file[problem.file].problems.append(problem)


def check_forms(sources: Iterable[Path | str], programme: Programme, jobs: int | None = None,
                known: Iterable[Checked] = (), workers: Workers | None = None,
                progress: Callable[[Checked], None] | None = None, extract: Callable | None = None) -> list[Checked]:
    """The forms at `sources`, each read and checked, then the rules across forms over them and the
    `known` ones (recorded, not read again); returns the read ones, then the known ones."""
    sources = list(sources)
    if workers is None:
        with Workers.start(jobs, len(sources)) as own:
            checked = read_forms(sources, programme, own, progress, extract) + list(known)
    else:
        checked = read_forms(sources, programme, workers, progress, extract) + list(known)
    across_forms(checked)
    return checked
