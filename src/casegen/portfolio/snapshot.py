"""The programme as it stood on a date: what `casegen portfolio` records in the store of the tracker's folder
each run, so that the next month's report can say what moved (movement.py).

Pure: a portfolio's cases -> a Snapshot, a Snapshot <-> JSON. The JSON is this module's own, versioned
(`format` and `version`), with amounts as text ("150000.00", "TBC" or null) so nothing is rounded on the
way; reading one is bounded (its size, its number of cases, every text's length) and says in one phrase
what is wrong with one that cannot be read, for the caller to set it aside. Neither is ever held whole by a
run: the store puts each case's JSON between the text `around_cases` gives, and `read_cases` reads one back a
chunk at a time, a case at a time.

A snapshot keeps every case the tracker lists (its ref, kind, title, theme, stage, next gate and date,
lead, sponsor, net savings and one-off investment by financial year with TBCs kept as TBC, risks with
their scores) and the names of the forms left out with errors, so that a case whose form has errors this
month is not reported as gone. It keeps the programme's stages, gates, years and themes too: two
snapshots can be compared without the configuration that made them.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casegen.models.values import Total, when_as_date

FORMAT: Final = "casegen portfolio snapshot"
VERSION: Final = 1
MAX_BYTES = 64 * 1024 * 1024  # 20,000 cases of long risks fit in a tenth of this
MAX_CASES = 20_000
TEXT = 32_767  # what an Excel cell holds: no form's text is longer
HIGH_RISK = 15  # the Risks sheet's "High": a score of 15 to 25
OVERDUE = "gate overdue"

_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's white space
_DECODER = json.JSONDecoder()
RISK_TEXT = 1_000  # enough to name a risk in a report
Text = Annotated[str, Field(max_length=TEXT)]
Year = Annotated[str, Field(max_length=40)]
# An amount as a money field holds it: pounds, TBC (not yet known) or None (none given).
Money = Literal["TBC"] | Annotated[Decimal, Field(max_digits=40, allow_inf_nan=False)] | None
ByYear = Annotated[dict[Year, Money], Field(max_length=50)]


class SnapshotError(ValueError):
    """A snapshot that cannot be read; the message says why, in a phrase."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SnapRisk(_Frozen):
    ref: Text
    risk: Text
    likelihood: Annotated[int, Field(ge=1, le=5)]
    impact: Annotated[int, Field(ge=1, le=5)]

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def high(self) -> bool:
        return self.score >= HIGH_RISK


class SnapCase(_Frozen):
    ref: Text
    kind: Literal["bcl", "brief"]
    title: Text
    theme: Text
    stage: Text
    next_gate: Text
    next_gate_date: Text  # as the form has it: Oct 2024, TBC, or ""
    lead: Text
    sponsor: Text
    form: Text  # the form's file name
    net: ByYear  # net savings by financial year; empty for a Project Brief
    investment: ByYear  # one-off investment by financial year
    risks: Annotated[list[SnapRisk], Field(max_length=5_000)]
    status: Text  # "gate overdue" when the next gate's date had passed on the snapshot's date, else ""
    warnings: Text  # the rule codes of the form's warnings, as the tracker's Flags column

    @property
    def key(self) -> tuple[str, str]:
        """A case is its tracker ref and kind: a project's Business Case Lite and Project Brief share a ref."""
        return self.ref.strip().upper(), self.kind

    @property
    def has_finance(self) -> bool:
        return bool(self.net)

    @property
    def net_total(self) -> Total:
        return Total.of(self.net.values())

    def overdue(self, as_of: date) -> bool:
        """Its next gate's month ended before `as_of`'s month began (as the tracker's Pipeline sheet counts)."""
        due = when_as_date(self.next_gate_date)
        return bool(self.next_gate) and due is not None and due < as_of.replace(day=1)


class SnapProgramme(_Frozen):
    name: Text
    council: Text
    stages: Annotated[list[Text], Field(max_length=100)]
    gates: Annotated[list[Text], Field(max_length=100)]
    years: Annotated[list[Text], Field(max_length=50)]
    themes: Annotated[list[Text], Field(max_length=200)]


class Snapshot(_Frozen):
    format: Literal["casegen portfolio snapshot"] = FORMAT
    version: Literal[1] = VERSION
    as_of: date
    programme: SnapProgramme
    cases: Annotated[list[SnapCase], Field(max_length=MAX_CASES)]
    left_out: Annotated[list[Text], Field(max_length=MAX_CASES)]  # the forms left out with errors, by file name

    def net_total(self) -> Total:
        """The portfolio's net savings: TBC (with the part known) if any case's year is."""
        return Total.of(c.net_total for c in self.cases if c.has_finance)

    def by_key(self) -> dict[tuple[str, str], SnapCase]:
        return {c.key: c for c in self.cases}


def case_of(row, as_of: date) -> SnapCase:
    """The snapshot of one case of the tracker (collect.CaseRow) as of `as_of`."""
    from casegen.portfolio.collect import display_name

    return SnapCase(
        ref=row.ref, kind=row.kind, title=row.title, theme=row.theme, stage=row.stage, next_gate=row.next_gate,
        next_gate_date=row.next_gate_date, lead=row.lead, sponsor=row.shown.get("Sponsor") or "",  # columns.py's
        form=display_name(row.file), net=dict(row.net_by_year), investment=dict(row.investment_by_year),
        risks=[SnapRisk(ref=k.risk_ref, risk=_cut(k.risk), likelihood=k.likelihood, impact=k.impact)
               for k in row.risks],
        status=OVERDUE if row.overdue(as_of) else "", warnings=row.flags)


def heading(portfolio) -> Snapshot:
    """The snapshot of a portfolio (figures.Portfolio) without its cases: its date, programme and forms left out."""
    from casegen.portfolio.collect import display_name

    p = portfolio.programme
    return Snapshot(as_of=portfolio.as_of,
                    programme=SnapProgramme(name=p.programme, council=p.council, stages=list(p.stages),
                                            gates=list(p.gates), years=list(p.financial_years),
                                            themes=list(p.themes)),
                    cases=[], left_out=[display_name(c.file) for c in portfolio.excluded])


def take(portfolio) -> Snapshot:
    """The snapshot of a portfolio (figures.Portfolio) as of its date."""
    head = heading(portfolio)
    return Snapshot(as_of=head.as_of, programme=head.programme, left_out=head.left_out,
                    cases=[case_of(r, portfolio.as_of) for r in portfolio.rows])


def around_cases(head: Snapshot) -> tuple[str, str]:
    """The JSON of a snapshot with no cases, cut where its cases go: the text before them and after them, for the
    store to put each case's JSON between (`to_json` of the whole, without holding it whole). The cut is found
    for certain: a quote inside a JSON string is escaped, so '"cases":[]' is nowhere else."""
    assert not head.cases
    before, after = head.model_dump_json().split('"cases":[]', 1)
    return before + '"cases":[', "]" + after


def _cut(text: str) -> str:
    return text if len(text) <= RISK_TEXT else text[:RISK_TEXT - 1].rstrip() + "…"


def to_json(snapshot: Snapshot) -> str:
    """The snapshot as the store keeps it (compact; a store of an earlier casegen holds it indented: read alike)."""
    return snapshot.model_dump_json()


def from_json(text: str) -> Snapshot:
    """The snapshot in `text`; SnapshotError saying why it cannot be read (never anything else)."""
    if len(text) > MAX_BYTES:
        raise SnapshotError(f"it is larger than {MAX_BYTES // 1024 // 1024} MB")
    snapshot = _checked(_parsed(text))
    if len(snapshot.by_key()) != len(snapshot.cases):
        raise SnapshotError("it lists a case twice")
    return snapshot


def read_cases(chunks: Iterator[str], heading: dict) -> Iterator[SnapCase]:
    """The cases of the snapshot whose JSON text comes in `chunks`, one at a time as they are read (never the text
    whole), each checked; what else the snapshot holds is put in `heading` (its cases as []), for `heading_of` once
    the cases are read. SnapshotError saying why it cannot be read."""
    text, first = _Text(chunks), True
    text.expect("{")
    while text.next() != "}":
        if not first:
            text.expect(",")
        key, first = text.value(), False
        text.expect(":")
        if key != "cases":
            heading[key] = text.value()
            continue
        if "format" in heading:  # a text of another kind said so before its "cases" are read
            _kind(heading)
        heading[key] = []
        text.expect("[")
        i = 0
        while text.next() != "]":
            if i:
                text.expect(",")
            if i >= MAX_CASES:
                raise SnapshotError(f"cases: it lists more than {MAX_CASES} cases")
            try:
                yield SnapCase.model_validate(text.value())
            except ValidationError as e:
                raise SnapshotError(_why(e, ("cases", i))) from None
            i += 1
        text.expect("]")
    text.expect("}")
    if text.next():
        raise SnapshotError("it is not well-formed JSON")


def heading_of(heading: dict) -> Snapshot:
    """The snapshot, without its cases, that `read_cases` found around them; SnapshotError saying why it cannot be
    read."""
    return _checked(heading)


class _Text:
    """JSON text read a chunk at a time: a value whole, a punctuation mark; whatever is read is let go."""

    def __init__(self, chunks: Iterator[str]):
        self.chunks, self.text, self.at = chunks, "", 0

    def _more(self) -> bool:
        """Read on, at least doubling what is not yet read (a value longer than a chunk is not parsed over and
        over); False at the end."""
        wanted, self.text, self.at = 2 * (len(self.text) - self.at) or 1, self.text[self.at:], 0
        start = len(self.text)
        while len(self.text) - start < wanted and (chunk := next(self.chunks, None)) is not None:
            self.text += chunk
        return len(self.text) > start

    def next(self) -> str:
        """The next character that is not white space, not taken ("" at the end)."""
        while True:
            space = _SPACE.match(self.text, self.at)
            assert space is not None  # it matches nothing at least
            self.at = space.end()
            if self.at < len(self.text) or not self._more():
                return self.text[self.at:self.at + 1]

    def expect(self, mark: str) -> None:
        if self.next() != mark:
            raise SnapshotError("it is not well-formed JSON")
        self.at += 1

    def value(self):
        self.next()
        while True:
            try:
                found, end = _DECODER.raw_decode(self.text, self.at)
                if end < len(self.text) or not self._more():  # a number at the end may go on in the next chunk
                    self.at = end
                    return found
            except (ValueError, RecursionError):
                if not self._more():
                    raise SnapshotError("it is not well-formed JSON") from None


def order_key(case: SnapCase) -> str:
    """A case's key as one text that sorts as movement.py orders cases: by ref, a Business Case Lite before a Project
    Brief (a ref holds no control character: Excel keeps none)."""
    return f"{case.key[0]}\x01{0 if case.kind == 'bcl' else 1}"


def _parsed(text: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise SnapshotError("it is not well-formed JSON") from None


def _kind(data) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotError("it is not a snapshot of a portfolio")
    if data.get("version") != VERSION:
        raise SnapshotError(f"it is of version {str(data.get('version'))[:20]}, and this casegen reads version "
                            f"{VERSION} (a newer casegen wrote it?)")


def _checked(data) -> Snapshot:
    _kind(data)
    try:
        return Snapshot.model_validate(data)
    except ValidationError as e:
        raise SnapshotError(_why(e)) from None


def _why(e: ValidationError, where: tuple = ()) -> str:
    err = e.errors()[0]
    return f"{'.'.join(str(p) for p in (*where, *err['loc']))}: {err['msg']}"[:300]
