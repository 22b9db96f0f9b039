"""Writes the sample intake forms in inputs/ from the case data in samples/, through casegen's form writer."""
from __future__ import annotations

from pathlib import Path

from casegen import config
from casegen.intake.form import write_form
from casegen.models.load import load_json

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    programme = config.load()
    for data in sorted((ROOT / "samples").glob("*.json")):
        kind = data.name.split("-", 1)[0]
        case = load_json(data, kind, programme)
        target = write_form(kind, ROOT / "inputs" / f"{data.stem}.xlsx", programme, case)
        print(target.relative_to(ROOT))


if __name__ == "__main__":
    main()
