"""The default Word templates: package data of casegen (casegen.templates), drawn by tools/make_*_template.py."""
