"""Mention-level region × instrument pairs measured against a reader's list: `policykg eval regions
--gold FILE`.

A gold file holds passages in the style of the practice-forms literature, JSON lines
{"id", "text", "pairs": [[region, instrument], ...]}: the pairs a reader lists as "this place uses
(or used) this instrument". A line may instead name a text by reference, {"id", "file", "sha1",
"pairs"}, a file of ../shared/literature (or another folder) that the repository does not copy; it
is skipped, and counted, when the file is absent or its sha1 (first 10 hex digits, of the file's
bytes) differs. Each passage is stored as a document of its own, mined and put in the graph, and its
mention-level pairs (graph.queries.instruments_by_region, level "mention") are compared with the
gold ones. Regions are compared as the gazetteer names them (温州 and 浙江省温州市
are one region); only canonical instruments count, the ones a gold file can name.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from corpus.gazetteer import load_gazetteer
from corpus.ingest import ingest_paths
from corpus.store import Store
from graph.build import build_graph
from graph.queries import instruments_by_region
from mining.classifier import SHARED_CORPUS
from mining.codebook import core_instruments
from mining.scores import Score
from mining.tag_eval import GoldFileError, read_jsonl
from mining.tagging import mine_store

Pair = tuple[str, str]
SHARED_LITERATURE = SHARED_CORPUS.parent / "literature"


@dataclass
class PairEval:
    passages: int
    pairs: Score                                              # over all (passage, region, instrument)
    by_style: dict[str, Score] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)          # {"id", "missing", "extra"} of each passage wrong
    skipped: list[str] = field(default_factory=list)          # ids of references to absent or changed files


def read_pair_gold(path: str) -> list[dict]:
    """Gold passages; a line with neither text nor file, or with a pair that is not [region,
    canonical instrument], is an error naming the file and line."""
    canonical = {i.name for i in core_instruments()}
    rows = []
    for number, row in enumerate(read_jsonl(path), 1):
        if not isinstance(row, dict) or not (str(row.get("text") or "").strip() or row.get("file")):
            raise GoldFileError(f"{path}:{number}: neither text nor file")
        for pair in row.get("pairs") or []:
            if not (isinstance(pair, list) and len(pair) == 2 and pair[1] in canonical):
                raise GoldFileError(f"{path}:{number}: {pair!r} is not [region, one of the canonical instruments]")
        rows.append({**row, "id": str(row.get("id") or number)})
    return rows


def evaluate_pairs(path: str, texts: Path = SHARED_LITERATURE) -> PairEval:
    """Score the gold passages; references ({"file"}) are read from the folder `texts`."""
    gold, skipped = [], []
    for row in read_pair_gold(path):
        if row.get("file"):
            source = _referenced_file(row, Path(texts))
            if source is None:
                skipped.append(row["id"])
                continue
            row = {**row, "source": source}
        gold.append(row)
    found = mention_pairs([row.get("source") or row["text"] for row in gold])
    result = PairEval(len(gold), Score("pairs", empty=1.0), skipped=skipped)
    for row, got in zip(gold, found):
        want = {(_region_name(region), instrument) for region, instrument in row.get("pairs") or []}
        style = result.by_style.setdefault(row.get("style") or "", Score(row.get("style") or "", empty=1.0))
        for score in (result.pairs, style):
            score.tp += len(want & got)
            score.fp += len(got - want)
            score.fn += len(want - got)
        if want != got:
            result.errors.append({"id": row["id"], "missing": sorted(want - got), "extra": sorted(got - want)})
    return result


def _referenced_file(row: dict, folder: Path) -> Path | None:
    """The file a reference names, or None when it is absent or changed."""
    path = folder / row["file"]
    if not path.is_file():
        return None
    if row.get("sha1") and hashlib.sha1(path.read_bytes()).hexdigest()[:10] != row["sha1"]:
        return None
    return path


def mention_pairs(texts: list[str | Path]) -> list[set[Pair]]:
    """The mention-level (region, canonical instrument) pairs of each text (a string, or a file read
    as `policykg build` reads it), stored, mined and put in the graph as a document of its own."""
    canonical = {i.name for i in core_instruments()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "passages"
        folder.mkdir()
        paths = []
        for number, text in enumerate(texts):
            if isinstance(text, Path):
                paths.append(folder / f"passage-{number:05d}{text.suffix}")
                shutil.copyfile(text, paths[-1])
            else:
                paths.append(folder / f"passage-{number:05d}.txt")
                paths[-1].write_text(text, encoding="utf-8")
        with Store(Path(tmp) / "pairs.db") as store:
            outcomes = ingest_paths(store, [folder])
            passage_of = {o.doc_id: paths.index(Path(o.path)) for o in outcomes if o.doc_id}
            mine_store(store)
            rows = instruments_by_region(build_graph(store), "mention")
    pairs: dict[int, set[Pair]] = defaultdict(set)
    for row in rows:
        if row.instrument in canonical:
            for evidence in row.evidence:
                # an attachment split off a passage (<id>.att) belongs to that passage
                pairs[passage_of[evidence.doc_id.removesuffix(".att")]].add((row.region, row.instrument))
    return [pairs[number] for number in range(len(texts))]


def _region_name(name: str) -> str:
    """The gazetteer's full name of a region, read as the tagger reads a place in text (浙江温州 →
    浙江省温州市, 安徽省天长市 → 安徽省滁州市天长市); the name itself if it names none."""
    gazetteer = load_gazetteer()
    division = gazetteer.resolve(name)
    if division is None:
        places = [m for m in gazetteer.find_in_text(name) if m.status == "ok" and m.division is not None]
        division = max(places, key=lambda m: m.end - m.start).division if places else None
    return division.full_name if division else name


def report_lines(result: PairEval) -> list[str]:
    lines = [f"{result.passages} passages, {result.pairs.tp + result.pairs.fn} gold pairs"
             + (f" ({len(result.skipped)} references skipped: file absent or changed)" if result.skipped else ""),
             _score_line("pairs", result.pairs)]
    lines += [_score_line(f"  {style or '(no style)'}", score) for style, score in sorted(result.by_style.items())]
    return lines


def _score_line(name: str, score: Score) -> str:
    return (f"{name:14} precision {score.precision:.3f}  recall {score.recall:.3f}  F1 {score.f1:.3f}  "
            f"(tp {score.tp}, fp {score.fp}, fn {score.fn})")
