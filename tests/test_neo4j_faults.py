"""Faults: an unreachable server or a wrong password fail in one line within 5 s, and the SQLite
store is left as it was."""
from __future__ import annotations

import hashlib
import socket
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from graph.cli_neo4j import register
from graph.neo4j_server import free_port
from graph.neo4j_store import Neo4jStore, Neo4jUnavailable, connect
from tests.neo4j_fixture import Neo4jConnection

pytestmark = pytest.mark.neo4j
LIMIT_S = 5.0


def cli() -> click.Group:
    @click.group()
    @click.option("--db")
    @click.pass_context
    def main(ctx: click.Context, db: str) -> None:
        ctx.obj = {"db": db}

    register(main)
    return main


def timed_failure(uri: str, user: str, password: str) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(Neo4jUnavailable) as caught:
        connect(uri, user, password)
    return str(caught.value), time.monotonic() - started


def test_closed_port_fails_fast_in_one_line() -> None:
    message, seconds = timed_failure(f"bolt://127.0.0.1:{free_port()}", "neo4j", "x")
    assert seconds < LIMIT_S, seconds
    assert message.startswith("cannot reach Neo4j at bolt://127.0.0.1:") and "\n" not in message


def test_unroutable_address_fails_within_5_seconds() -> None:
    # 10.255.255.1 is never answered: the connection timeout, not the OS, ends the wait.
    message, seconds = timed_failure("bolt://10.255.255.1:7687", "neo4j", "x")
    assert seconds < LIMIT_S, seconds
    assert message.startswith("cannot reach Neo4j at bolt://10.255.255.1:7687") and "\n" not in message


def test_silent_server_fails_within_5_seconds() -> None:
    # A socket that accepts connections and never answers the Bolt handshake: only the driver's
    # timeouts end the wait (this is what a firewall dropping packets or a hung server looks like).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        message, seconds = timed_failure(f"bolt://127.0.0.1:{silent.getsockname()[1]}", "neo4j", "x")
    assert seconds < LIMIT_S, seconds
    assert message.startswith("cannot reach Neo4j") and "\n" not in message


def test_wrong_password_fails_fast_in_one_line(neo4j_server: Neo4jConnection) -> None:
    message, seconds = timed_failure(neo4j_server.uri, neo4j_server.user, "not-the-password")
    assert seconds < LIMIT_S, seconds
    assert "wrong user or password" in message and "\n" not in message


def test_bad_uri_is_one_line() -> None:
    with pytest.raises(Neo4jUnavailable, match="invalid Neo4j URI"):
        Neo4jStore("http://127.0.0.1:7474", "neo4j", "x")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", ["wrong password", "unreachable"])
def test_cli_push_fails_in_one_line_and_leaves_sqlite_untouched(case: str, examples_db: Path,
                                                                neo4j_server: Neo4jConnection) -> None:
    uri = neo4j_server.uri if case == "wrong password" else f"bolt://127.0.0.1:{free_port()}"
    before = {p.name: sha(p) for p in examples_db.parent.iterdir() if p.is_file()}
    started = time.monotonic()
    result = CliRunner().invoke(cli(), ["--db", str(examples_db), "push", "--neo4j", uri],
                                env={"NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "not-the-password"})
    seconds = time.monotonic() - started
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert seconds < LIMIT_S
    assert {p.name: sha(p) for p in examples_db.parent.iterdir() if p.is_file()} == before
