"""How long `casegen portfolio` takes against `casegen validate` of the same forms, and its memory.

    python bench/bench_portfolio.py [--n 300] [--small 100] [--jobs N] [--repeat 3]

Makes N forms as bench_build.py does (the samples, each copy its own title, tracker ref and rows),
then times, each command in a fresh process (python start-up included), best of --repeat:

  (1) casegen validate FORMS -j 1                  (reads and checks every form, serially)
  (2) casegen portfolio FORMS -o tracker.xlsx -j 1 (the same check, serially, plus the workbook)
  (3) casegen validate FORMS -j N                  (the same check in N worker processes)
  (4) casegen portfolio FORMS -o tracker.xlsx -j N (likewise, plus the workbook)

and the peak memory of the portfolio (its own process, and its largest worker) at --small forms and
at N forms: flat when workers send back only the tracker's rows. Target: (2) within 1.2 × (1), (4) within
1.2 × (3).
This is a benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_build import _peak_mb, make_forms  # noqa: E402

CLI = "from casegen.cli import main; main()"


def timed(args: list[str], repeat: int) -> float:
    """The fastest wall time of `casegen ARGS` in a fresh process."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, check=False)
        best = min(best, time.perf_counter() - started)
    return best


def memory(forms: Path, out: Path, jobs: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(forms), str(out), str(jobs)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(forms: str, out: str, jobs: str) -> None:
    from casegen import config
    from casegen.portfolio.figures import gather
    from casegen.portfolio.tracker import write_tracker

    found = gather([forms], config.load(), jobs=int(jobs))
    Path(out).write_bytes(write_tracker(found, Path(out)))
    kb = 1024 if sys.platform == "darwin" else 1
    print(json.dumps({"cases": len(found.rows), "excluded": len(found.excluded), "parent_mb": _peak_mb(),
                      "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kb / 1024}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--small", type=int, default=100)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="casegen-bench-portfolio-") as tmp:
        tmp = Path(tmp)
        big, small = tmp / "forms", tmp / "forms-small"
        print(f"making {args.n} forms ...", flush=True)
        forms = make_forms(big, args.n, args.jobs)
        small.mkdir()
        for f in forms[: args.small]:
            shutil.copy(f, small / f.name)
        out = str(tmp / "tracker.xlsx")
        validate = timed(["validate", str(big), "-j", "1"], args.repeat)
        serial = timed(["portfolio", str(big), "-o", out, "-j", "1"], args.repeat)
        validate_n = timed(["validate", str(big), "-j", str(args.jobs)], args.repeat)
        parallel = timed(["portfolio", str(big), "-o", out, "-j", str(args.jobs)], args.repeat)
        m_small, m_big = memory(small, tmp / "s.xlsx", args.jobs), memory(big, tmp / "b.xlsx", args.jobs)
    print(f"\nN={args.n} forms, {os.cpu_count()} CPUs, best of {args.repeat}, fresh process each")
    print(f"(1) casegen validate -j 1             {validate:7.2f} s")
    print(f"(2) casegen portfolio -j 1            {serial:7.2f} s   {serial / validate:5.2f} × (1)")
    print(f"(3) casegen validate -j {args.jobs:<2}            {validate_n:7.2f} s")
    print(f"(4) casegen portfolio -j {args.jobs:<2}           {parallel:7.2f} s   {parallel / validate_n:5.2f} × (3)")
    print(f"peak memory, portfolio: N={args.small}: process {m_small['parent_mb']:.0f} MB, largest worker "
          f"{m_small['worker_mb']:.0f} MB;  N={args.n}: process {m_big['parent_mb']:.0f} MB, largest worker "
          f"{m_big['worker_mb']:.0f} MB  ({m_big['cases']} cases)")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        main()
