"""casegen: business cases and project briefs from Excel intake forms to Word documents."""
__version__ = "0.1.0"
