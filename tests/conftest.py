"""Fixtures the tests share; plain helpers are in helpers.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from casegen import config
from casegen.intake.form import write_form
from helpers import sample_case


@pytest.fixture(scope="session")
def programme():
    return config.load()


@pytest.fixture
def make_form(tmp_path, programme):
    """Write a filled intake form for a sample (optionally changed by `edit`) into tmp_path."""

    def make(name: str = "bcl-service-optimisation", edit=None, filename: str | None = None) -> Path:
        case = sample_case(name, programme)
        if edit:
            edit(case)
        return write_form(case.kind, tmp_path / (filename or f"{name}.xlsx"), programme, case)

    return make
