#!/usr/bin/env bash
# casegen as a user installs it: build a wheel, install it into a fresh virtual environment outside the
# checkout, and from another folder make a form, validate and build the samples (and their PDFs).
# Fails on any error. Usage: tools/wheel_smoke.sh   (PYTHON=python3.12 tools/wheel_smoke.sh for another Python)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }

step "wheel from $repo"
"${PYTHON:-python3}" -m venv "$work/venv"
venv="$work/venv/bin"
"$venv/python" -m pip install -q --upgrade pip
"$venv/python" -m pip wheel -q --no-deps -w "$work/dist" "$repo"
wheel=("$work"/dist/casegen-*.whl)
"$venv/python" -m zipfile -l "${wheel[0]}" | grep -E "casegen/(templates/.*\.docx|programme\.toml) "

step "install into $work/venv"
"$venv/python" -m pip install -q "${wheel[0]}"

mkdir "$work/elsewhere"
cd "$work/elsewhere"  # no templates/, no src/: only what the wheel holds
cp "$repo"/inputs/*.xlsx .
casegen="$venv/casegen"

step "casegen --version"
"$casegen" --version
step "the templates come from the installed package"
"$venv/python" -c "from casegen.render import templates_dir; print(templates_dir())" | grep -q "^$work/venv/"
"$casegen" templates check

step "casegen new"
"$casegen" new bcl x.xlsx
"$casegen" new brief y.xlsx --data "$repo/samples/brief-neighbourhood-working-model.json"

step "casegen validate"
"$casegen" validate ./*-*.xlsx
"$casegen" validate y.xlsx  # alone: it has the sample brief's tracker ref

step "casegen build"
"$casegen" build ./*-*.xlsx -o out
"$casegen" build y.xlsx -o out-new
ls out/*.docx out-new/y.docx

step "casegen build -B --pdf --html"
"$casegen" build ./*-*.xlsx -B --pdf --html -o out
ls out/*.pdf out/*.html

step "casegen portfolio, import and upgrade from the installed package"
"$casegen" portfolio ./*-*.xlsx -o tracker.xlsx --summary summary.docx --html
ls summary.html
"$casegen" import out/bcl-service-optimisation.docx -o imported.xlsx
"$casegen" validate imported.xlsx
mkdir older && cp bcl-service-optimisation.xlsx older/ && "$casegen" upgrade older/bcl-service-optimisation.xlsx
"$casegen" build older -o out-older  # a form already on today's layout is left as it was, and builds

step "casegen templates export, and a build from the exported copy"
"$casegen" templates export office
"$casegen" --config office/programme.toml build ./*-*.xlsx -B -o out-office
printf '\nwheel smoke test passed: %s\n' "$(basename "${wheel[0]}")"
