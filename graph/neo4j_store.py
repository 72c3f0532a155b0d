"""The Neo4j store: a Neo4j database kept exactly in step with the networkx graph (graph/schema.py).

Mirroring: a node gets its ``label`` as Neo4j label and every other attribute as a property (``key``
unique per label). ``Document.date`` becomes a Neo4j ``date`` so temporal Cypher works; catalogue
dates can be month-precise ("2009-07", stored as 2009-07-01), so the text as written is kept in
``date_text`` and the queries read that. An edge becomes a relationship of its
``type`` with every other attribute as a property plus ``key``, the networkx edge key, which with
the two end nodes identifies it.

Incremental push: every edge belongs to the document named by its ``doc_id`` (PART_OF edges, with
an empty doc_id, are global). A document's fingerprint hashes its node and the edges it owns; only
documents whose fingerprint differs from the one stored on their node are rewritten (their owned
edges deleted, then created again). The fingerprint changes with the file's sha256, and also when
re-mining or a newly ingested document changes the document's edges (e.g. a citation that now
resolves), which a sha256 alone would miss. It is written last, after the edges, so a push killed
midway leaves those documents marked stale and the next push redoes them.

Works on any Neo4j 5 (local, team server, Aura): plain Cypher, no APOC, no embedded-only features.
"""
from __future__ import annotations

import gc
import hashlib
import os
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import networkx as nx
from neo4j import Driver, GraphDatabase, ManagedTransaction, READ_ACCESS
from neo4j.exceptions import AuthError, ConfigurationError, DriverError, Neo4jError, ServiceUnavailable

from corpus.store import Store
from graph.queries import (Citation, CooccurringActor, Evidence, Neighbour, Neighbourhood, RegionInstrumentRow,
                           Timeline, assemble_timeline, evidence_order, is_instrument)
from graph.schema import EDGE_TYPES, NODE_LABELS, node_id

DEFAULT_URI = "bolt://localhost:7687"
BATCH_ROWS = 10_000          # rows per write transaction
WRITERS = 2                  # parallel write transactions for relationships
DELETE_DOCS_PER_BATCH = 200  # documents whose edges one transaction deletes
GLOBAL = ""                  # owner of edges with no document
# The only types an edge with no document may have: a push looks for stale ones of these types alone
# (a scan of every relationship of a type, as doc_id has no index on them).
GLOBAL_TYPES = ("PART_OF",)
# Edges a document owns start at the document, except these (Instrument → Region): they are found
# by an index on doc_id. Other types need no relationship index (each one slows every write).
OWNED_ELSEWHERE = ("USED_IN",)

# One line each; connection_timeout bounds the TCP/TLS/auth handshake, the acquisition timeout
# bounds the whole wait for a connection (retries included), so a dead server fails within 5 s.
CONNECTION_TIMEOUT = 2.5
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
ACQUISITION_TIMEOUT = 3.5


class Neo4jUnavailable(RuntimeError):
    """Neo4j cannot be reached or refuses the credentials (a one-line message)."""


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    user: str
    password: str

    @classmethod
    def from_env(cls, uri: str | None = None) -> Neo4jSettings:
        """URI from the argument or NEO4J_URI; user and password from NEO4J_USER / NEO4J_PASSWORD."""
        return cls(uri or os.environ.get("NEO4J_URI") or DEFAULT_URI, os.environ.get("NEO4J_USER", "neo4j"),
                   os.environ.get("NEO4J_PASSWORD", ""))


def connect(uri: str, user: str, password: str) -> Driver:
    """A driver whose server answered; Neo4jUnavailable (one line) otherwise, within about 5 s."""
    if uri.split("://", 1)[0] not in BOLT_SCHEMES:
        raise Neo4jUnavailable(f"invalid Neo4j URI {uri!r}: use {', '.join(s + '://' for s in BOLT_SCHEMES)}")
    try:
        driver = GraphDatabase.driver(uri, auth=(user, password), connection_timeout=CONNECTION_TIMEOUT,
                                      connection_acquisition_timeout=ACQUISITION_TIMEOUT,
                                      notifications_min_severity="OFF")
    except (ConfigurationError, ValueError) as err:
        raise Neo4jUnavailable(f"invalid Neo4j URI {uri!r}: {_first_line(err)}") from None
    try:
        driver.verify_connectivity()
    except AuthError:
        driver.close()
        raise Neo4jUnavailable(f"Neo4j at {uri} refused user {user!r}: wrong user or password "
                               "(set NEO4J_USER / NEO4J_PASSWORD)") from None
    except (ServiceUnavailable, DriverError, Neo4jError, OSError) as err:
        driver.close()
        raise Neo4jUnavailable(f"cannot reach Neo4j at {uri}: {_first_line(err)}") from None
    return driver


def _first_line(err: BaseException, width: int = 240) -> str:
    """The driver's message (often several lines: "Couldn't connect … :\n  reason") as one line."""
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= width else text[:width - 1] + "…"


# -- the plan of a push: what the graph wants, grouped the way it is written ---------------------

@dataclass
class EdgeRow:
    type: str
    start_label: str
    end_label: str
    row: dict                   # {"a": start key, "b": end key, "p": properties incl. key}


@dataclass
class Plan:
    nodes: dict[str, list[dict]]            # label → [{"key", "props", "date"}]
    owned: dict[str, list[tuple]]           # owner document key (GLOBAL for none) → its edges (u, v, key, data)
    documents: dict[str, dict]              # document key → its node row (as in nodes["Document"])
    graph: nx.MultiDiGraph = field(repr=False)
    _fingerprints: dict[str, str] = field(default_factory=dict, repr=False)

    def fingerprint(self, doc: str) -> str:
        """The document's fingerprint (its properties and edges), computed once when first asked: a push
        into a database that lacks the document needs it only to store it, so it computes it while the
        server writes (see Neo4jStore._edge_jobs)."""
        if doc not in self._fingerprints:
            self._fingerprints[doc] = _fingerprint(self.documents[doc]["props"], self.owned.get(doc, []))
        return self._fingerprints[doc]

    def edge_rows(self, owner: str) -> list[EdgeRow]:
        """The owner's edges as they are written; built only for the documents a push rewrites."""
        rows = []
        for u, v, key, data in self.owned.get(owner, []):
            a, b = self.graph.nodes[u], self.graph.nodes[v]
            props = _props(data, drop=("type",))
            props["key"] = str(key)
            rows.append(EdgeRow(data["type"], a["label"], b["label"], {"a": a["key"], "b": b["key"], "p": props}))
        return rows


def plan(g: nx.MultiDiGraph) -> Plan:
    nodes: dict[str, list[dict]] = defaultdict(list)
    for _, data in g.nodes(data=True):
        props = _props(data, drop=("label",))
        nodes[data["label"]].append({"key": data["key"], "props": props, "date": props.get("date")})
    documents = {d["key"]: d for d in nodes.get("Document", [])}
    owned: dict[str, list[tuple]] = defaultdict(list)
    for u, v, key, data in g.edges(keys=True, data=True):
        owner = data.get("doc_id") or GLOBAL
        if owner != GLOBAL and owner not in documents:
            raise ValueError(f"edge {u} -> {v} ({key}) has doc_id {owner!r}, which is no Document of the graph")
        if owner != GLOBAL and data["type"] not in OWNED_ELSEWHERE and u != node_id("Document", owner):
            raise ValueError(f"edge {u} -> {v} ({key}) of document {owner!r} does not start at it")
        if owner == GLOBAL and data["type"] not in GLOBAL_TYPES:
            raise ValueError(f"edge {u} -> {v} ({key}) of type {data['type']} has no doc_id (only "
                             f"{', '.join(GLOBAL_TYPES)} may have none)")
        owned[owner].append((u, v, key, data))
    return Plan(dict(nodes), dict(owned), documents, g)


def _props(data: dict, drop: tuple[str, ...]) -> dict:
    """Neo4j has no null properties: None is dropped (reads give null back, as .get gives None)."""
    return {k: v for k, v in data.items() if k not in drop and v is not None}


def _fingerprint(node_props: dict, edges: list[tuple]) -> str:
    # The repr of each edge as networkx holds it (node ids, key, attribute dict in the insertion order
    # graph/build.py gives it), sorted: stable for str/int/float/bool values, and cheaper than building
    # the written rows or sorting each edge's attributes (a no-op push of 3M relationships is mostly this).
    rows = sorted(map(repr, edges))
    digest = hashlib.sha256(repr(sorted(node_props.items())).encode())
    for row in rows:
        digest.update(row.encode())
    return digest.hexdigest()


def fingerprints(g: nx.MultiDiGraph) -> dict[str, str]:
    """Document key → fingerprint, as push() stores it (the neo4j-csv export writes it too)."""
    want = plan(g)
    return {doc: want.fingerprint(doc) for doc in want.documents}


# -- the store -------------------------------------------------------------------------------------

@dataclass
class PushReport:
    documents_written: int
    documents_unchanged: int
    documents_removed: int
    nodes_removed: int              # non-document nodes no longer in the graph
    relationships_written: int
    batches: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)   # label / type → count after the push

    @property
    def relationships_per_second(self) -> float:
        return self.relationships_written / self.seconds if self.seconds else 0.0


BatchCallback = Callable[[str, int], None]   # (phase, rows written) after each committed batch


class Neo4jStore:
    """Push the networkx graph to Neo4j and run the query suite there (same methods as
    graph.queries.NetworkxQueries, identical results)."""

    def __init__(self, uri: str, user: str, password: str, database: str | None = None,
                 batch_rows: int = BATCH_ROWS, writers: int = WRITERS):
        self.uri = uri
        self.database = database
        self.batch_rows = batch_rows
        self.writers = writers
        self.driver = connect(uri, user, password)
        self._schema_ready = False

    @classmethod
    def from_env(cls, uri: str | None = None, **kwargs) -> Neo4jStore:
        s = Neo4jSettings.from_env(uri)
        return cls(s.uri, s.user, s.password, **kwargs)

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema ------------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Uniqueness of each label's key, indexes on documents' dates and on OWNED_ELSEWHERE edges'
        doc_id; created once, IF NOT EXISTS, then awaited."""
        if self._schema_ready:
            return
        statements = [f"CREATE CONSTRAINT {label.lower()}_key IF NOT EXISTS FOR (n:{label}) REQUIRE n.key IS UNIQUE"
                      for label in NODE_LABELS]
        statements += ["CREATE INDEX document_date IF NOT EXISTS FOR (n:Document) ON (n.date)",
                       "CREATE INDEX document_year IF NOT EXISTS FOR (n:Document) ON (n.year)"]
        statements += [f"CREATE INDEX {t.lower()}_doc_id IF NOT EXISTS FOR ()-[r:{t}]-() ON (r.doc_id)"
                       for t in OWNED_ELSEWHERE]
        with self._session() as session:
            for statement in statements:
                session.run(statement).consume()
            session.run("CALL db.awaitIndexes(300)").consume()
        self._schema_ready = True

    # -- push --------------------------------------------------------------------------------

    def push(self, g: nx.MultiDiGraph, on_batch: BatchCallback | None = None) -> PushReport:
        """Make the database equal to g, rewriting only documents whose fingerprint changed."""
        with _cyclic_gc_paused():
            return self._push(g, on_batch)

    def _push(self, g: nx.MultiDiGraph, on_batch: BatchCallback | None) -> PushReport:
        started = time.perf_counter()
        self.ensure_schema()
        want = plan(g)
        have = self._stored_fingerprints()
        removed = sorted(set(have) - set(want.documents))
        # A document the database lacks is written whatever its fingerprint (computed later, meanwhile).
        changed = sorted(k for k in want.documents if k not in have or have[k] != want.fingerprint(k))
        counter = _BatchCounter(on_batch)

        # Documents the database does not have yet own no edges there: nothing to delete.
        self._delete_owned_edges(removed + [k for k in changed if k in have], counter)
        self._write_batches("delete documents", "UNWIND $rows AS k MATCH (d:Document {key: k}) DETACH DELETE d",
                            removed, counter, DELETE_DOCS_PER_BATCH)
        nodes_removed = self._delete_nodes_not_in(want, counter)
        self._write_nodes(want, set(changed), counter)
        written = self._create_edges(want, changed, counter)
        written += self._sync_global_edges(want.edge_rows(GLOBAL), counter)
        self._write_batches("fingerprints", "UNWIND $rows AS r MATCH (d:Document {key: r.key}) "
                            "SET d.fingerprint = r.fingerprint",
                            [{"key": k, "fingerprint": want.fingerprint(k)} for k in changed], counter)
        return PushReport(len(changed), len(want.documents) - len(changed), len(removed), nodes_removed, written,
                          counter.batches, time.perf_counter() - started, self.counts())

    def _stored_fingerprints(self) -> dict[str, str | None]:
        return {r["key"]: r["fingerprint"] for r in
                self._read("MATCH (d:Document) RETURN d.key AS key, d.fingerprint AS fingerprint")}

    def _delete_owned_edges(self, doc_keys: list[str], counter: _BatchCounter) -> None:
        self._write_batches("delete edges", "UNWIND $rows AS k MATCH (:Document {key: k})-[r]->() WHERE r.doc_id = k "
                            "DELETE r", doc_keys, counter, DELETE_DOCS_PER_BATCH)
        for edge_type in OWNED_ELSEWHERE:
            self._write_batches(f"delete {edge_type}", f"UNWIND $rows AS k MATCH ()-[r:{edge_type} {{doc_id: k}}]->() "
                                "DELETE r", doc_keys, counter, DELETE_DOCS_PER_BATCH)

    def _delete_nodes_not_in(self, want: Plan, counter: _BatchCounter) -> int:
        removed = 0
        for label in NODE_LABELS:
            if label == "Document":
                continue
            wanted = {n["key"] for n in want.nodes.get(label, [])}
            stale = [r["key"] for r in self._read(f"MATCH (n:{label}) RETURN n.key AS key") if r["key"] not in wanted]
            self._write_batches(f"delete {label}", f"UNWIND $rows AS k MATCH (n:{label} {{key: k}}) DETACH DELETE n",
                                stale, counter, DELETE_DOCS_PER_BATCH)
            removed += len(stale)
        return removed

    def _write_nodes(self, want: Plan, changed: set[str], counter: _BatchCounter) -> None:
        for label, rows in want.nodes.items():
            if label == "Document":
                rows = [r for r in rows if r["key"] in changed]
            date = ", n.date = date(r.date), n.date_text = r.date" if label == "Document" else ""
            # SET n = props also clears a stale fingerprint: it is written again at the very end.
            self._write_batches(f"nodes {label}", f"UNWIND $rows AS r MERGE (n:{label} {{key: r.key}}) "
                                f"SET n = r.props{date}", rows, counter)

    def _create_edges(self, want: Plan, doc_keys: list[str], counter: _BatchCounter) -> int:
        """CREATE, not MERGE: the owning documents' edges were all deleted first. Batches are built here
        while WRITERS threads write the earlier ones (a bounded queue between them), so building the
        rows overlaps the server's work instead of preceding it."""
        jobs: queue.Queue = queue.Queue(maxsize=2 * self.writers)
        failures: list[BaseException] = []

        def writer() -> None:
            job: tuple | None = ()
            try:
                with self._session() as session:
                    while (job := jobs.get()) is not None:
                        phase, query, batch, size = job
                        session.execute_write(_run, query, batch)
                        counter.done(phase, size)
            except Exception as err:  # noqa: BLE001 -- re-raised in the calling thread below
                failures.append(err)
                while job is not None:  # take jobs up to this writer's end mark, so the producer never blocks
                    job = jobs.get()

        threads = [threading.Thread(target=writer, daemon=True) for _ in range(self.writers)]
        for thread in threads:
            thread.start()
        written = 0
        try:
            for job in self._edge_jobs(want, doc_keys):
                if failures:
                    break
                jobs.put(job)
                written += job[3]
        finally:
            for _ in threads:
                jobs.put(None)
            for thread in threads:
                thread.join()
        if failures:
            raise failures[0]
        return written

    def _edge_jobs(self, want: Plan, doc_keys: list[str]) -> Iterator[tuple[str, str, list, int]]:
        """(phase, query, batch, rows): up to batch_rows edges of one shape, in document order."""
        pending: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
        for doc in doc_keys:
            for e in want.edge_rows(doc):
                shape = (e.type, e.start_label, e.end_label)
                rows = pending[shape]
                rows.append(e.row)
                if len(rows) >= self.batch_rows:
                    yield _edge_job(shape, rows)
                    pending[shape] = []
            want.fingerprint(doc)       # needed at the end; computed here, while the writers write
        for shape, rows in pending.items():
            if rows:
                yield _edge_job(shape, rows)

    def _sync_global_edges(self, edges: list[EdgeRow], counter: _BatchCounter) -> int:
        """Edges without a document (PART_OF): MERGE them all, delete those the graph no longer has."""
        for (edge_type, a, b), rows in _by_shape(edges).items():
            self._write_batches(f"edges {edge_type}", f"UNWIND $rows AS r MATCH (a:{a} {{key: r.a}}) "
                                f"MATCH (b:{b} {{key: r.b}}) MERGE (a)-[e:{edge_type} {{key: r.p.key}}]->(b) "
                                "SET e = r.p", rows, counter)
        wanted = {(e.type, e.row["a"], e.row["b"], e.row["p"]["key"]) for e in edges}
        for edge_type in GLOBAL_TYPES:
            stale = [r["id"] for r in self._read(
                f"MATCH (a)-[r:{edge_type} {{doc_id: ''}}]->(b) "
                "RETURN elementId(r) AS id, a.key AS a, b.key AS b, r.key AS key")
                     if (edge_type, r["a"], r["b"], r["key"]) not in wanted]
            self._write_batches(f"delete {edge_type}", "UNWIND $rows AS id MATCH ()-[r]->() WHERE elementId(r) = id "
                                "DELETE r", stale, counter)
        return len(edges)

    def _write_batches(self, phase: str, query: str, rows: list, counter: _BatchCounter,
                       size: int | None = None) -> None:
        size = size or self.batch_rows
        with self._session() as session:
            for batch in _chunks(rows, size):
                session.execute_write(_run, query, batch)
                counter.done(phase, len(batch))

    # -- reading -----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Nodes per label and relationships per type (the same keys as jobs.graph_counts); zeros left out."""
        out = {}
        for label in NODE_LABELS:
            out[label] = self._read(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"]
        for edge_type in EDGE_TYPES:
            out[edge_type] = self._read(f"MATCH ()-[r:{edge_type}]->() RETURN count(r) AS n")[0]["n"]
        return {k: v for k, v in out.items() if v}

    def _session(self, read: bool = False):
        kwargs = {"database": self.database} if self.database else {}
        if read:
            kwargs["default_access_mode"] = READ_ACCESS
        return self.driver.session(**kwargs)

    def _read(self, query: str, **params) -> list[dict]:
        with self._session(read=True) as session:
            return session.execute_read(_fetch, query, params)

    # -- the query suite (graph/queries.py on Cypher) ----------------------------------------------

    def document_table(self) -> dict[str, dict]:
        rows = self._read("MATCH (d:Document) RETURN d.key AS key, d.title AS title, d.date_text AS date, "
                          "d.year AS year, d.level AS level, d.region AS region, d.doc_number AS doc_number, "
                          "d.in_corpus AS in_corpus")
        return {r["key"]: r for r in rows}

    def instrument_evidence(self, name: str) -> list[Evidence]:
        rows = self._read("MATCH (:Document)-[r:USES]->(:Instrument {key: $name}) RETURN r AS e", name=name)
        return [_evidence(r["e"]) for r in rows]

    def timeline(self, store: Store, term: str) -> Timeline:
        evidence = self.instrument_evidence(term) if is_instrument(term) else None
        return assemble_timeline(store, term, evidence, self.document_table())

    def instruments_by_region(self, level: str = "issuer") -> list[RegionInstrumentRow]:
        if level == "issuer":
            match = ("MATCH (d:Document)-[r:USES]->(i:Instrument) "
                     "WITH CASE WHEN coalesce(d.region, '') = '' THEN 'unknown' ELSE d.region END AS region, i, r ")
        elif level == "mention":
            match = "MATCH (i:Instrument)-[r:USED_IN]->(g:Region) WITH g.key AS region, i, r "
        else:
            raise ValueError("level must be 'issuer' or 'mention'")
        # One evidence per clause and matched text; the networkx query keeps the last edge it meets,
        # which is the one with the largest start (edges are added in document order).
        rows = self._read(match + "ORDER BY r.start DESC "
                          "WITH region, i, r.clause_id + r.matched AS dedup, collect(r)[0] AS r "
                          "RETURN region, i.key AS instrument, i.side AS side, collect(r) AS evidence, "
                          "count(DISTINCT r.doc_id) AS documents, count(DISTINCT r.clause_id) AS clauses")
        out = [RegionInstrumentRow(r["region"], r["instrument"], r["side"], r["documents"], r["clauses"],
                                   sorted((_evidence(e) for e in r["evidence"]), key=lambda ev: (ev.doc_id, ev.start)))
               for r in rows]
        return sorted(out, key=lambda row: (row.region, row.instrument))

    def neighbourhood(self, doc_id: str) -> Neighbourhood | None:
        docs = self._read("MATCH (d:Document {key: $key}) RETURN d.title AS title, d.date_text AS date, "
                          "d.in_corpus AS in_corpus", key=doc_id)
        if not docs:
            return None
        rows = self._read("MATCH (d:Document {key: $key})-[r]->(n) RETURN 'out' AS direction, type(r) AS type, "
                          "labels(n) AS labels, n.key AS key, n.title AS title, collect(r) AS evidence "
                          "UNION ALL "
                          "MATCH (d:Document {key: $key})<-[r]-(n) RETURN 'in' AS direction, type(r) AS type, "
                          "labels(n) AS labels, n.key AS key, n.title AS title, collect(r) AS evidence", key=doc_id)
        neighbours = [Neighbour(r["direction"], r["type"], _label(r["labels"]), r["key"], r["title"],
                                sorted((_evidence(e) for e in r["evidence"]), key=evidence_order)) for r in rows]
        neighbours.sort(key=lambda n: (n.direction, n.type, n.label, n.key))
        d = docs[0]
        return Neighbourhood(doc_id, d["title"], d["date"], bool(d["in_corpus"]), neighbours)

    def citations(self, doc_id: str | None = None) -> list[Citation]:
        where = "WHERE $key IS NULL OR a.key = $key OR b.key = $key "
        rows = self._read("MATCH (a:Document)-[r:CITES]->(b:Document) " + where +
                          "RETURN a.key AS citing, a.title AS citing_title, a.date_text AS citing_date, "
                          "b.key AS cited, b.title AS cited_title, b.date_text AS cited_date, "
                          "b.in_corpus AS cited_in_corpus, count(DISTINCT r.clause_id) AS clauses, "
                          "collect(r) AS evidence", key=doc_id)
        out = [Citation(r["citing"], r["citing_title"], r["citing_date"], r["cited"], r["cited_title"],
                        r["cited_date"], bool(r["cited_in_corpus"]), r["clauses"],
                        sorted((_evidence(e) for e in r["evidence"]), key=evidence_order)) for r in rows]
        return sorted(out, key=lambda c: (c.citing_date is None, c.citing_date or "", c.citing, c.cited))

    def cooccurring_actors(self, instrument: str) -> list[CooccurringActor]:
        rows = self._read("MATCH (d:Document)-[u:USES]->(:Instrument {key: $name}) "
                          "WITH DISTINCT d, u.clause_id AS clause_id "
                          "MATCH (d)-[m:MENTIONS {clause_id: clause_id}]->(a:Actor) "
                          "RETURN a.key AS actor, a.type AS type, count(DISTINCT m.doc_id) AS documents, "
                          "count(DISTINCT m.clause_id) AS clauses, collect(m) AS evidence", name=instrument)
        out = [CooccurringActor(r["actor"], r["type"], r["documents"], r["clauses"],
                                sorted((_evidence(e) for e in r["evidence"]), key=evidence_order)) for r in rows]
        return sorted(out, key=lambda r: (-r.clauses, -r.documents, r.actor))

    def document_ids(self) -> list[str]:
        return sorted(r["key"] for r in self._read("MATCH (d:Document) RETURN d.key AS key"))

    def instrument_names(self) -> list[str]:
        return sorted(r["key"] for r in self._read("MATCH (i:Instrument) RETURN i.key AS key"))


# -- helpers -------------------------------------------------------------------------------------

class _BatchCounter:
    def __init__(self, callback: BatchCallback | None):
        self.callback = callback
        self.batches = 0
        self.lock = threading.Lock()

    def done(self, phase: str, rows: int) -> None:
        with self.lock:
            self.batches += 1
            if self.callback:
                self.callback(phase, rows)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A push allocates millions of short-lived containers, and every few thousand allocations Python's
    cycle collector runs, now and then walking every object of the large, long-lived graph. What the
    push builds holds no cycles (reference counting frees it), so the collector is paused meanwhile:
    client CPU per relationship fell from 20-28 to 14-16 µs, a warm push of 109k relationships went
    from 22.6k to 29.5k rels/s (alternated on one server)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(tx: ManagedTransaction, query: str, rows: list) -> None:
    tx.run(query, rows=rows).consume()


def _fetch(tx: ManagedTransaction, query: str, params: dict) -> list[dict]:
    return [dict(record) for record in tx.run(query, params)]


def _chunks(rows: list, size: int) -> Iterator[list]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _edge_job(shape: tuple[str, str, str], rows: list[dict]) -> tuple[str, str, list, int]:
    """One CREATE query for a shape; rows grouped by start node (its index seek done once) and sent as
    lists, which are cheaper to send than maps."""
    edge_type, a, b = shape
    columns = sorted({k for row in rows for k in row["p"]})
    props = ", ".join(f"`{c}`: r[{i + 1}]" for i, c in enumerate(columns))
    query = (f"UNWIND $rows AS s MATCH (a:{a} {{key: s[0]}}) UNWIND s[1] AS r MATCH (b:{b} {{key: r[0]}}) "
             f"CREATE (a)-[:{edge_type} {{{props}}}]->(b)")
    by_start: dict[str, list[list]] = defaultdict(list)
    for row in rows:
        by_start[row["a"]].append([row["b"], *(row["p"].get(c) for c in columns)])
    return f"edges {edge_type}", query, [[start, part] for start, part in by_start.items()], len(rows)


def _by_shape(edges: Iterable[EdgeRow]) -> dict[tuple[str, str, str], list[dict]]:
    """Group by (type, start label, end label): one query per shape, so each MATCH uses its label's index."""
    shapes: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for e in edges:
        shapes[(e.type, e.start_label, e.end_label)].append(e.row)
    return shapes


def _evidence(rel) -> Evidence:
    return Evidence(rel["doc_id"], rel["clause_id"], rel["start"], rel["end"], rel["matched"])


def _label(labels: list[str]) -> str:
    ours = [label for label in labels if label in NODE_LABELS]
    return ours[0] if ours else labels[0]
