"""Tag every clause of the stored documents and store the tags with their evidence spans.

A document whose content and pipeline are unchanged since it was last mined is skipped.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

from corpus.records import Clause, Tag
from corpus.store import Store
from mining.pipeline import load_pipeline, pipeline_version


@dataclass
class MiningReport:
    mined: int = 0
    skipped: int = 0
    tags: int = 0


def tag_clauses(clauses: list[Clause], backend: str = "rjieba") -> list[Tag]:
    """Codebook tags for clauses, with offsets into their document."""
    nlp = load_pipeline(backend)
    tags = []
    for clause, doc in zip(clauses, nlp.pipe(c.text for c in clauses)):
        tags += [Tag(clause.id, clause.doc_id, m.kind, m.label, m.matched, clause.start + m.start,
                     clause.start + m.end, m.source, 1.0, m.category) for m in doc._.matches]
    return tags


def mine_store(store: Store, progress: bool = False, force: bool = False, backend: str = "rjieba") -> MiningReport:
    version = pipeline_version(backend)
    report = MiningReport()
    documents = store.documents()
    if progress:
        from tqdm import tqdm
        documents = tqdm(documents, desc="mine", unit="doc", file=sys.stderr)
    for doc in documents:
        if not force and store.mined_pipeline(doc.id) == (doc.sha256, version):
            report.skipped += 1
            continue
        tags = tag_clauses(store.clauses(doc.id), backend)
        store.replace_tags(doc.id, doc.sha256, version, tags)
        report.mined += 1
        report.tags += len(tags)
    return report
