"""The jobs behind the CLI and the app: one function each, so both call the same code."""
from __future__ import annotations

import hashlib
from pathlib import Path

import networkx as nx

from corpus.store import Store
from graph.build import build_graph
from graph.queries import (RegionInstrumentRow, Timeline, instruments_by_region as _by_region, roll_up_to_province,
                           timeline as _timeline)
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


def instruments_by_region(store: Store, level: str = "issuer", province: bool = False) -> list[RegionInstrumentRow]:
    rows = _by_region(graph(store), level)
    return roll_up_to_province(rows) if province else rows
