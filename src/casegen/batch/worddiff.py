"""A word diff for the redline, in time linear in a paragraph's length.

difflib's SequenceMatcher is quadratic in the worst case: a rewritten paragraph of 32,000 characters took
13-44 s word by word. Here the words both ends share are taken first; a middle of more than
WORD_DIFF_WORK pairs of words is matched sentence by sentence (sentences rarely repeat, so that is quick),
and each stretch of sentences that differ is diffed word by word if it is within that work, else shown
replaced whole (it is a rewrite). A 100,000-character paragraph: 0.1-0.2 s.
"""
from __future__ import annotations

import re
import zlib
from difflib import SequenceMatcher


def word_ops(a: list[str], b: list[str]):
    """The opcodes of a word diff, with a bare space between two changes folded into them (one change, not three)."""
    ops = _diff(a, b, 0, len(a), 0, len(b))
    merged: list[list] = []
    for op in ops:
        if merged and merged[-1][0] != "equal" and op[0] != "equal":
            merged[-1] = ["replace", merged[-1][1], op[2], merged[-1][3], op[4]]
        elif (merged and merged[-1][0] != "equal" and op[0] == "equal" and not "".join(a[op[1]:op[2]]).strip()
              and op is not ops[-1]):
            merged[-1] = ["replace", merged[-1][1], op[2], merged[-1][3], op[4]]
        else:
            merged.append(op)
    return merged


WORD_DIFF_WORK = 200_000  # pairs of words difflib weighs at once, at most: about 0.1 s


def _diff(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> list[list]:
    """Opcodes for a[i1:i2] against b[j1:j2]: the words both ends share, and the middle between them."""
    p = 0
    while i1 + p < i2 and j1 + p < j2 and a[i1 + p] == b[j1 + p]:
        p += 1
    q = 0
    while i2 - q > i1 + p and j2 - q > j1 + p and a[i2 - q - 1] == b[j2 - q - 1]:
        q += 1
    ops = [["equal", i1, i1 + p, j1, j1 + p]] if p else []
    ops += _middle(a, b, i1 + p, i2 - q, j1 + p, j2 - q)
    return ops + ([["equal", i2 - q, i2, j2 - q, j2]] if q else [])


def _middle(a, b, i1, i2, j1, j2) -> list[list]:
    if i1 == i2 or j1 == j2:
        return [] if i1 == i2 and j1 == j2 else [["insert" if i1 == i2 else "delete", i1, i2, j1, j2]]
    if (i2 - i1) * (j2 - j1) <= WORD_DIFF_WORK:
        matcher = SequenceMatcher(None, a[i1:i2], b[j1:j2])
        return [[op, x1 + i1, x2 + i1, y1 + j1, y2 + j1] for op, x1, x2, y1, y2 in matcher.get_opcodes()]
    sa, sb = _sentences(a, i1, i2), _sentences(b, j1, j2)
    ops = []
    keys = SequenceMatcher(None, ["".join(a[x:y]) for x, y in sa], ["".join(b[x:y]) for x, y in sb])
    for op, x1, x2, y1, y2 in keys.get_opcodes():
        span = (*_span(sa, x1, x2, i2), *_span(sb, y1, y2, j2))
        work = (span[1] - span[0]) * (span[3] - span[2])
        if op == "equal":
            ops.append(["equal", *span])
        elif work <= WORD_DIFF_WORK:
            ops += _middle(a, b, *span)
        else:
            ops.append(["replace" if work else "insert" if span[0] == span[1] else "delete", *span])
    return ops


def _span(sentences: list[tuple[int, int]], x1: int, x2: int, end: int) -> tuple[int, int]:
    """The tokens of sentences x1 to x2 (an empty stretch at the start of sentence x1)."""
    start = sentences[x1][0] if x1 < len(sentences) else end
    return start, sentences[x2 - 1][1] if x2 > x1 else start


SENTENCE_END = re.compile(r"[.!?;:]$")
MAX_SENTENCE = 200  # tokens: a text without full stops is cut at words chosen by their own letters (so
# an inserted word moves no cut), and at this length at the latest


def _sentences(tokens: list[str], i1: int, i2: int) -> list[tuple[int, int]]:
    """(start, end) of each sentence of tokens[i1:i2] (or piece of a text without stops), with its space after."""
    out, start = [], i1
    for k in range(i1, i2):
        word = tokens[k]
        ends = SENTENCE_END.search(word) or zlib.crc32(word.encode()) % 32 == 0 or k + 1 - start >= MAX_SENTENCE
        if ends and (k + 1 == i2 or not tokens[k + 1].strip()):
            end = min(k + 2, i2)
            out.append((start, end))
            start = end
    if start < i2:
        out.append((start, i2))
    return out
