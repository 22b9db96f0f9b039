"""Peak memory of `casegen build`, `validate` and `portfolio` at several numbers of forms: is it flat?

    python bench/bench_memory.py [--sizes 1000,3000] [--keep-forms DIR] [--jobs N] [--commands build,validate,portfolio]

Makes the forms as bench_build.py does (the samples, each copy its own title, tracker ref and rows), then runs
each command on each size in a fresh process and samples, every ~20 ms, the PSS of its whole process tree
(casegen and its workers: the sum of /proc/PID/smaps_rollup's Pss over the process and its descendants, so a
page the forked workers share with casegen is counted once). Prints the peak of each, the peak of casegen's own
process beside it, and the ratio of the largest size to the smallest (flat: 1.0).

Making 3,000 forms takes minutes: with --keep-forms DIR the forms are kept in DIR and reused by the next run
(only the missing ones are made). Linux only (it reads /proc). This is a benchmark, not a test: it prints
figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_build import ROOT, _write_form  # noqa: E402

CLI = "from casegen.cli import main; main()"
SAMPLE_EVERY, TREE_EVERY = 0.02, 0.1  # seconds: PSS sampled, the process tree looked up again


# the forms

def forms_for(keep: Path, n: int, jobs: int) -> Path:
    """A folder of the first `n` forms, made (or the missing ones made) under `keep/all` and copied."""
    every, folder = keep / "all", keep / f"forms-{n}"
    every.mkdir(parents=True, exist_ok=True)
    samples = sorted((ROOT / "samples").glob("*.json"))
    names = [(samples[i % len(samples)], i) for i in range(n)]
    missing = [(s, i, every) for s, i in names if not (every / f"{s.stem}-{i:04d}.xlsx").exists()]
    if missing:
        print(f"making {len(missing)} forms in {every} ...", flush=True)
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_write_form, missing, chunksize=8))
    wanted = {f"{s.stem}-{i:04d}.xlsx" for s, i in names}
    folder.mkdir(exist_ok=True)
    for extra in set(os.listdir(folder)) - wanted:
        (folder / extra).unlink()
    for name in wanted - set(os.listdir(folder)):
        shutil.copy(every / name, folder / name)
    return folder


# sampling

def _tree(root: int) -> list[int]:
    """`root` and every process descended from it (by each process's parent in /proc/PID/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])  # after the name, which may hold spaces
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass  # the process has just ended
    return 0


def peak_pss(args: list[str]) -> dict:
    """Run `casegen ARGS`; the peak PSS (MB) of its process tree and of casegen's own process, its wall time."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", CLI, *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    tree, looked, peak, own = [process.pid], 0.0, 0, 0
    while process.poll() is None:
        now = time.perf_counter()
        if now - looked > TREE_EVERY:
            tree, looked = _tree(process.pid), now
        sizes = [_pss_kb(pid) for pid in tree]
        peak, own = max(peak, sum(sizes)), max(own, sizes[0])
        time.sleep(SAMPLE_EVERY)
    err = process.stderr.read().decode(errors="replace") if process.stderr else ""
    return {"tree": peak / 1024, "own": own / 1024, "wall": time.perf_counter() - started,
            "rc": process.returncode, "err": err.strip().splitlines()[-1:] if process.returncode > 1 else []}


def command(name: str, forms: Path, out: Path, jobs: int) -> list[str]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    if name == "build":
        return ["build", str(forms), "-o", str(out / "documents"), "-j", str(jobs), "-q"]
    if name == "validate":
        return ["validate", str(forms), "-j", str(jobs), "-q"]
    return ["portfolio", str(forms), "-o", str(out / "tracker.xlsx"), "-j", str(jobs)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,3000", help="numbers of forms, comma-separated")
    p.add_argument("--keep-forms", type=Path, help="keep the forms made here, and reuse them next time")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--commands", default="build,validate,portfolio")
    args = p.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    commands = args.commands.split(",")
    with tempfile.TemporaryDirectory(prefix="casegen-bench-memory-") as tmp:
        keep = args.keep_forms or Path(tmp) / "forms"
        figures: dict[tuple[str, int], dict] = {}
        for n in sizes:
            forms = forms_for(keep, n, args.jobs)
            for name in commands:
                figures[name, n] = r = peak_pss(command(name, forms, Path(tmp) / "out", args.jobs))
                print(f"{name:<9} {n:>6} forms: peak PSS {r['tree']:6.1f} MB (casegen's own process "
                      f"{r['own']:6.1f} MB), {r['wall']:6.1f} s, exit {r['rc']} {' '.join(r['err'])}", flush=True)
    small, big = sizes[0], sizes[-1]
    print(f"\npeak PSS of the whole process tree, -j {args.jobs}, {os.cpu_count()} CPUs")
    print(f"{'':<10}" + "".join(f"{n:>10}" for n in sizes) + f"{f'{big}/{small}':>12}")
    for name in commands:
        row = [figures[name, n]["tree"] for n in sizes]
        print(f"{name:<10}" + "".join(f"{v:8.1f}MB" for v in row) + f"{row[-1] / row[0]:11.2f}x")


if __name__ == "__main__":
    main()
