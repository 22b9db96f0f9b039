"""Reading a form: casegen's reader (python-calamine) against openpyxl's full load, measured in the same run.

    python bench/bench_read.py [FORM.xlsx ...] [--repeat N]

For each form: openpyxl's load_workbook(data_only=True) alone; the safety check (`inspect_workbook`:
zip directory, prologues, a regular-expression scan of each sheet); calamine opening the workbook
with its tables and reading every sheet; and the whole of `read_intake` (check, read, validate,
rules). Times are the best of N runs, in ms; ratios are openpyxl's load over each.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def best_ms(fn, repeat: int) -> float:
    fn()  # warm: imports, caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def measure(form: Path, programme, repeat: int) -> dict[str, float]:
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
    return {"openpyxl full load": best_ms(lambda: load_workbook(form, data_only=True).close(), repeat),
            "safety check": best_ms(lambda: inspect_workbook(form), repeat),
            "calamine, tables and every sheet": best_ms(calamine, repeat),
            "read_intake (all of it)": best_ms(lambda: read_intake(form, programme), repeat)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forms", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from casegen import config

    programme = config.load()
    forms = args.forms or sorted((ROOT / "inputs").glob("*.xlsx"))
    for form in forms:
        m = measure(form, programme, args.repeat)
        base = m["openpyxl full load"]
        print(f"{form.name}:")
        for label, ms in m.items():
            ratio = "" if label == "openpyxl full load" else f"  ({base / ms:.1f}x faster than openpyxl's load)"
            print(f"  {label:34} {ms:7.2f} ms{ratio}")


if __name__ == "__main__":
    main()
