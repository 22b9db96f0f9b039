"""Every check casegen makes, for `casegen rules`: the programme's rules, the rules across a run, and
the reader's own checks of values and of the form itself (these have no function here: the value
types and the reader make them, and tag their problems with these codes)."""
from __future__ import annotations

from casegen.rules import Rule, registered
from casegen.rules.crossform import CROSSFORM_RULES

ALL = ("bcl", "brief")

READER_CHECKS = [Rule(code, severity, ALL, explanation, None) for code, severity, explanation in (
    ("value-required", "error", "A field marked * on the form is filled in."),
    ("value-text", "error", "Text is text (not TRUE or FALSE)."),
    ("value-money", "error", "Money is an amount in pounds (200000, £200,000, £630k; blank or - for none, TBC "
                             "for not yet known), no more than £10bn; an amount that could be read two ways "
                             "(£1,5m, 200.000,00, 1,00,000) is refused, never guessed; an investment is never "
                             "negative."),
    ("value-date", "error", "A date is a real month and year (Oct 2023, Sept. 2024, 10/2023, an Excel date), a "
                            "quarter (Q3 2024, Q1 24/25) or a word such as TBC or Ongoing; Completed for a gate, "
                            "a year (2025) for a realisation date."),
    ("value-invalid", "error", "A value is of the kind its field holds."),
    ("value-rating", "error", "A rating (likelihood, impact, effort) is a whole number from 1 to 5."),
    ("value-count", "error", "A count is a whole number from 0 to 1,000,000,000."),
    ("value-choice", "error", "A choice is one of the values in its dropdown (the programme's vocabulary)."),
    ("value-level", "error", "A bullet's level is 1, or 2 for a bullet under the one above."),
    ("value-yesno", "error", "A yes/no answer is Yes or No."),
    ("value-mark", "error", "A RACI mark is X, a tick, or blank."),
    ("text-illegal-char", "warning", "Characters a Word document cannot hold are removed from the text."),
    ("cell-formula-no-value", "error", "A formula in an input cell has a saved value (the form was saved by Excel "
                                       "or LibreOffice after the formula was typed)."),
    ("cell-error-value", "error", "An input cell does not show a formula error such as #DIV/0!."),
    ("cell-merged", "error", "Input cells are not merged into their neighbours, where their values would be lost."),
    ("table-too-long", "error", "A table has at most 5,000 rows."),
    ("form-old-layout", "warning", "The form has a cell for every field; an older form's missing optional fields "
                                   "are left blank until `casegen upgrade` brings it up to date."),
    ("cell-outside", "warning", "Nothing is typed on a sheet of the form outside its cells, where casegen does not "
                                "read it."),
    ("table-unknown-column", "warning", "A table has only the columns casegen reads."),
    ("form-foreign", "error", "The workbook is a casegen intake form: most of its named cells and tables are there."),
    ("form-missing-name", "error", "Every named input cell of the form is still there."),
    ("form-missing-table", "error", "Every table of the form is still there."),
    ("form-missing-column", "error", "Every column of a table keeps its heading."),
    ("form-unreadable", "error", "The file is an Excel workbook that casegen can open safely (not another kind of "
                                 "file, not password-protected, not damaged, of a sensible size)."),
    ("cell-not-a-number", "error", "A cell saved as a number holds a number."),
    ("form-not-xlsx", "error", "A form in a folder of forms is an Excel workbook (.xlsx), not .ods, .csv, .xls or .xlsb."),
    ("problems-more", "error", "A form shows at most 200 problems at once; the rest follow when these are fixed."),
    ("build-render", "error", "A case renders into its template (see `casegen templates check` for the template's "
                              "own problems)."),
    ("build-template", "error", "The template of a form's kind can be read; a missing or unreadable template "
                                "fails only the forms of its own kind."),
    ("build-manifest", "error", "The build folder's manifest can be written, so the next build knows what is up to "
                                "date."),
)]


def catalogue() -> list[Rule]:
    """Every check, programme rules first, each with its code, severity, kinds and explanation."""
    return list(registered()) + list(CROSSFORM_RULES) + READER_CHECKS
