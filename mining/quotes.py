"""Quotations: split them, align them to a passage, and say what differs.

Pure functions over strings; the verifier finds the candidate passages (through the FTS5 index)
and calls these to compare. Difference kinds, from the author's side:

- ``punctuation only``: the words are verbatim, only punctuation or spaces differ;
- ``characters changed``: characters replaced by others;
- ``words added``: the quotation has characters the passage lacks;
- ``words missing``: the passage has characters the quotation lacks.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

ELLIPSIS = re.compile(r"……|…|\.{3,}|。。。")
PUNCTUATION_ONLY = "punctuation only"
CHANGED = "characters changed"
ADDED = "words added"
MISSING = "words missing"


def is_punct(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PS"


def quote_segments(quote: str) -> list[str]:
    """The verbatim pieces of a quotation: an ellipsis (……) marks an omission between them."""
    return [s.strip() for s in ELLIPSIS.split(quote) if len(s.strip()) >= 2]


def strip_punct(text: str) -> tuple[str, list[int]]:
    """``text`` without punctuation and spaces, and for each kept character its index in ``text``."""
    kept, index = [], []
    for i, ch in enumerate(text):
        if not is_punct(ch):
            kept.append(ch)
            index.append(i)
    return "".join(kept), index


def find_ignoring_punct(needle: str, text: str,
                        stripped: tuple[str, list[int]] | None = None) -> tuple[int, int] | None:
    """(start, end) in ``text`` of ``needle`` when they agree once punctuation is ignored;
    ``stripped`` is ``strip_punct(text)`` when the caller has it already."""
    bare_needle, _ = strip_punct(needle)
    if len(bare_needle) < 2:
        return None
    bare_text, index = stripped or strip_punct(text)
    at = bare_text.find(bare_needle)
    if at < 0:
        return None
    return index[at], index[at + len(bare_needle) - 1] + 1


@dataclass
class DiffOp:
    op: str            # equal / replace / delete (only in the quotation) / insert (only in the passage)
    quote: str
    passage: str

    def to_dict(self) -> dict:
        return {"op": self.op, "quote": self.quote, "passage": self.passage}


@dataclass
class QuoteDiff:
    ops: list[DiffOp] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)     # difference kinds, most serious first
    similarity: float = 0.0                            # 0–100, rapidfuzz ratio

    @property
    def verbatim(self) -> bool:
        return not self.kinds

    @property
    def punctuation_only(self) -> bool:
        return self.kinds == [PUNCTUATION_ONLY]

    def summary(self) -> str:
        return "verbatim" if self.verbatim else ", ".join(self.kinds)


def diff(quote: str, passage: str) -> QuoteDiff:
    """Character-level differences between a quotation and the passage it was aligned to."""
    ops: list[DiffOp] = []
    kinds: set[str] = set()
    # Levenshtein (with substitutions): "队伍" → "团队" reads as characters changed, not added + missing
    for op in _merged_ops(quote, passage):
        tag, q, p = op.op, op.quote, op.passage
        ops.append(op)
        if tag == "equal":
            continue
        if all(is_punct(ch) for ch in q + p):
            kinds.add(PUNCTUATION_ONLY)
            continue
        q_bare, p_bare = strip_punct(q)[0], strip_punct(p)[0]
        if q_bare and p_bare:
            kinds.add(CHANGED)
        elif q_bare:
            kinds.add(ADDED)
        else:
            kinds.add(MISSING)
    order = [CHANGED, ADDED, MISSING, PUNCTUATION_ONLY]
    words = [k for k in order if k in kinds and k != PUNCTUATION_ONLY]
    ordered = words or ([PUNCTUATION_ONLY] if PUNCTUATION_ONLY in kinds else [])
    return QuoteDiff(ops, ordered, fuzz.ratio(quote, passage))


def _merged_ops(quote: str, passage: str) -> list[DiffOp]:
    """Edit operations; two edits around a single equal character read as one change
    (insert 团, keep 队, delete 伍 → "队伍" replaced by "团队")."""
    raw = [DiffOp(tag, quote[i1:i2], passage[j1:j2])
           for tag, i1, i2, j1, j2 in Levenshtein.opcodes(quote, passage).as_list()]
    out: list[DiffOp] = []
    i = 0
    while i < len(raw):
        op = raw[i]
        if (op.op != "equal" and i + 2 < len(raw) and raw[i + 1].op == "equal" and len(raw[i + 1].quote) == 1
                and raw[i + 2].op != "equal" and not is_punct(raw[i + 1].quote)):
            mid, nxt = raw[i + 1], raw[i + 2]
            out.append(DiffOp("replace", op.quote + mid.quote + nxt.quote, op.passage + mid.passage + nxt.passage))
            i += 3
            continue
        out.append(op)
        i += 1
    return out


def align(quote: str, text: str) -> tuple[int, int, float]:
    """The passage of ``text`` closest to ``quote``: (start, end, similarity 0–100).

    rapidfuzz finds the best window of the quotation's length; difflib then trims or widens it
    to the matching blocks, so a quotation with words added or missing gets the right span.
    """
    if not quote or not text:
        return 0, 0, 0.0
    if len(text) <= len(quote):
        start, end = 0, len(text)
    else:
        hit = fuzz.partial_ratio_alignment(quote, text)
        start, end = hit.dest_start, hit.dest_end
    margin = len(quote) // 3 + 2
    lo, hi = max(0, start - margin), min(len(text), end + margin)
    window = text[lo:hi]
    matcher = difflib.SequenceMatcher(None, quote, window, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 2]
    if blocks:
        # widen over quotation characters left unmatched at either end ("服务队伍" ~ "服务团队")
        head = min(blocks[0].a, blocks[0].b)
        tail = min(len(quote) - blocks[-1].a - blocks[-1].size, len(window) - blocks[-1].b - blocks[-1].size)
        start, end = lo + blocks[0].b - head, lo + blocks[-1].b + blocks[-1].size + tail
    return start, end, fuzz.ratio(quote, text[start:end])
