"""A Project Brief's risk as one sentence: "Due to lack of …, there is a risk that …; the impact: …".

The form asks for three parts, each typed as if it began a sentence ("Lack of …", "That …"); joined,
each part's first word is lower-cased unless it is a name (Luton, TOM, the programme's own words).
"""
from __future__ import annotations

import re

_LEADS = re.compile(r"^\s*(due to|there is a risk|the impact( is)?)\s*[:\-–]?\s*", re.I)


def _plain_word(word: str, names: set[str]) -> bool:
    """A word written with a capital only because it starts its part: not an acronym, not a name."""
    core = word.strip("\"'‘’“”(")
    return (len(core) > 1 and core[0].isupper() and core[1:] == core[1:].lower() and core.isalpha()
            and core not in names)


def continued(part: str, names: set[str]) -> str:
    """`part` as it reads inside a sentence: the form's own lead-in dropped, its first word lower-cased
    unless a name or acronym."""
    text = _LEADS.sub("", part.strip(), count=1).rstrip(" .;")
    first, _, rest = text.partition(" ")
    if _plain_word(first, names):
        first = first[0].lower() + first[1:]
    return f"{first} {rest}".strip()


def brief_risk(cause: str, risk: str, consequence: str, names: set[str]) -> str:
    """The three parts as one sentence, in sentence case."""
    text = f"Due to {continued(cause, names)}, there is a risk {continued(risk, names)}"
    impact = continued(consequence, names)
    return f"{text}; the impact: {impact}." if impact else f"{text}."


def names_of(*texts: str) -> set[str]:
    """The capitalised words of the programme's own vocabulary and the case's names: kept as written."""
    return {w for t in texts for w in re.findall(r"[A-Z][\w'’-]*", t or "")}


# What a board reads names no command, option or file of the tool: a problem's how-to for the person who ran
# it ("…; make a form with `casegen new bcl FILE.xlsx`") is left out, and the tool is not named.
_HOW_TO = re.compile(r"[;:,]?\s*[^;:]*`[^`]*`[^;]*")
_TOOL = [(re.compile(r"'_casegen' sheet"), "control sheet"), (re.compile(r"\ba casegen\b"), "an"),
         (re.compile(r"\bcasegen's\b"), "the"),
         (re.compile(r"\bcasegen\b"), "the tool"), (re.compile(r"\s*\(?--[a-z][\w-]*\)?"), "")]


def for_readers(message: str) -> str:
    """A problem's message as a document for the board prints it: what is wrong, without the how-to."""
    text = _HOW_TO.sub("", message).strip(" ;,:")
    for pattern, words in _TOOL:
        text = pattern.sub(words, text)
    return text or message.split("`")[0].strip(" ;,:")
