"""Which document a citation names: exact title or one of its variants, a yearly series, a fuzzy
match, or (for 《规划》-style anaphors) an earlier citation; the claims choose among several."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.text import normalize, normalize_doc_number
from mining import quotes as q
from mining.citations import cite_key
from mining.verify.claims import Claims, Mention
from mining.verify.corpus_view import HOW_RANK, Corpus, DocInfo
from mining.verify.issuers import issuer_status


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
        return _choose(corpus, exact, claims)
    if mention.entry is not None and "——" in mention.cited:
        exact = corpus.exact(mention.cited.split("——")[0])
        if exact:
            return _choose(corpus, exact, claims)
    key = cite_key(mention.cited)
    if not re.search(r"\d", key) and len(key) >= 8 and key in corpus.by_yearless:
        series = corpus.by_yearless[key]
        res = _choose(corpus, [(d, "series") for d in series], claims)
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
        res = _choose(corpus, pairs, claims)
        res.score = round(best_score, 1)
        return res
    closest = [(corpus.written_title(k), round(s, 1)) for k, s, _ in fuzzy[:3]]
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


def _choose(corpus: Corpus, pairs: list[tuple[str, str]], claims: Claims) -> Resolution:
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
