"""Building many documents in one go: only what is stale, every form checked before any document is
written, the work spread across processes.

The order is Pelican's: read everything, then write. Stale forms are read and checked (in
parallel), the rules across forms run over all the build's forms (the up-to-date ones through the
facts their records keep: batch.check, the same check as `validate`), and only then are documents rendered (in
parallel), each written to a temporary file and renamed into place. A form with errors is reported and
skipped; it never stops the others, and its previous document is left as it was. Every document
rebuilt says why (new, form changed, template changed ...: `reasons`). What each was built from, its
case and its bytes are kept in the folder's store (batch.store, one transaction a build), so the next
build can say what changed (`casegen changes`), show it tracked in Word (--redline), and tell a document a
person has edited since from casegen's own (batch.history keeps theirs aside).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from casegen import __version__
from casegen.batch.carry import CARRIED_CONFIG, carry_over
from casegen.batch.check import Checked, Workers, check_forms, pickled
from casegen.batch.history import TMP, History, sweep_leftovers
from casegen.batch.report import BUILT, FAILED, GONE, PRUNED, UP_TO_DATE, BuildReport, Outcome, Status, Tick
from casegen.batch.sources import (
    Looks,
    document_name,
    document_name_ok,
    file_digest,
    find_sources,
    output_path,
    real_path,
    seen,
    template_digest,
)
from casegen.batch.spool import Spool
from casegen.batch.store import FOLDER, Record, Store
from casegen.config import Programme
from casegen.errors import CasegenError, Problem, Severity, TemplateProblem
from casegen.fileio import not_ours, plain_file, refusal, write_bytes_atomic
from casegen.intake.files import Scan, not_a_form
from casegen.render import context, load_template, require_templates, template_path


@dataclass(frozen=True)
class BuildOptions:
    force: bool = False  # replace files of the documents' names that casegen did not write (never a folder)
    rebuild: bool = False  # rebuild every document, up to date or not (-B, as make)
    strict: bool = False  # a form with warnings gets no document
    prune: bool = False  # remove documents whose intake file is gone
    pdf: bool = False  # a PDF of each document too
    redline: bool = False  # a copy of each document whose text changed, with the changes tracked
    html: bool = False  # a web page of each document too (batch.html)
    jobs: int | None = None  # processes; None for one per CPU
    templates: Path | None = None  # the templates folder (--templates); None: render.templates_dir()'s choice


def render_form(case: bytes, target: str, template: str, programme: Programme) -> tuple[str, str, dict | None]:
    """Render and write one document (runs in a worker): (the template's digest, "", the case as JSON, which the
    build's history keeps) or ("", what went wrong, None)."""
    try:
        compiled = load_template(Path(template))  # compiled once per process
        model = pickle.loads(case)
        write_bytes_atomic(target, compiled.render(context(model, programme)))
        return compiled.digest, "", model.model_dump(mode="json")
    except CasegenError as exc:
        return "", exc.format_message(), None
    except OSError as exc:
        return "", f"cannot write {target}: {exc.strerror or exc}", None
    except Exception as exc:  # as in check.check_form
        return "", f"could not be rendered ({type(exc).__name__}: {exc})", None


def config_digest(programme: Programme) -> str:
    """The configuration's stamp, by its content: where the templates are is left out (each template is stamped
    by its own bytes), so a configuration exported with the templates and not changed rebuilds nothing."""
    body = programme.as_json(exclude={"source", "templates"})
    return hashlib.sha256(body.encode()).hexdigest()[:16]


@dataclass(slots=True)
class _Job:
    """A stale form, on its way to a document. Once checked, it keeps of its form only what the record needs
    (its kind, its facts, its problems); its case waits in the build's spool, at `case`."""

    source: Path
    target: Path
    digest: str | None
    reason: str  # why it is built again: "new", "form changed", ...
    seen: str = ""  # the form's size and times when its digest was taken (sources.seen)
    kind: str = ""
    facts: dict[str, list] = field(default_factory=dict)  # as its record keeps them (Fact.as_json)
    problems: list[Problem] = field(default_factory=list)
    case: tuple[int, int] | None = None  # where its pickled case is in the spool (batch.spool)

    @property
    def failing(self) -> bool:
        return any(p.severity == Severity.ERROR for p in self.problems)


def build(paths, out_dir: str | os.PathLike, programme: Programme, options: BuildOptions = BuildOptions(),
          progress: Callable[[Tick], None] | None = None) -> BuildReport:
    """Bring the documents in `out_dir` up to date with the forms under `paths`; never prints."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    # One look through the paths for forms and for files that are not forms; what finding the forms learns of them
    # is not asked of the system again.
    looks = Looks(Scan(paths))
    others = looks.scan.others if looks.scan is not None else []
    # A new output folder: the forms are found before it is touched, so that "no intake forms" leaves nothing there.
    # One built before: found once its records are read, which spare opening every unchanged form (find_sources).
    found = None if Store(out_dir).path.exists() else _found(paths, out_dir, {}, others, looks)
    with Store.open(out_dir) as store:
        carry_over(store)  # a folder of the casegen before the store, on first use
        records = store.records()
        sources, clashes = found if found is not None else _found(paths, out_dir, records, others, looks)
        looks.scan = None  # each workbook's stat (1.3 kB a form) is not needed once the forms are found
        sweep_leftovers(out_dir)
        try:
            report = _Build(sources, out_dir, programme, options, progress, store, records, looks).run()
        except BaseException:  # Ctrl-C, SIGTERM: the workers are stopped; what they left half-written goes
            sweep_leftovers(out_dir)
            raise
    for problem in clashes:  # a second form making the same document: it fails, the first is built
        if problem.severity == "warning":  # a path too long for Windows: built, and said
            report.notes.append(str(problem))
            continue
        report.outcomes.append(Outcome(problem.file, output_path(Path(problem.file), out_dir), FAILED, [problem]))
    for problem in map(not_a_form, others):  # a form saved as .ods or .xls: named, never skipped
        if problem.severity == Severity.ERROR:
            report.outcomes.append(Outcome(problem.file, output_path(Path(problem.file), out_dir), FAILED, [problem]))
        else:
            report.notes.append(str(problem))
    report.seconds = time.perf_counter() - started
    return report


def _found(paths, out_dir: Path, records: dict[str, Record], others: list[Path], looks: Looks
           ) -> tuple[list[Path], list[Problem]]:
    """The forms a build takes and the problems of their names (sources.find_sources); an error if there are none."""
    sources, clashes = find_sources(paths, out_dir, records, looks)
    if not sources and not clashes and not others:
        raise CasegenError(f"no intake forms (.xlsx) found in {', '.join(map(str, paths))}")
    return sources, clashes


class _Build:
    def __init__(self, sources: list[Path], out_dir: Path, programme: Programme, options: BuildOptions, progress,
                 store: Store, records: dict[str, Record], looks: Looks | None = None):
        self.sources, self.out_dir, self.programme, self.options = sources, out_dir, programme, options
        self.looks = looks or Looks()
        self.progress = progress or (lambda tick: None)
        self.store, self.records = store, records
        self.loaded = dict(self.records)  # as read: an unchanged store is not written
        self.report = BuildReport()
        self.config = config_digest(programme)
        self.carried = CARRIED_CONFIG + programme.digest()  # the same configuration, as stamped before the store
        self._templates: dict[str, str | None] = {}
        self.history = History(store)
        self.spool = Spool(out_dir / FOLDER / TMP)
        self.done = self.total = 0

    def run(self) -> BuildReport:
        fresh, stale = self.plan()
        self.total = len(fresh) + 2 * len(stale)
        with Workers.start(self.options.jobs, len(stale)) as workers:
            try:
                self.check(stale, fresh, workers)
                good = [job for job in stale if not job.failing]
                good = self.require_templates(good)
                self.render(good, workers)
            finally:
                self.spool.close()
            if self.options.redline:  # imported here: only a --redline build needs lxml
                from casegen.batch.redline import write_redlines

                self.report.redlines = write_redlines(self.history, self.out_dir, good, workers)
        self.prune_or_report_gone()
        self.report.notes += self.store.notes + self.history.notes
        if self.history.built or self.records != self.loaded or self.store.odd:
            try:  # one transaction: killed before it, the next build makes these documents again
                self.history.settle(self.records)
            except (OSError, sqlite3.Error) as exc:  # the documents are made: say so, and fail the build
                self.store.distrust()
                self.report.trouble.append(Problem(str(self.store.path), f"cannot write casegen's state ({exc}); "
                                                   "the documents made are complete, and the next build will make "
                                                   "them again", code="build-manifest"))
        if not self.report.trouble:
            self.companions()
        return self.report

    def companions(self) -> None:
        """The files made beside each document once the documents and the store are settled: the PDF (a file
        of another kind beside each document would be made here too, from `pdf_wanted`'s list)."""
        if self.options.pdf:  # imported here: a build without --pdf or --html loads neither
            from casegen.batch import pdf

            self.report.pdf = pdf.convert(self.pdf_wanted(), self.out_dir, self.options.jobs or os.cpu_count() or 1)
        if self.options.html:
            from casegen.batch import html

            html.publish(self.report, self.programme.language, self.options.force)

    # planning

    def template(self, kind: str) -> Path:
        return template_path(kind, self.options.templates, self.programme)

    def require_templates(self, good: list[_Job]) -> list[_Job]:
        """A missing template is one error, before any document is made, not one a form; it fails only the
        forms of its own kind. Returns the jobs whose template can be read."""
        for kind in sorted({job.kind for job in good} - {""}):
            try:
                require_templates([kind], self.options.templates, self.programme)
            except TemplateProblem as exc:
                self.report.notes.append(exc.format_message())
                for job in (j for j in good if j.kind == kind):
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

    def stamp(self, digest: str | None, kind: str, template: str | None = None) -> tuple[str, str, str, str]:
        return digest or "", template or self.template_digest(kind) or "", self.config, __version__

    def plan(self) -> tuple[list[tuple[Path, Path, Record]], list[_Job]]:
        """(source, document, record) of every up-to-date document, and a job for every stale one."""
        fresh: list[tuple[Path, Path, Record]] = []
        stale: list[_Job] = []
        for source in self.sources:
            target = output_path(source, self.out_dir)
            record, now = self.records.get(target.name), self.looks.seen.get(source) or seen(source)
            # a form of the size and times recorded is not read again (as make and git trust a file's times)
            digest = record.stamp[0] if record and now and record.seen == now else file_digest(source)
            why = self.reasons(record, digest, target)
            if why:
                stale.append(_Job(source, target, digest, why, seen=now))
            else:
                assert record is not None  # up to date: reasons() says "new" for a document with no record
                fresh.append((source, target, record if record.seen == now else replace(record, seen=now)))
        return fresh, stale

    def reasons(self, record: Record | None, digest: str | None, target: Path) -> str:
        """Why the document must be built again ("" if it is up to date): by the content of what it is made of."""
        if record is None:
            return "new"
        now, stamp = self.stamp(digest, record.kind), record.stamp
        if stamp[2] == self.carried:
            stamp = (*stamp[:2], now[2], stamp[3])
        why = [what for what, was, is_ in zip(("form changed", "template changed", "configuration changed",
                                               "casegen upgraded"), stamp, now, strict=True) if was != is_ or not is_]
        if target.name not in self.there and not os.path.lexists(target):  # listed once, not asked of each
            why.insert(0, "document missing")
        if self.options.strict and record.warnings and not why:
            why.append("checked again (--strict)")
        return ", ".join(why) or ("forced" if self.options.rebuild else "")

    # reading and checking

    def tick(self, outcome: Outcome | None = None) -> None:
        self.done += 1
        if outcome is not None:
            self.report.outcomes.append(outcome)
        self.progress(Tick(self.done, self.total, outcome))

    def check(self, stale: list[_Job], fresh: list, workers: Workers) -> None:
        """Read the stale forms, then every rule across forms over them and the up-to-date ones (by the
        facts their records keep); settle the forms that fail and the up-to-date documents."""
        known = [Checked(str(source), record.kind, [], facts=record.known_facts, recorded=True)
                 for source, _, record in fresh]
        checked = check_forms([job.source for job in stale], self.programme, known=known, workers=workers,
                              progress=self.spooled({str(job.source): job for job in stale}), extract=pickled)
        for job, c in zip(stale, checked, strict=False):
            job.kind, job.problems = sys.intern(c.kind), list(c.problems)
            job.facts = {name: fact.as_json() for name, fact in c.facts.items()}
            if self.options.strict and job.problems and not job.failing:
                job.problems.append(Problem(str(job.source), "--strict counts its warnings as errors", code="strict"))
            if job.failing or job.case is None:
                self.tick(Outcome(str(job.source), job.target, FAILED, job.problems))
        for (source, target, record), c in zip(fresh, checked[len(stale):], strict=True):
            self.tick(Outcome(str(source), target, FAILED if c.problems else UP_TO_DATE, c.problems))
            self.records[target.name] = replace(record, source=self.relative(source),
                                                stamp=self.stamp(record.stamp[0], record.kind))

    def spooled(self, jobs: dict[str, _Job]) -> Callable[[Checked], None]:
        """What is done with each form as its check comes back: its case goes to the spool at once."""
        def arrived(c: Checked) -> None:
            if isinstance(c.extract, bytes):
                try:
                    jobs[c.source].case = self.spool.put(c.extract)
                except OSError as exc:
                    c.problems.append(Problem(c.source, f"not built: its case cannot be kept in {self.spool.folder} "
                                              f"while the other forms are checked ({exc.strerror or exc}); free some "
                                              "space there, or build into another folder with -o",
                                              code="build-render"))
                c.extract = None
            self.tick()
        return arrived

    def relative(self, source: Path) -> str:
        """How a record names its intake file: relative to the output folder, so both can move together."""
        real = self.looks.real.get(source) or real_path(source, self.looks.folders)  # as Path.resolve
        folder, name = os.path.split(real)
        if folder not in self.relative_folders:  # os.path.relpath(real, ...), worked out once a folder
            try:
                self.relative_folders[folder] = os.path.relpath(folder, self.real_out_dir)
            except ValueError:  # another drive, on Windows
                self.relative_folders[folder] = ""
        within = self.relative_folders[folder]
        return real if not within else name if within == os.curdir else os.path.join(within, name)

    @cached_property
    def real_out_dir(self) -> str:
        return os.path.realpath(self.out_dir)

    @cached_property
    def relative_folders(self) -> dict[str, str]:
        return {}  # the forms' real folders, relative to the output folder's ("" on another drive)

    @cached_property
    def there(self) -> frozenset[str]:
        """The names in the output folder as the build is planned (a name not among them is looked for again)."""
        try:
            return frozenset(os.listdir(self.out_dir))
        except OSError:
            return frozenset()

    def source_path(self, record: Record) -> Path:
        return Path(os.path.normpath(self.out_dir / record.source))

    # writing

    def claim(self, job: _Job) -> bool:
        """Whether the document may be written: its name is free, the file there is as casegen wrote it, or it is
        a person's edit of casegen's document, first kept aside under a dated name (batch.history); else the
        form fails and the file is left as it was."""
        target, other = job.target, plain_file(job.target)
        record = self.records.get(target.name)
        why = f"it is {other}" if other else ""
        if not other and target.exists() and not (record and self.history.owned(target, record.sha256)):
            why = "edited since casegen built it" if record else not_ours(target, "document")
            if why and (record or self.options.force):  # theirs: kept, never replaced
                try:
                    self.history.keep_edited(target)
                    why = ""
                except OSError as exc:
                    why = f"it cannot be kept aside ({exc.strerror or exc})"
        blocker, pdf = target, target.with_suffix(".pdf")
        if not why and self.options.pdf and not record and not target.exists() and os.path.lexists(pdf):
            blocker, why = pdf, "it is there without its document, so no casegen build made it"  # --pdf replaces it
        replaceable = other in ("", "a symbolic link")  # by --force; a folder or a pipe never
        if not why or (self.options.force and replaceable):
            return True
        job.problems.append(Problem(str(job.source), refusal(blocker, why, "move or rename it, or build into "
                                                             "another folder with -o", replaceable),
                                    code="build-foreign-file"))
        self.tick(Outcome(str(job.source), target, FAILED, job.problems))
        return False

    def render(self, good: list[_Job], workers: Workers) -> None:
        good = [job for job in good if self.claim(job)]
        self.store.writing([job.target.name for job in good])  # casegen's, should this build be stopped
        # Taken from the spool as the workers are ready for them; each case's values let go once remembered.
        tasks = ((self.spool.get(job.case), str(job.target), str(self.template(job.kind)), self.programme)
                 for job in good)
        for i, (template, trouble, values) in workers.each(render_form, tasks):
            job = good[i]
            if trouble:
                job.problems.append(Problem(str(job.source), trouble, code="build-render"))
                self.tick(Outcome(str(job.source), job.target, FAILED, job.problems))
                continue
            self.record(job, template, values)
            self.tick(Outcome(str(job.source), job.target, BUILT, job.problems, job.reason))

    def record(self, job: _Job, template: str, values: dict) -> None:
        kind, name = job.kind, job.target.name
        before = self.records.get(name)
        sha256 = self.history.remember(job.target, kind, values, self.template(kind).name
                                       if before is not None and before.stamp[1] != template else "", job.reason)
        self.records[name] = Record(name, self.relative(job.source), kind, self.stamp(job.digest, kind, template),
                                    job.facts, sum(p.severity != Severity.ERROR for p in job.problems), sha256,
                                    job.seen)

    def prune_or_report_gone(self) -> None:
        """Documents recorded whose intake file no longer exists (and that no form of this build makes)."""
        ours = {document_name(s) for s in self.sources}
        for name, record in sorted(self.records.items()):
            if name in ours:
                continue
            source = self.source_path(record)
            if source.exists():
                continue
            target = self.out_dir / name
            status = self.prune(record, target) if self.options.prune else GONE
            if status:
                self.report.outcomes.append(Outcome(str(source), target, status))

    def prune(self, record: Record, target: Path) -> Status | None:
        """Remove a document whose form is gone, and its PDF: only plain files of casegen's, directly in the
        output folder under a name the build writes, as casegen wrote them. Anything else is named and left
        alone (the store is data, never an instruction)."""
        from casegen.batch import html  # here: a build that prunes nothing loads none of it

        pdf, name = target.with_suffix(".pdf"), record.name
        edited = target.exists() and not plain_file(target) and not self.history.owned(target, record.sha256)
        why = ("its name is not one a build writes" if not document_name_ok(name) else
               not_ours(target, "document") or ("it was edited since casegen built it" if edited else "")
               or (f"{pdf.name} is {plain_file(pdf)}" if plain_file(pdf) else ""))
        if why:
            self.report.notes.append(f"{target}: not pruned, {why}; it is left as it was, and casegen no longer "
                                     "keeps it: remove it yourself if it is not wanted")
            del self.records[name]
            return None
        try:
            target.unlink(missing_ok=True)
            pdf.unlink(missing_ok=True)
            self.report.notes += filter(None, [html.prune(target)])
            self.history.pruned(target, record.source)
        except OSError as exc:
            self.report.notes.append(f"{target}: cannot remove it ({exc.strerror or exc})")
            return GONE
        del self.records[name]
        return PRUNED

    def pdf_wanted(self) -> list[Path]:
        from casegen.batch import pdf

        built = [o.target for o in self.report.outcomes if o.status == BUILT]
        kept = [o.target for o in self.report.outcomes if o.status == UP_TO_DATE]
        return built + pdf.stale_pdfs(kept)
