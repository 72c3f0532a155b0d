"""The jobs behind the CLI and the app: one function each, so both call the same code."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from corpus.catalogue import read_catalog
from corpus.metadata import extract_metadata
from corpus.readers import read_file
from corpus.store import Store
from corpus.text import ReadError, normalize_doc_number
from graph.build import build_graph
from graph.queries import RegionInstrumentRow, Timeline, instruments_by_region as _by_region, timeline as _timeline
from mining.tagging import MiningReport, mine_store

EXAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "examples"

_graph_cache: dict[tuple[str, str], nx.MultiDiGraph] = {}


def mine(store: Store, force: bool = False) -> MiningReport:
    return mine_store(store, progress=True, force=force)


def store_state(store: Store) -> str:
    """A fingerprint of what the graph is built from (documents and their mined tags)."""
    rows = store.conn.execute(
        "SELECT d.id, d.sha256, coalesce(m.pipeline, '') FROM documents d LEFT JOIN mined m ON m.doc_id = d.id "
        "ORDER BY d.id").fetchall()
    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


def graph(store: Store) -> nx.MultiDiGraph:
    """The networkx graph of the store, rebuilt only when the store changed."""
    key = (store.path, store_state(store))
    if key not in _graph_cache:
        _graph_cache.clear()
        _graph_cache[key] = build_graph(store)
    return _graph_cache[key]


def graph_counts(g: nx.MultiDiGraph) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, data in g.nodes(data=True):
        counts[data["label"]] = counts.get(data["label"], 0) + 1
    for _, _, data in g.edges(data=True):
        counts[data["type"]] = counts.get(data["type"], 0) + 1
    return counts


def timeline(store: Store, term: str) -> Timeline:
    return _timeline(graph(store), store, term)


def instruments_by_region(store: Store, level: str = "issuer") -> list[RegionInstrumentRow]:
    return _by_region(graph(store), level)


@dataclass
class MetadataEvaluation:
    rows: list[dict]
    stated: int
    correct: int
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.stated if self.stated else 0.0


def evaluate_metadata(folder: Path) -> MetadataEvaluation:
    """Metadata extracted from the text alone versus the folder's catalogue, on the fields the text
    states (a field counts only when the catalogue value can be found in the text)."""
    per_field = {f: [0, 0] for f in ("title", "date", "issuer", "doc_number")}
    misses = []
    for entry in read_catalog(folder / "catalog.jsonl"):
        try:
            raw = read_file(folder / entry.file)
        except ReadError as exc:
            misses.append(str(exc))
            continue
        meta = extract_metadata(raw.text, str(folder / entry.file), getattr(raw, "hints", None))
        for name, stated, right, got in _field_checks(entry, meta, raw.text):
            if stated:
                per_field[name][0] += 1
                per_field[name][1] += right
                if not right:
                    misses.append(f"{entry.file} {name}: expected {_expected(entry, name)!r}, got {got!r}")
    rows = [{"field": f, "stated": s, "correct": c, "accuracy": f"{c / s:.1%}" if s else "-"}
            for f, (s, c) in per_field.items()]
    return MetadataEvaluation(rows, sum(s for s, _ in per_field.values()), sum(c for _, c in per_field.values()),
                              misses)


def _expected(entry, name: str):
    return {"title": entry.title, "date": entry.date, "issuer": entry.issuer, "doc_number": entry.doc_number}[name]


def _squash(s: str) -> str:
    return "".join(ch for ch in s if ch.isalnum())


def _field_checks(entry, meta, text: str):
    squashed = _squash(text[:3000] + text[-3000:])
    title_stated = _squash(entry.title) in _squash(text[:600])
    yield "title", title_stated, _squash(meta.title or "") == _squash(entry.title), meta.title
    y, mth, d = (int(x) for x in entry.date.split("-"))
    date_forms = [f"{y}年{mth}月{d}日", entry.date]
    date_stated = any(_squash(f) in squashed for f in date_forms) or _has_chinese_date(text, y, mth, d)
    yield "date", date_stated, meta.date == entry.date, meta.date
    issuers_stated = all(_squash(i) in squashed for i in entry.issuer)
    yield "issuer", issuers_stated, set(meta.issuers) == set(entry.issuer), meta.issuers
    if entry.doc_number:
        wanted = normalize_doc_number(entry.doc_number.split("（")[0].split("；")[0])
        stated = _squash(wanted) in _squash(normalize_doc_number(text[:3000] + text[-3000:]))
        yield "doc_number", stated, normalize_doc_number(meta.doc_number or "") == wanted, meta.doc_number


def _has_chinese_date(text: str, y: int, m: int, d: int) -> bool:
    from corpus.text import parse_chinese_date
    import re
    for match in re.finditer(r"[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日", text):
        if parse_chinese_date(match.group()) == f"{y:04d}-{m:02d}-{d:02d}":
            return True
    return False
