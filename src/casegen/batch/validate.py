"""`casegen validate` as one library call: every form checked as `build` checks it, the problems found,
and the verdict, for the CLI to print."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from casegen.batch.check import Checked, check_forms
from casegen.config import Programme
from casegen.errors import CasegenError, Problem, Severity, counted
from casegen.intake.files import find_forms, not_a_form, not_forms
from casegen.rules.crossform import once

OTHER_FORMAT = "form-not-xlsx"


@dataclass
class ValidateReport:
    """Each file checked, with its problems; a finding across forms is stated once (`problems`)."""

    checked: list[Checked]
    strict: bool = False  # warnings fail the form too
    annotated: list[Path] = field(default_factory=list)  # the NAME.checked.xlsx copies written

    @property
    def problems(self) -> list[Problem]:
        return once([p for c in self.checked for p in c.problems])

    @property
    def forms(self) -> list[Checked]:
        """The forms read, leaving out files in another format (named apart)."""
        return [c for c in self.checked if not _other_format(c)]

    def failing(self, checked: Checked) -> bool:
        return any(p.severity == Severity.ERROR or self.strict for p in checked.problems)

    @property
    def ok(self) -> bool:
        """No form failed and at least one was checked; a file in another format fails the run."""
        return bool(self.forms) and not any(self.failing(c) for c in self.checked)

    def summary(self) -> str:
        """`2 of 3 forms OK, 1 with errors, 4 warnings`, or `3 forms OK`; files in other formats counted apart."""
        forms, unread = self.forms, len(self.checked) - len(self.forms)
        errors = sum(any(p.severity == Severity.ERROR for p in c.problems) for c in forms)
        warned = sum(self.failing(c) for c in forms) - errors  # failed on warnings alone: --strict
        warnings = sum(p.severity != Severity.ERROR for c in forms for p in c.problems)
        if not errors and not warned and not warnings:
            parts = [f"{counted(len(forms), 'form')} OK"]
        else:
            parts = [f"{len(forms) - errors - warned} of {counted(len(forms), 'form')} OK"]
            parts += [f"{errors} with errors"] if errors else []
            parts += [f"{warned} with warnings, which --strict counts as errors"] if warned else []
            parts += [counted(warnings, "warning")] if warnings else []
        if unread:
            parts.append(f"{counted(unread, 'file')} not read (not .xlsx)")
        return ", ".join(parts)

    def file_lines(self) -> list[str]:
        """A line a file checked, for `-v`: `ok  FILE`, `failed  FILE (2 errors)`."""
        return [f"{'failed' if self.failing(c) else 'ok':<7} {c.file}"
                + (f" ({counted(len(c.problems), 'problem')})" if c.problems else "") for c in self.checked]

    def as_dict(self) -> dict:
        """The report's own fields for `--json` (its problems go beside them: cli/common.envelope)."""
        return {"summary": self.summary(),
                "forms": [{"file": c.file, "kind": c.kind, "ok": not self.failing(c),
                           "errors": len(c.errors), "warnings": len(c.problems) - len(c.errors)} for c in self.checked],
                "annotated": [str(path) for path in self.annotated]}


def validate(paths, programme: Programme, *, strict: bool = False, annotate: bool = False, force: bool = False,
             jobs: int | None = None) -> ValidateReport:
    """Check the forms under `paths` (files or folders); never prints. CasegenError if nothing was found."""
    forms, others = find_forms(paths), not_forms(paths)
    if not forms and not others:
        raise CasegenError(f"no .xlsx forms found in {', '.join(map(str, paths))}")
    checked = check_forms(forms, programme, jobs)  # the same check as `build`
    checked += [Checked(str(path), "", [not_a_form(path)]) for path in others]  # named, never skipped
    report = ValidateReport(checked, strict)
    if annotate:  # imported here: openpyxl and PIL (80 ms, 15 MB) for the annotated copies only
        from casegen.intake.annotate import annotate_intakes

        report.annotated = annotate_intakes(checked, force)  # `force`: over files casegen did not write
    return report


def _other_format(checked: Checked) -> bool:
    return bool(checked.problems) and all(p.code == OTHER_FORMAT for p in checked.problems)

