"""Loading a case saved as JSON (the samples' data, or the output of `casegen dump`)."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from casegen.bounded import Unreadable, nesting, read_bounded
from casegen.errors import IntakeError, Problem
from casegen.models import KINDS

MAX_DATA = 10 * 2**20  # bytes; a case's JSON is a few kB
MAX_DEPTH = 32  # lists and objects inside each other; a case has 4


def load_json(path: Path, kind: str, programme):
    try:
        data = json.loads(read_bounded(path, MAX_DATA, "case's data").decode("utf-8"))
    except Unreadable as exc:
        raise IntakeError([Problem(str(path), str(exc))]) from None
    except RecursionError:  # a list in a list ... thousands deep: no case is
        raise IntakeError([Problem(str(path), "cannot read the JSON: it is nested far more deeply than any case")]) \
            from None
    except (OSError, ValueError) as exc:
        raise IntakeError([Problem(str(path), f"cannot read the JSON: {exc}")]) from None
    if nesting(data, MAX_DEPTH) > MAX_DEPTH:
        raise IntakeError([Problem(str(path), "cannot read the JSON: it is nested far more deeply than any case")])
    if isinstance(data, dict):
        if data.setdefault("kind", kind) != kind and data["kind"] in KINDS:
            raise IntakeError([Problem(str(path), f"is a case of kind '{data['kind']}', not '{kind}'; "
                                                  f"use `casegen new {data['kind']} FILE.xlsx --data {path}`")])
        # `casegen dump` includes computed figures; they are worked out again, never read.
        data = _strip_computed(KINDS[kind], data)
    try:
        return KINDS[kind].model_validate(data, context={"programme": programme})
    except ValidationError as exc:
        raise IntakeError([Problem(str(path), e["msg"].removeprefix("Value error, "),
                                   field=".".join(str(p) for p in e["loc"])) for e in exc.errors()]) from None


def _strip_computed(model, data):
    import typing

    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        if key in model.model_computed_fields:
            continue
        info = model.model_fields.get(key)
        sub = info.annotation if info else None
        if typing.get_origin(sub) is list and isinstance(value, list):
            (item,) = typing.get_args(sub)
            value = [_strip_computed(item, v) if hasattr(item, "model_fields") else v for v in value]
        elif hasattr(sub, "model_fields"):
            value = _strip_computed(sub, value)
        out[key] = value
    return out
