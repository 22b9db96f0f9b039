"""What the kinds share: the document as sections, and readers for label tables, data tables and lists.

A `Reading` gathers the case as raw text, shaped like the case model's data (`{"project": {"title":
…}, "risks": [{…}]}`), and remembers every paragraph, table and row it placed; what is left over is
reported by section and first words. Values are kept as typed: the intake form's reader checks them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from casegen.models.values import MARKER, TextBlock
from casegen.wordimport.match import field_labels, norm, same, which
from casegen.wordimport.text import Cell, Para, WordTable

NONE = {"", "-", "–", "—", "n/a", "none"}


@dataclass
class Section:
    key: str  # the format's name for it; "" before the first heading, "?" for one the format lacks
    title: str  # as the document writes it
    blocks: list = field(default_factory=list)


@dataclass
class Reading:
    kind: str
    data: dict = field(default_factory=dict)
    leftovers: list[tuple[str, str]] = field(default_factory=list)  # (section, text) not placed
    found: set[str] = field(default_factory=set)  # the format's sections the document has
    typed_totals: dict[int, str] = field(default_factory=dict)  # risk index -> total as typed
    unread: list[str] = field(default_factory=list)  # what Word shows that casegen cannot read, in words
    section: Section = field(default_factory=lambda: Section("", ""))  # before the first heading
    target: tuple = ()  # the list that bullets go to, in sections with sub-headings

    def put(self, path: tuple, value) -> None:
        data = self.data
        for part in path[:-1]:
            data = data.setdefault(part, {})
        data[path[-1]] = value

    def get(self, path: tuple, default=None):
        data = self.data
        for part in path:
            if not isinstance(data, dict) or part not in data:
                return default
            data = data[part]
        return data

    def add(self, path: tuple, item) -> None:
        items = self.get(path)
        if items is None:
            items = []
            self.put(path, items)
        items.append(item)

    def append_text(self, path: tuple, text: str) -> None:
        """Paragraphs of a long text, a blank line between them as the form expects."""
        before = self.get(path)
        self.put(path, f"{before}\n\n{text}" if before else text)

    def append_block(self, path: tuple, p: Para) -> None:
        """A paragraph or a bullet of a long text, written back as the form holds it (models.values.joined)."""
        self.put(path, with_block(self.get(path) or "", p))

    def unplaced(self, text: str) -> None:
        self.leftovers.append((self.section.title if self.section else "", text))


def flatten(blocks: list) -> list:
    """Boxes (one-column tables) opened into their paragraphs; a merged title row made a paragraph of
    its own; empty rows dropped: what is left are paragraphs and real data tables."""
    out: list[Para | WordTable] = []
    for b in blocks:
        if isinstance(b, Para):
            out.append(b)
        elif all(len(row) == 1 for row in b.rows):
            for row in b.rows:
                out.extend(flatten(row[0].blocks))
        else:
            rows = b.rows
            if rows and len(rows[0]) == 1 and rows[0][0].text:
                out.extend(flatten(rows[0][0].blocks))
                rows = rows[1:]
            out.append(WordTable([r for r in rows if any(c.text for c in r)]))
    return out


def split(stream: list, headings: dict[str, str], prefixed=frozenset(), inner=()) -> list[Section]:
    """The stream cut at the format's headings, and at headings the format lacks: a paragraph styled
    as a heading, or a short bold one that is none of the format's `inner` sub-headings."""
    sections = [Section("", "")]
    for b in stream:
        key = heading_key(b, headings, prefixed) if isinstance(b, Para) and not b.bullet else None
        if key:
            b.used = True
            sections.append(Section(key, b.text))
        elif isinstance(b, Para) and len(sections) > 1 and _foreign_heading(b, inner):
            sections.append(Section("?", b.text, [b]))
        else:
            sections[-1].blocks.append(b)
    return sections


def _foreign_heading(p: Para, inner) -> bool:
    if not p.text or p.bullet:
        return False
    short_bold = p.bold and len(p.text.split()) <= 8 and not any(same(p.text, label) for label in inner)
    return bool(p.heading) or short_bold


def heading_key(p: Para, headings: dict[str, str], prefixed=frozenset()) -> str | None:
    if not p.text or len(p.text) > 200:
        return None
    key = which(p.text, headings)
    if key:
        return key
    for key in prefixed:
        if norm(p.text).startswith(norm(headings[key])):
            return key
    return None


def after_label(text: str, label: str) -> str:
    """What follows `label` at the start of `text` ("Project involves … data? Yes" -> "Yes")."""
    words = norm(label).split()
    pattern = r"\W*".join(re.escape(w) for w in words)
    m = re.match(rf"\W*{pattern}\s*[:?.–-]?\s*", text, re.I)  # one separator: a quote opening the value stays
    return text[m.end():].strip() if m else text


def text_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def items(text: str) -> list[dict]:
    """A cell of entries one a line ("-" for none) as list items."""
    return [{"text": line} for line in text_lines(text) if line.lower() not in NONE]


def _block(p: Para) -> TextBlock:
    return TextBlock(text=p.text, level=(2 if p.level >= 2 else 1) if p.bullet else 0)


def with_block(text: str, p: Para) -> str:
    """`text` and one more paragraph or bullet: a blank line between two paragraphs, a line break next to a bullet."""
    if not text:
        return _block(p).line
    after_bullet = bool(MARKER.match(text.rsplit("\n", 1)[-1]))
    return text + ("\n" if p.bullet or after_bullet else "\n\n") + _block(p).line


def cell_text(cell: Cell) -> str:
    """A cell's text; where it holds bullets, each written as the form holds a bullet typed in a cell ("- ")."""
    paras = [p for p in cell.paras if p.text]
    if not any(p.bullet for p in paras):
        return cell.text
    text = ""
    for p in paras:
        text = with_block(text, p)
    return text


def bullet(p: Para) -> dict:
    return {"level": 2 if p.level >= 2 else 1, "text": p.text}


def cell_bullets(cell: Cell) -> list[dict]:
    return [bullet(p) for p in cell.paras if p.text]


def label_table(reading: Reading, table: WordTable, path: tuple, model, header=()) -> bool:
    """A table of label | value rows for the fields of `model`; False if it is not one."""
    labels = field_labels(model)
    keys = [which(row[0].text, labels) if row else None for row in table.rows]
    if sum(1 for k in keys if k) < 2:
        return False
    lists = {n for n, info in model.model_fields.items() if getattr(info.annotation, "__origin__", None) is list}
    for key, row in zip(keys, table.rows, strict=True):
        value = "\n".join(c.text for c in row[1:] if c.text)
        if key in lists:
            reading.put(path + (key,), items(value))
        elif key:
            reading.put(path + (key,), value)
        elif not all(any(same(c.text, h) for h in header) for c in row):
            reading.unplaced(" ".join(c.text for c in row))
    table.used = True
    return True


def columns(header: list[Cell], labels: dict[str, str]) -> dict[int, str]:
    """Column index -> field, for the header cells that name a field."""
    out: dict[int, str] = {}
    for i, cell in enumerate(header):
        key = which(cell.text, labels)
        if key and key not in out.values():
            out[i] = key
    return out


def grid(reading: Reading, table: WordTable, labels: dict[str, str], row_item=None, need: int = 2) -> list | None:
    """The rows of a data table whose header names at least `need` of `labels`; None if it is not one.

    `row_item(cells)` turns a row's cells by field into an item (default: their text); a column the
    format has no place for is reported."""
    if not table.rows:
        return None
    cols = columns(table.rows[0], labels)
    if len(cols) < need:
        return None
    extra = [c.text for i, c in enumerate(table.rows[0]) if i not in cols and c.text]
    for name in extra:
        reading.unplaced(f"the column '{name}' of the table headed {', '.join(labels[k] for k in cols.values())}")
    out = []
    for row in table.rows[1:]:
        cells = {cols[i]: c for i, c in enumerate(row) if i in cols}
        item = row_item(cells) if row_item else {k: cell_text(c) for k, c in cells.items()}
        if item is not None:
            out.append(item)
    table.used = True
    return out


def model_grid(reading: Reading, table: WordTable, path: tuple, item_model, need: int = 2) -> bool:
    rows = grid(reading, table, field_labels(item_model), need=need)
    if rows is None:
        return False
    reading.put(path, rows)
    return True


def leftovers(reading: Reading, sections: list[Section]) -> None:
    """Every paragraph and table not placed, by section."""
    for section in sections:
        reading.section = section
        for b in section.blocks:
            if isinstance(b, Para) and not b.used and b.text:
                reading.unplaced(b.text)
            elif isinstance(b, WordTable) and not b.used and any(c.text for row in b.rows for c in row):
                first = next(c.text for row in b.rows for c in row if c.text)
                reading.unplaced(f"a table starting {first!r}")
