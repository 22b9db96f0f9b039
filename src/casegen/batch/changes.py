"""What changed in a case between two builds, field by field, in the form's own words.

Two cases (as the build remembers them: their values as JSON) are compared by the form's layout
(intake.spec): a field by its sheet and label, a table row by its first column, so a lead reads
`Finance › Recurring Savings 24/25: £200,000 → £150,000` (intake/labels.py, as validate names it), not a JSON path.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from difflib import SequenceMatcher

CHANGED, TEXT, ADDED, REMOVED, TEMPLATE = "changed", "text", "added", "removed", "template"
REBUILT, EDITED, PRUNED = "rebuilt", "edited", "pruned"  # why a document was built again; a person's edit kept
# aside; a document removed because its form is gone (build --prune)
LONG_TEXT = 12  # words: a longer text is summarised ("text changed (+38 words)"), not printed twice



@dataclass(frozen=True, slots=True)
class Change:
    """One change of one form: a field's value, a table's row, or (form "") a template."""

    form: str  # the document's name, without .docx
    field: str  # the label, as the form shows it
    old: str = ""
    new: str = ""
    what: str = CHANGED
    kind: str = ""  # for a template change: the kind of document it makes
    date: str = ""  # when the build that found it ran (UTC)

    def line(self) -> str:
        if self.what == TEMPLATE:
            return f"every {self.kind.upper()} document changed: {self.field} changed"
        if self.what == REBUILT:
            return f"{self.form}: built ({self.new})"
        if self.what == EDITED:
            return f"{self.form}: edited since casegen built it; kept as {self.new}"
        if self.what == PRUNED:
            return f"{self.form}: removed, as its intake form {self.old} is gone"
        place = f"{self.form}: {self.field}"
        if self.what == TEXT:
            delta = len(self.new.split()) - len(self.old.split())
            return f"{place}: text changed ({delta:+d} words)" if delta else f"{place}: text changed (reworded)"
        if self.what == ADDED:
            return f"{place}: added {self.new!r}"
        if self.what == REMOVED:
            return f"{place}: removed {self.old!r}"
        return f"{place}: {self.old} → {self.new}"

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v or k in ("form", "field", "what")}


def as_printed(value, kind: str) -> str:
    """A value as the document prints it (money in pounds), "blank" for none."""
    if value is None or value == "" or value == []:
        return "blank"
    if kind == "money":
        from casegen.models.values import format_money  # here: a build with nothing to do loads no model (pydantic)

        return format_money(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _get(data, path: tuple):
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def diff_cases(form: str, kind: str, old: dict, new: dict) -> list[Change]:
    """Every field and table row of the form whose value differs between `old` and `new`."""
    # Imported here: this module comes with every build, and a build with nothing to do would spend 42 ms
    # (python -X importtime) loading the models and the form's layout that only a rebuilt document needs.
    from casegen.intake import labels, spec
    from casegen.models import KINDS

    model, changes = KINDS[kind], []

    def named(path: tuple) -> str:  # as validate names the field (intake/labels.py), less the cell
        return labels.name(model, path, new)

    for sheet in spec.sheets(model):
        for block in sheet.blocks:
            if isinstance(block, spec.Scalar):
                changes += _value(form, named(block.path), block.column.kind, _get(old, block.path),
                                  _get(new, block.path))
            elif isinstance(block, spec.Table):
                changes += _table(form, named(block.path), block, _get(old, block.path) or [],
                                  _get(new, block.path) or [], named)
    return changes


def _value(form: str, label: str, kind: str, old, new) -> list[Change]:
    if as_printed(old, kind) == as_printed(new, kind):
        return []
    if kind == "longtext" and old and new and max(len(str(old).split()), len(str(new).split())) > LONG_TEXT:
        return [Change(form, label, str(old), str(new), TEXT)]
    return [Change(form, label, as_printed(old, kind), as_printed(new, kind))]


def _key_column(block) -> int:
    """The column that names a row: the first, unless it is a bullet's level."""
    return 1 if block.columns[0].kind == "level" and len(block.columns) > 1 else 0


def _key(block, row: dict) -> str:
    col = block.columns[_key_column(block)]
    return as_printed(row.get(col.name), col.kind)


def _described(block, row: dict) -> str:
    """A row as a person names it: its first column, and the start of the next text if that is short."""
    key = _key(block, row)
    rest = [c for c in block.columns[_key_column(block) + 1:] if c.kind in ("text", "longtext")]
    if len(key) < 12 and rest and row.get(rest[0].name):
        words = str(row[rest[0].name]).split()
        key += " " + " ".join(words[:6]) + (" …" if len(words) > 6 else "")
    return key


def _table(form: str, label: str, block, old: list, new: list, named) -> list[Change]:
    """Rows matched by their first column (in order): added, removed, or changed cell by cell."""
    changes = []
    ops = SequenceMatcher(None, [_key(block, r) for r in old], [_key(block, r) for r in new], autojunk=False)
    for op, i1, i2, j1, j2 in ops.get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:  # a row edited in place, its first column with it
            pairs = zip(old[i1:i2], new[j1:j2], strict=True)
        elif op == "equal":
            pairs = zip(old[i1:i2], new[j1:j2], strict=True)
        else:
            changes += [Change(form, label, _described(block, r), "", REMOVED) for r in old[i1:i2]]
            changes += [Change(form, label, "", _described(block, r), ADDED) for r in new[j1:j2]]
            continue
        for j, (was, now) in enumerate(pairs, start=j1):
            for col in block.columns:
                name = label if len(block.columns) == 1 else named(block.path + (j, col.name))
                changes += _value(form, name, col.kind, was.get(col.name), now.get(col.name))
    return changes


def when_for_people(date: str) -> str:
    """A build's date (UTC, ISO, as stored and as JSON gives it) as a person reads it, in local time:
    "6 Dec 2026, 20:24". A date that does not read as one is shown as stored."""
    try:
        when = datetime.fromisoformat(date.replace("Z", "+00:00"))
    except ValueError:
        return date
    local = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone()
    return f"{local.day} {local:%b %Y, %H:%M}"
