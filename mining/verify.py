"""Verify policy citations in a manuscript against the corpus, with evidence (issue 4).

    report = verify_file("paper.docx", store)      # or verify_text(text, store, name)
    report.to_dict()                               # the JSON contract of the issue

Pipeline: find citations (《》 titles, informal names, GB/T 7714 reference entries) → read the
claims around each (year, issuers, 文号, quotations, novelty claims, places) → resolve the
cited document (exact title / short name / wrapper↔attachment / fuzzy) → check each claim.

Statuses: ``ok``; ``mismatch`` (the corpus contradicts the claim); ``not_found`` (nothing in the
corpus matches); ``uncertain`` (the corpus cannot decide: the document's text is not in the
corpus, a near relation rather than a contradiction, a punctuation-only difference in a quotation).
Decisions made here, on purpose:

- a quotation whose words are verbatim but whose punctuation differs is ``uncertain`` (not a
  fabrication, but an editor wants to see it), with the differences listed;
- an issuer that is the parent of the real issuer (国务院 for 国务院办公厅), or its
  predecessor/successor after a renaming, is ``uncertain``; an alias is ``ok``; but an office named
  for the body above it (国务院办公厅 for a 国务院 document) is ``mismatch`` (国办发 ≠ 国发); a
  legislature said to adopt (审议通过/批准) a report it did not issue is ``uncertain``;
- a quotation with no Chinese text (a translation) is ``uncertain``; a yearly series cited
  without its year (《关于做好国家基本公共卫生服务项目工作的通知》) exists, its title ``uncertain``;
- a novelty claim about a catalogue-only document is ``mismatch`` when a corpus text dated before
  it contains the term, else ``uncertain``;
- a year one off the document's date across a new year, or a year the text itself gives as an
  earlier stage (a law's adoption), is ``uncertain``;
- a document known only from the catalogue: ``exists: ok`` with a note that its text is not in
  the corpus; its ``quote`` and ``first_appearance`` checks are ``uncertain``.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from corpus.bodies import find_bodies, load_bodies
from corpus.catalogue import key_documents
from corpus.gazetteer import load_gazetteer
from corpus.records import Clause
from corpus.store import Store
from corpus.text import normalize, normalize_doc_number
from mining import quotes as q
from mining.citations import (DOC_NUMBER_RE, NameFinder, ReferenceEntry, bare_title, cite_key,
                              find_reference_entries, find_titles_nested)
from mining.manuscript import Manuscript, from_text, read_manuscript

KINDS = ("exists", "title", "year", "issuer", "doc_number", "quote", "first_appearance", "region")
STATUSES = ("ok", "mismatch", "not_found", "uncertain")
PROBLEMS = ("mismatch", "not_found")

# -------------------------------------------------------------------------------- report types


@dataclass
class Evidence:
    doc_id: str
    clause: str          # clause id ("" when the fact is not located in a clause)
    start: int           # offsets into the document's stored text
    end: int

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "clause": self.clause, "start": self.start, "end": self.end}


@dataclass
class Check:
    kind: str
    status: str
    claimed: object
    found: dict           # always carries a human-readable "note"
    evidence: Evidence | None = None

    @property
    def note(self) -> str:
        return self.found.get("note", "") if isinstance(self.found, dict) else ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "status": self.status, "claimed": self.claimed, "found": self.found,
                "evidence": self.evidence.to_dict() if self.evidence else None}


@dataclass
class DocumentRef:
    id: str
    title: str
    date: str | None

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "date": self.date}


@dataclass
class CitationResult:
    id: int
    sentence: str
    cited: str
    document: DocumentRef | None
    checks: list[Check]
    # not in the JSON contract: where the citation is in the manuscript (for the reports)
    start: int = 0
    end: int = 0
    source: str = "title"          # title (《》) / name (informal) / reference (GB/T 7714 entry)

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.status in PROBLEMS]

    def to_dict(self) -> dict:
        return {"id": self.id, "sentence": self.sentence, "cited": self.cited,
                "document": self.document.to_dict() if self.document else None,
                "checks": [c.to_dict() for c in self.checks]}


@dataclass
class VerificationReport:
    manuscript: str
    citations: list[CitationResult]
    text: str = ""                  # the manuscript text the offsets refer to
    coverage: dict = field(default_factory=dict)
    source: Manuscript | None = None

    def to_dict(self) -> dict:
        return {"manuscript": self.manuscript, "citations": [c.to_dict() for c in self.citations]}

    def counts(self) -> dict[str, int]:
        return dict(Counter(c.status for r in self.citations for c in r.checks))


# -------------------------------------------------------------------------------- the corpus side


@dataclass
class DocInfo:
    id: str                      # stored document id, or the catalogue id when only the catalogue knows it
    title: str
    date: str | None
    issuers: list[str]
    doc_numbers: list[str]       # normalised 文号 (a catalogue field may list several)
    level: str | None
    in_corpus: bool
    catalog_id: str | None = None
    parent_id: str | None = None
    family: set[str] = field(default_factory=set)   # itself + wrapper/attachment partners

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date and self.date[:4].isdigit() else None

    def ref(self) -> DocumentRef:
        return DocumentRef(self.id, self.title, self.date)

    def describe(self) -> str:
        return f"《{self.title}》" + (f"（{self.date}）" if self.date else "") + f" [{self.id}]"


# how a cited title matched, best first
EDGES = 800   # characters at the start and end of a document where its issuer, 文号 and date stand
HOW_RANK = {"official": 0, "short": 0, "alias": 0, "attachment": 1, "wrapper": 1, "base": 2, "series": 3, "fuzzy": 3}
_YEAR_IN_TITLE = re.compile(r"(?:19|20)\d{2}年度?")


class Corpus:
    """What the verifier knows: stored documents (metadata only; texts are read on demand),
    catalogue entries, title keys, 文号, and FTS look-ups restricted to a document."""

    def __init__(self, store: Store):
        self.store = store
        self.docs: dict[str, DocInfo] = {}
        self.by_key: dict[str, list[tuple[str, str]]] = {}
        self._texts: dict[str, str] = {}
        self._clauses: dict[str, list[Clause]] = {}
        self.term_cache: dict[str, list[tuple[str, int, int]]] = {}
        self._stripped: dict[str, tuple[str, list[int]]] = {}
        self._load_store()
        self._load_catalogue()
        self._link_families()
        self.keys = list(self.by_key)
        # yearly notices cited as a series, without their year (关于做好国家基本公共卫生服务项目工作的通知)
        self.by_yearless: dict[str, list[str]] = {}
        for key, targets in self.by_key.items():
            if _YEAR_IN_TITLE.search(key):
                yearless = _YEAR_IN_TITLE.sub("", key)
                for doc_id, how in targets:
                    if how in ("official", "short") and doc_id not in self.by_yearless.get(yearless, []):
                        self.by_yearless.setdefault(yearless, []).append(doc_id)
        self.by_number = self._number_index()
        self.names = NameFinder(self._informal_names())
        self.coverage = self._coverage()

    # -- loading ------------------------------------------------------------------------------

    def _load_store(self) -> None:
        import json
        rows = self.store.conn.execute(
            "SELECT id, title, date, issuers, doc_number, level, catalog_id, parent_id, short_titles, "
            "attachment_title FROM documents ORDER BY id").fetchall()
        for r in rows:
            info = DocInfo(r["id"], r["title"] or r["id"], r["date"], json.loads(r["issuers"]),
                           _split_numbers(r["doc_number"]), r["level"], True, r["catalog_id"], r["parent_id"])
            self.docs[info.id] = info
            self._add_key(r["title"], info.id, "official")
            for short in json.loads(r["short_titles"]):
                self._add_key(short, info.id, "short")
            if r["attachment_title"] and not r["parent_id"]:
                self._add_key(r["attachment_title"], info.id, "attachment")
        for doc_id, title, kind in self.store.titles():
            self._add_key(title, doc_id, {"official": "official", "short": "short"}.get(kind, "attachment"))

    def _load_catalogue(self) -> None:
        stored_by_catalog: dict[str, list[str]] = {}
        for info in self.docs.values():
            for key in {info.catalog_id, info.id} - {None}:
                stored_by_catalog.setdefault(key, []).append(info.id)
        self.catalogue_wraps: list[tuple[str, str]] = []
        for entry in key_documents():
            targets = [d for d in stored_by_catalog.get(entry.id, []) if not self.docs[d].parent_id]
            if not targets:
                info = DocInfo(entry.id, entry.title, entry.date, list(entry.issuer),
                               _split_numbers(entry.doc_number), entry.level, False, entry.id)
                self.docs[entry.id] = info
                targets = [entry.id]
            for doc_id in targets:
                self._add_key(entry.title, doc_id, "official")
                for short in entry.short_titles:
                    self._add_key(short, doc_id, "short")
                if entry.wraps:
                    self.catalogue_wraps.append((doc_id, entry.wraps))

    def _link_families(self) -> None:
        for info in self.docs.values():
            info.family.add(info.id)
            if info.parent_id and info.parent_id in self.docs:
                info.family.add(info.parent_id)
                self.docs[info.parent_id].family.add(info.id)
        for wrapper_id, wrapped_title in self.catalogue_wraps:
            children = [d for d, how in self.by_key.get(cite_key(wrapped_title), []) if d != wrapper_id
                        and how in ("official", "short")]
            if not children:
                self._add_key(wrapped_title, wrapper_id, "attachment")
            for child in children:
                self.docs[wrapper_id].family.add(child)
                self.docs[child].family.add(wrapper_id)
        # variants: without a leading issuer (国务院办公厅关于… → 关于…) and without a trailing
        # version in brackets (…（2013年修正）, 政府工作报告（2019年…）)
        for key_title in list(self._titles_by_doc()):
            doc_id, title, how = key_title
            for variant in title_variants(title):
                self._add_key(variant, doc_id, "base" if variant_is_base(title, variant) else how)

    def _titles_by_doc(self):
        for key, targets in list(self.by_key.items()):
            for doc_id, how in targets:
                if how in ("official", "short", "attachment"):
                    yield doc_id, self._raw_titles.get((key, doc_id), key), how

    def _add_key(self, title: str | None, doc_id: str, how: str) -> None:
        if not title:
            return
        if not hasattr(self, "_raw_titles"):
            self._raw_titles: dict[tuple[str, str], str] = {}
        key = cite_key(title)
        if len(key) < 2:
            return
        targets = self.by_key.setdefault(key, [])
        if not any(d == doc_id for d, _ in targets):
            targets.append((doc_id, how))
            self._raw_titles[(key, doc_id)] = bare_title(title)
        else:  # keep the best way of matching
            for i, (d, h) in enumerate(targets):
                if d == doc_id and HOW_RANK[how] < HOW_RANK[h]:
                    targets[i] = (doc_id, how)

    def _number_index(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for info in self.docs.values():
            for number in info.doc_numbers:
                index.setdefault(number, []).append(info.id)
        return index

    def _informal_names(self) -> list[str]:
        """Short names and titles findable without 《》: long enough, and not a generic word."""
        names = []
        for key, targets in self.by_key.items():
            raw = self._raw_titles.get((key, targets[0][0]), key)
            if any(h in ("short", "official") for _, h in targets) and _usable_name(raw):
                names.append(raw)
        return names

    def _coverage(self) -> dict:
        stored = [d for d in self.docs.values() if d.in_corpus and not d.parent_id]
        years = sorted(d.year for d in stored if d.year)
        return {"documents": len(stored), "first_year": years[0] if years else None,
                "last_year": years[-1] if years else None,
                "levels": dict(sorted(Counter(d.level or "unknown" for d in stored).items())),
                "catalogue_only": sum(1 for d in self.docs.values() if not d.in_corpus)}

    # -- text access --------------------------------------------------------------------------

    def text(self, doc_id: str) -> str:
        if doc_id not in self._texts:
            row = self.store.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
            self._texts[doc_id] = row["text"] if row else ""
        return self._texts[doc_id]

    def stripped(self, doc_id: str) -> tuple[str, list[int]]:
        """The document's text without punctuation, with the index map (cached)."""
        if doc_id not in self._stripped:
            self._stripped[doc_id] = q.strip_punct(self.text(doc_id))
        return self._stripped[doc_id]

    def clauses(self, doc_id: str) -> list[Clause]:
        if doc_id not in self._clauses:
            self._clauses[doc_id] = self.store.clauses(doc_id)
        return self._clauses[doc_id]

    def evidence_at(self, doc_id: str, start: int, end: int) -> Evidence:
        clause = next((c.id for c in self.clauses(doc_id) if c.start <= start < c.end), "")
        return Evidence(doc_id, clause, start, end)

    def search(self, needle: str, limit: int | None = None) -> list[Clause]:
        """Clauses containing ``needle`` verbatim, corpus-wide, through the FTS5 trigram index."""
        return self.store.search_clauses(needle, limit)

    def locate(self, doc_id: str, needles: list[str], edges: int | None = None) -> Evidence | None:
        """Where the first of ``needles`` occurs in a stored document (its family included);
        with ``edges``, only in its first and last ``edges`` characters (where 公文 state their
        issuer, 文号 and date)."""
        info = self.docs.get(doc_id)
        if info is None or not info.in_corpus:
            return None
        for needle in needles:
            if not needle:
                continue
            for member in sorted(info.family):
                if not self.docs[member].in_corpus:
                    continue
                text = self.text(member)
                at = text.find(needle, 0, edges + len(needle) if edges else None)
                if at < 0 and edges:
                    at = text.find(needle, max(0, len(text) - edges))
                if at >= 0:
                    return self.evidence_at(member, at, at + len(needle))
        return None

    # -- resolution -----------------------------------------------------------------------------

    def exact(self, cited: str) -> list[tuple[str, str]]:
        """(doc_id, how) for a cited title, trying the title as written and its variants."""
        found: dict[str, str] = {}
        variants = [(cited, None)] + [(v, "base" if variant_is_base(cited, v) else None) for v in title_variants(cited)]
        for variant, how_override in variants:
            for doc_id, how in self.by_key.get(cite_key(variant), []):
                how = how_override if how_override and HOW_RANK[how_override] > HOW_RANK[how] else how
                if doc_id not in found or HOW_RANK[how] < HOW_RANK[found[doc_id]]:
                    found[doc_id] = how
        inner = re.fullmatch(r".*?关于印发(.+?)的通知", bare_title(cited))
        if inner:
            for doc_id, _ in self.exact(inner.group(1)):
                found.setdefault(doc_id, "wrapper")
        return sorted(found.items(), key=lambda t: HOW_RANK[t[1]])

    def fuzzy(self, cited: str, limit: int = 5) -> list[tuple[str, float, int]]:
        """(key, score, edit distance) of the closest known titles."""
        key = cite_key(cited)
        hits = process.extract(key, self.keys, scorer=fuzz.ratio, limit=limit, score_cutoff=60)
        return [(k, score, Levenshtein.distance(key, k)) for k, score, _ in hits]

    def owners_of_number(self, claimed: str) -> list[str]:
        """Documents whose 文号 is ``claimed`` (a claimed code with extra leading characters,
        read from running text, still matches by its tail)."""
        claimed = normalize_doc_number(claimed)
        if claimed in self.by_number:
            return self.by_number[claimed]
        out = []
        for number, ids in self.by_number.items():
            if len(number) >= 6 and claimed.endswith(number):
                out += ids
        return out


def _split_numbers(value: str | None) -> list[str]:
    if not value:
        return []
    return [normalize_doc_number(part.split("（")[0]) for part in re.split(r"[；;]", value) if part.strip()]


_GENERIC_NAMES = {"国考", "政府工作报告", "决定", "建议", "纲要", "规划", "意见", "通知", "报告", "方案",
                  "健康中国行动", "传染病防治法", "医师法", "国民健康规划"}


def _usable_name(name: str) -> bool:
    bare = name.strip("《》")
    return len(bare) >= 5 and bare not in _GENERIC_NAMES and "《" not in name


_TRAILING_VERSION = re.compile(r"[（(][^（）()]*[）)]$")
_ISSUER_PREFIX = re.compile(r"^(?P<prefix>[^《》“”]{2,60}?)(?P<rest>关于.{4,})$")


@lru_cache(maxsize=65536)
def title_variants(title: str) -> tuple[str, ...]:
    """Other ways the same document is cited: without the issuer before 关于, without a trailing
    version in brackets, without 中华人民共和国."""
    bare = bare_title(title).strip()
    out = []
    m = _ISSUER_PREFIX.match(bare)
    if m and find_bodies(m.group("prefix")):
        out.append(m.group("rest"))
    if _TRAILING_VERSION.search(bare):
        out.append(_TRAILING_VERSION.sub("", bare))
    if bare.startswith("中华人民共和国") and len(bare) > 9:
        out.append(bare[len("中华人民共和国"):])
        if _TRAILING_VERSION.search(bare):
            out.append(_TRAILING_VERSION.sub("", bare)[len("中华人民共和国"):])
    return tuple(v for v in out if len(cite_key(v)) >= 4)


def variant_is_base(title: str, variant: str) -> bool:
    """A variant that drops a version mark is a weaker match (the law, not this revision)."""
    return bool(_TRAILING_VERSION.search(bare_title(title).strip())) and not _TRAILING_VERSION.search(variant)


# -------------------------------------------------------------------------------- manuscript side

YEAR = r"(?:19|20)\d{2}"
CN_NUM = "〇零一二三四五六七八九十"
DATE_TAIL = rf"(?:\s*[\d{CN_NUM}]{{1,3}}\s*月(?:\s*[\d{CN_NUM}]{{1,3}}\s*[日号])?)?"
# "等部门", "等10部门", "等六部委": the bodies written are some of the issuers
OTHERS = rf"(?:\s*等\s*(?:[\d{CN_NUM}]{{1,3}}\s*个?)?\s*(?:部门|部委|单位|机构|委员会)?)?"
VERBS = r"(?:印发|发布|出台|颁布|制定|下发|公布|审议通过|审议批准|批准|通过|作出|做出|发出|修订|修正|提出|公开)"
# verbs by which a legislature adopts or approves a text it did not necessarily issue (政府工作报告)
ADOPTION_VERBS = ("审议通过", "审议批准", "批准", "通过")
BODY = "\uE000"   # stands for one issuing body in a skeleton of the text before a title
_PRE_TAIL = re.compile(
    rf"(?:(?P<y1>{YEAR})\s*年{DATE_TAIL}\s*[，,]?\s*)?"
    rf"(?:(?:由)?(?P<bodies>{BODY}(?:\s*[、，,和与及暨]?\s*{BODY})*){OTHERS}\s*)?"
    rf"(?:于?\s*(?P<y2>{YEAR})\s*年{DATE_TAIL}\s*[，,]?\s*)?"
    rf"(?:(?:联合|共同|正式|先后|相继|又|还|再次|首次|专门)?\s*(?P<verb>{VERBS})了?\s*)?的?\s*(?:在|于)?\s*$")
_POST_PAREN = re.compile(r"^\s*[（(](?P<inner>[^（）()]{1,80})[）)]")
_POST_YEAR = re.compile(rf"^[^，。；《“]{{0,8}}?于\s*(?P<y>{YEAR})\s*年{DATE_TAIL}[^，。；《“]{{0,6}}?{VERBS}")
_POST_BODIES = re.compile(rf"^[^，。；《“]{{0,6}}?由(?P<bodies>{BODY}(?:\s*[、，,和与及暨]?\s*{BODY})*){OTHERS}"
                          rf"\s*(?:于\s*(?P<y>{YEAR})\s*年{DATE_TAIL}\s*)?(?:联合|共同|正式)?\s*(?P<verb>{VERBS})")
# 《X》于2016年10月25日由中共中央、国务院印发 (on the skeleton of the text after the title)
_POST_YEAR_BODIES = re.compile(
    rf"^[^，。；《“]{{0,8}}?于\s*(?P<y>{YEAR})\s*年{DATE_TAIL}\s*[，,]?\s*由(?P<bodies>{BODY}(?:\s*[、，,和与及暨]?\s*{BODY})*)"
    rf"{OTHERS}\s*(?:联合|共同|正式)?\s*(?P<verb>{VERBS})")
# 到2030年 / 截至2020年 / 预计2025年: a target or a cut-off, not the year of issue
_NOT_ISSUE_YEAR_BEFORE = re.compile(r"(?:到|至|截至|截止|直到|直至|预计|力争|争取|计划|目标)\s*$")
_NOT_ISSUE_YEAR_AFTER = re.compile(r"^\s*(?:年)?\s*(?:以来|以前|之前|前|后|底|末|起)")
NOVELTY = re.compile(r"首次(?:出现|提出|写入|使用|明确|提到|被提出|正式提出|将)|最早(?:出现|提出|见于|使用|可追溯|写入|是在)"
                     r"|第一次(?:提出|出现|写入|使用)|首见于|率先提出|first\s+(?:appear|introduc|mention|us|propos)",
                     re.I)
_ANAPHOR_START = re.compile(r"^\s*(?:该(?:文件|规划|意见|通知|决定|报告|纲要|方案|法|条例|办法)|上述文件)")
_GENERIC_TITLES = {"规划", "意见", "通知", "决定", "纲要", "建议", "报告", "方案", "条例", "办法", "法",
                   "行动", "实施方案", "指导意见", "规划纲要", "工作方案", "计划"}
_NAME_MARK_FOLLOW = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9]")
_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "\"": "\""}
_SOURCE_BEFORE_TITLE = re.compile(r"^[^“”《》]{0,12}?(?:出自|见于|来自|源自|引自|语出)\s*$")


@dataclass
class Span:
    start: int
    end: int
    text: str


@dataclass
class Mention:
    """One citation as written."""

    start: int
    end: int
    cited: str
    source: str                         # title / name / reference / anaphor
    entry: ReferenceEntry | None = None
    alias_of: int | None = None         # start offset of the earlier mention this one abbreviates (以下简称)


@dataclass
class Claims:
    year: int | None = None
    issuers: list[tuple[str, str]] = field(default_factory=list)   # (as written, canonical)
    doc_number: str | None = None
    quotes: list[Span] = field(default_factory=list)
    novelty: str | None = None          # the term claimed to appear first here
    verb: str | None = None             # the verb linking the issuers to the title (印发 / 审议通过 …)
    places: list = field(default_factory=list)                      # PlaceMention
    sentence: Span | None = None


def sentence_spans(text: str) -> list[Span]:
    """Sentences, never split inside quotation marks or brackets; a line break always ends one."""
    spans, start, i = [], 0, 0
    closing: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            if text[start:i].strip():
                spans.append(Span(start, i, text[start:i]))
            start, closing, i = i + 1, [], i + 1
            continue
        if closing and ch == closing[-1]:
            closing.pop()
            if not closing and i > 0 and text[i - 1] in "。！？!?" and i + 1 < len(text) and text[i + 1] not in "，,、；":
                spans.append(Span(start, i + 1, text[start:i + 1]))
                start = i + 1
        elif ch in _QUOTE_PAIRS or ch in "《（(":
            closing.append(_QUOTE_PAIRS.get(ch, {"《": "》", "（": "）", "(": ")"}.get(ch)))
        elif not closing and ch in "。！？!?":
            spans.append(Span(start, i + 1, text[start:i + 1]))
            start = i + 1
        i += 1
    if text[start:].strip():
        spans.append(Span(start, len(text), text[start:]))
    return [_strip_span(s) for s in spans if s.text.strip()]


def _strip_span(s: Span) -> Span:
    lead = len(s.text) - len(s.text.lstrip())
    trail = len(s.text.rstrip())
    return Span(s.start + lead, s.start + trail, s.text.strip())


def quote_spans(text: str, start: int, end: int) -> list[Span]:
    """“…” spans (offsets of the content, marks excluded) between ``start`` and ``end``."""
    out, i = [], start
    while i < end:
        ch = text[i]
        close = _QUOTE_PAIRS.get(ch)
        if close:
            j = _matching_close(text, i, end, ch, close)
            if j is not None:
                out.append(Span(i + 1, j, text[i + 1:j]))
                i = j + 1
                continue
        i += 1
    return out


def _matching_close(text: str, i: int, end: int, open_: str, close: str) -> int | None:
    depth = 0
    for j in range(i + 1, end):
        if text[j] == close and (open_ != close or depth == 0):
            if depth == 0:
                return j
            depth -= 1
        elif text[j] == open_ and open_ != close:
            depth += 1
    return None


_ALIAS_BEFORE = re.compile(r"(?:简称|又称|俗称|称为|称作|即|[（(])\s*$")


def is_name_mark(text: str, span: Span) -> bool:
    """“十四五”时期, “健康中国2030”规划纲要: quotation marks naming a thing, not quoting a text;
    （“国考”）, 简称“国考”: a short name given to something."""
    follow = text[span.end + 1] if span.end + 1 < len(text) else ""
    before = text[span.start - 2:span.start - 1] if span.start >= 2 else ""
    if len(span.text) <= 8 and _ALIAS_BEFORE.search(text[max(0, span.start - 4):span.start - 1]):
        # （“国考”） right after a Chinese noun phrase; not “…” after an English translation
        if before not in ("（", "(") or (follow in "）)" and span.start >= 3
                                          and re.match(r"[\u4e00-\u9fff]", text[span.start - 3])):
            return True
    if len(span.text) <= 8 and follow and _NAME_MARK_FOLLOW.match(follow) and follow not in "的和与及等":
        return True
    return False


# -------------------------------------------------------------------------------- finding citations


def find_mentions(text: str, corpus: Corpus) -> list[Mention]:
    entries = find_reference_entries(text)
    in_entry = [(e.start, e.end) for e in entries]
    mentions: list[Mention] = [Mention(e.title_start, e.title_end, e.title, "reference", e) for e in entries]
    titles = [t for t in find_titles_nested(text) if not _inside(t.start, t.end, in_entry)]
    quoted = [s for s in quote_spans(text, 0, len(text))
              if not any(t.start < s.start < t.end for t in titles) and not is_name_mark(text, s)]
    aliases: dict[str, int] = {}
    for t in titles:
        if any(s.start <= t.start and t.end <= s.end for s in quoted):
            continue  # a title inside a quotation belongs to the quoted text
        before = text[max(0, t.start - 6):t.start]
        if re.search(r"(以下简称|下称|简称)\s*$", before):
            earlier = [m for m in mentions if m.source in ("title", "name") and m.end <= t.start]
            if earlier:
                aliases[cite_key(t.title)] = max(earlier, key=lambda m: m.end).start
            continue
        cited = t.title.strip()
        key = cite_key(cited)
        if key in aliases:
            mentions.append(Mention(t.start, t.end, cited, "anaphor", alias_of=aliases[key]))
        elif key in _GENERIC_TITLES:
            mentions.append(Mention(t.start, t.end, cited, "anaphor"))
        else:
            mentions.append(Mention(t.start, t.end, cited, "title"))
    taken = in_entry + [(t.start, t.end) for t in titles]
    for n in corpus.names.find(text):
        if _inside(n.start, n.end, taken) or any(s.start <= n.start and n.end <= s.end and not _is_whole(s, n)
                                                 for s in quoted):
            continue
        mentions.append(Mention(n.start, n.end, n.name, "name"))
    mentions.sort(key=lambda m: m.start)
    return mentions


def _is_whole(span: Span, n) -> bool:
    return span.start == n.start and span.end == n.end


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


# -------------------------------------------------------------------------------- reading claims


_SESSION_BEFORE = re.compile(rf"(?:党的|中共)?第?[{CN_NUM}\d]{{1,3}}届\s*$")
_SESSION_AFTER = re.compile(rf"^\s*(?:第?[{CN_NUM}\d]{{1,3}}次(?:全体)?会议|常委会第?[{CN_NUM}\d]{{1,3}}次会议)")
_CN_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}(?=\s*年)")


def arabic_years(segment: str) -> str:
    """二〇二三年 → 2023年 (same length, so offsets hold)."""
    table = str.maketrans("〇零一二三四五六七八九", "00123456789")
    return _CN_YEAR.sub(lambda m: m.group().translate(table), segment)


def _skeleton(segment: str) -> tuple[str, list[tuple[str, str]]]:
    """The segment with each issuing body replaced by one BODY mark, and the bodies in order.
    A session written around a body belongs to it (第十三届全国人大常委会第十五次会议)."""
    out, bodies, pos = [], [], 0
    for start, end, canonical in find_bodies(segment):
        if start < pos:
            continue
        before = _SESSION_BEFORE.search(segment, pos, start)
        if before:
            start = before.start()
        after = _SESSION_AFTER.match(segment[end:])
        if after:
            end += after.end()
        out.append(segment[pos:start])
        out.append(BODY)
        bodies.append((segment[start:end], canonical))
        pos = end
    out.append(segment[pos:])
    return "".join(out), bodies


def _bodies_in(match: re.Match, skeleton: str, bodies: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The bodies that the ``bodies`` group of a skeleton match covers."""
    first = skeleton[:match.start("bodies")].count(BODY)
    count = match.group("bodies").count(BODY)
    return bodies[first:first + count]


def read_claims(text: str, mention: Mention, pre_start: int, post_end: int, sentence: Span,
                quotes: list[Span]) -> Claims:
    claims = Claims(sentence=sentence)
    if mention.entry is not None:
        return _entry_claims(mention.entry, claims)
    pre, post = arabic_years(text[pre_start:mention.start]), arabic_years(text[mention.end:post_end])
    skeleton, bodies = _skeleton(pre)
    m = _PRE_TAIL.search(skeleton)
    if m:
        group = "y1" if m.group("y1") else "y2"
        year = m.group(group)
        if (year and not _NOT_ISSUE_YEAR_AFTER.match(skeleton[m.end(group):])
                and not _NOT_ISSUE_YEAR_BEFORE.search(skeleton[:m.start(group)])):
            claims.year = int(year)
        if m.group("bodies"):
            claims.issuers = _bodies_in(m, skeleton, bodies)
            claims.verb = m.group("verb")
    # an issuer written inside the title: 《国务院办公厅关于…》
    prefix = _ISSUER_PREFIX.match(bare_title(mention.cited))
    if prefix and not claims.issuers:
        p_skeleton, p_bodies = _skeleton(prefix.group("prefix"))
        if p_bodies and re.fullmatch(rf"{BODY}(?:\s*[、，,和与及暨]?\s*{BODY})*\s*", p_skeleton):
            claims.issuers = p_bodies
    paren = _POST_PAREN.match(post)
    if paren:
        inner = paren.group("inner")
        number = DOC_NUMBER_RE.search(inner)
        if number:
            claims.doc_number = _clean_number(number.group())
        year = re.search(rf"(?<!\d)({YEAR})(?:\s*年|[-./]\d|\s*[）)]|$)", inner)
        if year and not claims.year and not re.search(r"以下简称|简称", inner):
            claims.year = int(year.group(1))
    else:
        y = _POST_YEAR.match(post)
        if y and not claims.year:
            claims.year = int(y.group("y"))
    if not claims.issuers:
        p_skeleton, p_bodies = _skeleton(post)
        pm = _POST_YEAR_BODIES.match(p_skeleton) or _POST_BODIES.match(p_skeleton)
        if pm:
            claims.issuers = _bodies_in(pm, p_skeleton, p_bodies)
            claims.verb = pm.group("verb")
            if "y" in pm.groupdict() and pm.group("y") and not claims.year:
                claims.year = int(pm.group("y"))
    if not claims.doc_number:
        before = DOC_NUMBER_RE.search(pre[-30:] + "\0")
        if before and pre.rstrip().endswith(before.group()):
            claims.doc_number = _clean_number(before.group())
    claims.quotes = [s for s in quotes if mention.end <= s.start < post_end]
    claims.quotes += [s for s in quotes if pre_start <= s.start < mention.start
                      and _SOURCE_BEFORE_TITLE.match(text[s.end + 1:mention.start])]
    return claims


def _entry_claims(entry: ReferenceEntry, claims: Claims) -> Claims:
    if entry.date:
        claims.year = int(entry.date[:4])
    if entry.author:
        claims.issuers = [(entry.author[s:e], c) for s, e, c in find_bodies(entry.author)]
    if entry.doc_number:
        claims.doc_number = _clean_number(entry.doc_number)
    return claims


_NUMBER_NOISE = re.compile(r"^.*?(?:文号为|文号是|文号|编号为|编号|印发|发布|即|为|是)")


def _clean_number(written: str) -> str:
    return normalize_doc_number(_NUMBER_NOISE.sub("", written) or written)


def novelty_term(text: str, sentence: Span, claim_at: int, terms: list, quotes: list[Span]) -> str | None:
    """The term a novelty claim is about: a short quoted term nearest the claim, else a tracked
    term (codebook terms.yaml) nearest the claim, else the word before 一词/这一概念."""
    near = [s for s in quote_spans(text, sentence.start, sentence.end) if 2 <= len(s.text) <= 12]
    if near:
        return min(near, key=lambda s: abs(s.start - claim_at)).text.strip()
    best = None
    for term in terms:
        for form in term.forms:
            for m in re.finditer(re.escape(form), sentence.text):
                distance = abs(sentence.start + m.start() - claim_at)
                if best is None or distance < best[0] or (distance == best[0] and len(form) > len(best[1])):
                    best = (distance, form)
    if best:
        return best[1]
    m = re.search(r"([\u4e00-\u9fa5]{2,8})(?:一词|这一概念|这一提法|的概念|的提法)", sentence.text)
    return m.group(1) if m else None


# -------------------------------------------------------------------------------- resolving


@dataclass
class Resolution:
    doc: DocInfo | None
    how: str = ""                # official / short / alias / attachment / wrapper / base / fuzzy / anaphor
    score: float = 100.0
    candidates: list[DocInfo] = field(default_factory=list)
    closest: list[tuple[str, float]] = field(default_factory=list)   # for not_found: nearest titles
    note: str = ""


def resolve(corpus: Corpus, mention: Mention, claims: Claims, resolved: dict[int, Resolution]) -> Resolution:
    if mention.source == "anaphor":
        return _resolve_anaphor(corpus, mention, resolved)
    exact = corpus.exact(mention.cited)
    if exact:
        return _choose(corpus, exact, claims, mention)
    if mention.entry is not None and "——" in mention.cited:
        exact = corpus.exact(mention.cited.split("——")[0])
        if exact:
            return _choose(corpus, exact, claims, mention)
    key = cite_key(mention.cited)
    if not re.search(r"\d", key) and len(key) >= 8 and key in corpus.by_yearless:
        series = corpus.by_yearless[key]
        res = _choose(corpus, [(d, "series") for d in series], claims, mention)
        res.candidates = [corpus.docs[d] for d in series]
        res.note = "a yearly series cited without its year"
        return res
    fuzzy = [f for f in corpus.fuzzy(mention.cited) if _same_digits(cite_key(mention.cited), f[0])]
    accepted = []
    for key, score, distance in fuzzy:
        targets = corpus.by_key[key]
        typo = distance <= 2 and len(key) >= 6
        corroborated = any(_corroborates(corpus.docs[d], claims) for d, _ in targets)
        if typo or score >= 90 or (score >= 80 and corroborated):
            accepted += [(d, score) for d, _ in targets]
    if accepted:
        best_score = max(s for _, s in accepted)
        pairs = [(d, "fuzzy") for d, s in accepted if s == best_score]
        res = _choose(corpus, pairs, claims, mention)
        res.score = round(best_score, 1)
        return res
    closest = [(corpus._raw_titles.get((k, corpus.by_key[k][0][0]), k), round(s, 1)) for k, s, _ in fuzzy[:3]]
    return Resolution(None, closest=closest)


def _resolve_anaphor(corpus: Corpus, mention: Mention, resolved: dict[int, Resolution]) -> Resolution:
    """《规划》 after a citation: 以下简称 decides, else the latest citation whose title ends so."""
    aliased = resolved.get(mention.alias_of) if mention.alias_of is not None else None
    if aliased and aliased.doc:
        return Resolution(aliased.doc, "alias")
    word = cite_key(mention.cited)
    for earlier in reversed(list(resolved.values())):
        if earlier.doc and cite_key(earlier.doc.title).endswith(word):
            return Resolution(earlier.doc, "alias", note="an abbreviation of the document cited before")
    exact = corpus.exact(mention.cited)
    if exact:
        return Resolution(corpus.docs[exact[0][0]], "short")
    return Resolution(None, "anaphor")


def _same_digits(a: str, b: str) -> bool:
    """Titles that differ in their numbers name different documents (2018 vs 2019 notices)."""
    return re.findall(r"\d+", a) == re.findall(r"\d+", b)


def _corroborates(doc: DocInfo, claims: Claims) -> bool:
    if claims.doc_number and normalize_doc_number(claims.doc_number) in doc.doc_numbers:
        return True
    return bool(claims.year and doc.year == claims.year and claims.issuers
                and issuer_status([c for _, c in claims.issuers], doc.issuers)[0] == "ok")


def _choose(corpus: Corpus, pairs: list[tuple[str, str]], claims: Claims, mention: Mention) -> Resolution:
    """One document among the matches: the claims decide (year, 文号, issuer, quotations present),
    then the way the title matched, then text in the corpus, then the latest date."""
    by_family: dict[frozenset, tuple[str, str]] = {}
    for doc_id, how in pairs:  # within a wrapper/attachment family, the member whose own title matched
        fam = frozenset(corpus.docs[doc_id].family)
        if fam not in by_family or _member_rank(how) < _member_rank(by_family[fam][1]):
            by_family[fam] = (doc_id, how)
    # documents with the same title and date cannot be told apart (copies): keep one of each
    distinct: dict[tuple[str, str | None], tuple[str, str]] = {}
    for doc_id, how in sorted(by_family.values(), key=lambda o: (_member_rank(o[1]), o[0])):
        distinct.setdefault((cite_key(corpus.docs[doc_id].title), corpus.docs[doc_id].date), (doc_id, how))
    options = list(distinct.values())
    quoted_in = _docs_quoting(corpus, claims) if len(options) > 1 and claims.quotes else set()

    def rank(option: tuple[str, str]):
        doc = corpus.docs[option[0]]
        year_match = bool(claims.year and doc.year == claims.year)
        number_match = bool(claims.doc_number and corpus_number_match(claims.doc_number, doc))
        quote_match = bool(doc.family & quoted_in)
        return (-number_match, -year_match, -quote_match, HOW_RANK[option[1]], not doc.in_corpus,
                _neg_date(doc.date), doc.id)

    options.sort(key=rank)
    doc_id, how = options[0]
    candidates = [corpus.docs[d] for d, _ in options]
    return Resolution(corpus.docs[doc_id], how, candidates=candidates if len(candidates) > 1 else [])


def _member_rank(how: str) -> tuple[int, int]:
    return HOW_RANK[how], how != "official"


def _neg_date(date: str | None) -> str:
    """Sort key putting later dates first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in (date or "0000"))


def corpus_number_match(claimed: str, doc: DocInfo) -> bool:
    claimed = normalize_doc_number(claimed)
    return any(claimed == n or (len(n) >= 6 and claimed.endswith(n)) for n in doc.doc_numbers)


def _docs_quoting(corpus: Corpus, claims: Claims) -> set[str]:
    """Documents containing every segment of one of the claimed quotations (FTS5)."""
    out: set[str] = set()
    for span in claims.quotes:
        docs: set[str] | None = None
        for segment in q.quote_segments(normalize(span.text).strip()) or [normalize(span.text).strip()]:
            found = {c.doc_id for c in corpus.search(segment, limit=500)}
            docs = found if docs is None else docs & found
        out |= docs or set()
    return out


# -------------------------------------------------------------------------------- checks


def issuer_status(claimed: list[str], actual: list[str]) -> tuple[str, list[str]]:
    """ok when every claimed body issued the document (aliases already canonical); uncertain when
    a claimed body is only related (parent, office, predecessor); mismatch otherwise."""
    bodies = load_bodies()
    unmatched = [c for c in claimed if c not in actual and not any(same_local_body(c, a) for a in actual)]
    if not unmatched:
        return "ok", []
    # an office (办公厅 / 办公室) named for the body above it issues its own class of documents
    # (国办发, not 国发): that is a wrong issuer, not a near one
    offices = [c for c in unmatched if _is_office(c, bodies)
               and any(a in _ancestors(c, bodies) for a in actual)
               and not any(_party_equivalent(c, a, bodies) or a in _lineage(c, bodies) for a in actual)]
    if offices:
        return "mismatch", offices
    related = [c for c in unmatched if any(_related(c, a, bodies) for a in actual)]
    if len(related) == len(unmatched):
        equivalent = all(any(_party_equivalent(c, a, bodies) for a in actual) for c in unmatched)
        return ("ok" if equivalent else "uncertain"), related
    return "mismatch", [c for c in unmatched if c not in related]


def _is_legislature(name: str) -> bool:
    from corpus.bodies import local_suffixes
    bodies = load_bodies()
    if name in bodies:
        return bodies[name].type == "legislature"
    return any(s.type == "legislature" and name.endswith(s.canonical) for s in local_suffixes())


def _is_office(name: str, bodies) -> bool:
    return name in bodies and bool(bodies[name].parent) and name.endswith(("办公厅", "办公室"))


@lru_cache(maxsize=4096)
def _local_parts(name: str) -> tuple[str, str] | None:
    """A local body as (canonical local suffix, full name of its region), else None."""
    from corpus.bodies import body_level_region, local_suffixes
    if name in load_bodies():
        return None
    suffix = next((s.canonical for s in local_suffixes() if name.endswith(s.canonical)), None)
    if suffix is None:
        return None
    if any(m.status == "mismatch" for m in load_gazetteer().find_in_text(name[:-len(suffix)])):
        return None   # 浙江省汕头市…: a wrong parent region is not the same body
    level, region = body_level_region(name)
    return (suffix, region) if region else None


def same_local_body(a: str, b: str) -> bool:
    """广东省汕头市人民代表大会常务委员会 = 汕头市人民代表大会常务委员会: a local body written with
    or without its parent regions is the same body when the region resolves to the same division."""
    if a == b:
        return True
    pa, pb = _local_parts(a), _local_parts(b)
    return bool(pa and pb and pa == pb)


def _ancestors(name: str, bodies) -> list[str]:
    out, seen = [], set()
    while name in bodies and bodies[name].parent and name not in seen:
        seen.add(name)
        name = bodies[name].parent
        out.append(name)
    return out


def _lineage(name: str, bodies) -> set[str]:
    """A body with its predecessors and successors (renamings)."""
    out = {name}
    changed = True
    while changed:
        changed = False
        for b in bodies.values():
            if b.successor in out and b.name not in out:
                out.add(b.name)
                changed = True
            if b.name in out and b.successor and b.successor not in out:
                out.add(b.successor)
                changed = True
    return out


def _related(a: str, b: str, bodies) -> bool:
    return (a in _ancestors(b, bodies) or b in _ancestors(a, bodies) or b in _lineage(a, bodies)
            or _party_equivalent(a, b, bodies))


def _party_equivalent(a: str, b: str, bodies) -> bool:
    """中共中央 stands for any of its Central Committees and their plenums (they issue as 中共中央)."""
    for x, y in ((a, b), (b, a)):
        if x == "中共中央" and y in bodies and bodies[y].type == "party" and "中央委员会" in y:
            return True
    return False


def check_year(corpus: Corpus, claimed: int, doc: DocInfo, res: Resolution) -> Check:
    if doc.year is None:
        return Check("year", "uncertain", claimed, {"year": None, "note": "the document's date is not known"})
    found = {"year": doc.year, "date": doc.date}
    evidence = corpus.locate(doc.id, _date_needles(doc.date), edges=EDGES)
    if claimed == doc.year:
        return Check("year", "ok", claimed, {**found, "note": f"dated {doc.date}"}, evidence)
    if res.candidates and any(c.year == claimed for c in res.candidates if c.id != doc.id):
        return Check("year", "ok", claimed, {**found, "note": "another document of this title is dated so"})
    if res.candidates and not any(c.year == claimed for c in res.candidates):
        return Check("year", "uncertain", claimed,
                     {**found, "note": f"{len(res.candidates)} documents bear this title, none dated {claimed}: "
                      + "; ".join(c.describe() for c in res.candidates[:5])})
    month = int(doc.date[5:7]) if doc.date and len(doc.date) >= 7 else None
    if claimed == doc.year + 1 and (month is None or month >= 11):
        return Check("year", "uncertain", claimed,
                     {**found, "note": f"dated {doc.date}; publication or entry into force may fall in {claimed}"},
                     evidence)
    if doc.in_corpus:
        head = corpus.text(doc.id)[:400]
        at = head.find(f"{claimed}年")
        if at >= 0:
            return Check("year", "uncertain", claimed,
                         {**found, "note": f"dated {doc.date}; its text gives {claimed} for an earlier stage "
                          "(adoption, promulgation or first version)"}, corpus.evidence_at(doc.id, at, at + 5))
    return Check("year", "mismatch", claimed, {**found, "note": f"the document is dated {doc.date}, not {claimed}"},
                 evidence)


_CN_DIGIT = "〇一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return _CN_DIGIT[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGIT[tens]) + "十" + (_CN_DIGIT[units] if units else "")


def _date_needles(date: str | None) -> list[str]:
    if not date or len(date) < 10:
        return []
    y, m, d = int(date[:4]), int(date[5:7]), int(date[8:10])
    return [f"{y}年{m}月{d}日", "".join(_CN_DIGIT[int(c)] for c in str(y)) + f"年{_cn_number(m)}月{_cn_number(d)}日",
            f"{y}年{m}月"]


def check_issuer(corpus: Corpus, claimed: list[tuple[str, str]], doc: DocInfo, verb: str | None = None) -> Check:
    written = [w for w, _ in claimed]
    canon = [c for _, c in claimed]
    if not doc.issuers:
        return Check("issuer", "uncertain", written, {"issuers": [], "note": "the document's issuer is not known"})
    status, names = issuer_status(canon, doc.issuers)
    if (status == "mismatch" and verb in ADOPTION_VERBS and all(_is_legislature(n) for n in names)
            and not any(_is_legislature(a) for a in doc.issuers)):
        # 十三届全国人大四次会议审议通过的《政府工作报告》: the congress adopted it, the government issued it
        return Check("issuer", "uncertain", written,
                     {"issuers": doc.issuers, "claimed_canonical": canon,
                      "note": f"{'、'.join(names)} adopted or approved it; it was issued by {'、'.join(doc.issuers)}"})
    found = {"issuers": doc.issuers, "claimed_canonical": canon}
    bodies = load_bodies()
    evidence = corpus.locate(doc.id, [a for i in doc.issuers for a in [i, *(bodies[i].aliases if i in bodies else ())]],
                             edges=EDGES)
    note = {"ok": "issued by " + "、".join(doc.issuers),
            "uncertain": f"{'、'.join(names)} is related to, but not, the issuer {'、'.join(doc.issuers)} "
                         "(parent body, office, or a renamed body)",
            "mismatch": f"{'、'.join(names)} did not issue it; issued by {'、'.join(doc.issuers)}"}[status]
    return Check("issuer", status, written, {**found, "note": note}, evidence)


def check_doc_number(corpus: Corpus, claimed: str, doc: DocInfo | None) -> Check:
    owners = [corpus.docs[d] for d in corpus.owners_of_number(claimed)]
    if doc is None:
        if owners:
            owner = owners[0]
            return Check("doc_number", "mismatch", claimed,
                         {"doc_number": None, "belongs_to": owner.ref().to_dict(),
                          "note": f"{claimed} belongs to {owner.describe()}"},
                         corpus.locate(owner.id, owner.doc_numbers, edges=EDGES))
        return Check("doc_number", "uncertain", claimed, {"doc_number": None, "note": "the cited document is not found"})
    if corpus_number_match(claimed, doc) or any(corpus_number_match(claimed, corpus.docs[m]) for m in doc.family):
        number = next((n for n in doc.doc_numbers if normalize_doc_number(claimed).endswith(n)), claimed)
        return Check("doc_number", "ok", claimed, {"doc_number": "；".join(doc.doc_numbers), "note": f"文号 {number}"},
                     corpus.locate(doc.id, _number_needles(number), edges=EDGES))
    others = [o for o in owners if o.id not in doc.family]
    if others:
        owner = others[0]
        return Check("doc_number", "mismatch", claimed,
                     {"doc_number": "；".join(doc.doc_numbers) or None, "belongs_to": owner.ref().to_dict(),
                      "note": f"{claimed} belongs to another document, {owner.describe()}"
                              + (f"; the cited one is {'；'.join(doc.doc_numbers)}" if doc.doc_numbers else "")},
                     corpus.locate(owner.id, _number_needles(owner.doc_numbers[0]) if owner.doc_numbers else [], edges=EDGES))
    if not doc.doc_numbers:
        located = corpus.locate(doc.id, _number_needles(normalize_doc_number(claimed)), edges=EDGES)
        if located:
            return Check("doc_number", "ok", claimed, {"doc_number": claimed, "note": "stated in the document's text"},
                         located)
        return Check("doc_number", "uncertain", claimed,
                     {"doc_number": None, "note": "the document's 文号 is not known to the corpus or the catalogue"})
    return Check("doc_number", "mismatch", claimed,
                 {"doc_number": "；".join(doc.doc_numbers), "belongs_to": None,
                  "note": f"the document's 文号 is {'；'.join(doc.doc_numbers)}"},
                 corpus.locate(doc.id, _number_needles(doc.doc_numbers[0]), edges=EDGES))


def _number_needles(number: str) -> list[str]:
    m = re.match(r"(.*)〔(\d{4})〕(.*)", number)
    if not m:
        return [number]
    code, year, rest = m.groups()
    return [number] + [f"{code}{o}{year}{c}{rest}" for o, c in ("[]", "【】", "（）", "()", "［］")]


# -- quotations ---------------------------------------------------------------------------------


@dataclass
class QuoteHit:
    doc_id: str
    start: int
    end: int
    diff: q.QuoteDiff

    @property
    def similarity(self) -> float:
        return self.diff.similarity


def check_quote(corpus: Corpus, quote: str, doc: DocInfo | None) -> Check:
    quote = normalize(quote).strip()
    if not re.search(r"[\u4e00-\u9fff]", quote):
        # "prevention first": a translation (or an English term) cannot be compared with the Chinese text
        return Check("quote", "uncertain", quote,
                     {"note": "the quotation has no Chinese text (a translation?); it cannot be checked verbatim"})
    segments = q.quote_segments(quote) or [quote]
    if doc is None:
        elsewhere = _verbatim_elsewhere(corpus, segments, set())
        note = "the cited document is not found"
        if elsewhere:
            note += f"; the quotation occurs verbatim in {corpus.docs[elsewhere.doc_id].describe()}"
        return Check("quote", "uncertain", quote, {"note": note, **_hit_found(corpus, elsewhere)},
                     _hit_evidence(corpus, elsewhere))
    family = {m for m in doc.family if corpus.docs[m].in_corpus}
    if not family:
        elsewhere = _verbatim_elsewhere(corpus, segments, set())
        note = "the text of the cited document is not in the corpus, so the quotation cannot be checked"
        if elsewhere:
            note += f"; it occurs verbatim in {corpus.docs[elsewhere.doc_id].describe()}"
        return Check("quote", "uncertain", quote, {"note": note, **_hit_found(corpus, elsewhere)},
                     _hit_evidence(corpus, elsewhere))
    hits = [_best_in_family(corpus, s, family) for s in segments]
    if all(h is not None and h.diff.verbatim for h in hits):
        return Check("quote", "ok", quote, {"note": "verbatim", **_hit_found(corpus, hits[0])},
                     _hit_evidence(corpus, hits[0]))
    if all(h is not None and (h.diff.verbatim or h.diff.punctuation_only) for h in hits):
        worst = next(h for h in hits if not h.diff.verbatim)
        return Check("quote", "uncertain", quote,
                     {"note": "the words are verbatim; only punctuation differs", **_hit_found(corpus, worst)},
                     _hit_evidence(corpus, worst))
    elsewhere = _verbatim_elsewhere(corpus, segments, family)
    if elsewhere:
        return Check("quote", "mismatch", quote,
                     {"note": f"not in the cited document; it occurs verbatim in another document, "
                              f"{corpus.docs[elsewhere.doc_id].describe()}", **_hit_found(corpus, elsewhere)},
                     _hit_evidence(corpus, elsewhere))
    worst = min((h for h in hits if h is not None), key=lambda h: h.similarity, default=None)
    bare_len = len(q.strip_punct(quote)[0])
    other = _closest_elsewhere(corpus, segments, family) if (worst is None or worst.similarity < 90) else None
    if other and other.similarity >= 85 and (worst is None or other.similarity >= worst.similarity + 10):
        return Check("quote", "mismatch", quote,
                     {"note": f"not in the cited document; the closest passage is in another document, "
                              f"{corpus.docs[other.doc_id].describe()} ({other.diff.summary()})",
                      **_hit_found(corpus, other)}, _hit_evidence(corpus, other))
    if worst is not None and bare_len > 6 and worst.similarity >= 60:
        return Check("quote", "mismatch", quote,
                     {"note": f"not verbatim: {worst.diff.summary()} (similarity {worst.similarity:.0f}%)",
                      **_hit_found(corpus, worst)}, _hit_evidence(corpus, worst))
    closest = f"; the closest passage has similarity {worst.similarity:.0f}%" if worst else ""
    return Check("quote", "not_found", quote,
                 {"note": "no passage of the cited document matches the quotation" + closest,
                  **_hit_found(corpus, worst)}, _hit_evidence(corpus, worst))


def _best_in_family(corpus: Corpus, segment: str, family: set[str]) -> QuoteHit | None:
    """The passage of the cited document closest to a quotation segment: verbatim, else the same
    words with other punctuation, else the best alignment."""
    best: QuoteHit | None = None
    for doc_id in sorted(family):
        text = corpus.text(doc_id)
        at = text.find(segment)
        if at >= 0:
            return QuoteHit(doc_id, at, at + len(segment), q.diff(segment, segment))
        span = q.find_ignoring_punct(segment, text, corpus.stripped(doc_id))
        if span:
            hit = QuoteHit(doc_id, span[0], span[1], q.diff(segment, text[span[0]:span[1]]))
        else:
            start, end, _ = q.align(segment, text)
            hit = QuoteHit(doc_id, start, end, q.diff(segment, text[start:end]))
        if best is None or hit.similarity > best.similarity:
            best = hit
    return best


def _verbatim_elsewhere(corpus: Corpus, segments: list[str], family: set[str]) -> QuoteHit | None:
    """All segments verbatim in one other document (FTS5), the earliest such document first."""
    found: dict[str, QuoteHit] = {}
    for i, segment in enumerate(segments):
        clauses = corpus.search(segment, limit=200)
        docs = {}
        for c in clauses:
            if c.doc_id in family or c.doc_id in docs:
                continue
            at = c.start + c.text.index(segment)
            docs[c.doc_id] = QuoteHit(c.doc_id, at, at + len(segment), q.diff(segment, segment))
        if i == 0:
            found = docs
        else:
            found = {d: h for d, h in found.items() if d in docs}
        if not found:
            return None
    return min(found.values(), key=lambda h: (corpus.docs[h.doc_id].date or "9999", h.doc_id), default=None)


def _closest_elsewhere(corpus: Corpus, segments: list[str], family: set[str]) -> QuoteHit | None:
    """An altered quotation from another document: candidate clauses through FTS hits of its
    longest unpunctuated pieces, then alignment."""
    segment = max(segments, key=len)
    pieces = sorted({p for p in re.split(r"[^\w]+", segment) if len(p) >= 4}, key=len, reverse=True)[:4]
    candidates: dict[str, Clause] = {}
    for piece in pieces:
        for c in corpus.search(piece[:12], limit=30):
            if c.doc_id not in family:
                candidates.setdefault(c.id, c)
    best = None
    for c in candidates.values():
        start, end, score = q.align(segment, c.text)
        if best is None or score > best[0]:
            best = (score, c, start, end)
    if best is None:
        return None
    _, c, start, end = best
    return QuoteHit(c.doc_id, c.start + start, c.start + end, q.diff(segment, c.text[start:end]))


def _hit_found(corpus: Corpus, hit: QuoteHit | None) -> dict:
    if hit is None:
        return {}
    doc = corpus.docs[hit.doc_id]
    return {"doc_id": hit.doc_id, "title": doc.title, "passage": corpus.text(hit.doc_id)[hit.start:hit.end],
            "difference": hit.diff.summary(), "similarity": round(hit.similarity, 1),
            "diff": [op.to_dict() for op in hit.diff.ops]}


def _hit_evidence(corpus: Corpus, hit: QuoteHit | None) -> Evidence | None:
    return corpus.evidence_at(hit.doc_id, hit.start, hit.end) if hit else None


# -- first appearance ---------------------------------------------------------------------------


def check_first_appearance(corpus: Corpus, term: str, doc: DocInfo | None, terms: list) -> Check:
    hits = _term_hits(corpus, term)
    earliest = hits[0] if hits else None
    base = {"term": term, "coverage": corpus.coverage,
            "earliest": _hit_ref(corpus, earliest) if earliest else None}
    if doc is None:
        return Check("first_appearance", "uncertain", term, {**base, "note": "the cited document is not found"})
    cited_date = doc.date or "9999"
    base["near_variants_earlier"] = _variants_before(corpus, term, terms, cited_date)
    base["catalogue_only_earlier"] = [d.ref().to_dict() for d in corpus.docs.values()
                                      if not d.in_corpus and (d.date or "9999") < cited_date][:20]
    coverage_note = (f"; corpus of {corpus.coverage['documents']} documents, {corpus.coverage['first_year']}–"
                     f"{corpus.coverage['last_year']}")
    if not any(corpus.docs[m].in_corpus for m in doc.family):
        # the cited text is unknown, but a corpus text dated before it refutes the novelty claim
        earlier = [h for h in hits if h[0] not in doc.family and doc.date
                   and _strictly_before(corpus.docs[h[0]].date, doc.date)]
        if earlier:
            first = earlier[0]
            return Check("first_appearance", "mismatch", term,
                         {**base, "note": f"an earlier document contains “{term}”: "
                          f"{corpus.docs[first[0]].describe()} (the cited document, dated {doc.date}, "
                          "is known from the catalogue only)" + coverage_note},
                         corpus.evidence_at(first[0], first[1], first[2]))
        where = (f"the earliest in the corpus is {corpus.docs[earliest[0]].describe()}" if earliest
                 else "no document in the corpus contains it")
        return Check("first_appearance", "uncertain", term,
                     {**base, "note": f"the cited document's text is not in the corpus; {where}" + coverage_note})
    in_cited = [h for h in hits if h[0] in doc.family]
    if not in_cited:
        where = (f"; the earliest document containing it is {corpus.docs[earliest[0]].describe()}" if earliest else "")
        return Check("first_appearance", "mismatch", term,
                     {**base, "note": f"the cited document does not contain “{term}”" + where + coverage_note},
                     corpus.evidence_at(earliest[0], earliest[1], earliest[2]) if earliest else None)
    own = in_cited[0]
    earlier = [h for h in hits if h[0] not in doc.family and (corpus.docs[h[0]].date or "9999") < cited_date]
    if earlier:
        first = earlier[0]
        return Check("first_appearance", "mismatch", term,
                     {**base, "note": f"an earlier document contains “{term}”: {corpus.docs[first[0]].describe()}"
                      + coverage_note}, corpus.evidence_at(first[0], first[1], first[2]))
    hidden = len(base["catalogue_only_earlier"])
    note = "the cited document is the earliest in the corpus containing it" + coverage_note
    if hidden:
        note += f"; {hidden} earlier catalogue documents have no text in the corpus and could not be checked"
    return Check("first_appearance", "ok", term, {**base, "note": note}, corpus.evidence_at(own[0], own[1], own[2]))


def _strictly_before(date: str | None, cited: str) -> bool:
    """``date`` falls before ``cited`` at the precision ``cited`` is known to (2017 / 2018-03 / full)."""
    return bool(date) and date[:len(cited)] < cited


def _term_hits(corpus: Corpus, term: str) -> list[tuple[str, int, int]]:
    """(doc_id, start, end) of the first occurrence per document, oldest document first (FTS5)."""
    if term in corpus.term_cache:
        return corpus.term_cache[term]
    first: dict[str, tuple[str, int, int]] = {}
    for c in corpus.search(term):
        if c.doc_id not in first:
            at = c.start + c.text.index(term)
            first[c.doc_id] = (c.doc_id, at, at + len(term))
    hits = sorted(first.values(), key=lambda h: (corpus.docs[h[0]].date or "9999", h[0]))
    corpus.term_cache[term] = hits
    return hits


def _hit_ref(corpus: Corpus, hit: tuple[str, int, int]) -> dict:
    return {**corpus.docs[hit[0]].ref().to_dict(), "evidence": corpus.evidence_at(*hit).to_dict()}


def _variants_before(corpus: Corpus, term: str, terms: list, before: str) -> list[dict]:
    variants: list[str] = []
    for t in terms:
        if term == t.name or term in t.forms:
            variants += [v for v in t.variants if v != term]
    out = []
    for v in dict.fromkeys(variants):
        hits = [h for h in _term_hits(corpus, v) if (corpus.docs[h[0]].date or "9999") < before]
        if hits:
            out.append({"variant": v, "documents": len(hits), "earliest": _hit_ref(corpus, hits[0]),
                        "note": "near-variant, not counted as the term"})
    return out


# -- region ---------------------------------------------------------------------------------------


def check_region(place) -> Check:
    status = {"ok": "ok", "mismatch": "mismatch"}.get(place.status, "uncertain")
    division = place.division.full_name if place.division else None
    note = place.note or (f"{place.text} = {division}" if division else place.status)
    return Check("region", status, place.text, {"division": division, "note": note})


# -------------------------------------------------------------------------------- the verifier

_corpus_cache: dict[tuple[str, int, int, int], Corpus] = {}


def corpus_for(store: Store) -> Corpus:
    """The verifier's view of a store, rebuilt only when the store changed."""
    row = store.conn.execute("SELECT count(*), coalesce(max(rowid), 0) FROM documents").fetchone()
    key = (store.path, row[0], row[1], len(key_documents()))
    if key not in _corpus_cache:
        _corpus_cache.clear()
        _corpus_cache[key] = Corpus(store)
    corpus = _corpus_cache[key]
    corpus.store = store  # the same file opened again: reuse what was loaded, read through this connection
    return corpus


def _load_terms() -> list:
    from mining.codebook import load_terms
    return load_terms()


def verify_manuscript(manuscript: Manuscript, store: Store) -> VerificationReport:
    corpus = corpus_for(store)
    terms = _load_terms()
    gazetteer = load_gazetteer()
    text = manuscript.text
    mentions = find_mentions(text, corpus)
    sentences = sentence_spans(text)
    quotes_all = [s for s in quote_spans(text, 0, len(text)) if not is_name_mark(text, s)
                  and not any(m.start <= s.start < m.end for m in mentions)]
    results: list[CitationResult] = []
    resolutions: dict[int, Resolution] = {}   # by mention start, in manuscript order
    by_sentence: dict[int, list[int]] = {}
    for i, mention in enumerate(mentions):
        s_index = _sentence_of(sentences, mention.start)
        by_sentence.setdefault(s_index, []).append(i)
    claims_of: dict[int, Claims] = {}
    for s_index, indexes in by_sentence.items():
        sentence = sentences[s_index]
        for k, i in enumerate(indexes):
            mention = mentions[i]
            pre_start = mentions[indexes[k - 1]].end if k else sentence.start
            post_end = mentions[indexes[k + 1]].start if k + 1 < len(indexes) else sentence.end
            if mention.entry is not None:
                sentence_k = Span(mention.entry.start, mention.entry.end, text[mention.entry.start:mention.entry.end])
            else:
                sentence_k = sentence
            claims_of[i] = read_claims(text, mention, pre_start, post_end, sentence_k, quotes_all)
        _attach_novelty(text, sentence, indexes, mentions, claims_of, terms)
        _attach_places(gazetteer, sentence, indexes, mentions, claims_of)
    _attach_anaphoric_quotes(text, sentences, by_sentence, claims_of, quotes_all)
    for i, mention in enumerate(mentions):
        claims = claims_of[i]
        resolution = resolve(corpus, mention, claims, resolutions)
        resolutions[mention.start] = resolution
        if mention.source == "anaphor" and resolution.doc is None:
            continue  # a generic 《意见》 with nothing to refer back to is not a citation
        checks = run_checks(corpus, mention, claims, resolution, terms)
        sentence = claims.sentence or Span(mention.start, mention.end, mention.cited)
        results.append(CitationResult(len(results) + 1, sentence.text, mention.cited,
                                      resolution.doc.ref() if resolution.doc else None, checks,
                                      mention.start, mention.end, mention.source))
    return VerificationReport(manuscript.name, results, text, corpus.coverage, manuscript)


def _sentence_of(sentences: list[Span], offset: int) -> int:
    for i, s in enumerate(sentences):
        if s.start <= offset < s.end:
            return i
    return max(0, min(range(len(sentences)), key=lambda i: abs(sentences[i].start - offset))) if sentences else 0


def _attach_novelty(text, sentence, indexes, mentions, claims_of, terms) -> None:
    for m in NOVELTY.finditer(sentence.text):
        at = sentence.start + m.start()
        candidates = [i for i in indexes if mentions[i].entry is None]
        if not candidates:
            return
        nearest = min(candidates, key=lambda i: min(abs(mentions[i].start - at), abs(mentions[i].end - at)))
        term = novelty_term(text, sentence, at, terms, claims_of[nearest].quotes)
        if term:
            claims_of[nearest].novelty = term
        return


def _attach_places(gazetteer, sentence, indexes, mentions, claims_of) -> None:
    candidates = [i for i in indexes if mentions[i].entry is None]
    if not candidates:
        return
    bodies = find_bodies(sentence.text)
    for place in gazetteer.find_in_text(sentence.text):
        start = sentence.start + place.start
        if any(mentions[i].start <= start < mentions[i].end for i in indexes):
            continue  # a place inside a cited title is part of the title
        if place.status == "ok" and any(b[0] <= place.start and place.end <= b[1] for b in bodies):
            continue  # 浙江省 in 浙江省卫生健康委员会 names the issuer, it is no claim about a place
        nearest = min(candidates, key=lambda i: min(abs(mentions[i].start - start), abs(mentions[i].end - start)))
        claims_of[nearest].places.append(place)


def _attach_anaphoric_quotes(text, sentences, by_sentence, claims_of, quotes_all) -> None:
    """Quotations in a sentence that starts with 该文件/该规划… belong to the last citation before it."""
    last = None
    for s_index, sentence in enumerate(sentences):
        if s_index in by_sentence:
            last = by_sentence[s_index][-1]
            continue
        if last is not None and _ANAPHOR_START.match(sentence.text):
            claims_of[last].quotes += [s for s in quotes_all if sentence.start <= s.start < sentence.end]


def run_checks(corpus: Corpus, mention: Mention, claims: Claims, res: Resolution, terms: list) -> list[Check]:
    checks: list[Check] = [check_exists(corpus, mention, res)]
    doc = res.doc
    if doc is not None and mention.source != "anaphor":
        checks.append(check_title(mention, res))
    if claims.year is not None and doc is not None:
        checks.append(check_year(corpus, claims.year, doc, res))
    elif claims.year is not None:
        checks.append(Check("year", "uncertain", claims.year, {"note": "the cited document is not found"}))
    if claims.issuers:
        if doc is not None:
            checks.append(check_issuer(corpus, claims.issuers, doc, claims.verb))
        else:
            checks.append(Check("issuer", "uncertain", [w for w, _ in claims.issuers],
                                {"note": "the cited document is not found"}))
    if claims.doc_number:
        checks.append(check_doc_number(corpus, claims.doc_number, doc))
    for quote in claims.quotes:
        checks.append(check_quote(corpus, quote.text, doc))
    if claims.novelty:
        checks.append(check_first_appearance(corpus, claims.novelty, doc, terms))
    for place in claims.places:
        checks.append(check_region(place))
    return checks


def check_exists(corpus: Corpus, mention: Mention, res: Resolution) -> Check:
    doc = res.doc
    if doc is None:
        closest = "; ".join(f"《{t}》 ({s:.0f})" for t, s in res.closest)
        return Check("exists", "not_found", mention.cited,
                     {"closest": [{"title": t, "score": s} for t, s in res.closest],
                      "note": "no document in the corpus or the catalogue matches this title"
                              + (f"; closest titles: {closest}" if closest else "")})
    found = {"doc_id": doc.id, "title": doc.title, "date": doc.date, "in_corpus": doc.in_corpus,
             "matched_by": res.how}
    if res.candidates:
        found["candidates"] = [c.ref().to_dict() for c in res.candidates]
    if doc.in_corpus:
        note = f"in the corpus as {doc.describe()}"
        evidence = corpus.locate(doc.id, [doc.title], edges=EDGES) or corpus.evidence_at(doc.id, 0, 0)
    else:
        note = (f"known from the project catalogue only: {doc.describe()}; its text is not in the corpus, "
                "so quotations and first-appearance claims cannot be checked against it")
        evidence = None
    if res.candidates:
        note += f"; {len(res.candidates)} documents match, chosen by the claims: " + \
                "; ".join(c.describe() for c in res.candidates[:5])
    return Check("exists", "ok", mention.cited, {**found, "note": note}, evidence)


def check_title(mention: Mention, res: Resolution) -> Check:
    doc = res.doc
    found = {"official": doc.title, "matched_by": res.how, "score": res.score}
    if res.how == "series":
        years = "、".join(sorted({c.date[:4] for c in res.candidates if c.date}))
        return Check("title", "uncertain", mention.cited,
                     {**found, "note": f"no document bears this title; it names a yearly series ({years}): "
                      + "; ".join(f"《{c.title}》" for c in res.candidates[:6])})
    if res.how == "fuzzy":
        return Check("title", "mismatch", mention.cited,
                     {**found, "note": f"the official title is 《{doc.title}》 (similarity {res.score:.0f})"})
    how_note = {"official": "the official title", "short": "an accepted short name of",
                "alias": "an abbreviation of", "attachment": "the attached policy carried by",
                "wrapper": "the notice carrying", "base": "the title, without its version mark, of",
                "anaphor": "an abbreviation of"}.get(res.how, "a name of")
    return Check("title", "ok", mention.cited, {**found, "note": f"{how_note} 《{doc.title}》"})


def verify_text(text: str, store: Store, name: str = "manuscript") -> VerificationReport:
    return verify_manuscript(from_text(text, name), store)


def verify_file(path: str | Path, store: Store) -> VerificationReport:
    """Verify a .docx/.md/.txt/.pdf manuscript; a ReadError (one line naming the file) when unreadable."""
    return verify_manuscript(read_manuscript(path), store)
