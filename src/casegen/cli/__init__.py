"""The casegen command line: each command parses its options and calls one library function."""
from __future__ import annotations

import json
from pathlib import Path

import click

from casegen import __version__, config
from casegen.errors import CasegenError

KIND_CHOICE = click.Choice(["bcl", "brief"])


def _programme(ctx: click.Context):
    return ctx.obj["programme"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="CASEGEN_CONFIG",
              help="Programme configuration (TOML); the built-in Luton programme if not given.")
@click.option("--templates", "templates_path", type=click.Path(file_okay=False, path_type=Path),
              envvar="CASEGEN_TEMPLATES", help="Folder of the Word templates; else the configuration's `templates`, "
                                               "else casegen's own (see `casegen templates export`).")
@click.version_option(__version__, prog_name="casegen")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, templates_path: Path | None) -> None:
    """Business Case Lite and Project Brief documents from Excel intake forms.

    \b
    A project lead:       casegen new bcl my-case.xlsx    (fill it in, then)
                          casegen validate my-case.xlsx   (every problem, by cell)
                          casegen build my-case.xlsx      -> output/my-case.docx
    The programme office: casegen build inputs/ --redline (rebuilds what changed)
                          casegen changes output/         (what changed, field by field)
                          casegen portfolio inputs/ -o tracker.xlsx
                          casegen import old-case.docx -o old-case.xlsx
    """
    ctx.obj = {"programme": config.load(config_path), "templates": templates_path}


@cli.command()
@click.argument("kind", type=KIND_CHOICE)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Fill the form from a case saved as JSON (see `casegen dump`).")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@click.pass_context
def new(ctx, kind: str, path: Path, data: Path | None, force: bool) -> None:
    """Write a blank intake form for KIND (bcl or brief) at PATH."""
    from casegen.intake.form import write_form
    from casegen.models.load import load_json

    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(f"{path}: the form must be an .xlsx file")
    if path.exists() and not force:
        raise CasegenError(f"{path} already exists; choose another name, or add --force to replace it")
    case = load_json(data, kind, _programme(ctx)) if data else None
    write_form(kind, path, _programme(ctx), case)
    click.echo(f"wrote {path}: fill in the yellow cells, then run `casegen build {path}`")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--annotate", is_flag=True,
              help="Also write NAME.checked.xlsx beside each form: problem cells highlighted and commented, "
                   "with a list of the problems on the first sheet.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Forms read at once  [default: one per CPU]")
@click.pass_context
def validate(ctx, paths: tuple[Path, ...], strict: bool, fmt: str, annotate: bool, jobs: int | None) -> None:
    """Check intake workbooks (files or folders) and list every problem, one a line."""
    from casegen.batch.check import Checked, check_forms
    from casegen.intake.files import find_forms, not_a_form, not_forms
    from casegen.rules.crossform import once

    forms, others = find_forms(paths), not_forms(paths)
    if not forms and not others:
        raise CasegenError(f"no .xlsx forms found in {', '.join(map(str, paths))}")
    intakes = check_forms(forms, _programme(ctx), jobs)  # the same check as `build`
    intakes += [Checked(str(path), "", [not_a_form(path)]) for path in others]  # named, never skipped
    if annotate:
        from casegen.intake.annotate import annotate_intakes

        for written in annotate_intakes(intakes):
            click.echo(f"wrote {written}", err=True)
    problems = once([p for intake in intakes for p in intake.problems])  # a finding across forms, once
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        for p in problems:
            click.echo(str(p))
        click.echo(_summary(intakes))
    failed = not forms or any(p.severity == "error" or strict for p in problems)  # no form checked is no pass
    ctx.exit(1 if failed else 0)


def _summary(intakes) -> str:
    """`2 of 3 forms OK, 1 with errors, 4 warnings`, or `3 forms OK`; files in other formats counted apart."""
    unread = [i for i in intakes if i.problems and all(p.code == "form-not-xlsx" for p in i.problems)]
    forms = [i for i in intakes if i not in unread]
    bad = sum(any(p.severity == "error" for p in i.problems) for i in forms)
    warnings = sum(p.severity != "error" for i in forms for p in i.problems)
    noun = "form" if len(forms) == 1 else "forms"
    if not bad and not warnings:
        parts = [f"{len(forms)} {noun} OK"]
    else:
        parts = [f"{len(forms) - bad} of {len(forms)} {noun} OK"] + ([f"{bad} with errors"] if bad else [])
        parts += [f"{warnings} warning{'s' * (warnings != 1)}"] if warnings else []
    if unread:
        parts.append(f"{len(unread)} file{'s' * (len(unread) != 1)} not read (not .xlsx)")
    return ", ".join(parts)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help="Folder for the documents.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Documents made at once  [default: one per CPU]")
@click.option("--force", is_flag=True, help="Rebuild every document, changed or not.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors: such a form gets no document.")
@click.option("--prune", is_flag=True, help="Remove documents whose intake file no longer exists.")
@click.option("--pdf", is_flag=True, help="Also save each document as PDF (needs LibreOffice).")
@click.option("--redline", is_flag=True,
              help="For each document whose text changed, also write OUTPUT/redlines/NAME.docx: the new document "
                   "with the changes tracked, as Word's review pane shows them.")
@click.pass_context
def build(ctx, paths: tuple[Path, ...], out_dir: Path, jobs: int | None, force: bool, strict: bool,
          prune: bool, pdf: bool, redline: bool) -> None:
    """Make the Word document of each intake workbook (files or folders), rebuilding only what changed.

    Exits 1 if any form failed, or if --pdf could not make every PDF (the Word documents are still made).
    """
    import sys

    from casegen.batch.build import BuildOptions, build as build_all

    tty, bar = sys.stdout.isatty(), None

    def progress(tick) -> None:  # a bar on a terminal, one line a document in a log
        nonlocal bar
        if tty:
            bar = bar or click.progressbar(length=tick.total, label="building")
            bar.update(tick.done - bar.pos)
        elif tick.outcome:
            click.echo(tick.outcome.line())

    try:
        options = BuildOptions(force=force, strict=strict, prune=prune, pdf=pdf, redline=redline, jobs=jobs,
                               templates=ctx.obj["templates"])
        report = build_all(paths, out_dir, _programme(ctx), options, progress)
    finally:
        if bar is not None:
            bar.render_finish()
    for line in report.details():
        click.echo(line, err=True)
    click.echo(report.summary())
    ctx.exit(0 if report.ok else 1)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.pass_context
def dump(ctx, path: Path) -> None:
    """Print the case in an intake workbook as JSON."""
    from casegen.intake.reader import read_workbook

    case, _ = read_workbook(path, _programme(ctx))
    click.echo(case.model_dump_json(indent=2))


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def upgrade(ctx, path: Path) -> None:
    """Rewrite an intake form onto today's layout, every value kept as typed, the old one kept as a backup.

    Exits 0 if the upgraded form has no errors, 1 if it still has some (listed), 2 if PATH is not a form.
    """
    from casegen.intake.upgrade import upgrade_form

    result = upgrade_form(path, _programme(ctx))
    click.echo("\n".join(result.lines()))
    ctx.exit(0 if result.ok else 1)


@cli.command()
@click.argument("kind", type=KIND_CHOICE)
def schema(kind: str) -> None:
    """Print the JSON Schema of a kind of case."""
    from casegen.models import KINDS

    click.echo(json.dumps(KINDS[kind].model_json_schema(mode="serialization"), indent=2, ensure_ascii=False))


@cli.command("rules")
def rules_command() -> None:
    """List every check casegen makes: code, severity, kinds and explanation."""
    from casegen.rules.catalogue import catalogue

    rows = [(r.code, r.severity, ",".join(r.kinds), r.explanation) for r in catalogue()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[3])


@cli.group()
def templates() -> None:
    """Check the Word templates, or copy them into a folder of your own."""


@templates.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--kind", type=KIND_CHOICE, help="The kind of case the templates print (default: from their names).")
@click.option("--strict", is_flag=True, help="Fail on warnings too (a field of the form that no template prints).")
@click.pass_context
def templates_check(ctx, paths: tuple[Path, ...], kind: str | None, strict: bool) -> None:
    """Check TEMPLATES (default: all in the templates folder a build uses) against the case models, both ways:
    tags the models do not provide are errors, fields of the form that no template prints are warnings."""
    from casegen.render import templates_dir
    from casegen.templating.check import check_templates

    problems, checked = check_templates(paths, kind, templates_dir(_programme(ctx), ctx.obj["templates"]))
    for p in problems:
        click.echo(str(p))
    errors = sum(p.severity == "error" for p in problems)
    if not errors:
        warned = len(problems) - errors
        click.echo(f"{len(checked)} template(s) OK" + (f", {warned} warning(s)" if warned else ""))
    ctx.exit(1 if errors or (strict and problems) else 0)


@templates.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace templates already in FOLDER.")
def templates_export(folder: Path, force: bool) -> None:
    """Copy casegen's templates and programme.toml into FOLDER, for the programme office to edit."""
    from casegen.render.export import export_templates

    for path in export_templates(folder, force):
        click.echo(f"wrote {path}")
    click.echo(f"edit them in Word or Writer, then: casegen --config {folder / 'programme.toml'} templates check")


# Commands written in their own modules; each imports what it needs only when it runs.
from casegen.cli.changes import changes  # noqa: E402
from casegen.cli.wordimport import import_command  # noqa: E402
from casegen.cli.portfolio import portfolio  # noqa: E402

for command in (changes, import_command, portfolio):
    cli.add_command(command)


def _terminated(signum, frame) -> None:
    raise KeyboardInterrupt  # as Ctrl-C: the workers are stopped, the lock released, temporary files removed


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="casegen")
