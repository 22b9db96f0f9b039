"""One registry of problem codes (casegen/codes.py): every code casegen can print is in it with its
explanation, `casegen rules` lists it, and the registry holds nothing that casegen never prints."""
import ast
import re
from pathlib import Path

import pytest

from casegen.codes import CODES
from casegen.errors import Problem
from casegen.intake import spec
from casegen.intake.reader import VALUE_CODES
from casegen.models import KINDS
from helpers import lines, run

SRC = Path(__file__).resolve().parents[1] / "src" / "casegen"
KEBAB = re.compile(r"[a-z]+(-[a-z]+)+")
NOT_CODES = {"last-build", "carried-over", "casegen-parent-watch", "aria-label"}  # kebab-case words in src/ that are
# not problem codes (batch/carry.py's file and folder of the format before the store, batch/check.py's thread name,
# an HTML attribute of render/html.py)


def _literals() -> dict[str, set[str]]:
    """Every code written in src/: a kebab-case string, or any string given as `code=` or as a `code`
    parameter's default; with the files it is written in."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        if path.name == "codes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            strings = []
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEBAB.fullmatch(node.value):
                strings.append(node.value)
            elif isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                strings.append(node.value.value)
            elif isinstance(node, ast.arguments):
                named = node.posonlyargs + node.args
                for arg, default in zip(named[len(named) - len(node.defaults):], node.defaults, strict=True):
                    if arg.arg == "code" and isinstance(default, ast.Constant) and default.value:
                        strings.append(default.value)
            for s in strings:
                found.setdefault(s, set()).add(str(path.relative_to(SRC)))
    return found


def _value_codes() -> set[str]:
    """The codes the reader makes from the kind of a cell (value-money, value-date, ...), as it makes them."""
    kinds = {c.kind for model in KINDS.values() for sheet in spec.sheets(model) for b in spec.named_blocks(sheet)
             for c in (b.columns if isinstance(b, spec.Table) else (b.column,))}
    return {VALUE_CODES.get(kind, f"value-{kind}") for kind in kinds}


def test_every_code_written_in_src_is_registered_with_an_explanation():
    written = {code: files for code, files in _literals().items() if code not in NOT_CODES}
    missing = {code: sorted(files) for code, files in written.items() if code not in CODES}
    assert not missing, f"codes printed by casegen but not in casegen/codes.py: {missing}"
    assert _value_codes() <= set(CODES)
    for entry in CODES.values():
        assert entry.severity in ("error", "warning"), entry
        assert entry.explanation.endswith(".") and "\n" not in entry.explanation, entry
        assert entry.kinds and set(entry.kinds) <= set(KINDS), entry


def test_the_registry_has_no_code_that_casegen_never_prints():
    used = set(_literals()) | _value_codes()
    assert sorted(set(CODES) - used) == []


def test_a_problem_with_an_unregistered_code_is_refused_at_once():
    with pytest.raises(KeyError, match="'value-mony' is not in casegen/codes.py"):
        Problem("form.xlsx", "must be an amount", code="value-mony")
    assert Problem("form.xlsx", "must be an amount", code="value-money").code == "value-money"


def test_casegen_rules_lists_every_code_casegen_prints():
    result = run("rules")
    assert result.exit_code == 0
    listed = {line.split()[0]: line for line in lines(result)}
    assert set(listed) == set(CODES)
    for code in ("template-unprinted-field", "template-syntax", "import-unplaced", "import-missing-section",
                 "import-risk-total", "strict", "build-render"):
        assert CODES[code].explanation in listed[code]
