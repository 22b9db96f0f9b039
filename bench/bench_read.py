"""Reading a form: casegen's reader (python-calamine) against openpyxl's full load, measured in the same run.

    python bench/bench_read.py [FORM.xlsx ...] [--rounds N]

For each form: openpyxl's load_workbook(data_only=True) alone (the baseline); the safety check
(`inspect_workbook`: zip directory, every part inflated within its budget, each sheet's extent and the
cells holding a formula, an error or text in a number cell); calamine opening the workbook with its
tables and reading every sheet's values; and the whole of `read_intake` (check, read, validate, rules).
Each figure is the best of N interleaved rounds (one run of each in turn, so a busy moment of a shared
machine slows them alike), in CPU ms of this process with wall ms beside it, and as a fraction of
openpyxl's full load in CPU time.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "openpyxl full load"


def best_of_rounds(fns: dict, rounds: int) -> dict[str, tuple[float, float]]:
    """label -> (CPU ms, wall ms), each the least of `rounds` interleaved runs."""
    for fn in fns.values():
        fn()  # warm: imports, caches, the disk cache
    best = {label: (float("inf"), float("inf")) for label in fns}
    for _ in range(rounds):
        for label, fn in fns.items():
            cpu, wall = time.process_time(), time.perf_counter()
            fn()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            best[label] = (min(best[label][0], cpu * 1000), min(best[label][1], wall * 1000))
    return best


def measure(form: Path, programme, rounds: int) -> dict[str, tuple[float, float]]:
    from openpyxl import load_workbook

    from casegen.intake.book import Book
    from casegen.intake.reader import read_intake
    from casegen.intake.workbook import inspect_workbook

    def calamine():
        book = Book(form, facts)
        for sheet in book.sheetnames:
            book.grid(sheet)
        book.close()

    facts = inspect_workbook(form)
    return best_of_rounds({BASE: lambda: load_workbook(form, data_only=True).close(),
                           "safety check": lambda: inspect_workbook(form),
                           "calamine, tables and every sheet": calamine,
                           "read_intake (all of it)": lambda: read_intake(form, programme)}, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forms", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    from casegen import config

    programme = config.load()
    forms = args.forms or sorted((ROOT / "inputs").glob("*.xlsx"))
    print(f"best of {args.rounds} interleaved rounds; CPU ms (wall ms), and CPU time against openpyxl's full load")
    for form in forms:
        m = measure(form, programme, args.rounds)
        base = m[BASE][0]
        print(f"{form.name}:")
        for label, (cpu, wall) in m.items():
            print(f"  {label:34} {cpu:7.2f} ms ({wall:6.2f})  {cpu / base:5.2f}x openpyxl's load")


if __name__ == "__main__":
    main()
