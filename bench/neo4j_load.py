"""Benchmark: loading the graph into Neo4j, and the query suite on networkx versus Neo4j.

    python bench/neo4j_load.py [--corpus ../shared/corpus | --db STORE] [--min-rels 100000]

1. ../shared/corpus is ingested and mined into a temporary store (or --db is used), its graph is
   replicated (renamed copies: every key gets a suffix per copy) to at least --min-rels relationships.
2. Batched push (graph/neo4j_store.py) into an empty database of a local server started for the
   benchmark: relationships per second of the whole push (schema, nodes, relationships,
   fingerprints). A fresh server compiles its write path as it goes, so the graph is first pushed
   (and the database emptied again, schema kept) until WARMUP_RELS relationships have been written;
   those warm-up pushes are printed, the first one being the cold-JVM number. Then --pushes more
   pushes on the warm server, each into an emptied database: all are printed, and their median is
   the number the targets are checked against.
3. Row-by-row MERGE (one auto-commit transaction per relationship) on a sample of --sample
   relationships, with the nodes in place: relationships per second, extrapolated to the full count.
4. First full load through `neo4j-admin database import full` from the exported CSV into a new home
   (wall time of the tool, JVM start included; the export is timed apart; run after the server has
   stopped, so that nothing runs beside it), versus the median warm batched push into an empty
   database. The import has a fixed cost of ~4-5 s (JVM, tool start, store creation), so the ratio is
   only meaningful at scale: run it with --min-rels 1000000 or more.
5. The query suite (graph.queries.run_query_suite) on the un-replicated graph, on each store, checked equal.
Needs Java 17 (a local server is started; NEO4J_URI is not used: the import needs a local home).
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.ingest import ingest_paths  # noqa: E402
from corpus.store import Store  # noqa: E402
from graph import jobs  # noqa: E402
from graph.export import write_neo4j_csv  # noqa: E402
from graph.neo4j_server import run_admin, start_server  # noqa: E402
from graph.neo4j_store import Neo4jStore, plan  # noqa: E402
from graph.queries import NetworkxQueries, run_query_suite  # noqa: E402
from graph.neo4j_server import wipe_database  # noqa: E402

HEAP, PAGECACHE = "2g", "1g"
# Relationships pushed before the timed pushes: by then the server's JIT has compiled the write path
# (at 100k relationships the first push is ~3x slower than the third, and pushes still got faster up
# to about the tenth).
WARMUP_RELS = 1_000_000


def replicate(g: nx.MultiDiGraph, copies: int) -> nx.MultiDiGraph:
    """`copies` disjoint renamed copies of g (node keys, doc_id and clause_id get the suffix #i)."""
    h = nx.MultiDiGraph()
    for i in range(copies):
        sfx = f"#{i}"
        for node, data in g.nodes(data=True):
            h.add_node(node + sfx, **{**data, "key": data["key"] + sfx})
        for u, v, key, data in g.edges(keys=True, data=True):
            renamed = {**data, "doc_id": data["doc_id"] + sfx if data["doc_id"] else "",
                       "clause_id": data["clause_id"] + sfx if data["clause_id"] else ""}
            h.add_edge(u + sfx, v + sfx, key=key, **renamed)
    return h


def load_average() -> str:
    """The 1-minute load average (another job on the machine makes every number here slower)."""
    return Path("/proc/loadavg").read_text().split()[0]


def build_store(corpus: Path, db: Path) -> None:
    with Store(db) as store:
        ingest_paths(store, [corpus])
        jobs.mine(store)


def row_by_row_rate(neo: Neo4jStore, g: nx.MultiDiGraph, sample: int) -> tuple[float, int]:
    """MERGE relationships one per transaction, the nodes already present (relationships removed first)."""
    with neo.driver.session() as session:
        session.run("MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
    want = plan(g)
    edges = [e for owner in want.owned for e in want.edge_rows(owner)][:sample]
    started = time.perf_counter()
    with neo.driver.session() as session:
        for e in edges:
            session.run(f"MATCH (a:{e.start_label} {{key: $a}}) MATCH (b:{e.end_label} {{key: $b}}) "
                        f"MERGE (a)-[r:{e.type} {{key: $p.key}}]->(b) SET r = $p", e.row).consume()
    seconds = time.perf_counter() - started
    return len(edges) / seconds, len(edges)


def timed_import(g: nx.MultiDiGraph, work: Path) -> tuple[float, float, str]:
    """Export the CSV, then load it with neo4j-admin into a new home: (export s, import s, its summary)."""
    t = time.perf_counter()
    csv = write_neo4j_csv(g, work / "csv")
    export_s = time.perf_counter() - t
    t = time.perf_counter()
    result = run_admin(work / "import-home", *csv.import_args(), heap="1g")
    import_s = time.perf_counter() - t
    done = [line.strip() for line in result.stdout.splitlines() if "IMPORT DONE" in line]
    return export_s, import_s, done[0] if done else "no IMPORT DONE line"


def empty_database(neo: Neo4jStore) -> None:
    """Delete every node and relationship; constraints and indexes stay. Relationships first: one
    transaction detaching 10,000 dense documents would exceed the server's transaction memory."""
    with neo.driver.session() as session:
        session.run("MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
        session.run("MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--db", type=Path, default=None, help="an ingested and mined store (skips building one)")
    parser.add_argument("--min-rels", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=5_000, help="relationships merged row by row")
    parser.add_argument("--pushes", type=int, default=3, help="timed pushes on the warm server (median reported)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="policykg-bench-"))
    try:
        db = args.db or work / "bench.db"
        if args.db is None:
            t = time.perf_counter()
            build_store(args.corpus, db)
            print(f"store: {args.corpus} ingested and mined in {time.perf_counter() - t:.1f} s")
        with Store(db) as store:
            g0 = jobs.graph(store)
        copies = math.ceil(args.min_rels / g0.number_of_edges())
        g = replicate(g0, copies)
        print(f"graph: {g0.number_of_nodes()} nodes, {g0.number_of_edges()} relationships; x{copies} copies → "
              f"{g.number_of_nodes()} nodes, {g.number_of_edges()} relationships")

        # The server's work first, then the import once the server has stopped: nothing runs beside the
        # import (a stopped server has finished checkpointing), and the import's own after-effects (the
        # store it wrote still being flushed to disk) do not fall on the timed pushes.
        server = start_server(heap=HEAP, pagecache=PAGECACHE)
        try:
            with Neo4jStore(server.uri, server.user, server.password) as neo:
                warmups = math.ceil(WARMUP_RELS / g.number_of_edges())
                for i in range(warmups):
                    warmup = neo.push(g)
                    print(f"warm-up push {i + 1}/{warmups}{' (fresh JVM)' if i == 0 else ''} into an empty database: "
                          f"{warmup.relationships_written} relationships in {warmup.seconds:.2f} s = "
                          f"{warmup.relationships_per_second:,.0f} rels/s")
                    empty_database(neo)
                reports = []
                for i in range(args.pushes):
                    if reports:
                        empty_database(neo)
                    reports.append(neo.push(g))
                    assert reports[-1].counts == jobs.graph_counts(g), (reports[-1].counts, jobs.graph_counts(g))
                report = sorted(reports, key=lambda r: r.seconds)[(len(reports) - 1) // 2]   # the median push
                batched = report.relationships_per_second
                print(f"batched push into an empty database (warm server), {len(reports)} pushes: "
                      f"{', '.join(f'{r.relationships_per_second:,.0f}' for r in reports)} rels/s; median "
                      f"{report.relationships_written} relationships + {g.number_of_nodes()} nodes in {report.seconds:.2f} s "
                      f"= {batched:,.0f} rels/s (whole push: schema, nodes, relationships, fingerprints)")
                again = neo.push(g)
                print(f"second push (nothing changed): {again.documents_written} documents written, "
                      f"{again.seconds:.2f} s, counts identical: {again.counts == report.counts}")

                rate, n = row_by_row_rate(neo, g, args.sample)
                print(f"row-by-row MERGE (one transaction per relationship) on a sample of {n}: {rate:,.0f} rels/s "
                      f"→ {g.number_of_edges() / rate:,.0f} s extrapolated for all {g.number_of_edges()}")
                print(f"load average: {load_average()} on {os.cpu_count()} cores")
                print(f"RATIO batched / row-by-row: {batched / rate:.1f}x   (targets: >= 20x and >= 30,000 rels/s; "
                      f"batched = {batched:,.0f} rels/s)")

            with Neo4jStore(server.uri, server.user, server.password) as neo, Store(db) as store:
                wipe_database(neo.driver)
                neo.push(g0)
                t = time.perf_counter()
                on_nx = run_query_suite(NetworkxQueries(g0), store)
                nx_s = time.perf_counter() - t
                t = time.perf_counter()
                on_neo = run_query_suite(neo, store)
                neo_s = time.perf_counter() - t
                calls = sum(len(v) if isinstance(v, dict) else 1 for v in on_nx.values())
                print(f"query suite ({calls} calls on the {g0.number_of_edges()}-relationship graph): networkx "
                      f"{nx_s:.2f} s, Neo4j {neo_s:.2f} s; identical results: {on_nx == on_neo}")
        finally:
            server.stop()

        export_s, import_s, done = timed_import(g, work)
        print(f"neo4j-admin database import full: {import_s:.2f} s wall, JVM start included "
              f"({done}; + {export_s:.2f} s to export the CSV) vs batched push {report.seconds:.2f} s "
              f"(load average after the import {load_average()})")
        print(f"RATIO batched push / import: {report.seconds / import_s:.1f}x at {g.number_of_edges()} "
              f"relationships; including the export: {report.seconds / (import_s + export_s):.1f}x   (target: >= 5x)")
        with start_server(home=work / "import-home", heap=HEAP, pagecache=PAGECACHE) as imported:
            with Neo4jStore(imported.uri, imported.user, imported.password) as check:
                print(f"imported database counts equal the pushed ones: {check.counts() == report.counts}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
