"""What --redline costs: a rebuild of ten changed forms, with and without it, in one run.

    python bench/bench_redline.py [--n 10] [--python-redlines PYTHON]

Makes N Business Case Lite forms (the samples, each with its own tracker ref), builds them into two
folders, changes one money field and the summary of every form, and rebuilds each folder in a fresh
process: one plainly, one with --redline. Prints both times, their ratio and the time of the
redline step a document.

With --python-redlines PYTHON (an interpreter with python-redlines[ooxmlpowertools] installed), the
same pairs of documents are also compared by python-redlines' Open-XML-PowerTools engine, for the
engine choice in casegen/batch/redline.py. This is a benchmark, not a test: it asserts nothing.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ["bcl-service-optimisation", "bcl-neighbourhood-working-model"]
ADDED = " The review will also look at the cost of agency staff cover at night and at weekends."


def write_forms(folder: Path, n: int, changed: bool) -> None:
    from casegen import config
    from casegen.intake.form import write_form
    from casegen.models.load import load_json

    programme = config.load()
    for i in range(n):
        case = load_json(ROOT / "samples" / f"{SAMPLES[i % 2]}.json", "bcl", programme)
        case.project.tracker_ref = f"BENCH-{i:04d}"
        if changed:
            year = case.finance.years[1]
            year.recurring_savings = (year.recurring_savings or Decimal(0)) + Decimal(1000 * (i + 1))
            case.summary += ADDED
        write_form("bcl", folder / f"form-{i:02d}.xlsx", programme, case)


def build(forms: Path, out: Path, *options: str) -> float:
    """Seconds of one `casegen build` in a fresh process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from casegen.cli import main; main()", "build", str(forms),
                           "-o", str(out), *options],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stdout}{done.stderr}")
    print(f"    {done.stdout.strip().splitlines()[-1]}")
    return seconds


def previous_path(first: Path, doc: Path) -> Path:
    """The document the rebuild replaced: the first build's, kept in its own folder."""
    return first / doc.name


def redline_step(out: Path, first: Path) -> float:
    """casegen's redline of every pair the rebuild left, timed in this process (seconds a document)."""
    from casegen.batch.redline import write_redline

    docs = sorted(out.glob("*.docx"))
    started = time.perf_counter()
    for doc in docs:
        write_redline(str(previous_path(first, doc)), str(doc), str(out.parent / "bench-redline.docx"),
                      "2024-01-01T00:00:00Z")
    return (time.perf_counter() - started) / len(docs)


PYTHON_REDLINES = """
import sys, time
from pathlib import Path
from python_redlines.engines import XmlPowerToolsEngine
engine = XmlPowerToolsEngine()
pairs = [line.split("\\t") for line in sys.stdin.read().splitlines()]
started = time.perf_counter()
for old, new in pairs:
    out, _, _ = engine.run_redline("casegen", Path(old).read_bytes(), Path(new).read_bytes())
print((time.perf_counter() - started) / len(pairs), len(out))
"""


def python_redlines(python: str, out: Path, first: Path) -> str:
    pairs = "\n".join(f"{previous_path(first, d)}\t{d}" for d in sorted(out.glob("*.docx")))
    done = subprocess.run([python, "-c", PYTHON_REDLINES], input=pairs, capture_output=True, text=True)
    if done.returncode != 0:
        return f"did not run ({done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode})"
    seconds, size = done.stdout.split()
    return f"{float(seconds) * 1000:.0f} ms a document (a {int(size) // 1024} KB redline)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="changed forms")
    parser.add_argument("--repeat", type=int, default=3, help="rebuilds of each kind (the fastest counts)")
    parser.add_argument("--python-redlines", metavar="PYTHON", help="an interpreter with python-redlines installed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="casegen-bench-redline-") as tmp:
        tmp = Path(tmp)
        forms = tmp / "forms"
        forms.mkdir()
        write_forms(forms, args.n, changed=False)
        print(f"{args.n} forms; first build:")
        build(forms, tmp / "first")
        write_forms(forms, args.n, changed=True)
        print(f"rebuilds after {args.n} forms changed (a money field and the summary of each), from copies of it:")
        plain, redline = [], []
        for r in range(args.repeat):  # alternated, so that the machine's other load falls on both
            shutil.copytree(tmp / "first", tmp / f"plain{r}")
            shutil.copytree(tmp / "first", tmp / f"redline{r}")
            plain.append(build(forms, tmp / f"plain{r}"))
            redline.append(build(forms, tmp / f"redline{r}", "--redline"))
        print(f"  without --redline  {min(plain):6.2f} s   (fastest of {args.repeat})")
        print(f"  with --redline     {min(redline):6.2f} s   ratio {min(redline) / min(plain):.2f}")
        step = redline_step(tmp / 'redline0', tmp / 'first')
        print(f"  casegen's redline step: {step * 1000:.0f} ms a document (one process)")
        if args.python_redlines:
            theirs = python_redlines(args.python_redlines, tmp / 'redline0', tmp / 'first')
            print(f"  python-redlines (Open-XML-PowerTools): {theirs}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
