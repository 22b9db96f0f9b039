"""Every problem code casegen can print, with its severity, the kinds of case it applies to and one line
of explanation: the one registry that `Problem` checks a code against and that `casegen rules` lists.

A message ends with its code (`[value-money]`) for the lead to look up with `casegen rules`. A code not
in CODES is a slip in casegen itself: creating a Problem with it raises at once (errors.py), and
tests/test_codes.py finds every code written in src/ and checks it is here, and that nothing here is unused.
A rule (@rule, @cross_rule) takes its severity, kinds and explanation from its entry here.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a problem is: an error stops the document being built; a warning does not, unless --strict.
    A StrEnum, so it compares equal to its word and prints as it in JSON."""

    ERROR = "error"
    WARNING = "warning"


class Kind(StrEnum):
    """The kinds of case: a Business Case Lite and a Project Brief (also the names of their forms' kinds)."""

    BCL = "bcl"
    BRIEF = "brief"


ERROR, WARNING = Severity.ERROR, Severity.WARNING
BOTH = (Kind.BCL, Kind.BRIEF)
BCL, BRIEF = (Kind.BCL,), (Kind.BRIEF,)


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    explanation: str  # one line, a sentence saying what casegen expects
    kinds: tuple[Kind, ...] = BOTH

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))  # a misspelt severity fails at import


_ALL = [
    # The programme's rules on a case (rules/bcl.py, brief.py, project.py)
    Code("gate-order", ERROR, "Stage gates are passed in order: each gate's target date is no earlier than the "
                              "gate before it.", BCL),
    Code("deliverable-dates", ERROR, "A deliverable finishes no earlier than it starts.", BCL),
    Code("benefits-net-savings", WARNING, "The Financial Benefits in the Opportunity Qualification equal the total "
                                          "net savings in Financial Delivery.", BCL),
    Code("money-negative", WARNING, "A saving or benefit is not negative unless a loss is meant (an investment "
                                    "cannot be negative at all).", BCL),
    Code("validated-above-proposed", WARNING, "Finance's validated figures for a year are no more than the "
                                              "savings proposed for that year.", BCL),
    Code("year-repeated", ERROR, "Each financial year has one row in Financial Delivery and one in Finance's "
                                 "validated figures: the document shows one a year.", BCL),
    Code("position-table-empty", ERROR, "A table within the assessment has rows if it has headings: the document "
                                        "shows a table only with its rows.", BCL),
    Code("raci-unmarked", ERROR, "Everyone listed in the RACI is at least one of Responsible, Accountable, "
                                 "Consulted or Informed.", BRIEF),
    Code("raci-no-accountable", ERROR, "Someone must be Accountable for the project: usually the sponsor or the "
                                       "project board.", BRIEF),
    Code("department-level-missing", ERROR, "A department that is involved needs a level (Low, Medium or High) "
                                            "for the resource heat map.", BRIEF),
    Code("department-level-not-involved", ERROR, "Only a department that is involved has a level: a level beside "
                                                 "No (or a blank) contradicts itself.", BRIEF),
    Code("stage-no-deliverables", ERROR, "Every stage of the phase lists at least one deliverable or activity.",
         BRIEF),
    Code("stage-unknown", ERROR, "Each deliverable belongs to a stage named in the Stages table, or it would be "
                                 "left out of the document.", BRIEF),
    Code("stage-repeated", ERROR, "Each stage has its own name, so that its deliverables can be told apart.", BRIEF),
    Code("sponsor-tbc", WARNING, "A sponsor and a lead must be named once a project is past Stage 0."),
    Code("tracker-initiation", ERROR, "Past Stage 1 the tracker needs resources attached, an indicative budget "
                                      "code and a named finance lead."),
    # Across the forms of one run (rules/crossform.py)
    Code("tracker-ref-duplicate", ERROR, "Each case has its own portfolio tracker ref: two forms of one kind with "
                                         "one ref are one project twice (a project's Business Case Lite and its "
                                         "Project Brief share theirs)."),
    # The values a lead types (models/values.py, named by the reader from the kind of the cell)
    Code("value-required", ERROR, "A field marked * on the form is filled in."),
    Code("value-text", ERROR, "Text is text (not TRUE or FALSE)."),
    Code("value-money", ERROR, "Money is an amount in pounds (200000, £200,000, £630k; blank or - for none, TBC for "
                               "not yet known), no more than £10bn; an amount that could be read two ways (£1,5m, "
                               "200.000,00, 1,00,000) is refused, never guessed; an investment is never negative."),
    Code("value-date", ERROR, "A date is a real month and year (Oct 2023, Sept. 2024, 10/2023, an Excel date), a "
                              "quarter (Q3 2024, Q1 24/25) or a word such as TBC or Ongoing; Completed for a gate, a "
                              "year (2025) for a realisation date."),
    Code("value-invalid", ERROR, "A value is of the kind its field holds."),
    Code("value-rating", ERROR, "A rating (likelihood, impact, effort) is a whole number from 1 to 5."),
    Code("value-count", ERROR, "A count is a whole number from 0 to 1,000,000,000."),
    Code("value-choice", ERROR, "A choice is one of the values in its dropdown (the programme's vocabulary)."),
    Code("value-level", ERROR, "A bullet's level is 1, or 2 for a bullet under the one above."),
    Code("value-yesno", ERROR, "A yes/no answer is Yes or No."),
    Code("value-mark", ERROR, "A RACI mark is X, a tick, or blank."),
    Code("value-too-long", ERROR, "A text is at most 32,767 characters, what one cell of a workbook holds: longer "
                                  "text is refused, never cut."),
    Code("text-illegal-char", WARNING, "Characters a Word document cannot hold are removed from the text."),
    # The cells and the layout of the form (intake/)
    Code("cell-formula-no-value", ERROR, "A formula in an input cell has a saved value (the form was saved by "
                                         "Excel or LibreOffice after the formula was typed)."),
    Code("cell-error-value", ERROR, "An input cell does not show a formula error such as #DIV/0!."),
    Code("cell-merged", ERROR, "Input cells are not merged into their neighbours, where their values would be "
                               "lost."),
    Code("cell-not-a-number", ERROR, "A cell saved as a number holds a number."),
    Code("cell-outside", WARNING, "Nothing is typed on a sheet of the form outside its cells, where casegen does "
                                  "not read it."),
    Code("table-too-long", ERROR, "A table has at most 5,000 rows."),
    Code("table-unknown-column", WARNING, "A table has only the columns casegen reads."),
    Code("form-old-layout", WARNING, "The form has a cell for every field; an older form's missing optional fields "
                                     "are left blank until `casegen upgrade` brings it up to date."),
    Code("form-foreign", ERROR, "The workbook is a casegen intake form: most of its named cells and tables are "
                                "there."),
    Code("form-missing-name", ERROR, "Every named input cell of the form is still there."),
    Code("form-missing-table", ERROR, "Every table of the form is still there."),
    Code("form-missing-column", ERROR, "Every column of a table keeps its heading."),
    Code("form-unreadable", ERROR, "The file is an Excel workbook that casegen can open safely (not another kind "
                                   "of file, not password-protected, not damaged, of a sensible size)."),
    Code("form-not-xlsx", ERROR, "A form in a folder of forms is an Excel workbook (.xlsx), not .ods, .csv, "
                                 ".xls or .xlsb (a warning where an .xlsx of the same name is beside it)."),
    Code("problems-more", ERROR, "A form shows at most 200 problems at once; the rest follow when these are "
                                 "fixed."),
    # Building documents (batch/)
    Code("build-render", ERROR, "A case renders into its template (see `casegen templates check` for the "
                                "template's own problems)."),
    Code("build-manifest", ERROR, "The build folder's manifest can be written, so the next build knows what is up "
                                  "to date."),
    Code("build-template", ERROR, "The template of a form's kind can be read; a missing or unreadable template "
                                  "fails only the forms of its own kind."),
    Code("build-foreign-file", ERROR, "A document's name in the output folder is free, or holds a document casegen "
                                      "wrote; a file of anyone else's is never replaced without --force."),
    Code("build-html", ERROR, "A built document's web page (build --html) can be made and written beside it."),
    Code("build-name-clash", ERROR, "Two forms of one build do not make documents of the same name (names that "
                                    "differ only in the spelling of accents count as one)."),
    Code("build-name-windows", ERROR, "A form's document has a name Windows can create: not a device name (CON, "
                                      "PRN, AUX, NUL, COM1-9, LPT1-9), none of < > : \" / \\ | ? * or a control "
                                      "character, no dot or space at the end."),
    Code("build-path-long", WARNING, "A document's path is at most 259 characters, what a Windows desktop opens "
                                     "without long paths turned on."),
    Code("annotate-foreign-file", ERROR, "The annotated copy's name beside a form is free, or holds a copy casegen "
                                         "wrote; anyone else's file is never replaced without --force."),
    Code("strict", ERROR, "With --strict a form with warnings gets no document: its warnings count as errors."),
    Code("history-damaged", WARNING, "A build folder's history reads whole: a damaged part (a cut-off line of "
                                     "the change log) is left out of `casegen changes` and set aside, named."),
    # The portfolio's snapshots, kept in the store of the tracker's folder (portfolio/record.py)
    Code("snapshot-unreadable", WARNING, "A snapshot of the portfolio kept in the tracker's folder can be read; "
                                         "one that cannot (damaged, or written by a newer casegen) is passed over "
                                         "and the report compares with the one before it."),
    Code("snapshot-since-missing", ERROR, "--since names a date before the as-of date on which a snapshot of the "
                                          "portfolio was kept (casegen snapshots lists them)."),
    Code("snapshot-forget-missing", ERROR, "--forget names a date on which a snapshot of the portfolio was kept "
                                           "(casegen snapshots lists them)."),
    # The Word templates (templating/, `casegen templates check`)
    Code("template-missing", ERROR, "The templates named, and the templates folder, exist and hold templates."),
    Code("template-format", ERROR, "A template is a Word document (.docx) whose parts are well-formed XML and "
                                   "compile."),
    Code("template-kind", ERROR, "A template's name says which kind of case it prints (or --kind does)."),
    Code("template-syntax", ERROR, "A template's tags are well-formed: each opens and closes in one paragraph."),
    Code("template-unknown-field", ERROR, "Every name a tag prints is a field of the case or a computed figure, "
                                          "spelt as the models spell it."),
    Code("template-filter", ERROR, "A tag uses only casegen's filters, each on the kind of value it takes."),
    Code("template-test", ERROR, "An `is` test in a tag is one that Jinja has."),
    Code("template-loop", ERROR, "A tag loops only over a list."),
    Code("template-include", ERROR, "A template stands alone: it does not include, import or extend another."),
    Code("template-sandbox", ERROR, "A tag does nothing the sandbox refuses when the document is built: no "
                                    "change to the case, no reaching inside it, no range of over 100,000 numbers."),
    Code("template-bounds", ERROR, "A tag asks for no more than a document needs: no number of thousands of "
                                   "digits, no width or repetition of millions, no loops running 200,000 times."),
    Code("template-geometry", WARNING, "A template's tables fit between the page's margins and their columns "
                                       "are wide enough for what they print (an amount of £10,000,000)."),
    Code("template-unprinted-field", WARNING, "Every field of the form is printed by a template of its kind "
                                              "(an error with `templates check --strict`)."),
    # Reading a Word document into a form (wordimport/, `casegen import`)
    Code("import-unplaced", WARNING, "Every paragraph, table row and column of an imported document has a place "
                                     "in the form."),
    Code("import-missing-section", WARNING, "An imported document has every section its format expects."),
    Code("import-unread", WARNING, "Everything Word shows in an imported document can be read: content embedded "
                                   "whole from another file (an altChunk) is named, for you to copy into the form."),
    Code("import-too-long", ERROR, "A text of an imported document fits a cell of the form (32,767 characters); "
                                   "what is past that is named, never dropped silently."),
    Code("import-risk-total", ERROR, "A risk total typed in an imported document is its Likelihood × Impact."),
]

CODES: dict[str, Code] = {c.code: c for c in _ALL}


def lookup(code: str) -> Code:
    """The registered code; a KeyError naming this module for a code that is not here (a slip in casegen)."""
    try:
        return CODES[code]
    except KeyError:
        raise KeyError(f"problem code {code!r} is not in casegen/codes.py: add it there with its severity "
                       "and explanation") from None
