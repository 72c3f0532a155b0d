"""Queries over the networkx graph. Every answer carries the clauses that justify it.

The Neo4j store implements the same functions with Cypher and must return identical results.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

import networkx as nx

from corpus.gazetteer import load_gazetteer
from corpus.records import Clause
from corpus.store import Store
from graph.schema import node_id
from mining.codebook import load_instruments, stage_of


@dataclass
class Evidence:
    doc_id: str
    clause_id: str
    start: int
    end: int
    matched: str
    clause: str = ""        # clause text (filled from the store)
    number: str = ""        # clause numbering as written


@dataclass
class TimelineEntry:
    doc_id: str
    title: str
    date: str | None
    level: str | None
    region: str | None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Timeline:
    term: str
    matched_as: str                       # instrument (codebook, synonyms included) or text (verbatim)
    coverage: dict
    first: TimelineEntry | None
    documents: list[TimelineEntry]
    by_year: dict[str, int]
    by_stage: dict[str, int]
    not_in_corpus: list[dict]             # catalogue documents without text: the answer cannot see them

    def to_dict(self) -> dict:
        return asdict(self)


def coverage(g: nx.MultiDiGraph) -> dict:
    """What the corpus behind an answer holds: document count, year range, levels."""
    return coverage_of(document_table(g).values())


def coverage_of(documents) -> dict:
    """coverage() over Document property dicts (shared by the networkx and the Neo4j store)."""
    docs = [d for d in documents if d["in_corpus"]]
    years = sorted(d["year"] for d in docs if d["year"])
    return {"documents": len(docs), "first_year": years[0] if years else None,
            "last_year": years[-1] if years else None,
            "levels": dict(sorted(Counter(d["level"] or "unknown" for d in docs).items()))}


DOCUMENT_FIELDS = ("key", "title", "date", "year", "level", "region", "doc_number", "in_corpus")


def document_table(g: nx.MultiDiGraph) -> dict[str, dict]:
    """Document key → the properties the queries read (DOCUMENT_FIELDS; missing ones are None)."""
    return {d["key"]: {f: d.get(f) for f in DOCUMENT_FIELDS}
            for _, d in g.nodes(data=True) if d["label"] == "Document"}


def timeline(g: nx.MultiDiGraph, store: Store, term: str) -> Timeline:
    """Documents containing a term (verbatim) or a codebook instrument (any synonym), oldest first."""
    evidence = instrument_evidence(g, term) if is_instrument(term) else None
    return assemble_timeline(store, term, evidence, document_table(g))


def is_instrument(term: str) -> bool:
    return term in {i.name for i in load_instruments()}


def instrument_evidence(g: nx.MultiDiGraph, name: str) -> list[Evidence]:
    node = node_id("Instrument", name)
    if node not in g:
        return []
    return [_ev(e) for _, _, e in g.in_edges(node, data=True) if e["type"] == "USES"]


def assemble_timeline(store: Store, term: str, instrument_evidence: list[Evidence] | None,
                      documents: dict[str, dict]) -> Timeline:
    """The store-independent part of timeline(): instrument_evidence is None for a plain term (the text
    path, searched in the SQLite store); documents is document_table() of either store."""
    if instrument_evidence is not None:
        evidence, matched_as = instrument_evidence, "instrument"
    else:
        evidence, matched_as = [_text_evidence(c, term) for c in store.search_clauses(term)], "text"
    entries = _entries(documents, store, evidence)
    first = entries[0] if entries else None
    by_year = Counter(str(e.date[:4]) for e in entries if e.date)
    by_stage = Counter(stage_of(int(e.date[:4])) for e in entries if e.date)
    return Timeline(term, matched_as, coverage_of(documents.values()), first, entries,
                    dict(sorted(by_year.items())), dict(by_stage), _catalogue_only_before(documents, first))


def _text_evidence(clause: Clause, term: str) -> Evidence:
    start = clause.start + clause.text.index(term)
    return Evidence(clause.doc_id, clause.id, start, start + len(term), term)


def _entries(documents: dict[str, dict], store: Store, evidence: list[Evidence]) -> list[TimelineEntry]:
    by_doc: dict[str, list[Evidence]] = defaultdict(list)
    for ev in evidence:
        by_doc[ev.doc_id].append(ev)
    entries = []
    for doc_id, evs in by_doc.items():
        node = documents[doc_id]
        unique = {ev.clause_id: ev for ev in sorted(evs, key=lambda e: e.start)}
        for ev in unique.values():
            clause = store.clause(ev.clause_id)
            ev.clause, ev.number = (clause.text, clause.number) if clause else ("", "")
        entries.append(TimelineEntry(doc_id, node["title"], node["date"], node["level"], node["region"],
                                     sorted(unique.values(), key=lambda e: e.start)))
    return sorted(entries, key=lambda e: (e.date is None, e.date or "", e.doc_id))


def _catalogue_only_before(documents: dict[str, dict], first: TimelineEntry | None) -> list[dict]:
    """Catalogue documents whose text is not in the corpus and that predate the first hit (or all of
    them when nothing was found): an earlier appearance may hide there."""
    limit = first.date if first and first.date else "9999"
    out = [{"id": d["key"], "title": d["title"], "date": d["date"], "doc_number": d["doc_number"]}
           for d in documents.values() if not d["in_corpus"] and (d["date"] or "") < limit]
    return sorted(out, key=lambda d: (d["date"] or "", d["id"]))


@dataclass
class RegionInstrumentRow:
    region: str
    instrument: str
    side: str
    documents: int
    clauses: int
    evidence: list[Evidence]

    def to_dict(self) -> dict:
        return asdict(self)


def instruments_by_region(g: nx.MultiDiGraph, level: str = "issuer") -> list[RegionInstrumentRow]:
    """Region × instrument with document and clause counts, each count backed by its evidence.

    level="issuer": the region is the document's own jurisdiction;
    level="mention": the region is named in the same clause as the instrument.
    """
    if level not in ("issuer", "mention"):
        raise ValueError("level must be 'issuer' or 'mention'")
    cells: dict[tuple[str, str], dict[str, Evidence]] = defaultdict(dict)
    for u, v, e in g.edges(data=True):
        if level == "issuer" and e["type"] == "USES":
            region = g.nodes[u]["region"] or "unknown"
            cells[(region, g.nodes[v]["key"])][e["clause_id"] + e["matched"]] = _ev(e)
        elif level == "mention" and e["type"] == "USED_IN":
            cells[(g.nodes[v]["key"], g.nodes[u]["key"])][e["clause_id"] + e["matched"]] = _ev(e)
    rows = []
    for (region, instrument), evs in sorted(cells.items()):
        evidence = sorted(evs.values(), key=lambda ev: (ev.doc_id, ev.start))
        rows.append(RegionInstrumentRow(
            region, instrument, g.nodes[node_id("Instrument", instrument)].get("side", ""),
            len({ev.doc_id for ev in evidence}), len({ev.clause_id for ev in evidence}), evidence))
    return rows


def roll_up_to_province(rows: list[RegionInstrumentRow]) -> list[RegionInstrumentRow]:
    """Merge city and county rows into their province (浙江省温州市 → 浙江省), so provinces compare
    whole; evidence is merged, so every count still traces to clauses. Works on either store's rows."""
    gazetteer = load_gazetteer()
    merged: dict[tuple[str, str], RegionInstrumentRow] = {}
    for row in rows:
        division = gazetteer.resolve(row.region)
        province = gazetteer.resolve(division.province) if division else None
        region = province.full_name if province else row.region
        cell = merged.setdefault((region, row.instrument), RegionInstrumentRow(region, row.instrument, row.side, 0, 0, []))
        cell.evidence += row.evidence
    for cell in merged.values():
        cell.evidence = sorted({evidence_order(ev): ev for ev in cell.evidence}.values(), key=evidence_order)
        cell.documents = len({ev.doc_id for ev in cell.evidence})
        cell.clauses = len({ev.clause_id for ev in cell.evidence})
    return [merged[key] for key in sorted(merged)]


def _ev(e: dict) -> Evidence:
    return Evidence(e["doc_id"], e["clause_id"], e["start"], e["end"], e["matched"])


def evidence_order(ev: Evidence) -> tuple:
    return (ev.doc_id, ev.start, ev.end, ev.clause_id, ev.matched)


# -- a document's neighbourhood ---------------------------------------------------------------

@dataclass
class Neighbour:
    direction: str          # "out": document → node; "in": node → document
    type: str               # edge type
    label: str              # the other node's label
    key: str                # the other node's key
    title: str | None       # the other node's title (documents only)
    evidence: list[Evidence]


@dataclass
class Neighbourhood:
    doc_id: str
    title: str | None
    date: str | None
    in_corpus: bool
    neighbours: list[Neighbour]

    def to_dict(self) -> dict:
        return asdict(self)


def neighbourhood(g: nx.MultiDiGraph, doc_id: str) -> Neighbourhood | None:
    """Every node one edge away from a document, grouped by direction, edge type and node, with the
    evidence of each edge. None when the document is not in the graph."""
    node = node_id("Document", doc_id)
    if node not in g:
        return None
    edges = [("out", g.nodes[v], e) for _, v, e in g.out_edges(node, data=True)]
    edges += [("in", g.nodes[u], e) for u, _, e in g.in_edges(node, data=True)]
    doc = g.nodes[node]
    return Neighbourhood(doc_id, doc.get("title"), doc.get("date"), bool(doc.get("in_corpus")),
                         _group_neighbours((direction, e["type"], other["label"], other["key"], other.get("title"),
                                           _ev(e)) for direction, other, e in edges))


def _group_neighbours(rows) -> list[Neighbour]:
    """(direction, type, label, key, title, Evidence) rows → sorted Neighbour groups."""
    groups: dict[tuple, Neighbour] = {}
    for direction, type_, label, key, title, ev in rows:
        group = groups.setdefault((direction, type_, label, key), Neighbour(direction, type_, label, key, title, []))
        group.evidence.append(ev)
    for group in groups.values():
        group.evidence.sort(key=evidence_order)
    return [groups[k] for k in sorted(groups)]


# -- citations between documents --------------------------------------------------------------

@dataclass
class Citation:
    citing: str
    citing_title: str | None
    citing_date: str | None
    cited: str
    cited_title: str | None
    cited_date: str | None
    cited_in_corpus: bool           # False: a catalogue document whose text is not in the corpus
    clauses: int
    evidence: list[Evidence]

    def to_dict(self) -> dict:
        return asdict(self)


def citations(g: nx.MultiDiGraph, doc_id: str | None = None) -> list[Citation]:
    """CITES edges grouped by (citing, cited) document, oldest citing document first; with doc_id,
    only the citations made by or made to that document."""
    rows = []
    for u, v, e in g.edges(data=True):
        if e["type"] != "CITES":
            continue
        a, b = g.nodes[u], g.nodes[v]
        if doc_id is not None and doc_id not in (a["key"], b["key"]):
            continue
        rows.append((_doc_brief(a), _doc_brief(b), _ev(e)))
    return _group_citations(rows)


def _doc_brief(d: dict) -> tuple:
    return (d["key"], d.get("title"), d.get("date"), bool(d.get("in_corpus")))


def _group_citations(rows) -> list[Citation]:
    """((key, title, date, in_corpus) citing, (…) cited, Evidence) rows → sorted Citation rows."""
    groups: dict[tuple[str, str], Citation] = {}
    for a, b, ev in rows:
        row = groups.setdefault((a[0], b[0]), Citation(a[0], a[1], a[2], b[0], b[1], b[2], b[3], 0, []))
        row.evidence.append(ev)
    for row in groups.values():
        row.evidence.sort(key=evidence_order)
        row.clauses = len({ev.clause_id for ev in row.evidence})
    return sorted(groups.values(), key=lambda c: (c.citing_date is None, c.citing_date or "", c.citing, c.cited))


# -- actors co-occurring with an instrument -------------------------------------------------

@dataclass
class CooccurringActor:
    actor: str
    type: str | None
    documents: int
    clauses: int
    evidence: list[Evidence]     # the actor's mentions in clauses that use the instrument

    def to_dict(self) -> dict:
        return asdict(self)


def cooccurring_actors(g: nx.MultiDiGraph, instrument: str) -> list[CooccurringActor]:
    """Actors tagged (MENTIONS) in a clause that uses the instrument (USES), most clauses first."""
    node = node_id("Instrument", instrument)
    if node not in g:
        return []
    clauses = {(u, e["clause_id"]) for u, _, e in g.in_edges(node, data=True) if e["type"] == "USES"}
    rows = []
    for doc in {u for u, _ in clauses}:
        for _, v, e in g.out_edges(doc, data=True):
            actor = g.nodes[v]
            if e["type"] == "MENTIONS" and actor["label"] == "Actor" and (doc, e["clause_id"]) in clauses:
                rows.append((actor["key"], actor.get("type"), _ev(e)))
    return _group_actors(rows)


def _group_actors(rows) -> list[CooccurringActor]:
    """(actor, type, Evidence) rows → CooccurringActor rows, most clauses first."""
    groups: dict[str, CooccurringActor] = {}
    for actor, type_, ev in rows:
        groups.setdefault(actor, CooccurringActor(actor, type_, 0, 0, [])).evidence.append(ev)
    for row in groups.values():
        row.evidence.sort(key=evidence_order)
        row.documents = len({ev.doc_id for ev in row.evidence})
        row.clauses = len({ev.clause_id for ev in row.evidence})
    return sorted(groups.values(), key=lambda r: (-r.clauses, -r.documents, r.actor))


# -- one interface over both stores --------------------------------------------------------

class NetworkxQueries:
    """The query suite over the networkx graph; graph.neo4j_store.Neo4jStore offers the same methods."""

    def __init__(self, g: nx.MultiDiGraph):
        self.g = g

    def timeline(self, store: Store, term: str) -> Timeline:
        return timeline(self.g, store, term)

    def instruments_by_region(self, level: str = "issuer") -> list[RegionInstrumentRow]:
        return instruments_by_region(self.g, level)

    def neighbourhood(self, doc_id: str) -> Neighbourhood | None:
        return neighbourhood(self.g, doc_id)

    def citations(self, doc_id: str | None = None) -> list[Citation]:
        return citations(self.g, doc_id)

    def cooccurring_actors(self, instrument: str) -> list[CooccurringActor]:
        return cooccurring_actors(self.g, instrument)

    def document_ids(self) -> list[str]:
        return sorted(d["key"] for _, d in self.g.nodes(data=True) if d["label"] == "Document")

    def instrument_names(self) -> list[str]:
        return sorted(d["key"] for _, d in self.g.nodes(data=True) if d["label"] == "Instrument")


def run_query_suite(queries, store: Store, terms: tuple[str, ...] = ("医防融合", "医防协同", "防治结合")) -> dict:
    """Every query, over every document and instrument of the graph, as plain data (for parity tests
    and the benchmark). `queries` is a NetworkxQueries or a Neo4jStore."""
    instruments = queries.instrument_names()
    documents = queries.document_ids()
    return {
        "timeline": {t: queries.timeline(store, t).to_dict() for t in (*terms, *instruments)},
        "instruments_by_region": {level: [r.to_dict() for r in queries.instruments_by_region(level)]
                                  for level in ("issuer", "mention")},
        "neighbourhood": {d: queries.neighbourhood(d).to_dict() for d in documents},
        "citations": [c.to_dict() for c in queries.citations()],
        "citations_of": {d: [c.to_dict() for c in queries.citations(d)] for d in documents},
        "cooccurring_actors": {i: [r.to_dict() for r in queries.cooccurring_actors(i)] for i in instruments},
    }
