# The two quick-start commands: `make build` (samples in inputs/ -> output/) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: build test lint fast slow fuzz audit samples templates bench wheel-smoke

$(BIN)/casegen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

build: $(BIN)/casegen
	$(BIN)/casegen build inputs -o output

# The static checks first (ruff and mypy, zero findings), the floors (import-linter's contracts in pyproject.toml: no
# package imports a floor above it), then the fast suite (at most 90 s on 2 cores), then the slow one (LibreOffice,
# Chromium, batches: at most 10 minutes).
test: $(BIN)/casegen
	$(MAKE) --no-print-directory lint
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory fast slow

# ruff (pyproject.toml's [tool.ruff]: style, bugbear, sorted imports, pyupgrade) and mypy (src/, pydantic's plugin).
lint: $(BIN)/casegen
	$(BIN)/ruff check src tests tools bench
	$(BIN)/mypy

fast: $(BIN)/casegen
	$(BIN)/python -m pytest -m "not slow" -n auto -p no:cacheprovider

slow: $(BIN)/casegen
	CASEGEN_HYPOTHESIS=slow $(BIN)/python -m pytest -m slow -p no:cacheprovider

# Explore: the properties with random draws and fifty times the examples; failures are kept in .hypothesis/.
fuzz: $(BIN)/casegen
	CASEGEN_HYPOTHESIS=fuzz $(BIN)/python -m pytest tests/test_property.py -p no:cacheprovider

# Audit every .docx and .xlsx that any fast test leaves behind (openxml-audit, accessibility), not only one of each kind.
audit: $(BIN)/casegen
	$(BIN)/python -m pytest -m "not slow" --audit-all -p no:cacheprovider

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
