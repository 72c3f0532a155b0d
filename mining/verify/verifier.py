"""The pipeline: find citations → read their claims → resolve each → run its checks."""
from __future__ import annotations

from pathlib import Path

from corpus.gazetteer import load_gazetteer
from corpus.store import Store
from mining.manuscript import Manuscript, from_text, read_manuscript
from mining.verify.checks import run_checks
from mining.verify.claims import Span, claims_of_mentions, find_mentions
from mining.verify.corpus_view import corpus_for
from mining.verify.records import CitationResult, VerificationReport
from mining.verify.resolve import Resolution, resolve


def _load_terms() -> list:
    from mining.codebook import load_terms
    return load_terms()


def verify_manuscript(manuscript: Manuscript, store: Store) -> VerificationReport:
    corpus = corpus_for(store)
    terms = _load_terms()
    text = manuscript.text
    mentions = find_mentions(text, corpus)
    all_claims = claims_of_mentions(text, mentions, terms, load_gazetteer())
    results: list[CitationResult] = []
    resolutions: dict[int, Resolution] = {}   # by mention start, in manuscript order
    for mention, claims in zip(mentions, all_claims):
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


def verify_text(text: str, store: Store, name: str = "manuscript") -> VerificationReport:
    return verify_manuscript(from_text(text, name), store)


def verify_file(path: str | Path, store: Store) -> VerificationReport:
    """Verify a .docx/.md/.txt/.pdf manuscript; a ReadError (one line naming the file) when unreadable."""
    return verify_manuscript(read_manuscript(path), store)
