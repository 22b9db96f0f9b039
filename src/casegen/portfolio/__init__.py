"""The portfolio: every case of a set of forms in one tracker workbook, and a summary document.

collect.py reads the forms into small rows, figures.py works out the totals, tracker.py writes the
workbook, summary.py the Word summary; command.py is the `casegen portfolio` command. Nothing is
imported here, so that the command line starts without loading the models.
"""
