"""Coding clauses with instruments and measuring that coding against gold clauses: the logic behind
`policykg tag` and `policykg eval tagging` (graph/cli_mining.py only wires it to the command line).

Gold rows are JSON lines {"text", "instruments": [canonical names], "side": [...]}; a row may instead
point into the shared corpus by reference ({"file", "start", "end", "sha1"}), resolved in memory so the
corpus text never enters the repository (mining/gold/corpus_refs_*.jsonl).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mining.codebook import core_instruments, SIDES
from mining.scores import Score

if TYPE_CHECKING:
    from mining.tagging import Tagger


class GoldFileError(ValueError):
    """A gold or clause file that cannot be read (names the file and line)."""


# ---- coding clauses ------------------------------------------------------------------------

def code_texts(texts: Sequence[str], use_model: bool = True, all_instruments: bool = False,
               tagger: Tagger | None = None) -> list[dict]:
    """For each text: instruments, sides and the evidence of each instrument tag (offsets into the text).
    Only core instruments unless all_instruments (extended ones have no gold and no model). `tagger`:
    a mining.tagging.Tagger of one's own (another model) instead of the shared one."""
    from mining.tagging import tag_texts

    core = {i.name for i in core_instruments()}
    out = []
    for matches in (tagger.analyse(list(texts)) if tagger else tag_texts(list(texts), use_model=use_model)):
        evidence = [{"instrument": m.label, "side": m.category, "matched": m.matched, "start": m.start,
                     "end": m.end, "source": m.source, "score": m.score}
                    for m in matches if m.kind == "instrument" and (all_instruments or m.label in core)]
        out.append(_coded_row([e["instrument"] for e in evidence], [e["side"] for e in evidence], evidence))
    return out


def _coded_row(instruments: Iterable[str], sides: Iterable[str], evidence: list[dict]) -> dict:
    """A clause as code_texts() codes it: instruments sorted, sides in SIDES order, each once."""
    return {"instruments": sorted(set(instruments)), "sides": sorted(set(sides), key=SIDES.index), "evidence": evidence}


def read_jsonl(path: str) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise GoldFileError(f"{path}:{number}: not JSON ({exc})") from exc
    return rows


@dataclass
class ClauseFile:
    rows: list[dict]            # {"id", "text"}; id defaults to the line number
    problems: list[str]         # "FILE:LINE: reason" of each line left out


def read_clause_file(path: str) -> ClauseFile:
    """The clauses of a researcher's JSON-lines file ({"id", "text"} per line), in UTF-8 or, as Excel
    on a Chinese Windows may save it, GBK/GB18030. A line that is not a JSON object with a "text"
    string is left out with its reason, and the others are kept. An unreadable file raises
    GoldFileError."""
    from corpus.text import ReadError, decode_bytes

    try:
        text, _ = decode_bytes(Path(path).read_bytes(), path)
    except ReadError as exc:
        raise GoldFileError(str(exc)) from exc
    except OSError as exc:
        raise GoldFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    rows, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: not JSON ({exc})")
            continue
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            problems.append(f'{path}:{number}: not a JSON object with a "text" string')
            continue
        rows.append({"id": row.get("id", number), "text": row["text"]})
    return ClauseFile(rows, problems)


# ---- evaluation ------------------------------------------------------------------------------

@dataclass
class TaggingEval:
    clauses: int
    instruments: list[Score]
    sides: list[Score]
    side_accuracy: float            # clauses whose predicted side set equals the gold one
    exact_match: float              # clauses whose predicted instrument set equals the gold one
    errors: list[dict] = field(default_factory=list)
    skipped: int = 0                # corpus references that could not be resolved
    by_kind: dict[str, list[int]] = field(default_factory=dict)   # gold "kind" -> [clauses, exact matches]

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the instruments that occur in the gold or in the predictions."""
        scored = [s for s in self.instruments if s.tp + s.fp + s.fn]
        return sum(s.f1 for s in scored) / len(scored) if scored else 0.0

    @property
    def side_macro_f1(self) -> float:
        scored = [s for s in self.sides if s.tp + s.fp + s.fn]
        return sum(s.f1 for s in scored) / len(scored) if scored else 0.0

    @property
    def micro(self) -> Score:
        return Score("micro", sum(s.tp for s in self.instruments), sum(s.fp for s in self.instruments),
                     sum(s.fn for s in self.instruments))


def evaluate(gold: list[dict], predicted: list[dict]) -> TaggingEval:
    """Gold rows {"text", "instruments", "side"} against code_texts() rows, in the same order."""
    side_of = {i.name: i.side for i in core_instruments()}
    names = list(side_of)
    scores = {n: Score(n) for n in names}
    side_scores = {s: Score(s) for s in SIDES}
    side_hits = exact = 0
    errors = []
    by_kind: dict[str, list[int]] = {}
    for row, pred in zip(gold, predicted):
        want = set(row.get("instruments") or [])
        got = set(pred["instruments"])
        want_sides = set(row.get("side") or row.get("sides") or {side_of[n] for n in want if n in side_of})
        got_sides = set(pred["sides"])
        for name in want | got:
            score = scores.setdefault(name, Score(name))
            score.tp += name in want and name in got
            score.fp += name in got and name not in want
            score.fn += name in want and name not in got
        for side in want_sides | got_sides:
            score = side_scores.setdefault(side, Score(side))
            score.tp += side in want_sides and side in got_sides
            score.fp += side in got_sides and side not in want_sides
            score.fn += side in want_sides and side not in got_sides
        side_hits += want_sides == got_sides
        exact += want == got
        if row.get("kind"):
            counts = by_kind.setdefault(row["kind"], [0, 0])
            counts[0] += 1
            counts[1] += want == got
        if want != got:
            errors.append({"text": row["text"], "missing": sorted(want - got), "extra": sorted(got - want),
                           "evidence": pred["evidence"]})
    n = len(gold) or 1
    return TaggingEval(len(gold), list(scores.values()), list(side_scores.values()), side_hits / n, exact / n,
                       errors, by_kind=by_kind)


def read_gold(path: str, corpus: str | None = None) -> tuple[list[dict], int]:
    """Gold rows and the number skipped. A row without "text" but with {"file", "start", "end"} is a
    reference into the shared corpus (offsets into the normalised text, see mining/classifier.py),
    resolved here in memory; references that cannot be resolved (corpus absent or changed) are skipped."""
    from mining.classifier import SHARED_CORPUS, resolve_corpus_ref

    rows, skipped = [], 0
    for row in read_jsonl(path):
        if "text" not in row and "file" in row:
            text = resolve_corpus_ref(row, Path(corpus) if corpus else SHARED_CORPUS)
            if text is None:
                skipped += 1
                continue
            row = {**row, "text": text}
        rows.append(row)
    return rows, skipped


def evaluate_file(path: str, use_model: bool = True, corpus: str | None = None) -> TaggingEval:
    gold, skipped = read_gold(path, corpus)
    result = evaluate(gold, code_texts([row["text"] for row in gold], use_model=use_model))
    result.skipped = skipped
    return result


def cross_validate_by_document(folds: int = 6) -> TaggingEval:
    """The real training clauses (corpus_refs.jsonl) tagged as clauses of documents the model never saw:
    their documents are dealt into `folds` groups, and each group is tagged by rules and a model trained
    on the written clauses and the other groups' real clauses. A researcher who edits the codebook sees
    its effect on real text without reading the evaluation sets."""
    from mining import classifier
    from mining.tagging import Tagger

    real = classifier.read_corpus_refs()
    if not real:
        raise GoldFileError(f"no real training clause can be read from {classifier.SHARED_CORPUS} "
                            "(set POLICYKG_SHARED to the directory holding corpus/)")
    written = classifier.read_train_tsv()
    labels = [i.name for i in core_instruments()]

    def document(example) -> str:
        return example.origin.split(":")[1]            # origin: corpus:<file>:<start>-<end>

    documents = sorted({document(e) for e in real})
    tagger = Tagger()
    gold, predicted = [], []
    for fold in range(folds):
        held_out = set(documents[fold::folds])
        tagger.classifier = classifier.train(written + [e for e in real if document(e) not in held_out], labels,
                                             f"cv{fold}")
        tested = [e for e in real if document(e) in held_out]
        gold += [{"text": e.text, "instruments": list(e.labels)} for e in tested]
        predicted += code_texts([e.text for e in tested], tagger=tagger)
    return evaluate(gold, predicted)


def evaluate_coder(path: str, coder_path: str, corpus: str | None = None) -> tuple[TaggingEval, TaggingEval]:
    """Inter-coder agreement: a second coder's labels (coder_path) of clauses of the gold file scored
    against the gold as if they were predictions, and the tagger scored on the same clauses. Clauses
    are matched by reference ({file, start, end}) or by text; gold clauses the coder did not label
    are left out of both."""
    gold, skipped = read_gold(path, corpus)
    coded, _ = read_gold(coder_path, corpus)
    by_clause = {_clause_key(row): row for row in coded}
    shared = [row for row in gold if _clause_key(row) in by_clause]
    if not shared:
        raise GoldFileError(f"{coder_path}: labels none of the clauses of {path}")
    side_of = {i.name: i.side for i in core_instruments()}

    def as_predicted(row: dict) -> dict:
        names = row.get("instruments") or []
        return _coded_row(names, [side_of[n] for n in names if n in side_of], [])

    agreement = evaluate(shared, [as_predicted(by_clause[_clause_key(row)]) for row in shared])
    tagger = evaluate(shared, code_texts([row["text"] for row in shared]))
    agreement.skipped = tagger.skipped = skipped
    return agreement, tagger


def _clause_key(row: dict) -> tuple:
    return (row["file"], row["start"], row["end"]) if "file" in row else (row["text"],)


def evaluate_in_documents(path: str, corpus: str | None = None) -> TaggingEval:
    """Gold references into the shared corpus scored as `policykg mine` tags them in their documents
    rather than as lone clauses: there a section's heading can make its clauses look-backs, and a
    document broken by layout is read per sentence. The referenced documents are ingested and mined
    in a temporary store; a gold clause gets the instruments of the tags that start inside it."""
    import tempfile

    from corpus.ingest import ingest_paths
    from corpus.store import Store
    from mining.classifier import SHARED_CORPUS
    from mining.tagging import mine_store

    gold, skipped = read_gold(path, corpus)
    own_text = sum(1 for row in gold if "file" not in row)
    if own_text:
        raise GoldFileError(f"{path}: {own_text} rows hold their own text; only references into the corpus "
                            "({file, start, end}) can be scored in their documents")
    folder = Path(corpus) if corpus else SHARED_CORPUS
    side_of = {i.name: i.side for i in core_instruments()}
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "gold.db") as store:
        outcomes = ingest_paths(store, sorted({folder / row["file"] for row in gold}))
        doc_ids = {Path(o.path).name: o.doc_id for o in outcomes if o.doc_id}
        mine_store(store)
        predicted = [_coded_in_store(store, doc_ids.get(row["file"], ""), row, side_of) for row in gold]
    result = evaluate(gold, predicted)
    result.skipped = skipped
    return result


def _coded_in_store(store, doc_id: str, row: dict, side_of: dict[str, str]) -> dict:
    """code_texts()'s row for a gold clause of the document doc_id, from the tags stored inside it.
    The clause is looked up by its text: a notice's attachment is stored as a document of its own
    (id + ".att")."""
    for stored_id in (doc_id, doc_id + ".att"):
        document = store.document(stored_id)
        start = -1 if document is None else document.text.find(row["text"])
        if start >= 0:
            break
    else:
        raise GoldFileError(f"{row['file']}:{row['start']}: the clause is not in the stored document "
                            "(the file could not be ingested, or is a duplicate of another)")
    end = start + len(row["text"])
    tags = [t for t in store.tags(kind="instrument", doc_id=stored_id) if start <= t.start < end and t.label in side_of]
    evidence = [{"instrument": t.label, "side": side_of[t.label], "matched": t.matched, "start": t.start - start,
                 "end": t.end - start, "source": t.source, "score": t.score} for t in tags]
    return _coded_row([e["instrument"] for e in evidence], [e["side"] for e in evidence], evidence)


def report_lines(result: TaggingEval, title: str = "") -> list[str]:
    lines = [title] if title else []
    lines.append(f"{'instrument':<14}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}")
    for s in sorted(result.instruments, key=lambda s: s.name):
        if s.tp + s.fp + s.fn:
            lines.append(f"{_pad(s.name, 14)}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.support:6d}")
    lines.append(f"{'side':<14}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}")
    for s in result.sides:
        lines.append(f"{_pad(s.name, 14)}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.support:6d}")
    micro = result.micro
    lines.append(f"clauses {result.clauses}; instruments macro-F1 {result.macro_f1:.3f}, micro P/R/F1 "
                 f"{micro.precision:.3f}/{micro.recall:.3f}/{micro.f1:.3f}; side accuracy {result.side_accuracy:.3f}, "
                 f"side macro-F1 {result.side_macro_f1:.3f}; exact match {result.exact_match:.3f}")
    if result.by_kind:
        lines.append(f"exact match by kind: {kind_summary(result)}")
    return lines


def kind_summary(result: TaggingEval) -> str:
    """Exact-match rate per gold `kind` (keyword, paraphrase, misleading, none …) with its clause count."""
    return ", ".join(f"{kind} {hits / total:.3f} ({total})" for kind, (total, hits) in sorted(result.by_kind.items()))


def _pad(text: str, width: int) -> str:
    wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(1, width - wide)
