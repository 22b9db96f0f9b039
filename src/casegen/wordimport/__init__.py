"""Bringing legacy Word documents in: a hand-typed Business Case Lite or Project Brief read into an intake form."""
