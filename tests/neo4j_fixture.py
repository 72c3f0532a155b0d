"""Pytest fixtures for tests that need a real Neo4j server.

Registered from tests/conftest.py with `pytest_plugins = ["tests.neo4j_fixture"]`.

Where the server comes from, in order:
1. NEO4J_URI (+ NEO4J_USER, NEO4J_PASSWORD) - an existing server; its database is WIPED
   before every test that uses `neo4j_driver`, so never point it at data you need.
2. Java 17+ on PATH - a local Neo4j 5.26 community server is started once per session
   (graph/neo4j_server.py; the jars are fetched with Maven on first use).
3. Neither - the tests are skipped, except when CI is set, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NoReturn

import pytest
from neo4j import Driver, GraphDatabase

from graph.neo4j_server import java_available, start_server, wipe_database

SKIP_REASON = (
    "Neo4j tests need Java 17 (to start a local server) or NEO4J_URI "
    "(+ NEO4J_USER, NEO4J_PASSWORD) pointing at an existing server"
)


@dataclass(frozen=True)
class Neo4jConnection:
    uri: str
    user: str
    password: str
    external: bool  # True when given by NEO4J_URI, False for a server started here


def _skip_or_fail(reason: str) -> NoReturn:
    # In CI a missing server means a broken pipeline, not an optional test.
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jConnection]:
    uri = os.environ.get("NEO4J_URI")
    if uri:
        yield Neo4jConnection(
            uri=uri,
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            external=True,
        )
        return
    if not java_available():
        _skip_or_fail(SKIP_REASON)
    server = start_server()
    try:
        yield Neo4jConnection(server.uri, server.user, server.password, external=False)
    finally:
        server.stop()


@pytest.fixture
def neo4j_driver(neo4j_server: Neo4jConnection) -> Iterator[Driver]:
    """A driver on an empty database (wiped before the test)."""
    driver = GraphDatabase.driver(
        neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)
    )
    try:
        wipe_database(driver)
        yield driver
    finally:
        driver.close()
