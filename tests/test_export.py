"""Exports: GraphML and GEXF read back with the same graph; the neo4j-admin CSV imports for real and
gives the same database as a push."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from corpus.store import Store
from graph import jobs
from graph.export import export, write_neo4j_csv
from graph.neo4j_server import java_available, run_admin, start_server
from graph.neo4j_store import Neo4jStore
from tests.neo4j_fixture import Neo4jConnection


def graph_of(db: Path) -> nx.MultiDiGraph:
    with Store(db) as store:
        return jobs.graph(store)


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graphml_and_gexf_read_back(fmt, reader, examples_db: Path, tmp_path: Path) -> None:
    g = graph_of(examples_db)
    [path] = export(g, fmt, tmp_path / f"graph.{fmt}")
    h = reader(path)
    assert (h.number_of_nodes(), h.number_of_edges()) == (g.number_of_nodes(), g.number_of_edges())
    doc = next(n for n, d in g.nodes(data=True) if d["label"] == "Document" and d["in_corpus"])
    kinds = {d.get("label") if fmt == "graphml" else d.get("schema_label") for _, d in h.nodes(data=True)}
    assert kinds == {d["label"] for _, d in g.nodes(data=True)}
    assert h.nodes[doc]["key" if fmt == "graphml" else "node_key"] == g.nodes[doc]["key"]
    types = {d["type" if fmt == "graphml" else "rel_type"] for _, _, d in h.edges(data=True)}
    assert types == {d["type"] for _, _, d in g.edges(data=True)}


def test_neo4j_csv_has_typed_headers(examples_db: Path, tmp_path: Path) -> None:
    result = write_neo4j_csv(graph_of(examples_db), tmp_path / "csv")
    [(node_header, _)], [(rel_header, _)] = result.node_files, result.relationship_files
    nodes = node_header.read_text().strip().split(",")
    assert nodes[:3] == [":ID", ":LABEL", "key"]
    assert {"date:date", "year:int", "in_corpus:boolean", "fingerprint", "date_text", "side", "type"} <= set(nodes)
    relationships = rel_header.read_text().strip().split(",")
    assert relationships[:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert {"start:int", "end:int", "score:float", "key", "doc_id", "clause_id", "matched", "source"} <= set(relationships)


def test_neo4j_csv_asks_for_multiline_fields_only_when_a_value_spans_lines(examples_db: Path, tmp_path: Path) -> None:
    g = graph_of(examples_db)
    assert "--multiline-fields=false" in write_neo4j_csv(g, tmp_path / "one").import_args()
    u, v, key = next(iter(g.edges(keys=True)))
    g.edges[u, v, key]["matched"] = "第一行\n第二行"
    assert "--multiline-fields=true" in write_neo4j_csv(g, tmp_path / "two").import_args()


@pytest.mark.neo4j
def test_neo4j_admin_import_equals_a_push(shared_db: Path, tmp_path: Path, neo4j_server: Neo4jConnection,
                                          neo4j_driver) -> None:
    if not java_available():
        pytest.skip("neo4j-admin import needs Java 17 (a local server home)")
    g = graph_of(shared_db)
    with Neo4jStore(neo4j_server.uri, neo4j_server.user, neo4j_server.password) as pushed:
        push_counts = pushed.push(g).counts
    csv = write_neo4j_csv(g, tmp_path / "csv")
    home = tmp_path / "home"
    run_admin(home, *csv.import_args())
    with start_server(home=home) as server:
        with Neo4jStore(server.uri, server.user, server.password) as imported:
            assert imported.counts() == push_counts == jobs.graph_counts(g)
            again = imported.push(g)     # the CSV carries the fingerprints: nothing to rewrite
            assert again.documents_written == 0 and again.counts == push_counts
            with Store(shared_db) as store:
                assert imported.instruments_by_region("mention") == pushed_rows(neo4j_server, "mention")
                assert imported.timeline(store, "医防融合") == pushed_timeline(neo4j_server, store)


def pushed_rows(conn: Neo4jConnection, level: str):
    with Neo4jStore(conn.uri, conn.user, conn.password) as neo:
        return neo.instruments_by_region(level)


def pushed_timeline(conn: Neo4jConnection, store: Store):
    with Neo4jStore(conn.uri, conn.user, conn.password) as neo:
        return neo.timeline(store, "医防融合")


def test_cli_export_writes_each_format(examples_db: Path, tmp_path: Path) -> None:
    import click

    from graph.cli_neo4j import register

    @click.group()
    @click.pass_context
    def main(ctx: click.Context) -> None:
        ctx.obj = {"db": str(examples_db)}

    register(main)
    for fmt, out in [("graphml", tmp_path / "g.graphml"), ("gexf", tmp_path / "g.gexf"), ("neo4j-csv", tmp_path / "csv")]:
        result = CliRunner().invoke(main, ["export", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.exists()
    assert (tmp_path / "csv" / "import-command.txt").read_text().startswith("neo4j-admin database import full")
