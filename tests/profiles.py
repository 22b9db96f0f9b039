"""Hypothesis profiles, one a context, chosen by CASEGEN_HYPOTHESIS (conftest.py loads it before any test).

- fast (the default, `make test`): derandomized, so a run on an untouched tree draws what the last one drew;
  a few dozen examples a property; no example database.
- slow (`-m slow` in CI): derandomized too, with ten times the examples.
- fuzz (`make fuzz`): random, with many more examples and a database in .hypothesis/ that keeps every failure
  found, to explore; what it finds becomes an @example in the test.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

_QUIET = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
_COMMON = dict(deadline=None, suppress_health_check=_QUIET, print_blob=True)

settings.register_profile("fast", derandomize=True, database=None, **_COMMON)
settings.register_profile("slow", derandomize=True, database=None, **_COMMON)
settings.register_profile("fuzz", derandomize=False, database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
                          **_COMMON)

PROFILE = os.environ.get("CASEGEN_HYPOTHESIS", "fast")
if PROFILE not in ("fast", "slow", "fuzz"):
    raise SystemExit(f"CASEGEN_HYPOTHESIS={PROFILE!r}: use fast, slow or fuzz")
settings.load_profile(PROFILE)
EXAMPLE_SCALE = {"fast": 1, "slow": 10, "fuzz": 50}[PROFILE]  # times the examples a property asks for
