"""How fast `casegen build` is, against the naive way and against the floor, measured in one run.

    python bench/bench_build.py [--n 300] [--small 100] [--jobs N] [--baseline-docs 60] [--rounds 5]

Makes N intake forms (the samples in samples/*.json, each copy with its own title, tracker ref
and number of rows) in a temporary folder. First the headline figures, each a document's share against the
floor (python-docx opening the template and saving it, per document) measured in the same rounds: casegen's
compiled render and atomic write alone, a cold build with -j 1, a cold build with the default -j. Each is the
best of --rounds interleaved rounds (one run of each in turn, so a busy moment of a shared machine slows them
alike), in CPU time (this process's, or a build's whole process tree's) beside wall time. Then side by side:

  (1) naive: docxtpl's DocxTemplate(path), render(context, env), save, for each document, serially
  (2) floor: python-docx opening the template and saving it, for each document, serially
  (3) casegen's cold build of all N forms (reading and checking them too), one command
  (4) the same build again, nothing changed
  (5) again after the Business Case Lite template changed (every BCL document is rebuilt)
  (6) again after one form changed
  and the peak memory of a cold build at --small forms and at N forms.

(1) and (2) do not read the forms; they are timed on the first --baseline-docs documents. Builds run
in a fresh process each (python start-up included), so no cache of this process helps them.
This is a benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# making the forms

def _varied(sample: Path, i: int, programme):
    """Sample `sample`, made the i-th case of its own: title, tracker ref and list lengths differ."""
    from casegen.models.load import load_json

    kind = sample.name.split("-", 1)[0]
    case = load_json(sample, kind, programme)
    case.project.title = f"{case.project.title} ({i})"
    case.project.tracker_ref = f"BENCH-{i:04d}"
    for name in ("risks", "dependencies", "benefits"):
        items = getattr(case, name, None)
        if isinstance(items, list) and len(items) > 1:
            setattr(case, name, items[: 1 + i % len(items)])
    return case


def _write_form(args: tuple[Path, int, Path]) -> Path:
    from casegen import config
    from casegen.intake.form import write_form

    sample, i, folder = args
    case = _varied(sample, i, config.load())
    return write_form(case.kind, folder / f"{sample.stem}-{i:04d}.xlsx", config.load(), case)


def make_forms(folder: Path, n: int, jobs: int) -> list[Path]:
    samples = sorted((ROOT / "samples").glob("*.json"))
    tasks = [(samples[i % len(samples)], i, folder) for i in range(n)]
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(_write_form, tasks, chunksize=8))


# baselines, in this process

def _cases(forms: list[Path], programme) -> list:
    from casegen.intake.reader import read_workbook

    return [read_workbook(f, programme)[0] for f in forms]


def naive(cases: list, programme, out: Path) -> float:
    """docxtpl as its documentation shows it: load, render, save, per document."""
    from docxtpl import DocxTemplate

    from casegen.render import context, template_path
    from casegen.templating.environment import make_environment

    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for i, case in enumerate(cases):
        doc = DocxTemplate(template_path(case.kind))
        doc.render(context(case, programme), make_environment())
        doc.save(out / f"{i}.docx")
    return time.perf_counter() - started


def floor(cases: list, out: Path) -> float:
    """The least any Python docx tool does: open the template and save it."""
    from docx import Document

    from casegen.render import template_path

    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for i, case in enumerate(cases):
        Document(str(template_path(case.kind))).save(out / f"{i}.docx")
    return time.perf_counter() - started


def stages(forms: list[Path], programme, repeat: int = 1) -> dict[str, float]:
    """Serial ms a document of each stage of a build: reading (openpyxl's full load alone, and casegen's
    whole read with calamine, checks included), and rendering with the compiled template."""
    from openpyxl import load_workbook

    from casegen.intake import reader
    from casegen.render import render_case

    def per_doc(fn) -> float:
        for f in forms:  # warm: imports, every kind's compiled template, the disk cache
            fn(f)
        return min(_timed(fn, forms) for _ in range(repeat)) / len(forms) * 1000

    fast = per_doc(lambda f: reader.read_intake(f, programme))
    full = per_doc(lambda f: load_workbook(f, data_only=True).close())
    cases = _cases(forms, programme)
    render = per_doc(lambda f: render_case(cases[forms.index(f)], programme))
    return {"read, openpyxl full load": full, "read, casegen (calamine)": fast, "render": render}


def _timed(fn, items) -> float:
    started = time.perf_counter()
    for item in items:
        fn(item)
    return time.perf_counter() - started


# builds, each in a fresh process

def _children_cpu() -> float:
    """CPU seconds of the finished children of this process and theirs (a build and its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_in_child(forms_dir: Path, out: Path, jobs: int, env: dict) -> dict:
    """One build in a fresh process: its wall time, the CPU time of it and its workers, its report, its peak
    memory."""
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, __file__, "--child", str(forms_dir), str(out), str(jobs)],
                          capture_output=True, text=True, env=env, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    result["cpu"] = _children_cpu() - cpu
    return result


# the headline: each figure against the floor, in interleaved rounds

def _clocked(fn) -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds) that fn() takes."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def render_write(cases: list, programme, out: Path) -> None:
    """casegen's compiled render and atomic write of each document, nothing else."""
    from casegen.fileio import write_bytes_atomic
    from casegen.render import render_case

    out.mkdir(parents=True, exist_ok=True)
    for i, case in enumerate(cases):
        write_bytes_atomic(out / f"{i}.docx", render_case(case, programme))


def headline(args, programme, tmp: Path, forms: list[Path], big: Path, env: dict) -> dict[str, tuple[float, float]]:
    """label -> (CPU ms, wall ms) a document, each the least of args.rounds interleaved rounds."""
    cases = _cases(forms[: args.baseline_docs], programme)
    out = tmp / "headline"

    def cold(jobs: int):
        shutil.rmtree(out, ignore_errors=True)
        r = build_in_child(big, out, jobs, env)
        assert r["failed"] == 0 and r["built"] == args.n, r
        return r["cpu"], r["wall"]

    runs = {"floor": (len(cases), lambda: _clocked(lambda: floor(cases, tmp / "floor"))),
            "render": (len(cases), lambda: _clocked(lambda: render_write(cases, programme, tmp / "rendered"))),
            "cold1": (args.n, lambda: cold(1)),
            "cold": (args.n, lambda: cold(args.jobs))}
    render_write(cases, programme, tmp / "rendered")  # warm: imports, the compiled templates, the disk cache
    best = {label: (float("inf"), float("inf")) for label in runs}
    for _ in range(args.rounds):
        for label, (docs, run) in runs.items():
            cpu, wall = run()
            best[label] = (min(best[label][0], cpu / docs * 1000), min(best[label][1], wall / docs * 1000))
    return best


def report_headline(args, h: dict[str, tuple[float, float]]) -> None:
    floor_cpu, floor_wall = h["floor"]
    print(f"\nper document, best of {args.rounds} interleaved rounds, against the floor measured in them: CPU ms "
          "(a build's whole process tree) and wall ms")
    labels = {"floor": f"floor: python-docx open + save ({args.baseline_docs} docs)",
              "render": f"casegen render + atomic write alone ({args.baseline_docs} docs)",
              "cold1": f"casegen build, cold, -j 1 ({args.n} forms)",
              "cold": f"casegen build, cold, -j {args.jobs} ({args.n} forms)"}
    print(f"{'':<48} {'CPU ms':>8} {'x floor':>8} {'wall ms':>8} {'x floor':>8}")
    for key, label in labels.items():
        cpu, wall = h[key]
        print(f"{label:<48} {cpu:8.2f} {cpu / floor_cpu:7.2f}x {wall:8.2f} {wall / floor_wall:7.2f}x")


def child(forms_dir: str, out: str, jobs: str) -> None:
    from casegen import config
    from casegen.batch.build import BuildOptions, build

    report = build([forms_dir], out, config.load(), BuildOptions(jobs=int(jobs)))
    kb = 1024 if sys.platform == "darwin" else 1  # ru_maxrss: bytes on macOS, kB on Linux
    print(json.dumps({"seconds": report.seconds, "built": report.count("built"),
                      "up_to_date": report.count("up to date"), "failed": report.count("failed"),
                      "parent_mb": _peak_mb(),
                      "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kb / 1024}))


def _peak_mb() -> float:
    """This process's peak resident memory. Linux's ru_maxrss keeps the peak of the process that
    started this one (it survives exec), so read VmHWM, which starts afresh at exec."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    except (OSError, AttributeError):
        kb = 1024 if sys.platform == "darwin" else 1
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kb / 1024


def touch_template(path: Path) -> None:
    """New bytes, same document: one more description in the template's core properties."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, blob in parts:
            if info.filename == "docProps/core.xml":
                blob = re.sub(rb"</cp:coreProperties>", b"<dc:description>bench</dc:description>\\g<0>", blob)
            zf.writestr(info, blob)


# the run

def row(label: str, seconds: float, docs: int, naive_ms: float, floor_ms: float, note: str = "") -> str:
    ms = seconds / docs * 1000 if docs else 0.0
    return (f"{label:<46} {seconds:8.2f} s {ms:8.1f} ms/doc  {naive_ms / ms if ms else 0:7.1f}x  "
            f"{floor_ms / ms if ms else 0:6.2f}x  {note}")


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    from casegen import config

    programme = config.load()
    with tempfile.TemporaryDirectory(prefix="casegen-bench-") as tmp:
        tmp = Path(tmp)
        templates = tmp / "templates"
        shutil.copytree(ROOT / "templates", templates)
        env = {**os.environ, "CASEGEN_TEMPLATES": str(templates)}
        os.environ["CASEGEN_TEMPLATES"] = str(templates)
        print(f"making {args.n} forms ...", flush=True)
        started = time.perf_counter()
        big, small = tmp / "forms", tmp / "forms-small"
        forms = make_forms(big, args.n, args.jobs)
        small.mkdir()
        for f in forms[: args.small]:
            shutil.copy(f, small / f.name)
        print(f"  {time.perf_counter() - started:.1f} s", flush=True)
        report_headline(args, headline(args, programme, tmp, forms, big, env))
        if not args.headline_only:
            report(args, forms, measure(args, programme, tmp, forms, big, small, templates, env))


def best_build(repeat: int, before, forms_dir: Path, out: Path, jobs: int, env: dict) -> dict:
    """The fastest of `repeat` builds, each after `before()` has set the stage (on a shared machine
    other work slows some runs; the fastest run is the one least disturbed)."""
    runs = []
    for _ in range(repeat):
        before()
        runs.append(build_in_child(forms_dir, out, jobs, env))
    return min(runs, key=lambda r: r["wall"])


def measure(args, programme, tmp: Path, forms, big: Path, small: Path, templates: Path, env: dict) -> dict:
    base = forms[: args.baseline_docs]
    cases = _cases(base, programme)
    r = args.repeat
    m = {"naive": min(naive(cases, programme, tmp / "naive") for _ in range(r)) / len(base) * 1000,
         "floor": min(floor(cases, tmp / "floor") for _ in range(r)) / len(base) * 1000,
         "stages": stages(base, programme, r)}
    out, bcl = tmp / "out", templates / "business_case_lite.docx"
    m["cold"] = best_build(r, lambda: shutil.rmtree(out, ignore_errors=True), big, out, args.jobs, env)
    m["noop"] = best_build(r, lambda: None, big, out, args.jobs, env)
    m["template"] = best_build(r, lambda: touch_template(bcl), big, out, args.jobs, env)
    m["one"] = best_build(r, lambda: _change_one_form(forms[1], programme), big, out, args.jobs, env)
    m["small"] = build_in_child(small, tmp / "out-small", args.jobs, env)
    assert m["cold"]["failed"] == 0 and m["cold"]["built"] == args.n, m["cold"]
    return m


def report(args, forms, m: dict) -> None:
    n, base, naive_ms, floor_ms = args.n, args.baseline_docs, m["naive"], m["floor"]
    kinds: dict[str, int] = {}
    for f in forms:
        kinds[f.name.split("-", 1)[0]] = kinds.get(f.name.split("-", 1)[0], 0) + 1
    print(f"\ncasegen build, N={n} forms ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}), "
          f"{os.cpu_count()} CPUs, -j {args.jobs}, best of {args.repeat}; per document, and how many times "
          "faster than (1) and (2)")
    print(f"{'':<46} {'total':>10} {'':>14}  {'vs (1)':>8}  {'vs (2)':>6}")
    print(row(f"(1) naive docxtpl, serial ({base} docs)", naive_ms * base / 1000, base, naive_ms, floor_ms,
              "render + save only, no reading"))
    print(row(f"(2) floor: python-docx open + save ({base} docs)", floor_ms * base / 1000, base, naive_ms,
              floor_ms, "no reading, no rendering"))
    for label, key in [("(3) casegen cold build", "cold"), ("(4) rebuild, nothing changed", "noop"),
                       ("(5) rebuild, BCL template changed", "template"), ("(6) rebuild, one form changed", "one")]:
        r = m[key]
        note = f"{r['built']} built, {r['up_to_date']} up to date; in-process {r['seconds']:.2f} s"
        print(row(label, r["wall"], n, naive_ms, floor_ms, note))
    cold, noop, small = m["cold"], m["noop"], m["small"]
    print(f"\n(4) no-op rebuild / (3) cold build: {noop['wall'] / cold['wall']:.1%} of the command "
          f"(in-process {noop['seconds'] / cold['seconds']:.1%}; the rest is Python starting and importing)")
    print(f"peak memory, cold build: N={args.small}: parent {small['parent_mb']:.0f} MB, largest worker "
          f"{small['worker_mb']:.0f} MB;  N={n}: parent {cold['parent_mb']:.0f} MB, largest worker "
          f"{cold['worker_mb']:.0f} MB")
    print("stages, serial, ms a document: " + ", ".join(f"{k} {v:.1f}" for k, v in m["stages"].items()))


def _change_one_form(form: Path, programme) -> None:
    from casegen.intake.form import write_form
    from casegen.intake.reader import read_workbook

    case, _ = read_workbook(form, programme)
    case.project.title += ", revised"
    write_form(case.kind, form, programme, case)


def parse(argv: list[str] | None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300, help="forms in the big build")
    p.add_argument("--small", type=int, default=100, help="forms in the small build (memory)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="build processes")
    p.add_argument("--baseline-docs", type=int, default=60, help="documents timed for (1) and (2)")
    p.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the fastest is shown")
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the headline figures")
    p.add_argument("--headline-only", action="store_true", help="only the headline figures against the floor")
    args = p.parse_args(argv)
    args.small = min(args.small, args.n)
    args.baseline_docs = min(args.baseline_docs, args.n)
    return args


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        main()
