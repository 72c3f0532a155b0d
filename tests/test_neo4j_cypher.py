"""Read-only Cypher (graph/cypher.py and `policykg cypher`) against a real server."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from neo4j import Driver

from corpus.store import Store
from graph import jobs
from graph.cli_neo4j import register
from graph.cypher import CypherFailed, CypherRefused, run_read_only
from graph.neo4j_store import Neo4jStore
from tests.neo4j_fixture import Neo4jConnection

pytestmark = pytest.mark.neo4j

WRITES = [
    "CREATE (n:Document {key: 'x'}) RETURN n",
    "MERGE (n:Actor {key: 'x'})",
    "MATCH (d:Document) SET d.title = 'changed'",
    "MATCH (d:Document) REMOVE d.title",
    "MATCH (d:Document) DETACH DELETE d",
    "MATCH (d:Document) WITH d LIMIT 1 CALL { WITH d SET d.x = 1 } RETURN count(*)",
    "CREATE INDEX x_index FOR (n:Document) ON (n.x)",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "CALL dbms.components()",
]


@pytest.fixture
def pushed(examples_db, neo4j_server: Neo4jConnection, neo4j_driver: Driver):
    with Store(examples_db) as store:
        g = jobs.graph(store)
    with Neo4jStore(neo4j_server.uri, neo4j_server.user, neo4j_server.password) as neo:
        neo.push(g)
        yield neo


def cli() -> click.Group:
    @click.group()
    @click.pass_context
    def main(ctx: click.Context) -> None:
        ctx.obj = {"db": "unused.db"}

    register(main)
    return main


def test_read_query_with_parameters_and_limit(pushed: Neo4jStore) -> None:
    result = run_read_only(pushed.driver, "MATCH (d:Document) WHERE d.in_corpus = $flag RETURN d.key AS key, d.date AS date "
                           "ORDER BY key", {"flag": True}, limit=3)
    assert result.columns == ["key", "date"] and len(result.rows) == 3 and result.truncated
    assert isinstance(result.rows[0][1], str)            # dates come back as ISO text
    everything = run_read_only(pushed.driver, "MATCH (d:Document {in_corpus: true}) RETURN d", limit=1000)
    assert not everything.truncated and everything.rows[0][0]["_labels"] == ["Document"]


@pytest.mark.parametrize("query", WRITES)
def test_writes_are_refused_and_nothing_changes(query: str, pushed: Neo4jStore) -> None:
    before = pushed.counts()
    with pytest.raises(CypherRefused) as caught:
        run_read_only(pushed.driver, query)
    assert str(caught.value).startswith("refused:") and "\n" not in str(caught.value)
    assert pushed.counts() == before
    indexes = run_read_only(pushed.driver, "SHOW INDEXES YIELD name RETURN name").rows
    assert ["x_index"] not in indexes


def test_server_refuses_a_write_even_without_the_explain_check(pushed: Neo4jStore, monkeypatch) -> None:
    import graph.cypher as cypher
    monkeypatch.setattr(cypher, "_refuse_unless_read", lambda *args: None)
    with pytest.raises(CypherRefused, match="refused: read-only"):
        cypher.run_read_only(pushed.driver, "CREATE (n:Document {key: 'sneaky'})")
    assert pushed.driver.execute_query("MATCH (n {key: 'sneaky'}) RETURN count(n) AS n").records[0]["n"] == 0


def test_timeout_stops_a_long_query(pushed: Neo4jStore) -> None:
    with pytest.raises(CypherFailed, match="timeout of 0.5 s"):
        run_read_only(pushed.driver, "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 0 RETURN count(*)",
                      timeout=0.5)


def test_syntax_error_is_one_line(pushed: Neo4jStore) -> None:
    with pytest.raises(CypherFailed) as caught:
        run_read_only(pushed.driver, "MATCH (n RETURN n")
    assert "\n" not in str(caught.value)


def test_cli_cypher_reads_and_refuses_writes(pushed: Neo4jStore, neo4j_server: Neo4jConnection) -> None:
    env = {"NEO4J_USER": neo4j_server.user, "NEO4J_PASSWORD": neo4j_server.password}
    ok = CliRunner().invoke(cli(), ["cypher", "MATCH (d:Document {in_corpus: $c}) RETURN count(d) AS n",
                                    "--param", "c=true", "--neo4j", neo4j_server.uri, "--format", "json"], env=env)
    assert ok.exit_code == 0, ok.output
    assert '"n": 7' in ok.output
    refused = CliRunner().invoke(cli(), ["cypher", "MATCH (d:Document) DETACH DELETE d", "--neo4j", neo4j_server.uri],
                                 env=env)
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: refused: read-only") and len(refused.output.strip().splitlines()) == 1
    assert pushed.counts()["Document"] > 0
