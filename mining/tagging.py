"""Tag every clause of the stored documents and store the tags with their evidence spans.

Per batch of texts: segmentation (rjieba or jieba, domain dictionary, HMM off), codebook matching on
the raw text (Aho–Corasick + patterns + bodies + gazetteer), the clause classifier in one vectorised
call, then the rules and the model combined (mining/classifier.py). Every tag keeps the words and
span that justify it, the rule or model that produced it, and a score.

Text broken by layout (slides, PDF extractions, an attached table: most "clauses" are line
fragments; judged apart for the body and for each attachment) is analysed per sentence —
consecutive fragments joined up to 。！？； — so a term broken across lines (精准分类签／约) is
found, and a region a sentence names links to the instruments of that sentence and of the
sentences that follow, up to the next sentence naming a region (at most CONTEXT_CHARS further): on
a slide the place is named once, in a heading or footer. Those links are stored as region tags in
the instrument's clause, source "context:<clause of the mention>", score CONTEXT_SCORE, with the
span of the real mention.

The instruments a look-back tells as done (温州市建立了疾控监督员制度) are stored as tags of kind
"practice": no instrument of the document, but the practice of a region the clause names.

A document whose content and pipeline are unchanged since it was last mined is skipped.
"""
from __future__ import annotations

import bisect
import gc
import multiprocessing
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from corpus.clauses import STANDS_ALONE
from corpus.records import Clause, Tag
from corpus.store import Store
from mining.pipeline import ClauseVerdict, CodebookMatcher, DomainFilter, Match, pipeline_version
from mining.segment import default_segmenter

CONTEXT_CHARS = 400
CONTEXT_SCORE = 0.5
PARALLEL_MIN_CHARS = 200_000     # below this, forking costs more than it saves
_SENTENCE_END = re.compile(r"[。！？；!?;]$")


@dataclass
class MiningReport:
    mined: int = 0
    skipped: int = 0
    tags: int = 0


@dataclass
class _Unit:
    """Text analysed as one: a clause, or a sentence joined from line fragments."""
    clauses: list[Clause]
    text: str = ""
    offsets: Sequence[int] = field(default_factory=list)   # unit char index -> document offset (a range for a clause)


# ---- analysis of texts ---------------------------------------------------------------------

@dataclass
class Tagger:
    backend: str = "rjieba"
    use_model: bool = True

    def __post_init__(self) -> None:
        self.segmenter = default_segmenter(self.backend)
        self.matcher = _matcher()
        self.domain = DomainFilter()
        self.classifier = None
        if self.use_model:
            from mining.classifier import load_classifier
            self.classifier = load_classifier()

    def analyse(self, texts: Sequence[str], looked_back: Sequence[bool] | None = None,
                practice: bool = False) -> list[list[Match]]:
        """Combined rule and model matches of each text (offsets into that text); a text looked back
        on (in a section that looks back, see looked_back_clauses) codes no instrument. With
        `practice`, the instruments a look-back tells as done are added as kind "practice"
        (DomainFilter.told_as_done): what the text would code if it announced them."""
        from mining.classifier import combine

        tokens = [self.segmenter.cut(t) for t in texts]
        verdicts = [ClauseVerdict(silent=True, past=True) if looked_back and looked_back[i] else self.domain.verdict(t)
                    for i, t in enumerate(texts)]
        found = match_batch(self.matcher, texts)
        scores = self.classifier.score(tokens) if self.classifier is not None and texts else None

        def coded(i: int, verdict: ClauseVerdict) -> list[Match]:
            # the rule hits are screened by self.domain, then the model's tags the same way
            matches = combine(texts[i], tokens[i], self.domain(texts[i], found[i], verdict), scores, self.classifier, i)
            return matches if scores is None else self.domain.screen_model_tags(texts[i], matches, verdict)

        out = [coded(i, verdict) for i, verdict in enumerate(verdicts)]
        if practice:
            for i, verdict in enumerate(verdicts):
                if verdict.past or verdict.looked_back:
                    out[i] = out[i] + self.domain.told_as_done(coded(i, ClauseVerdict()), verdict)
        return out


def match_batch(matcher: CodebookMatcher, texts: Sequence[str]) -> list[list[Match]]:
    """matcher() over each text, run once over the texts joined by newlines: the per-call overhead
    of the body and gazetteer finders dominates on short clauses. Matches are moved back to
    offsets into their own text; one that would cross a newline is dropped."""
    starts, at = [], 0
    for text in texts:
        starts.append(at)
        at += len(text) + 1
    out: list[list[Match]] = [[] for _ in texts]
    for m in matcher("\n".join(texts)):
        i = bisect.bisect_right(starts, m.start) - 1
        base = starts[i]
        if m.end - base <= len(texts[i]):
            # not dataclasses.replace, which costs several times the constructor (32,000 matches per bench round)
            out[i].append(Match(m.kind, m.label, m.category, m.start - base, m.end - base, m.matched, m.source, m.score, m.weak))
    return out


_MATCHER: CodebookMatcher | None = None


def _matcher() -> CodebookMatcher:
    global _MATCHER
    if _MATCHER is None:
        _MATCHER = CodebookMatcher.from_codebooks()
    return _MATCHER


_TAGGERS: dict[tuple[str, bool], Tagger] = {}


def get_tagger(backend: str = "rjieba", use_model: bool = True) -> Tagger:
    key = (backend, use_model)
    if key not in _TAGGERS:
        _TAGGERS[key] = Tagger(backend, use_model)
    return _TAGGERS[key]


def tag_texts(texts: Sequence[str], backend: str = "rjieba", use_model: bool = True) -> list[list[Match]]:
    """Matches of independent texts (the `policykg tag` and `eval tagging` path: no context)."""
    return get_tagger(backend, use_model).analyse(list(texts))


# ---- clauses of stored documents -------------------------------------------------------------

def tag_clauses(clauses: list[Clause], backend: str = "rjieba", use_model: bool = True) -> list[Tag]:
    """Codebook and model tags for clauses, with offsets into their document."""
    tagger = get_tagger(backend, use_model)
    tags: list[Tag] = []
    for doc_clauses in _by_document(clauses):
        tags += _tag_document(tagger, doc_clauses, _text_of(doc_clauses))
    return tags


def _text_of(clauses: list[Clause]) -> str:
    """The document text as far as its clauses tell it (the gaps between clauses are whitespace;
    written as newlines)."""
    parts, at = [], 0
    for clause in clauses:
        parts.append("\n" * (clause.start - at) + clause.text)
        at = clause.end
    return "".join(parts)


def _by_document(clauses: list[Clause]) -> list[list[Clause]]:
    groups: dict[str, list[Clause]] = {}
    for clause in clauses:
        groups.setdefault(clause.doc_id, []).append(clause)
    return [sorted(g, key=lambda c: c.ordinal) for g in groups.values()]


def _tag_document(tagger: Tagger, clauses: list[Clause], text: str) -> list[Tag]:
    """Tags of one document's clauses; `text` is the document text (for the words of a match that
    runs across a line break)."""
    parts = [(part, is_layout_broken(part)) for part in _parts(clauses)]
    units_per_part = [_sentences(part) if broken else [_clause_unit(c) for c in part] for part, broken in parts]
    units = [unit for part_units in units_per_part for unit in part_units]
    past = looked_back_clauses(clauses, tagger.domain)
    looked_back = [all(c.id in past for c in u.clauses) for u in units]
    tags_per_unit = []
    for unit, matches in zip(units, tagger.analyse([u.text for u in units], looked_back, practice=True)):
        tags_per_unit.append([_to_tag(unit, m, text) for m in matches if m.end > m.start])
    first = 0
    for (_, broken), part_units in zip(parts, units_per_part):
        if broken:
            _link_context_regions(part_units, tags_per_unit[first:first + len(part_units)])
        first += len(part_units)
    return [t for unit_tags in tags_per_unit for t in unit_tags]


def _parts(clauses: list[Clause]) -> list[list[Clause]]:
    """The document's body and each part that starts at a line standing alone (附件…, 抄送): a plan
    whose task table is attached is no slide deck, though the table's cells are fragments."""
    parts: list[list[Clause]] = [[]]
    for clause in clauses:
        if STANDS_ALONE.match(clause.text) and parts[-1]:
            parts.append([])
        parts[-1].append(clause)
    return parts


def looked_back_clauses(clauses: list[Clause], domain: DomainFilter) -> set[str]:
    """Ids of the clauses in a section whose heading looks back (一、2023年工作回顾): up to the next
    clause of the same level (一、 or 第X章). Within such a section a work report tells what was done
    (…签约服务扩大到85%以上地市) mostly without a look-back cue the clause itself would show."""
    past: set[str] = set()
    inside = False
    for clause in clauses:
        if clause.level == 1:
            inside = domain.heads_a_look_back(clause.text[len(clause.number):].split("\n", 1)[0])
        elif inside:
            past.add(clause.id)
    return past


def is_layout_broken(clauses: list[Clause]) -> bool:
    """Most clauses are short unnumbered lines that end mid-sentence (slides, PDF line breaks)."""
    if len(clauses) < 10:
        return False
    fragments = sum(1 for c in clauses if not c.number and len(c.text) <= 40 and not _SENTENCE_END.search(c.text))
    return fragments >= 0.5 * len(clauses)


def _clause_unit(clause: Clause) -> _Unit:
    return _Unit([clause], clause.text, range(clause.start, clause.start + len(clause.text)))


def _sentences(clauses: list[Clause]) -> list[_Unit]:
    units, current = [], _Unit([])
    for clause in clauses:
        if STANDS_ALONE.match(clause.text):
            # 附件：… is no fragment of the table row below it (joined, the row read as a title)
            if current.clauses:
                units.append(current)
            units.append(_clause_unit(clause))
            current = _Unit([])
            continue
        current.clauses.append(clause)
        current.text += clause.text
        current.offsets += range(clause.start, clause.start + len(clause.text))
        if _SENTENCE_END.search(clause.text) or clause.number or len(current.text) > 2 * CONTEXT_CHARS:
            units.append(current)
            current = _Unit([])
    if current.clauses:
        units.append(current)
    return units


def _to_tag(unit: _Unit, m: Match, text: str) -> Tag:
    start, end = unit.offsets[m.start], unit.offsets[m.end - 1] + 1
    clause = next(c for c in unit.clauses if c.start <= start < c.end)
    matched = m.matched if end - start == m.end - m.start else text[start:end]
    return Tag(clause.id, clause.doc_id, m.kind, m.label, matched, start, end, m.source, m.score, m.category)


def _link_context_regions(units: list[_Unit], tags_per_unit: list[list[Tag]]) -> None:
    """Add region tags to the instrument clauses that a region of this or an earlier sentence scopes."""
    scope: list[Tag] = []
    scope_end = -1
    for unit, tags in zip(units, tags_per_unit):
        regions = [t for t in tags if t.kind == "region"]
        if regions:
            scope, scope_end = regions, regions[-1].end + CONTEXT_CHARS
        elif unit.offsets and unit.offsets[0] > scope_end:
            scope = []
        own = {(t.clause_id, t.label) for t in regions}
        for clause_id in dict.fromkeys(t.clause_id for t in tags if t.kind in ("instrument", "practice")):
            for region in scope:
                if (clause_id, region.label) not in own and region.clause_id != clause_id:
                    own.add((clause_id, region.label))
                    tags.append(Tag(clause_id, region.doc_id, "region", region.label, region.matched, region.start,
                                    region.end, f"context:{region.clause_id}", CONTEXT_SCORE, region.category))


# ---- the store -----------------------------------------------------------------------------

def mine_store(store: Store, progress: bool = False, force: bool = False, backend: str = "rjieba",
               workers: int | None = None) -> MiningReport:
    """Tag every document whose text or pipeline changed since it was last mined (all with force),
    over `workers` processes (default: every core) when there is enough text to share."""
    version = pipeline_version(backend)
    report = MiningReport()
    todo = []
    for doc in store.documents():
        if not force and store.mined_pipeline(doc.id) == (doc.sha256, version):
            report.skipped += 1
        else:
            todo.append(doc)
    if not todo:
        return report
    jobs = [(doc.id, doc.sha256, store.clauses(doc.id), doc.text) for doc in todo]
    get_tagger(backend)          # load once here, so forked workers inherit it
    results = _run(jobs, backend, workers)
    if progress:
        from tqdm import tqdm
        results = tqdm(results, total=len(jobs), desc="mine", unit="doc", file=sys.stderr)
    for doc_id, sha256, tags in results:
        store.replace_tags(doc_id, sha256, version, tags)
        report.mined += 1
        report.tags += len(tags)
    return report


def _run(jobs: list[tuple[str, str, list[Clause], str]], backend: str, workers: int | None):
    workers = workers or os.cpu_count() or 1
    chars = sum(len(job[3]) for job in jobs)
    if workers < 2 or len(jobs) < 2 or chars < PARALLEL_MIN_CHARS or "fork" not in multiprocessing.get_all_start_methods():
        return (_mine_one(job, backend) for job in jobs)
    jobs = sorted(jobs, key=lambda job: -len(job[3]))   # big documents first
    # The workers inherit the loaded dictionaries and models; frozen, those objects are left out of
    # the workers' garbage collections, which would otherwise walk them all (and copy their pages).
    gc.freeze()
    pool = multiprocessing.get_context("fork").Pool(min(workers, len(jobs)))
    gc.unfreeze()
    return _drain(pool, pool.imap_unordered(_mine_one_default if backend == "rjieba" else _mine_one_jieba, jobs))


def _drain(pool, results):
    try:
        yield from results
    finally:
        pool.close()
        pool.join()


def _mine_one(job: tuple[str, str, list[Clause], str], backend: str = "rjieba") -> tuple[str, str, list[Tag]]:
    doc_id, sha256, clauses, text = job
    return doc_id, sha256, _tag_document(get_tagger(backend), clauses, text)


def _mine_one_default(job):
    return _mine_one(job, "rjieba")


def _mine_one_jieba(job):
    return _mine_one(job, "jieba")
