"""The floors of docs/architecture.md hold every module: a package or module left out of import-linter's layers
could import anything, and `lint-imports` (run by `make test`) would not say so."""
import pkgutil
import re
import tomllib
from pathlib import Path

import casegen

ROOT = Path(__file__).resolve().parents[1]
NOT_CODE = {"__main__", "templates"}  # `python -m casegen`; the Word templates shipped as package data


def test_every_module_of_casegen_stands_on_a_floor():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c["layers"] for c in config["contracts"] if c["type"] == "layers")
    named = {m for layer in layers for m in re.findall(r"casegen\.(\w+)", layer)}
    modules = {m.name for m in pkgutil.iter_modules(casegen.__path__)} - NOT_CODE
    assert modules - named == set(), "add these to a floor in pyproject.toml and docs/architecture.md"
