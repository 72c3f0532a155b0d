"""Metadata extracted from the text alone, against a folder's catalog.jsonl, on the fields the text
itself states (a catalogue value from general knowledge is not something extraction can find).

- title: the catalogue title appears at the top of the text (punctuation and spaces ignored); or,
  as a whole top line, its base form without a trailing revision note "（2013年修正）" or without
  the issuer prefix the catalogue adds ("句容市人民政府办公室关于…") — then that form is expected;
- date: the date appears anywhere in the text (Arabic, ISO or Chinese numerals);
- issuer: every catalogue issuer is named (as written, by an alias, or with the congress term
  "第十五届" inside the name) in the top or bottom lines or the signature;
- doc_number: a catalogue 文号 (one of several) appears in the text, brackets normalised.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from corpus.bodies import find_bodies
from corpus.metadata import extract_metadata
from corpus.readers import read_file
from corpus.text import normalize_doc_number, parse_chinese_date

FIELDS = ("title", "date", "issuer", "doc_number")


def accuracy(results: dict[str, list[tuple[str, bool, object, object]]]) -> tuple[int, int]:
    """(correct, stated) over every field."""
    return (sum(ok for r in results.values() for _, ok, _, _ in r), sum(len(r) for r in results.values()))


def _squash(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _top_lines(text: str, n: int = 8) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:n]


def stated_title(entry: dict, text: str) -> str | None:
    title = entry["title"]
    if _squash(title) in _squash(text[:600]):
        return title
    lines = {_squash(line) for line in _top_lines(text)}
    base = re.sub(r"（[^（）]*）$", "", title)
    if base != title and _squash(base) in lines:
        return base
    for issuer in entry["issuer"]:
        if title.startswith(issuer + "关于") and _squash(title[len(issuer):]) in lines:
            return title[len(issuer):]
    return None


def stated_date(entry: dict, text: str) -> str | None:
    y, m, d = (int(part) for part in entry["date"].split("-"))
    if f"{y}年{m}月{d}日" in text or entry["date"] in text:
        return entry["date"]
    for match in re.finditer(r"[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日", text):
        if parse_chinese_date(match.group()) == entry["date"]:
            return entry["date"]
    return None


def stated_issuers(entry: dict, text: str) -> list[str] | None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    ends = "\n".join(lines[:8] + lines[-8:] + _signature_region(lines))
    named = {name for _, _, name in find_bodies(ends)}
    # "北京市第十五届人民代表大会常务委员会第二十四次会议通过" names 北京市人民代表大会常务委员会
    without_term = _squash(re.sub(r"第[一二三四五六七八九十]+届(?=(全国)?人民代表大会)", "", ends))
    if all(_squash(i) in _squash(ends) or _squash(i) in without_term or i in named for i in entry["issuer"]):
        return entry["issuer"]
    return None


def _signature_region(lines: list[str]) -> list[str]:
    """Lines around the first date-only line (a wrapper's signature sits before its attachment)."""
    for index, line in enumerate(lines):
        if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", line):
            return lines[max(0, index - 4):index + 1]
    return []


def stated_doc_numbers(entry: dict, text: str) -> list[str] | None:
    if not entry["doc_number"]:
        return None
    squashed_text = _squash(normalize_doc_number(text))
    numbers = [_doc_number_key(part.split("（")[0]) for part in re.split(r"[；;]", entry["doc_number"])]
    stated = [n for n in numbers if _squash(n) in squashed_text]
    return stated or None


def _doc_number_key(number: str) -> str:
    """文号 compared with brackets normalised and without the "中华人民共和国" of order numbers."""
    return normalize_doc_number(number).removeprefix("中华人民共和国").replace("中华人民共和国国务院令", "国务院令")


def evaluate(corpus: Path) -> dict[str, list[tuple[str, bool, object, object]]]:
    """Per field, (file, correct, extracted, expected) for every document that states the field."""
    entries = [json.loads(line) for line in (corpus / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    results: dict[str, list[tuple[str, bool, object, object]]] = {f: [] for f in FIELDS}
    for entry in entries:
        raw = read_file(corpus / entry["file"])
        meta = extract_metadata(raw.text, str(corpus / entry["file"]), raw.hints)
        title = stated_title(entry, raw.text)
        if title:
            results["title"].append((entry["file"], _squash(meta.title or "") == _squash(title), meta.title, title))
        date = stated_date(entry, raw.text)
        if date:
            results["date"].append((entry["file"], meta.date == date, meta.date, date))
        issuers = stated_issuers(entry, raw.text)
        if issuers:
            results["issuer"].append((entry["file"], set(meta.issuers) == set(issuers), meta.issuers, issuers))
        numbers = stated_doc_numbers(entry, raw.text)
        if numbers:
            found = _doc_number_key(meta.doc_number) if meta.doc_number else None
            results["doc_number"].append((entry["file"], found in numbers, meta.doc_number, numbers))
    return results


def table(results: dict[str, list[tuple[str, bool, object, object]]]) -> str:
    rows = [f"{'field':<12}{'stated':>8}{'correct':>9}{'accuracy':>10}"]
    for name in FIELDS:
        stated = len(results[name])
        correct = sum(ok for _, ok, _, _ in results[name])
        rows.append(f"{name:<12}{stated:>8}{correct:>9}{correct / max(stated, 1):>10.1%}")
    stated = sum(len(r) for r in results.values())
    correct = sum(ok for r in results.values() for _, ok, _, _ in r)
    rows.append(f"{'overall':<12}{stated:>8}{correct:>9}{correct / max(stated, 1):>10.1%}")
    misses = [f"  miss {name}: {file}: got {got!r}, expected {want!r}"
              for name in FIELDS for file, ok, got, want in results[name] if not ok]
    return "\n".join(rows + misses)
