"""A real Neo4j server (graph/neo4j_server.py or NEO4J_URI) answers over Bolt.

Fixtures come from tests/neo4j_fixture.py, registered by tests/conftest.py.
"""

from __future__ import annotations

import time

import pytest
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import AuthError

from tests.neo4j_fixture import Neo4jConnection, wipe_database

pytestmark = pytest.mark.neo4j


def test_server_answers_return_1(neo4j_driver: Driver) -> None:
    records, _, _ = neo4j_driver.execute_query("RETURN 1 AS one")
    assert records[0]["one"] == 1


def test_version_is_5_26_community(neo4j_server: Neo4jConnection,
                                   neo4j_driver: Driver) -> None:
    records, _, _ = neo4j_driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition "
        "RETURN name, versions[0] AS version, edition"
    )
    kernel = {r["name"]: r for r in records}["Neo4j Kernel"]
    if neo4j_server.external:
        assert kernel["version"].split(".")[0] in {"5", "2025", "2026"}
        pytest.skip(f"external server {kernel['version']} {kernel['edition']}: "
                    "5.26 community is only required of the local server")
    assert kernel["version"].startswith("5.26."), kernel["version"]
    assert kernel["edition"] == "community"


def test_write_then_read_round_trip(neo4j_driver: Driver) -> None:
    neo4j_driver.execute_query(
        "CREATE (:Policy {id: $id, title: $title})-[:CITES]->(:Policy {id: $cited})",
        id="p1", title="关于推进医防融合的指导意见", cited="p0",
    )
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (a:Policy {id: $id})-[:CITES]->(b:Policy) RETURN a.title AS title, b.id AS cited",
        id="p1",
    )
    assert [(r["title"], r["cited"]) for r in records] == [("关于推进医防融合的指导意见", "p0")]


def test_database_is_wiped_between_tests(neo4j_driver: Driver) -> None:
    neo4j_driver.execute_query("CREATE CONSTRAINT policy_id IF NOT EXISTS "
                               "FOR (p:Policy) REQUIRE p.id IS UNIQUE")
    neo4j_driver.execute_query("CREATE (:Policy {id: 'p1'})")
    wipe_database(neo4j_driver)
    nodes, _, _ = neo4j_driver.execute_query("MATCH (n) RETURN count(n) AS n")
    constraints, _, _ = neo4j_driver.execute_query("SHOW CONSTRAINTS YIELD name")
    assert nodes[0]["n"] == 0
    assert constraints == []


def test_wrong_password_fails_fast(neo4j_server: Neo4jConnection) -> None:
    started = time.monotonic()
    with GraphDatabase.driver(neo4j_server.uri,
                              auth=(neo4j_server.user, "not-the-password")) as driver:
        with pytest.raises(AuthError):
            driver.verify_connectivity()
    assert time.monotonic() - started < 10
