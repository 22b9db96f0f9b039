"""What `build --pdf` costs: LibreOffice with a new profile each build, against kept profiles and -j processes.

    python bench/bench_pdf.py [--rounds 3]

Builds 4 and 20 Business Case Lite documents once, then converts each set, interleaved, fastest of ROUNDS:
(a) the way casegen did before: one LibreOffice, a new profile each time (an empty cache every round);
(b) now: kept profiles (the cache warmed once), the batch shared by up to -j 2 processes.
Prints seconds, a straight line through the two sizes (fixed cost + cost a document) and the ratio (b)/(a).
A benchmark, not a test: it asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def documents(folder: Path, n: int) -> list[Path]:
    from casegen import config
    from casegen.intake.form import write_form
    from casegen.models.load import load_json
    from casegen.render import render_case

    programme = config.load()
    out = []
    for i in range(n):
        case = load_json(ROOT / "samples" / "bcl-service-optimisation.json", "bcl", programme)
        case.project.tracker_ref = f"PDF-{i:03d}"
        write_form("bcl", folder / f"form-{i:03d}.xlsx", programme, case)
        doc = folder / f"doc-{i:03d}.docx"
        doc.write_bytes(render_case(case, programme))
        out.append(doc)
    return out


def timed(docs: list[Path], out: Path, jobs: int, cache: Path) -> float:
    from casegen.batch import pdf

    os.environ["CASEGEN_CACHE"] = str(cache)
    for old in out.glob("*.pdf"):
        old.unlink()
    started = time.perf_counter()
    result = pdf.convert(docs, out, jobs)
    seconds = time.perf_counter() - started
    if not result.ok:
        sys.exit(f"conversion failed: {result.message}")
    return seconds


def line(small: tuple[int, float], large: tuple[int, float]) -> tuple[float, float]:
    per = (large[1] - small[1]) / (large[0] - small[0])
    return small[1] - per * small[0], per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        top = Path(tmp)
        sets = {}
        for n in (4, 20):
            (top / str(n)).mkdir()
            sets[n] = documents(top / str(n), n)
        warm = top / "warm-cache"
        timed(sets[4], top / "4", 2, warm)  # the kept profiles made once, as the first --pdf build makes them
        best: dict[tuple[str, int], float] = {}
        for _ in range(args.rounds):
            for n, docs in sets.items():
                fresh = top / f"fresh-{time.perf_counter_ns()}"
                for key, seconds in ((("before", n), timed(docs, top / str(n), 1, fresh)),
                                     (("now", n), timed(docs, top / str(n), 2, warm))):
                    best[key] = min(best.get(key, seconds), seconds)
                shutil.rmtree(fresh, ignore_errors=True)
        for way in ("before", "now"):
            fixed, per = line((4, best[(way, 4)]), (20, best[(way, 20)]))
            print(f"{way:6}  4 documents {best[(way, 4)]:5.2f} s, 20 documents {best[(way, 20)]:5.2f} s  "
                  f"= {fixed:.2f} s + {per:.3f} s a document")
        print(f"now / before, 20 documents: {best[('now', 20)] / best[('before', 20)]:.2f}x")


if __name__ == "__main__":
    main()
