"""What a board reads speaks to its readers: no command, option, file or configuration name in the tracker
or the summary (the how-to is the terminal's, said once); `changes` gives times as a person reads them."""
from __future__ import annotations

import json
import re
import time
import zipfile
from datetime import datetime, timedelta, timezone

from openpyxl import Workbook, load_workbook

from helpers import run, spoil, table_cell
from test_tbc import one_year_tbc

TOOL_WORDS = re.compile(r"casegen|--config|programme\.toml|\[targets\]", re.I)


def _sheet_words(path) -> list[tuple[str, str]]:
    """(where, text) of everything a printed tracker shows: every cell of every sheet, each page's header and
    footer, and the charts' titles and labels."""
    found = []
    for ws in load_workbook(path, data_only=True):
        found += [(f"{ws.title}!{c.coordinate}", str(c.value)) for row in ws.iter_rows() for c in row
                  if c.value is not None]
        for part in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
            found += [(f"{ws.title} header/footer", side.text) for side in (part.left, part.center, part.right)
                      if side.text]
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/charts/"):
                found += [(name, t) for t in re.findall(r"<(?:a:)?t>([^<]*)<", zf.read(name).decode())]
    return found


def _document_words(path) -> list[tuple[str, str]]:
    """(part, text) of the summary's body, headers and footers."""
    with zipfile.ZipFile(path) as zf:
        return [(name, "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", zf.read(name).decode())))
                for name in zf.namelist() if re.match(r"word/(document|header\d*|footer\d*)\.xml$", name)]


def test_no_document_or_printed_sheet_names_a_command_option_or_file(make_form, tmp_path):
    make_form(edit=one_year_tbc, filename="in/partly.xlsx")
    spoiled = make_form(filename="in/spoiled.xlsx", edit=lambda case: setattr(case.project, "tracker_ref", "RX-777"))
    spoil(spoiled, lambda wb: setattr(table_cell(wb, "finance_years", 1, "Recurring Savings"), "value", "lots"))
    Workbook().save(tmp_path / "in" / "notes.xlsx")  # not a form: excluded, its message names the tool's commands
    out, summary = tmp_path / "tracker.xlsx", tmp_path / "summary.docx"
    result = run("portfolio", tmp_path / "in", "-o", out, "--summary", summary)
    assert result.exit_code == 1 and "wrote" in result.output  # two forms left out, both documents written
    words = _sheet_words(out) + _document_words(summary)
    assert [(where, text) for where, text in words if TOOL_WORDS.search(text)] == []
    problems = [text for where, text in words if where.startswith("Problems!")]
    assert any("is not an intake form" in t for t in problems) and any("got 'lots'" in t for t in problems)
    body = " ".join(text for where, text in _document_words(summary))
    assert "Targets not yet set" in body and "is not an intake form" in body
    assert re.search(r"Recurring Savings 23/24: must be an amount in pounds", body)  # the field, then what is wrong
    assert sum("Targets not yet set" in text for where, text in _sheet_words(out)) == 1


def test_the_how_to_set_targets_goes_to_the_terminal_once(make_form, tmp_path):
    make_form(filename="in/case.xlsx")
    result = run("portfolio", tmp_path / "in", "-o", tmp_path / "tracker.xlsx", "--summary", tmp_path / "s.docx")
    assert result.exit_code == 0, result.output
    how_to = [line for line in result.output.splitlines() if "[targets]" in line]
    assert len(how_to) == 1 and how_to[0].startswith("warning: ") and "--config" in how_to[0]


def test_changes_gives_local_times_and_json_keeps_iso(make_form, tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")  # UTC+5:30 all year: a local time no UTC clock shows
    time.tzset()
    try:
        form = make_form(filename="in/case.xlsx")
        assert run("build", tmp_path / "in", "-o", tmp_path / "out").exit_code == 0
        make_form(filename="in/case.xlsx", edit=one_year_tbc)
        assert run("build", tmp_path / "in", "-o", tmp_path / "out").exit_code == 0
        printed = run("changes", tmp_path / "out").output
        found = json.loads(run("changes", tmp_path / "out", "--json").output)["changes"]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", found[0]["date"]), found[0]["date"]
    utc = datetime.fromisoformat(found[0]["date"].replace("Z", "+00:00"))
    local = utc.astimezone(timezone(timedelta(hours=5, minutes=30)))  # what the office's clock showed
    day = f"{local.day} {local:%b %Y, %H:%M}"
    assert printed.startswith(f"build of {day}:"), printed
    assert form.stem in printed and "T" not in printed.splitlines()[0]
