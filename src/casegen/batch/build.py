"""Building many documents in one go: only what is stale, every form checked before any document is
written, the work spread across processes.

The order is Pelican's: read everything, then write. Stale forms are read and checked (in
parallel), the rules across forms run over all the build's forms (the up-to-date ones through the
tracker refs their manifest entries keep), and only then are documents rendered (in parallel),
each written to a temporary file and renamed into place. A form with errors is reported and
skipped; it never stops the others, and its previous document is left as it was.
"""
from __future__ import annotations

import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from casegen import __version__
from casegen.batch import pdf
from casegen.batch.lock import BuildLock, sweep_leftovers
from casegen.batch.manifest import Entry, Manifest, Stamp, file_digest, template_digest
from casegen.batch.report import BUILT, FAILED, GONE, PRUNED, UP_TO_DATE, BuildReport, Outcome, Tick
from casegen.batch.sources import find_sources, output_path
from casegen.config import Programme
from casegen.errors import BuildError, CasegenError, IntakeError, Problem
from casegen.fileio import write_bytes_atomic

TRACKER_REF = ("project", "tracker_ref")


@dataclass(frozen=True)
class BuildOptions:
    force: bool = False  # rebuild every document
    strict: bool = False  # a form with warnings gets no document
    prune: bool = False  # remove documents whose intake file is gone
    pdf: bool = False  # a PDF of each document too
    jobs: int | None = None  # processes; None for one per CPU
    templates: Path | None = None  # the templates folder (--templates); None: render.templates_dir()'s choice


@dataclass
class Checked:
    """What reading one form sends back from a worker: small, so a big batch stays small in memory."""

    source: str
    kind: str
    problems: list[Problem]
    case: bytes | None = None  # the pickled case; None when the form has errors
    tracker_ref: str = ""
    place: tuple[str, str, str] = ("", "", "")


def check_form(source: str, programme: Programme) -> Checked:
    """Read and check one form (runs in a worker); never raises, so one form cannot stop the others."""
    from casegen.intake.reader import read_intake

    try:
        intake = read_intake(source, programme)
    except IntakeError as exc:
        return Checked(source, "", list(exc.problems))
    except Exception as exc:  # a form no check foresaw: report it, carry on with the others
        return Checked(source, "", [Problem(source, f"could not be read ({type(exc).__name__}: {exc})")])
    if intake.case is None:
        return Checked(source, intake.kind, intake.problems)
    ref = getattr(getattr(intake.case, "project", None), "tracker_ref", "") or ""
    place = intake.places.get(TRACKER_REF, ("", "", "tracker_ref"))
    return Checked(source, intake.kind, intake.problems, pickle.dumps(intake.case), ref, tuple(place))


def render_form(case: bytes, target: str, template: str, programme: Programme) -> tuple[str, str]:
    """Render and write one document (runs in a worker): (the template's digest, "") or ("", what went wrong)."""
    from casegen.render import context, load_template

    try:
        compiled = load_template(Path(template))  # compiled once per process
        write_bytes_atomic(target, compiled.render(context(pickle.loads(case), programme)))
        return compiled.digest, ""
    except CasegenError as exc:
        return "", exc.format_message()
    except OSError as exc:
        return "", f"cannot write {target}: {exc.strerror or exc}"
    except Exception as exc:  # as in check_form
        return "", f"could not be rendered ({type(exc).__name__}: {exc})"


@dataclass
class _Job:
    """A stale form, on its way to a document."""

    source: Path
    target: Path
    digest: str | None
    checked: Checked | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def failing(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def _recorded(file: str, kind: str, ref: str, place: tuple) -> SimpleNamespace:
    """What the rules across forms read of a reader.Intake, for a form that is not read again."""
    case = SimpleNamespace(project=SimpleNamespace(tracker_ref=ref))
    return SimpleNamespace(file=file, kind=kind, case=case, problems=[], places={TRACKER_REF: place})


class _Workers:
    """Runs tasks in a process pool, or in this process when one worker is enough."""

    def __init__(self, workers: int):
        self.pool = ProcessPoolExecutor(workers) if workers > 1 else None

    def each(self, fn, tasks: list[tuple]):
        """(index, result) for every task, as each finishes."""
        if self.pool is None:
            for i, task in enumerate(tasks):
                yield i, fn(*task)
            return
        futures = {self.pool.submit(fn, *task): i for i, task in enumerate(tasks)}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        except BrokenProcessPool:
            raise BuildError("a build process died (out of memory?); no manifest was written, "
                             "documents already written are complete: run the build again") from None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def build(paths, out_dir: str | os.PathLike, programme: Programme, options: BuildOptions = BuildOptions(),
          progress: Callable[[Tick], None] | None = None) -> BuildReport:
    """Bring the documents in `out_dir` up to date with the forms under `paths`; never prints."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    sources = find_sources(paths)
    with BuildLock(out_dir):
        sweep_leftovers(out_dir)
        report = _Build(sources, out_dir, programme, options, progress).run()
    if not sources:
        report.notes.append(f"no intake forms (.xlsx) found in {', '.join(map(str, paths))}")
    report.seconds = time.perf_counter() - started
    return report


class _Build:
    def __init__(self, sources: list[Path], out_dir: Path, programme: Programme, options: BuildOptions, progress):
        self.sources, self.out_dir, self.programme, self.options = sources, out_dir, programme, options
        self.progress = progress or (lambda tick: None)
        self.manifest = Manifest.load(out_dir)
        self.report = BuildReport(notes=[self.manifest.trouble] if self.manifest.trouble else [])
        self.config = programme.digest()
        self._templates: dict[str, str | None] = {}
        self.done = self.total = 0

    def run(self) -> BuildReport:
        fresh, stale = self.plan()
        self.total = len(fresh) + 2 * len(stale)
        workers = _Workers(min(self.options.jobs or os.cpu_count() or 1, len(stale)))
        try:
            self.check(stale, workers)
            self.across_forms(stale, fresh)
            self.require_templates([job for job in stale if not job.failing])
            self.render([job for job in stale if not job.failing], workers)
        finally:
            workers.close()
        self.prune_or_report_gone()
        try:
            self.manifest.save()
        except BuildError as exc:  # the documents are made: say so, and fail the build
            self.report.trouble.append(exc.format_message())
        if self.options.pdf:
            self.report.pdf = pdf.convert(self.pdf_wanted(), self.out_dir)
        return self.report

    # planning

    def template(self, kind: str) -> Path:
        from casegen.render import template_path

        return template_path(kind, self.options.templates, self.programme)

    def require_templates(self, good: list[_Job]) -> None:
        """A missing template is one error, before any document is made, not one a form."""
        from casegen.render import require_templates

        require_templates(sorted({job.checked.kind for job in good} - {""}), self.options.templates, self.programme)

    def template_digest(self, kind: str) -> str | None:
        if kind not in self._templates:
            try:
                self._templates[kind] = template_digest(self.template(kind))
            except KeyError:  # a kind casegen no longer makes
                self._templates[kind] = None
        return self._templates[kind]

    def stamp(self, digest: str | None, kind: str, template: str | None = None) -> Stamp:
        return Stamp(digest or "", template or self.template_digest(kind) or "", self.config, __version__)

    def plan(self) -> tuple[list[tuple[Path, Path, Entry]], list[_Job]]:
        """(source, document, entry) of every up-to-date document, and a job for every stale one."""
        fresh, stale = [], []
        for source in self.sources:
            target = output_path(source, self.out_dir)
            digest = file_digest(source)
            entry = self.manifest.entries.get(target.name)
            if entry is not None and digest is not None and self.up_to_date(entry, digest, target):
                fresh.append((source, target, entry))
            else:
                stale.append(_Job(source, target, digest))
        return fresh, stale

    def up_to_date(self, entry: Entry, digest: str, target: Path) -> bool:
        if self.options.force or (self.options.strict and entry.warnings):
            return False
        return entry.stamp == self.stamp(digest, entry.kind) and target.exists()

    # reading and checking

    def tick(self, outcome: Outcome | None = None) -> None:
        self.done += 1
        if outcome is not None:
            self.report.outcomes.append(outcome)
        self.progress(Tick(self.done, self.total, outcome))

    def fail(self, job: _Job, unwritten: int = 0) -> None:
        self.done += unwritten  # the steps it will not take
        self.tick(Outcome(str(job.source), job.target, FAILED, job.problems))

    def check(self, stale: list[_Job], workers: _Workers) -> None:
        tasks = [(str(job.source), self.programme) for job in stale]
        for i, checked in workers.each(check_form, tasks):
            job = stale[i]
            job.checked, job.problems = checked, list(checked.problems)
            if self.options.strict and job.problems and not job.failing:
                job.problems.append(Problem(str(job.source), "--strict counts its warnings as errors", code="strict"))
            if job.failing or checked.case is None:
                self.fail(job, unwritten=1)
            else:
                self.tick()

    def across_forms(self, stale: list[_Job], fresh: list) -> None:
        """The rules across forms, over every form of the build; then the up-to-date documents are settled."""
        from casegen.rules.portfolio import duplicate_tracker_refs

        recorded = [_recorded(str(s), e.kind, e.tracker_ref, e.tracker_ref_place) for s, _, e in fresh if e.tracker_ref]
        recorded += [_recorded(str(j.source), j.checked.kind, j.checked.tracker_ref, j.checked.place) for j in stale
                     if not j.failing and j.checked.tracker_ref]
        found: dict[str, list[Problem]] = {}
        for problem in duplicate_tracker_refs(recorded):
            found.setdefault(problem.file, []).append(problem)
        for job in stale:
            if not job.failing and str(job.source) in found:
                job.problems += found[str(job.source)]
                self.fail(job)
        for source, target, entry in fresh:
            problems = found.get(str(source), [])
            self.tick(Outcome(str(source), target, FAILED if problems else UP_TO_DATE, problems))
            self.manifest.entries[target.name] = replace(entry, source=self.manifest.relative(source))

    # writing

    def render(self, good: list[_Job], workers: _Workers) -> None:
        tasks = [(job.checked.case, str(job.target), str(self.template(job.checked.kind)), self.programme)
                 for job in good]
        for i, (template, trouble) in workers.each(render_form, tasks):
            job = good[i]
            if trouble:
                job.problems.append(Problem(str(job.source), trouble))
                self.tick(Outcome(str(job.source), job.target, FAILED, job.problems))
                continue
            self.record(job, template)
            self.tick(Outcome(str(job.source), job.target, BUILT, job.problems))

    def record(self, job: _Job, template: str) -> None:
        c = job.checked
        warnings = sum(p.severity != "error" for p in job.problems)
        self.manifest.entries[job.target.name] = Entry.make(
            self.manifest.relative(job.source), c.kind, self.stamp(job.digest, c.kind, template),
            tracker_ref=c.tracker_ref, tracker_ref_place=c.place, warnings=warnings)

    def prune_or_report_gone(self) -> None:
        """Documents in the manifest whose intake file no longer exists (and that no form of this build makes)."""
        ours = {output_path(s, self.out_dir).name for s in self.sources}
        for name, entry in sorted(self.manifest.entries.items()):
            source = self.manifest.source_path(entry)
            if name in ours or source.exists():
                continue
            target = self.out_dir / name
            status = self.prune(name, target) if self.options.prune else GONE
            self.report.outcomes.append(Outcome(str(source), target, status))

    def prune(self, name: str, target: Path) -> str:
        try:
            target.unlink(missing_ok=True)
            target.with_suffix(".pdf").unlink(missing_ok=True)
        except OSError as exc:
            self.report.notes.append(f"{target}: cannot remove it ({exc.strerror or exc})")
            return GONE
        del self.manifest.entries[name]
        return PRUNED

    def pdf_wanted(self) -> list[Path]:
        built = [o.target for o in self.report.outcomes if o.status == BUILT]
        kept = [o.target for o in self.report.outcomes if o.status == UP_TO_DATE]
        return built + pdf.stale_pdfs(kept)
