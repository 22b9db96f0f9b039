"""The template checker: a docxtpl template read against the case models, both ways."""
