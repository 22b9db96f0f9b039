# The two quick-start commands: `make build` (samples in inputs/ -> output/) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: build test samples templates bench wheel-smoke

$(BIN)/casegen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

build: $(BIN)/casegen
	$(BIN)/casegen build inputs -o output

# The floors first (import-linter's contracts in pyproject.toml: no package imports a floor above it), then the tests.
test: $(BIN)/casegen
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# Regenerate the sample forms in inputs/ from the data in samples/ (after the form changes).
samples: $(BIN)/casegen
	$(BIN)/python tools/make_samples.py

# Redraw the Word templates from tools/make_*_template.py (overwrites edits made in Word).
templates: $(BIN)/casegen
	$(BIN)/python tools/make_bcl_template.py
	$(BIN)/python tools/make_brief_template.py
	$(BIN)/python tools/make_summary_template.py

bench: $(BIN)/casegen
	$(BIN)/python bench/bench_build.py

# Build a wheel, install it into a fresh venv outside the checkout and use it from another folder (as CI does).
wheel-smoke:
	PYTHON=$(PYTHON) tools/wheel_smoke.sh
