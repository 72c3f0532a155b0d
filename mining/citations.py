"""Find titles cited in a text (《…》, with nested quotation marks) and resolve them to documents.

Resolution order: exact title, short name, wrapper ↔ attachment title, all compared through
``title_key`` (no marks, quotes or spaces). Fuzzy matching belongs to the verifier.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from corpus.catalogue import key_documents, title_key
from corpus.store import Store
from corpus.wordfinder import WordFinder

# 《…》 with possible nested 《》 inside (rare) and any quotation marks
TITLE_RE = re.compile(r"《([^《》]{2,120})》")


@dataclass(frozen=True)
class TitleMention:
    start: int       # offsets of the whole 《…》
    end: int
    title: str       # inside the marks


@dataclass(frozen=True)
class TitleTarget:
    doc_id: str | None        # stored document id, None when only the catalogue knows it
    catalog_id: str | None
    title: str                # the official title
    how: str                  # official / short / attachment / catalogue


def find_title_mentions(text: str) -> list[TitleMention]:
    return [TitleMention(m.start(), m.end(), m.group(1)) for m in TITLE_RE.finditer(text)]


class TitleIndex:
    """title_key → targets, over the stored documents and the project catalogue."""

    def __init__(self, store: Store | None):
        self.by_key: dict[str, list[TitleTarget]] = {}
        metas = store.document_metas() if store is not None else []
        official = {d.id: d.meta.title or d.id for d in metas}
        if store is not None:
            for doc_id, title, kind in store.titles():
                self._add(title, TitleTarget(doc_id, None, official.get(doc_id, title), kind))
        stored_catalog_ids = {d.meta.catalog_id: d.id for d in metas}
        for entry in key_documents():
            doc_id = stored_catalog_ids.get(entry.id)
            for title, how in [(entry.title, "official"), *[(t, "short") for t in entry.short_titles]]:
                self._add(title, TitleTarget(doc_id, entry.id, entry.title, how if doc_id else "catalogue"))

    def _add(self, title: str, target: TitleTarget) -> None:
        key = title_key(title)
        if key and target not in self.by_key.setdefault(key, []):
            self.by_key[key].append(target)

    def resolve(self, title: str) -> list[TitleTarget]:
        """Targets for a cited title; stored documents first. Empty when nothing matches exactly."""
        targets = self.by_key.get(title_key(title), [])
        seen, out = set(), []
        for t in sorted(targets, key=lambda t: t.doc_id is None):
            key = t.doc_id or t.catalog_id
            if key not in seen:
                seen.add(key)
                out.append(t)
        return out


# ---------------------------------------------------------------------------------------------
# Citations in manuscripts (used by mining/verify/): titles with nested marks, informal names,
# and GB/T 7714 reference entries.


INNER_OPEN, INNER_CLOSE = "〈<", "〉>"


def bare_title(title: str) -> str:
    """A title as a comparison-ready string: inner 〈〉 marks become 《》-free (title_key does the rest)."""
    return re.sub(r"[〈〉<>]", "", title)


@lru_cache(maxsize=65536)
def cite_key(title: str) -> str:
    """``title_key`` without any punctuation: 、 or a dash missing from a title is not an error."""
    return re.sub(r"[\W_]", "", title_key(bare_title(title)))


def find_titles_nested(text: str) -> list[TitleMention]:
    """Outermost 《…》 spans, allowing nested 《》 inside (《关于《X》的通知》); the title keeps its
    inner marks. Unbalanced marks end at the line."""
    out: list[TitleMention] = []
    depth, start = 0, -1
    for i, ch in enumerate(text):
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0 and 2 <= i - start - 1 <= 200:
                out.append(TitleMention(start, i + 1, text[start + 1:i]))
        elif ch == "\n":
            depth = 0
    return out


@dataclass(frozen=True)
class ReferenceEntry:
    """A GB/T 7714 entry of a policy document: 发布机关. 题名: 文号[Z]. (发布日期)[引用日期]. URL"""

    start: int                  # the whole entry (one line)
    end: int
    title_start: int
    title_end: int
    title: str
    author: str                 # the responsible body as written ("" when absent)
    doc_number: str | None
    doc_type: str               # Z / R / A / S / EB / N / M …
    date: str | None            # publication date written in the entry (YYYY, YYYY-MM or YYYY-MM-DD)


_REF_LINE = re.compile(
    r"^[ \t]*(?:[\[［【]\d{1,3}[\]］】]|\d{1,3}[.、．])[ \t]*(?P<body>.+?)[ \t]*"
    r"[\[［](?P<type>Z|R|A|S|EB|N|M|G|DB|CP)(?:/OL)?[\]］](?P<rest>.*)$", re.M)
_REF_AUTHOR = re.compile(r"^(?P<author>[^.．。:：《》\[\]]{2,80}?)[ \t]*[.．。][ \t]*(?P<title>.+)$")
DOC_NUMBER_RE = re.compile(
    r"(?:[\u4e00-\u9fa5]{1,14}[〔\[【(（［﹝]\s*(?:19|20)\d{2}\s*[〕\]】)）］﹞]\s*第?\s*\d{1,4}\s*号"
    r"|[\u4e00-\u9fa5]{1,10}令\s*第\s*[0-9一二三四五六七八九十百零〇]{1,6}\s*号)")
_REF_DATE = re.compile(r"(?<![\d\[［])((?:19|20)\d{2})(?:[-./年](\d{1,2}))?(?:[-./月](\d{1,2}))?")


def find_reference_entries(text: str) -> list[ReferenceEntry]:
    """Reference-list entries of policy-type documents ([Z] [R] [A/OL] [EB/OL] [S] …)."""
    out = []
    for m in _REF_LINE.finditer(text):
        body, body_start = m.group("body"), m.start("body")
        author, title, title_offset = "", body, 0
        am = _REF_AUTHOR.match(body)
        if am and "关于" not in am.group("author") and not am.group("author").endswith(("通知", "意见", "规划", "纲要")):
            author, title, title_offset = am.group("author").strip(), am.group("title"), am.start("title")
        written, doc_number = _split_doc_number(title)
        title = written.strip().strip("《》").strip()
        if not title:
            continue
        t_start = body_start + title_offset
        t_end = t_start + len(written.rstrip()) if "——" not in written else body_start + len(body)
        out.append(ReferenceEntry(m.start(), m.end(), t_start, t_end, title, author,
                                  doc_number, m.group("type"), _reference_date(m.group("rest"))))
    return out


def _split_doc_number(title: str) -> tuple[str, str | None]:
    """"关于…的通知: 国卫办基层函〔2018〕209号" → (title, 文号); also "…（国办发〔2022〕11号）"."""
    m = re.search(r"[:：]\s*(?P<n>[^:：]+)$", title)
    if m and DOC_NUMBER_RE.fullmatch(m.group("n").strip()):
        return title[:m.start()], m.group("n").strip()
    m = re.search(r"[（(](?P<n>[^（）()]+)[）)]\s*$", title)
    if m and DOC_NUMBER_RE.fullmatch(m.group("n").strip()):
        return title[:m.start()], m.group("n").strip()
    if m := re.search(r"[:：]\s*", title):  # GB/T "other title information": 题名: 副题名
        return title[:m.start()] + "——" + title[m.end():], None
    return title, None


def _reference_date(rest: str) -> str | None:
    """The first date in the entry after the type mark, skipping [access dates] and URLs."""
    rest = re.sub(r"[\[［][^\]］]*[\]］]", " ", rest)
    rest = re.sub(r"https?://\S+|www\.\S+", " ", rest)
    m = _REF_DATE.search(rest)
    if not m:
        return None
    year, month, day = m.groups()
    return year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if month and day else "")


@dataclass(frozen=True)
class NameMention:
    start: int
    end: int
    name: str


class NameFinder:
    """Informal names of documents (二十大报告, 十四五规划纲要, 健康中国2030) in running text."""

    def __init__(self, names: list[str]):
        self.automaton = WordFinder((name, name) for name in names if name)

    def find(self, text: str) -> list[NameMention]:
        return [NameMention(start, end, name) for start, end, name, _ in self.automaton.iter_long(text)]
