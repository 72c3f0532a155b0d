"""The Neo4j store against a real server: idempotent, incremental, dates, killed pushes, query parity."""
from __future__ import annotations

import copy
import gc
import signal
import subprocess
import sys
from pathlib import Path

import neo4j.time
import pytest
from neo4j import Driver

from corpus.store import Store
from graph import jobs
from graph.neo4j_store import Neo4jStore, plan
from graph.queries import NetworkxQueries, run_query_suite
from tests.neo4j_fixture import Neo4jConnection, wipe_database

pytestmark = pytest.mark.neo4j
REPO = Path(__file__).resolve().parents[1]


def graph_of(db: Path):
    with Store(db) as store:
        return jobs.graph(store)


def open_store(conn: Neo4jConnection, **kwargs) -> Neo4jStore:
    return Neo4jStore(conn.uri, conn.user, conn.password, **kwargs)


def without_document(g, doc_id: str):
    """g without one document and the edges it owns (what the graph is once the file is removed)."""
    h = copy.deepcopy(g)
    h.remove_edges_from([(u, v, k) for u, v, k, e in h.edges(keys=True, data=True) if e.get("doc_id") == doc_id])
    h.remove_node(f"Document:{doc_id}")
    h.remove_nodes_from([n for n in list(h) if h.degree(n) == 0 and h.nodes[n]["label"] != "Document"])
    return h


def in_corpus_docs_with_edges(g) -> list[str]:
    """Documents with edges of their own that no other document points at (so removing or changing one
    changes no other document)."""
    return sorted(d["key"] for n, d in g.nodes(data=True)
                  if d["label"] == "Document" and d["in_corpus"] and g.out_degree(n) > 3 and g.in_degree(n) == 0)


@pytest.mark.parametrize("db_fixture", ["examples_db", "shared_db"])
def test_push_twice_gives_identical_counts(db_fixture, request, neo4j_server, neo4j_driver: Driver) -> None:
    g = graph_of(request.getfixturevalue(db_fixture))
    with open_store(neo4j_server) as store:
        first = store.push(g)
        second = store.push(g)
    assert first.counts == jobs.graph_counts(g)
    assert second.counts == first.counts
    assert first.documents_written == sum(1 for _, d in g.nodes(data=True) if d["label"] == "Document")
    assert second.documents_written == 0 and second.relationships_written == jobs.graph_counts(g).get("PART_OF", 0)


def test_only_part_of_edges_may_lack_a_document(examples_db) -> None:
    """A push looks for stale document-less edges among GLOBAL_TYPES only, so the plan refuses others."""
    g = copy.deepcopy(graph_of(examples_db))      # graphs are cached: leave the shared one as it was
    u, v, key, data = next((u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True) if d["type"] == "USES")
    g.add_edge(u, v, key="orphan", **{**data, "doc_id": ""})
    with pytest.raises(ValueError, match="of type USES has no doc_id"):
        plan(g)


def test_push_pauses_the_cycle_collector_and_restores_it(examples_db, neo4j_server) -> None:
    g = graph_of(examples_db)
    during = []
    with open_store(neo4j_server) as store:
        store.push(g, on_batch=lambda phase, rows: during.append(gc.isenabled()))
        assert during and not any(during)
        assert gc.isenabled()
        gc.disable()
        try:
            store.push(g)
            assert not gc.isenabled()          # a caller's own setting is left as it was
        finally:
            gc.enable()


def test_schema_constraints_and_catalogue_documents(examples_db, neo4j_server, neo4j_driver: Driver) -> None:
    g = graph_of(examples_db)
    with open_store(neo4j_server) as store:
        store.push(g)
    constraints = {r["name"] for r in neo4j_driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
    assert {"document_key", "actor_key", "instrument_key", "region_key", "term_key", "disease_key"} <= constraints
    catalogue_only = sum(1 for _, d in g.nodes(data=True) if d["label"] == "Document" and not d["in_corpus"])
    assert catalogue_only > 0
    records, _, _ = neo4j_driver.execute_query("MATCH (d:Document {in_corpus: false}) RETURN count(d) AS n")
    assert records[0]["n"] == catalogue_only


def test_dates_are_neo4j_dates(shared_db, neo4j_server, neo4j_driver: Driver) -> None:
    g = graph_of(shared_db)
    with open_store(neo4j_server) as store:
        store.push(g)
    records, _, _ = neo4j_driver.execute_query("MATCH (d:Document) WHERE d.date IS NOT NULL RETURN d.date AS date")
    assert records and all(isinstance(r["date"], neo4j.time.Date) for r in records)
    since_2018 = sum(1 for _, d in g.nodes(data=True)
                     if d["label"] == "Document" and d["date"] and d["date"] >= "2018-01-01")
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (d:Document) WHERE d.date >= date('2018-01-01') RETURN count(d) AS n")
    assert records[0]["n"] == since_2018
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (d:Document) WHERE d.date IS NOT NULL "
        "RETURN count(CASE WHEN duration.between(d.date, date('2025-12-31')).years >= 0 THEN 1 END) AS n")
    assert records[0]["n"] == len([r for r in g.nodes(data=True) if r[1]["label"] == "Document" and r[1]["date"]])


def test_incremental_push_rewrites_only_changed_and_removes_deleted(shared_db, neo4j_server,
                                                                    neo4j_driver: Driver) -> None:
    g = graph_of(shared_db)
    removed, changed = in_corpus_docs_with_edges(g)[:2]
    smaller = without_document(g, removed)
    smaller.nodes[f"Document:{changed}"]["sha256"] = "0" * 64       # the file changed
    with open_store(neo4j_server) as store:
        store.push(g)
        report = store.push(smaller)
        assert (report.documents_written, report.documents_removed) == (1, 1)
        assert report.counts == jobs.graph_counts(smaller)
        records, _, _ = neo4j_driver.execute_query("MATCH (d:Document {key: $k}) RETURN d.sha256 AS sha", k=changed)
        assert records[0]["sha"] == "0" * 64
        back = store.push(g)
    assert back.documents_written == 2 and back.counts == jobs.graph_counts(g)


@pytest.mark.parametrize("failing_phase, writers", [("nodes", 1), ("edges", 2)])
def test_push_failing_midway_then_rerun_matches_a_clean_push(failing_phase: str, writers: int, shared_db,
                                                              neo4j_server, neo4j_driver: Driver) -> None:
    """A failure in the main thread (nodes) or in one of the parallel edge writers stops the push with
    that error (no hang), and the next push repairs what was half written."""
    g = graph_of(shared_db)
    with open_store(neo4j_server) as store:
        clean = store.push(g).counts
        wipe_database(neo4j_driver)

    batches = []

    def fail_on_third_batch(phase: str, rows: int) -> None:
        if phase.startswith(failing_phase):
            batches.append(phase)
            if len(batches) == 3:
                raise RuntimeError(f"injected failure in {phase}")

    with open_store(neo4j_server, batch_rows=500, writers=writers) as store:
        with pytest.raises(RuntimeError, match=f"injected failure in {failing_phase}"):
            store.push(g, on_batch=fail_on_third_batch)
        assert store.counts() != clean             # it really stopped halfway
        assert store.push(g).counts == clean


KILLED_PUSH = """
import sys, time
from corpus.store import Store
from graph import jobs
from graph.neo4j_store import Neo4jStore
uri, user, password, db = sys.argv[1:5]
with Store(db) as store:
    g = jobs.graph(store)
def on_batch(phase, rows):
    print(phase, rows, flush=True)
    time.sleep(0.2)
with Neo4jStore(uri, user, password, batch_rows=300, writers=1) as neo:
    neo.push(g, on_batch=on_batch)
print("finished", flush=True)
"""


@pytest.mark.parametrize("kill_after", [2, 6])
def test_push_killed_midway_then_rerun_matches_a_clean_push(kill_after: int, shared_db, neo4j_server,
                                                            neo4j_driver: Driver) -> None:
    g = graph_of(shared_db)
    with open_store(neo4j_server) as store:
        clean = store.push(g).counts
    wipe_database(neo4j_driver)
    child = subprocess.Popen([sys.executable, "-c", KILLED_PUSH, neo4j_server.uri, neo4j_server.user,
                              neo4j_server.password, str(shared_db)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    lines = [child.stdout.readline() for _ in range(kill_after)]
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert all(line and not line.startswith("finished") for line in lines), lines
    with open_store(neo4j_server) as store:
        assert store.counts() != clean
        assert store.push(g).counts == clean
        assert store.push(g).documents_written == 0


@pytest.mark.parametrize("db_fixture", ["examples_db", "shared_db"])
def test_query_suite_is_identical_on_networkx_and_neo4j(db_fixture, request, neo4j_server,
                                                        neo4j_driver: Driver) -> None:
    db = request.getfixturevalue(db_fixture)
    g = graph_of(db)
    with open_store(neo4j_server) as neo, Store(db) as store:
        neo.push(g)
        on_networkx = run_query_suite(NetworkxQueries(g), store)
        on_neo4j = run_query_suite(neo, store)
    assert on_networkx["neighbourhood"] and on_networkx["cooccurring_actors"]
    for name in on_networkx:
        assert on_neo4j[name] == on_networkx[name], name


def test_queries_answer_the_same_after_an_incremental_push(shared_db, neo4j_server, neo4j_driver: Driver) -> None:
    g = graph_of(shared_db)
    smaller = without_document(g, in_corpus_docs_with_edges(g)[0])
    with open_store(neo4j_server) as neo, Store(shared_db) as store:
        neo.push(g)
        neo.push(smaller)
        nx_queries = NetworkxQueries(smaller)
        for level in ("issuer", "mention"):
            assert neo.instruments_by_region(level) == nx_queries.instruments_by_region(level)
        assert neo.citations() == nx_queries.citations()
