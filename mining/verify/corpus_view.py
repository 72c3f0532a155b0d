"""What the verifier knows of the corpus: stored documents (metadata; texts read on demand),
catalogue entries, the title keys a citation can match, 文号, and FTS look-ups."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from corpus.bodies import find_bodies
from corpus.catalogue import key_documents
from corpus.records import Clause
from corpus.store import Store
from corpus.text import normalize_doc_number
from mining import quotes as q
from mining.citations import NameFinder, bare_title, cite_key
from mining.verify.records import DocumentRef, Evidence


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


EDGES = 800   # characters at the start and end of a document where its issuer, 文号 and date stand
# how a cited title matched, best first
HOW_RANK = {"official": 0, "short": 0, "alias": 0, "attachment": 1, "wrapper": 1, "base": 2, "series": 3, "fuzzy": 3}
_YEAR_IN_TITLE = re.compile(r"(?:19|20)\d{2}年度?")


class Corpus:
    """What the verifier knows: stored documents (metadata only; texts are read on demand),
    catalogue entries, title keys, 文号, and FTS look-ups restricted to a document."""

    def __init__(self, store: Store):
        self.store = store
        self.docs: dict[str, DocInfo] = {}
        self.by_key: dict[str, list[tuple[str, str]]] = {}
        self._raw_titles: dict[tuple[str, str], str] = {}   # (key, doc_id) → the title as written
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
        for stored in self.store.document_metas():
            m = stored.meta
            info = DocInfo(stored.id, m.title or stored.id, m.date, m.issuers, _split_numbers(m.doc_number),
                           m.level, True, m.catalog_id, stored.parent_id)
            self.docs[info.id] = info
            self._add_key(m.title, info.id, "official")
            for short in m.short_titles:
                self._add_key(short, info.id, "short")
            if m.attachment_title and not stored.parent_id:
                self._add_key(m.attachment_title, info.id, "attachment")
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

    def written_title(self, key: str) -> str:
        """The title behind a key as its first document writes it."""
        return self._raw_titles.get((key, self.by_key[key][0][0]), key)

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
            raw = self.written_title(key)
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
            self._texts[doc_id] = self.store.document_text(doc_id) or ""
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
ISSUER_PREFIX = re.compile(r"^(?P<prefix>[^《》“”]{2,60}?)(?P<rest>关于.{4,})$")


@lru_cache(maxsize=65536)
def title_variants(title: str) -> tuple[str, ...]:
    """Other ways the same document is cited: without the issuer before 关于, without a trailing
    version in brackets, without 中华人民共和国."""
    bare = bare_title(title).strip()
    out = []
    m = ISSUER_PREFIX.match(bare)
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


_corpus_cache: dict[tuple[str, int, int, int], Corpus] = {}


def corpus_for(store: Store) -> Corpus:
    """The verifier's view of a store, rebuilt only when the store changed."""
    key = (store.path, *store.documents_stamp(), len(key_documents()))
    if key not in _corpus_cache:
        _corpus_cache.clear()
        _corpus_cache[key] = Corpus(store)
    corpus = _corpus_cache[key]
    corpus.store = store  # the same file opened again: reuse what was loaded, read through this connection
    return corpus
