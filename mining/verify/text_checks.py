"""Checks against the documents' texts: quotations (verbatim, punctuation-only, altered, or from
another document) and novelty claims (is the cited document the first to contain the term)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.records import Clause
from corpus.text import normalize
from mining import quotes as q
from mining.verify.corpus_view import Corpus, DocInfo
from mining.verify.records import Check, Evidence


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
        return _unverifiable_quote(corpus, quote, segments, "the cited document is not found",
                                   "the quotation occurs verbatim in")
    family = {m for m in doc.family if corpus.docs[m].in_corpus}
    if not family:
        return _unverifiable_quote(
            corpus, quote, segments,
            "the text of the cited document is not in the corpus, so the quotation cannot be checked",
            "it occurs verbatim in")
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


def _unverifiable_quote(corpus: Corpus, quote: str, segments: list[str], note: str, elsewhere_lead: str) -> Check:
    """`uncertain`: the cited text cannot be read; say where else the quotation stands verbatim."""
    elsewhere = _verbatim_elsewhere(corpus, segments, set())
    if elsewhere:
        note += f"; {elsewhere_lead} {corpus.docs[elsewhere.doc_id].describe()}"
    return Check("quote", "uncertain", quote, {"note": note, **_hit_found(corpus, elsewhere)},
                 _hit_evidence(corpus, elsewhere))


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
