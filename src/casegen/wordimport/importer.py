"""`casegen import`: a legacy Word document read into a filled intake form, with all it could not place.

Read everything, then write: the document's text is mapped into raw values shaped like the case
model (wordimport/bcl.py, wordimport/brief.py), written into a normal intake form as typed, and the form is
read back by the intake reader, so that a value the model refuses is reported as `validate` reports
it, with its cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font

from casegen.config import Programme
from casegen.errors import CasegenError, Problem, Severity
from casegen.fileio import atomic_path, os_error_message
from casegen.intake import spec
from casegen.intake.form import write_form_values
from casegen.intake.reader import read_intake
from casegen.models import KINDS, TITLES, Kind
from casegen.models.values import choose, parse_count, parse_level, parse_money, parse_rating, parse_when
from casegen.sheetcells import MAX_TEXT, number, overlong, put
from casegen.wordimport import bcl, brief
from casegen.wordimport.document import NotADocument, open_document
from casegen.wordimport.mapping import Reading, flatten, heading_key, leftovers, split
from casegen.wordimport.match import norm
from casegen.wordimport.text import Para, WordTable

FORMATS: dict[str, ModuleType] = {Kind.BCL: bcl, Kind.BRIEF: brief}
PARSERS = {"money": parse_money, "rating": parse_rating, "count": parse_count, "level": parse_level,
           "when": parse_when}
FIRST_WORDS = 12
FIRST_CHARS = 200  # a text of one long word is shown in part too


@dataclass
class Imported:
    source: Path
    form: Path
    kind: str
    problems: list[Problem] = field(default_factory=list)


def detect_kind(stream: list) -> str | None:
    """The kind whose headings the document has more of (a title naming the kind counts most)."""
    texts = [b for b in stream if isinstance(b, Para) and b.text]
    scores: dict[str, int] = {}
    for kind, fmt in FORMATS.items():
        keys = {heading_key(p, fmt.HEADINGS, getattr(fmt, "PREFIXED", set())) for p in texts} - {None}
        title = any(norm(p.text).startswith(norm(TITLES[kind])) for p in texts[:5])
        scores[kind] = len(keys) + (5 if title else 0)
    best = max(scores, key=lambda kind: scores[kind])
    if scores[best] < 2 or list(scores.values()).count(scores[best]) > 1:
        return None
    return best


def _paras(blocks: list):
    """Every paragraph of the body, in tables and nested tables too."""
    for b in blocks:
        if isinstance(b, Para):
            yield b
        else:
            for row in b.rows:
                for cell in row:
                    yield from _paras(cell.blocks)


def read_document(path: Path, kind: str | None = None) -> Reading:
    body = open_document(path)
    stream = flatten(body)
    kind = kind or detect_kind(stream)
    if kind is None:
        raise NotADocument(path, "is neither a Business Case Lite nor a Project Brief by its headings; "
                                 "if it is one, say which with --kind bcl or --kind brief")
    fmt = FORMATS[kind]
    reading = Reading(kind, {"kind": kind})
    sections = split(stream, fmt.HEADINGS, getattr(fmt, "PREFIXED", set()), fmt.INNER)
    for section in sections:
        reading.section, reading.target = section, ()
        if section.key not in ("", "?"):
            reading.found.add(section.key)
        if hasattr(fmt, "start_section"):
            fmt.start_section(reading, section.title)
        for block in section.blocks:
            (fmt.read_table if isinstance(block, WordTable) else fmt.read_paragraph)(reading, block)
    leftovers(reading, sections)
    reading.unread = [p.unread for p in _paras(body) if p.unread]
    return reading


def _cell(value, column: spec.Column, scalar: bool, programme: Programme | None = None):
    """A value for its cell: a number where the text is one, a choice as the programme spells it (its
    dropdown then holds it), else the text as typed, for the reader to judge."""
    if not isinstance(value, str):
        return value
    if not column.required and value.strip() in ("-", "–") and column.kind in ("text", "longtext", "choice", "yesno"):
        return None  # an optional field left empty, as the template prints one
    if column.kind == "choice" and programme is not None:
        return choose(value.strip(), getattr(programme, column.choices)) or value
    if scalar and column.kind == "when" and value.strip().upper() == "TBC":
        return None
    parse = PARSERS.get(column.kind)
    if parse is None:
        return value
    try:
        parsed = parse(value)
    except ValueError:
        return value
    if column.kind == "when":
        return parsed
    if column.kind == "money":
        return number(parsed)  # a whole number, pence, or TBC as text
    return parsed


def cell_values(kind: str, data: dict, programme: Programme | None = None) -> dict:
    """`data` with each value made ready for its cell by the kind of value the form's column holds."""
    for sheet in spec.sheets(KINDS[kind]):
        for block in sheet.blocks:
            if isinstance(block, spec.Scalar):
                holder = _holder(data, block.path)
                if holder is not None and block.path[-1] in holder:
                    holder[block.path[-1]] = _cell(holder[block.path[-1]], block.column, True, programme)
            elif isinstance(block, spec.Table):
                holder = _holder(data, block.path)
                for row in (holder or {}).get(block.path[-1]) or []:
                    for col in block.columns:
                        if col.name in row:
                            row[col.name] = _cell(row[col.name], col, False, programme)
    return data


def _holder(data: dict, path: tuple) -> dict | None:
    for part in path[:-1]:
        inner = data.get(part)
        if not isinstance(inner, dict):
            return None
        data = inner
    return data


def _first_words(text: str) -> str:
    words = text[:FIRST_CHARS].split()
    first = " ".join(words[:FIRST_WORDS])[:FIRST_CHARS]
    return first + (" …" if len(first) < len(" ".join(text.split())) else "")


def findings(reading: Reading, source: Path) -> list[Problem]:
    fmt = FORMATS[reading.kind]
    out = [Problem(str(source), f"not placed in the form: “{_first_words(text)}”",
                   field=f"section '{section}'" if section else "before the first heading",
                   severity=Severity.WARNING, code="import-unplaced") for section, text in reading.leftovers]
    out += [Problem(str(source), what, severity=Severity.WARNING, code="import-unread") for what in reading.unread]
    for key in fmt.EXPECTED:
        if key not in reading.found:
            out.append(Problem(str(source), f"the document has no section '{fmt.HEADINGS[key]}'; "
                                            "that part of the form is left blank for you to fill in",
                               severity=Severity.WARNING, code="import-missing-section"))
    return out


def _risk_totals(reading: Reading, intake, form: Path) -> list[Problem]:
    """A risk total typed in the document that is not Likelihood × Impact: casegen works it out, so say so."""
    out = []
    risks = reading.data.get("risks") or []
    for i, typed in sorted(reading.typed_totals.items()):
        row = risks[i] if i < len(risks) else {}
        try:
            likelihood, impact = parse_rating(row.get("likelihood")), parse_rating(row.get("impact"))
            total = parse_count(typed)
        except ValueError:
            continue
        if total != likelihood * impact:
            sheet, cell, _ = intake.places.get(("risks", i, "likelihood"), ("", "", ""))
            out.append(Problem(str(form), f"the document's risk {i + 1} gives the total {typed}, but Likelihood "
                                          f"{likelihood} × Impact {impact} is {likelihood * impact}; casegen "
                                          "works the total out, so check the likelihood and the impact",
                               sheet, cell, "Likelihood", Severity.ERROR, "import-risk-total"))
    return out


def _cut_to_cells(data: dict) -> list[tuple[tuple, int, str]]:
    """Each text too long for a cell cut to what a cell holds; (path, its length, the first words cut off)."""
    out = []
    for path, length in overlong(data):
        holder = data
        for part in path[:-1]:
            holder = holder[part]
        text = holder[path[-1]]
        holder[path[-1]] = text[:MAX_TEXT]
        out.append((path, length, _first_words(text[MAX_TEXT:])))
    return out


def _too_long(cut: list, intake, form: Path) -> list[Problem]:
    out = []
    for path, length, rest in cut:
        sheet, cell, label = intake.places.get(path, ("", "", ".".join(map(str, path))))
        out.append(Problem(str(form), f"the document's text is {length:,} characters long, more than the "
                                      f"{MAX_TEXT:,} a cell holds: the cell has the first {MAX_TEXT:,}, and the rest, "
                                      f"from “{rest}”, was not imported; shorten it in the document or the form",
                           sheet, cell, label, Severity.ERROR, "import-too-long"))
    return out


def _guide(form: Path, source: Path, problems: list[Problem]) -> None:
    """The import's findings listed on the form's Guide sheet, under their own heading."""
    wb = load_workbook(form)
    ws = wb[spec.GUIDE_SHEET]
    row = ws.max_row + 2
    put(ws, row, 1, f"Not imported from {source.name}").font = Font(bold=True, size=12, color="C00000")
    for problem in problems:
        row += 1
        place = f"{problem.field}: " if problem.field else ""
        where = f"{problem.sheet}!{problem.cell}: " if problem.cell else ""
        put(ws, row, 1, f"{where}{place}{problem.message}").alignment = Alignment(wrap_text=True)
    with atomic_path(form) as tmp:
        wb.save(tmp)


def import_document(source: str | Path, form: str | Path, programme: Programme, kind: str | None = None) -> Imported:
    """Read the Word document `source` and write the intake form `form`; NotADocument if it is not one."""
    source, form = Path(source), Path(form)
    reading = read_document(source, kind)
    data = cell_values(reading.kind, reading.data, programme)
    cut = _cut_to_cells(data)
    write_form_values(reading.kind, form, programme, data)
    intake = read_intake(form, programme)
    ours = findings(reading, source) + _risk_totals(reading, intake, form) + _too_long(cut, intake, form)
    if ours:
        _guide(form, source, ours)
    return Imported(source, form, reading.kind, ours + intake.problems)


def import_folder(folder: Path, out_dir: Path, programme: Programme, kind: str | None = None, force: bool = False):
    """Each Word document in `folder` into `out_dir`/NAME.xlsx: yields an Imported, or the CasegenError that
    stopped that one document (a form already there without `force`, a file that is not a document). One
    document never stops the others."""
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".docx", ".doc", ".docm") and not path.name.startswith("~$"):
            form = out_dir / f"{path.stem}.xlsx"
            if form.exists() and not force:
                yield CasegenError(f"{form} already exists; add --force to replace it")
                continue
            try:
                yield import_document(path, form, programme, kind)
            except CasegenError as exc:
                yield exc
            except OSError as exc:  # a full disk, a name too long: said in words, and the next document goes on
                yield CasegenError(os_error_message(exc))
            except Exception as exc:  # as the build does: one document's surprise is reported, never a traceback
                yield CasegenError(f"{path}: could not be imported ({type(exc).__name__}: {exc})")
