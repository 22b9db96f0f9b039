"""How long casegen takes to start: `--version`, a one-form build, a no-op build of N forms, measured in one run.

    python bench/bench_startup.py [--n 300] [--rounds 5] [--forms DIR] [--before SRC]

Each figure is the best of --rounds interleaved rounds (one run of each in turn, so a busy moment of a shared
machine slows them alike), wall time beside the CPU time of the command's whole process tree, every command a
fresh process as a user runs it (the `casegen` script of this Python). The figures print as ratios against
`casegen --version` measured in the same rounds:

  version          casegen --version
  one form         casegen build FORM -o OUT, OUT new each time (the template's compiled form cached by an
                   earlier build, as it is after a user's first build)
  one form, first  the same with casegen's cache emptied first (the template compiled and checked)
  no-op            casegen build FOLDER -o OUT of N forms, every document up to date

Python's compiled bytecode (.pyc) is written first and used, as an installed casegen has it (the variable
PYTHONDONTWRITEBYTECODE is dropped from the commands' environment). casegen's cache is a folder of this run
($CASEGEN_CACHE), never the user's. With --before SRC (the src/ folder of another checkout, say of the commit
before a change), each command is also run with that casegen, in the same rounds, and its figures printed
beside (as ratios against its own `--version`). This is a benchmark, not a test: it prints figures and asserts
nothing.
"""
from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASEGEN = Path(sys.executable).parent / ("casegen.exe" if os.name == "nt" else "casegen")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str], env: dict) -> tuple[float, float]:
    """(wall, CPU) seconds of one casegen command in a fresh process."""
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run([str(CASEGEN), *args], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"casegen {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return wall, _children_cpu() - cpu


def make_forms(folder: Path, n: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_build import make_forms as make  # the same varied forms as the build benchmark

    folder.mkdir()
    make(folder, n, os.cpu_count() or 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="forms of the no-op build")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--forms", type=Path, help="keep the forms in DIR (made if it does not exist) for the next run")
    parser.add_argument("--before", type=Path, help="the src/ folder of a casegen to measure beside this one")
    args = parser.parse_args(argv)
    for src in (ROOT / "src", args.before):
        if src:
            compileall.compile_dir(str(src), quiet=1)
    with tempfile.TemporaryDirectory(prefix="casegen-startup-") as tmp:
        tmp = Path(tmp)
        cache = tmp / "cache"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "CASEGEN_CONFIG")}
        env["CASEGEN_CACHE"] = str(cache)
        forms, one = args.forms or tmp / "forms", tmp / "one"
        if not forms.exists():
            print(f"making {args.n} forms ...", flush=True)
            make_forms(forms, args.n)
        one.mkdir()
        shutil.copy(sorted(forms.glob("bcl-*.xlsx"))[0], one / "form.xlsx")
        run(["build", str(forms), "-o", str(tmp / "all")], env)  # the no-op's folder, built once

        def one_form(empty_cache: bool, env: dict):
            def go():
                shutil.rmtree(tmp / "out", ignore_errors=True)
                if empty_cache:
                    shutil.rmtree(env["CASEGEN_CACHE"], ignore_errors=True)
                return run(["build", str(one / "form.xlsx"), "-o", str(tmp / "out")], env)
            return go

        casegens = {"": env}
        if args.before:  # its own cache; its PYTHONPATH ahead of the installed casegen
            casegens["before"] = {**env, "PYTHONPATH": str(args.before.resolve()), "CASEGEN_CACHE": str(cache) + "-b"}
            run(["build", str(forms), "-o", str(tmp / "all-before")], casegens["before"])
        runs = {}
        for which, its_env in casegens.items():
            noop = tmp / ("all-before" if which else "all")
            runs.update({(which, "version"): lambda e=its_env: run(["--version"], e),
                         (which, "one form"): one_form(False, its_env),
                         (which, "one form, first"): one_form(True, its_env),
                         (which, "no-op"): lambda e=its_env, o=noop: run(["build", str(forms), "-o", str(o)], e)})
        for go in runs.values():
            go()  # warm: the disk cache, the .pyc files, casegen's cache
        best = {label: (float("inf"), float("inf")) for label in runs}
        for _ in range(args.rounds):
            for label, go in runs.items():
                wall, cpu = go()
                best[label] = (min(best[label][0], wall), min(best[label][1], cpu))
    print(f"\nbest of {args.rounds} interleaved rounds, each command a fresh process; ratios against `casegen "
          "--version` of the same casegen in the same rounds")
    for which in casegens:
        report(best, which, args.n)


def report(best: dict, which: str, n: int) -> None:
    version_wall, version_cpu = best[(which, "version")]
    print(f"\n{'casegen ' + which if which else 'this casegen':<34} {'wall s':>7} {'x version':>10} {'CPU s':>7} "
          f"{'x version':>10}")
    labels = {"version": "casegen --version", "one form": "build, one form (template cached)",
              "one form, first": "build, one form (cache empty)", "no-op": f"build, no-op, {n} forms"}
    for key, label in labels.items():
        wall, cpu = best[(which, key)]
        print(f"{label:<34} {wall:7.3f} {wall / version_wall:9.2f}x {cpu:7.3f} {cpu / version_cpu:9.2f}x")


if __name__ == "__main__":
    main()
