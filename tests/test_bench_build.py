"""The benchmark still runs (on a handful of forms; its figures are for `make bench`, not for a test)."""
import subprocess
import sys

import pytest

from helpers import ROOT

pytestmark = pytest.mark.slow  # about 4 s: it builds, rebuilds and times documents in subprocesses


def test_benchmark_runs_and_prints_every_figure():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_build.py"), "--n", "4", "--small", "2",
                           "--baseline-docs", "2", "--jobs", "2", "--repeat", "1"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for label in ("(1) naive docxtpl", "(2) floor", "(3) casegen cold build", "(4) rebuild, nothing changed",
                  "(5) rebuild, BCL template changed", "(6) rebuild, one form changed", "peak memory", "stages"):
        assert label in out, out
    assert "4 built, 0 up to date" in out and "0 built, 4 up to date" in out and "1 built, 3 up to date" in out
