"""The portfolio: every case of a set of forms in one tracker workbook, and a summary document.

collect.py reads the forms into small rows, figures.py works out the totals, tracker.py writes the
workbook (its Cases columns declared in columns.py, the Savings sheet in savingssheet.py, Risks and the
heat map in risksheet.py), summary.py the Word summary; make.py is `casegen portfolio` as one call. Nothing
is
imported here, so that the command line starts without loading the models.
"""
