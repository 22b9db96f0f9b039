"""Building many documents in one go: only what is stale, every form checked before any document is
written, the work spread across processes.

The order is Pelican's: read everything, then write. Stale forms are read and checked (in
parallel), the rules across forms run over all the build's forms (the up-to-date ones through the
facts their manifest entries keep: batch.check, the same check as `validate`), and only then are documents rendered (in parallel),
each written to a temporary file and renamed into place. A form with errors is reported and
skipped; it never stops the others, and its previous document is left as it was. Each document
rebuilt leaves its case and the document it replaced in the folder (batch.history), so the next
build can say what changed (`casegen changes`) and show it tracked in Word (--redline).
"""
from __future__ import annotations

import os
import pickle
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from casegen import __version__
from casegen.batch import pdf
from casegen.batch.check import Checked, Workers, check_forms
from casegen.batch.history import STATE, History
from casegen.batch.lock import BuildLock, sweep_leftovers
from casegen.batch.manifest import Entry, Manifest, Stamp, document_name_ok, file_digest, template_digest
from casegen.batch.report import BUILT, FAILED, GONE, PRUNED, UP_TO_DATE, BuildReport, Outcome, Status, Tick
from casegen.batch.sources import find_sources, output_path
from casegen.config import Programme
from casegen.errors import BuildError, CasegenError, Problem, Severity, TemplateProblem
from casegen.fileio import not_ours, plain_file, refusal, write_bytes_atomic
from casegen.intake.files import not_a_form, not_forms
from casegen.render import context, load_template, require_templates, template_path


@dataclass(frozen=True)
class BuildOptions:
    force: bool = False  # replace files of the documents' names that casegen did not write (never a folder)
    rebuild: bool = False  # rebuild every document, up to date or not (-B, as make)
    strict: bool = False  # a form with warnings gets no document
    prune: bool = False  # remove documents whose intake file is gone
    pdf: bool = False  # a PDF of each document too
    redline: bool = False  # a copy of each document whose text changed, with the changes tracked
    jobs: int | None = None  # processes; None for one per CPU
    templates: Path | None = None  # the templates folder (--templates); None: render.templates_dir()'s choice


def render_form(case: bytes, target: str, template: str, programme: Programme) -> tuple[str, str]:
    """Render and write one document (runs in a worker): (the template's digest, "") or ("", what went wrong)."""
    try:
        compiled = load_template(Path(template))  # compiled once per process
        write_bytes_atomic(target, compiled.render(context(pickle.loads(case), programme)))
        return compiled.digest, ""
    except CasegenError as exc:
        return "", exc.format_message()
    except OSError as exc:
        return "", f"cannot write {target}: {exc.strerror or exc}"
    except Exception as exc:  # as in check.check_form
        return "", f"could not be rendered ({type(exc).__name__}: {exc})"


@dataclass
class _Job:
    """A stale form, on its way to a document."""

    source: Path
    target: Path
    digest: str | None
    checked: Checked | None = None
    problems: list[Problem] = field(default_factory=list)
    kept: Path | None = None  # the previous document, kept aside while the new one is written

    @property
    def failing(self) -> bool:
        return any(p.severity == Severity.ERROR for p in self.problems)


def build(paths, out_dir: str | os.PathLike, programme: Programme, options: BuildOptions = BuildOptions(),
          progress: Callable[[Tick], None] | None = None) -> BuildReport:
    """Bring the documents in `out_dir` up to date with the forms under `paths`; never prints."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    sources, clashes = find_sources(paths)
    if not sources and not not_forms(paths):  # nothing to build: say so before the output folder is touched
        raise CasegenError(f"no intake forms (.xlsx) found in {', '.join(map(str, paths))}")
    with BuildLock(out_dir):
        sweep_leftovers(out_dir)
        try:
            report = _Build(sources, out_dir, programme, options, progress).run()
        except BaseException:  # Ctrl-C, SIGTERM: the workers are stopped; what they left half-written goes
            sweep_leftovers(out_dir)
            raise
    for problem in clashes:  # a second form making the same document: it fails, the first is built
        report.outcomes.append(Outcome(problem.file, output_path(Path(problem.file), out_dir), FAILED, [problem]))
    for problem in map(not_a_form, not_forms(paths)):  # a form saved as .ods or .xls: named, never skipped
        if problem.severity == Severity.ERROR:
            report.outcomes.append(Outcome(problem.file, output_path(Path(problem.file), out_dir), FAILED, [problem]))
        else:
            report.notes.append(str(problem))
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
        self.history = History(out_dir)
        self.history.recover()
        self.done = self.total = 0

    def run(self) -> BuildReport:
        fresh, stale = self.plan()
        self.total = len(fresh) + 2 * len(stale)
        with Workers.start(self.options.jobs, len(stale)) as workers:
            self.check(stale, fresh, workers)
            good = [job for job in stale if not job.failing]
            good = self.require_templates(good)
            self.render(good, workers)
            if self.options.redline:
                self.report.redlines = self.history.redlines(good, workers)
        try:  # before the manifest: a build killed between the two is made again, and loses no change
            self.history.settle()
        except OSError as exc:  # without a manifest, the next build makes these documents again
            self.report.trouble.append(Problem(str(self.out_dir / STATE), "cannot write the build history "
                                               f"({exc.strerror or exc})", code="build-manifest"))
        self.report.notes += self.history.notes
        self.prune_or_report_gone()
        if self.report.trouble:
            return self.report
        try:
            self.manifest.save()
        except BuildError as exc:  # the documents are made: say so, and fail the build
            where = str(self.manifest.path)
            self.report.trouble.append(Problem(where, exc.format_message().removeprefix(f"{where}: "),
                                               code="build-manifest"))
        if self.options.pdf:
            self.report.pdf = pdf.convert(self.pdf_wanted(), self.out_dir, self.options.jobs or os.cpu_count() or 1)
        return self.report

    # planning

    def template(self, kind: str) -> Path:
        return template_path(kind, self.options.templates, self.programme)

    def require_templates(self, good: list[_Job]) -> list[_Job]:
        """A missing template is one error, before any document is made, not one a form; it fails only the
        forms of its own kind. Returns the jobs whose template can be read."""
        for kind in sorted({job.checked.kind for job in good} - {""}):
            try:
                require_templates([kind], self.options.templates, self.programme)
            except TemplateProblem as exc:
                self.report.notes.append(exc.format_message())
                for job in (j for j in good if j.checked.kind == kind):
                    job.problems.append(Problem(str(job.source), f"not built: the {kind} template cannot be read "
                                                "(see above)", code="build-template"))
                    self.tick(Outcome(str(job.source), job.target, FAILED, job.problems))
        return [job for job in good if not job.failing]

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
        if self.options.rebuild or (self.options.strict and entry.warnings):
            return False
        return entry.stamp == self.stamp(digest, entry.kind) and target.exists()

    # reading and checking

    def tick(self, outcome: Outcome | None = None) -> None:
        self.done += 1
        if outcome is not None:
            self.report.outcomes.append(outcome)
        self.progress(Tick(self.done, self.total, outcome))

    def check(self, stale: list[_Job], fresh: list, workers: Workers) -> None:
        """Read the stale forms, then every rule across forms over them and the up-to-date ones (by the
        facts their entries keep); settle the forms that fail and the up-to-date documents."""
        known = [Checked(str(source), entry.kind, [], facts=entry.known_facts(), recorded=True)
                 for source, _, entry in fresh]
        checked = check_forms([job.source for job in stale], self.programme, known=known, workers=workers,
                              progress=lambda _: self.tick())
        for job, c in zip(stale, checked):
            job.checked, job.problems = c, list(c.problems)
            if self.options.strict and job.problems and not job.failing:
                job.problems.append(Problem(str(job.source), "--strict counts its warnings as errors", code="strict"))
            if job.failing or c.case is None:
                self.tick(Outcome(str(job.source), job.target, FAILED, job.problems))
        for (source, target, entry), c in zip(fresh, checked[len(stale):]):
            self.tick(Outcome(str(source), target, FAILED if c.problems else UP_TO_DATE, c.problems))
            self.manifest.entries[target.name] = replace(entry, source=self.manifest.relative(source))

    # writing

    def claim(self, job: _Job) -> bool:
        """Whether the document may be written: its name is free, or the file there is casegen's (the manifest
        names it, or it carries casegen's mark); else the form fails and the file is left as it was."""
        other = plain_file(job.target)
        known = self.manifest.loaded is not None and job.target.name in self.manifest.loaded
        why = f"it is {other}" if other else "" if known else not_ours(job.target, "document")
        blocker, pdf = job.target, job.target.with_suffix(".pdf")
        if not why and self.options.pdf and not known and not job.target.exists() and os.path.lexists(pdf):
            blocker, why = pdf, "it is there without its document, so no casegen build made it"  # --pdf replaces it
        replaceable = other in ("", "a symbolic link")  # by --force; a folder or a pipe never
        if not why or (self.options.force and replaceable):
            return True
        job.problems.append(Problem(str(job.source), refusal(blocker, why, "move or rename it, or build into "
                                                             "another folder with -o", replaceable),
                                    code="build-foreign-file"))
        self.tick(Outcome(str(job.source), job.target, FAILED, job.problems))
        return False

    def render(self, good: list[_Job], workers: Workers) -> None:
        good = [job for job in good if self.claim(job)]
        for job, kept in zip(good, self.history.keep_previous([job.target for job in good])):
            job.kept = kept
        tasks = [(job.checked.case, str(job.target), str(self.template(job.checked.kind)), self.programme)
                 for job in good]
        for i, (template, trouble) in workers.each(render_form, tasks):
            job = good[i]
            if trouble:
                job.problems.append(Problem(str(job.source), trouble, code="build-render"))
                self.tick(Outcome(str(job.source), job.target, FAILED, job.problems))
                continue
            self.record(job, template)
            self.tick(Outcome(str(job.source), job.target, BUILT, job.problems))

    def record(self, job: _Job, template: str) -> None:
        c = job.checked
        warnings = sum(p.severity != Severity.ERROR for p in job.problems)
        before = self.manifest.entries.get(job.target.name)
        self.manifest.entries[job.target.name] = Entry.make(
            self.manifest.relative(job.source), c.kind, self.stamp(job.digest, c.kind, template),
            facts={name: fact.as_json() for name, fact in c.facts.items()}, warnings=warnings)
        retemplated = before is not None and before.template_sha256 != template
        self.history.remember(job.target, c.kind, c.values, self.template(c.kind).name if retemplated else "")

    def prune_or_report_gone(self) -> None:
        """Documents in the manifest whose intake file no longer exists (and that no form of this build makes)."""
        ours = {output_path(s, self.out_dir).name for s in self.sources}
        for name, entry in sorted(self.manifest.entries.items()):
            source = self.manifest.source_path(entry)
            if name in ours or source.exists():
                continue
            target = self.out_dir / name
            status = self.prune(name, target) if self.options.prune else GONE
            if status:
                self.report.outcomes.append(Outcome(str(source), target, status))

    def prune(self, name: str, target: Path) -> Status | None:
        """Remove a document whose form is gone, and its PDF: only plain files of casegen's, directly in the
        output folder under a name the build writes. Anything else is named and left alone (the manifest is
        data, never an instruction)."""
        pdf = target.with_suffix(".pdf")
        why = ("its name is not one a build writes" if not document_name_ok(name) else
               not_ours(target, "document") or (f"{pdf.name} is {plain_file(pdf)}" if plain_file(pdf) else ""))
        if why:
            self.report.notes.append(f"{target}: not pruned, {why}; it is left as it was, and no longer in the "
                                     "build manifest: remove it yourself if it is not wanted")
            del self.manifest.entries[name]
            return None
        try:
            target.unlink(missing_ok=True)
            pdf.unlink(missing_ok=True)
            self.history.forget(target)
        except OSError as exc:
            self.report.notes.append(f"{target}: cannot remove it ({exc.strerror or exc})")
            return GONE
        del self.manifest.entries[name]
        return PRUNED

    def pdf_wanted(self) -> list[Path]:
        built = [o.target for o in self.report.outcomes if o.status == BUILT]
        kept = [o.target for o in self.report.outcomes if o.status == UP_TO_DATE]
        return built + pdf.stale_pdfs(kept)
