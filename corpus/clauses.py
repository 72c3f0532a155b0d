"""Segmenting a normalised text into clauses: 一、 → （一） → 1. / 1、 → （1）, 第X章 / 第X条.

Decisions:
- numbers are recognised only at line starts; "2018年…" and "1.5倍" are not numbers;
- every numbered line starts a new clause, nested items included (a （一） clause ends where its
  first 1. begins), so a clause is the smallest numbered unit;
- an unnumbered paragraph of body text continues the clause above when that clause is an article
  (第X条 with several 款) or an item (（一）, 1., （1）) whose line is a bare heading ("（一）指导思想。"
  followed by its paragraph); otherwise each unnumbered paragraph (line) is a clause of its own,
  number "" and level 0 — the preamble, the paragraphs under a 一、 heading, the further paragraphs
  of a long item in a report, and whole reports without numbering;
- spans are trimmed (no surrounding whitespace), in order and non-overlapping; the text between
  two consecutive spans is whitespace only, so together they cover all non-blank text.
"""
from __future__ import annotations

import re

from corpus.records import ClauseSpan

_CN = "一二三四五六七八九十百千零〇两"
# (pattern, level); the first that matches at a line start wins.
_NUMBER_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(rf"第[{_CN}\d]+(?:[章篇编节]|部分)"), 1),
    (re.compile(rf"第[{_CN}\d]+条"), 2),
    (re.compile(rf"[{_CN}]+、"), 1),
    (re.compile(rf"[（(][{_CN}]+[）)]"), 2),
    (re.compile(r"\d{1,3}(?:[、．]|\.(?!\d))"), 3),
    (re.compile(r"[（(]\d{1,3}[）)]"), 4),
)
_BODY_PUNCTUATION = re.compile(r"[，。；！？：,;]")
STANDS_ALONE = re.compile(r"^(附件|附：|附表|抄送)")    # a line that continues nothing and is continued by nothing
_MAX_HEADING = 30
_MAX_BARE_HEADING = 50


def clause_number(line: str) -> tuple[str, int] | None:
    """(number as written, level) when ``line`` opens with a clause number, else None."""
    for pattern, level in _NUMBER_PATTERNS:
        match = pattern.match(line)
        if match:
            return match.group(), level
    return None


def segment_clauses(text: str) -> list[ClauseSpan]:
    spans: list[ClauseSpan] = []
    for start, end in _line_spans(text):
        line = text[start:end]
        numbered = clause_number(line)
        if numbered:
            number, level = numbered
            spans.append(ClauseSpan(number, level, start, end, _heading(line[len(number):])))
        elif spans and _takes_paragraph(spans[-1], text) and _is_body_paragraph(line):
            spans[-1].end = end
        else:
            spans.append(ClauseSpan("", 0, start, end))
    return spans


def _takes_paragraph(span: ClauseSpan, text: str) -> bool:
    """Does an unnumbered paragraph right after ``span`` belong to it?"""
    if span.number.startswith("第") and span.number.endswith("条"):
        return True
    if span.level < 2:
        return False
    own = text[span.start:span.end]
    bare = own[len(span.number):].strip().rstrip("。")
    return "\n" not in own and bare == span.heading != "" and not _BODY_PUNCTUATION.search(bare)


def _line_spans(text: str):
    """(start, end) of every non-blank line, trimmed of surrounding whitespace."""
    for match in re.finditer(r"[^\n]+", text):
        raw = match.group()
        stripped = raw.strip()
        if stripped:
            start = match.start() + (len(raw) - len(raw.lstrip()))
            yield start, start + len(stripped)


def _is_body_paragraph(line: str) -> bool:
    """Body text (an article's second 款), not a signature, date, attachment line or title."""
    return bool(_BODY_PUNCTUATION.search(line)) and not STANDS_ALONE.match(line)


def _heading(rest: str) -> str:
    """The clause's short opening heading: up to the first 。 when short, or a bare heading line."""
    rest = rest.strip()
    if "。" in rest:
        first = rest.split("。", 1)[0].strip()
        return first if len(first) <= _MAX_HEADING else ""
    if rest and len(rest) <= _MAX_BARE_HEADING and not rest.endswith(("；", ";", "，")):
        return rest
    return ""
