"""Read-only Cypher for `policykg cypher` and the app.

Safety comes from the server: the query runs in a READ transaction (session access mode READ,
`execute_read`), in which Neo4j refuses every write (Neo.ClientError.Statement.AccessMode). Before
that, EXPLAIN asks the server's planner what the query is, so a write is refused with a friendly
message without running; the plan also shows LOAD CSV (which may read files on the server even in a
READ transaction) and dbms.* procedures, both refused. No regular expressions over the text.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from neo4j import READ_ACCESS, Driver, ManagedTransaction, unit_of_work
from neo4j.exceptions import Neo4jError
from neo4j.graph import Node, Path, Relationship
from neo4j.time import Date, DateTime, Duration, Time

DEFAULT_LIMIT = 1000
DEFAULT_TIMEOUT = 30.0
WRITE_REFUSED = ("refused: read-only Cypher only; this query would write to the database ({what}). "
                 "Change the graph with `policykg ingest`/`mine`/`push` instead.")


class CypherRefused(RuntimeError):
    """A write, LOAD CSV or dbms.* query (one-line message)."""


class CypherFailed(RuntimeError):
    """A syntax error, a timeout or another server error (one-line message)."""


@dataclass
class CypherResult:
    columns: list[str]
    rows: list[list]
    truncated: bool            # more rows than the limit: only the first `limit` are kept
    seconds: float

    def to_dicts(self) -> list[dict]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def run_read_only(driver: Driver, query: str, params: dict | None = None, limit: int = DEFAULT_LIMIT,
                  timeout: float = DEFAULT_TIMEOUT, database: str | None = None) -> CypherResult:
    params = params or {}
    started = time.perf_counter()
    session_args = {"default_access_mode": READ_ACCESS, **({"database": database} if database else {})}
    try:
        with driver.session(**session_args) as session:
            query_type, operators, procedures = session.execute_read(_explain, query, params)
            _refuse_unless_read(query_type, operators, procedures)
            work = unit_of_work(timeout=timeout)(_collect)
            columns, rows, truncated = session.execute_read(work, query, params, limit)
    except Neo4jError as err:
        raise _friendly(err, timeout) from None
    return CypherResult(columns, rows, truncated, time.perf_counter() - started)


def _explain(tx: ManagedTransaction, query: str, params: dict) -> tuple[str, list[str], list[str]]:
    summary = tx.run("EXPLAIN " + query, params).consume()
    operators, procedures = [], []
    _walk(summary.plan or {}, operators, procedures)
    return summary.query_type or "", operators, procedures


def _walk(plan: dict, operators: list[str], procedures: list[str]) -> None:
    operator = plan.get("operatorType", "").split("@")[0]
    operators.append(operator)
    if operator == "ProcedureCall":
        procedures.append(str(plan.get("args", {}).get("Details", "")).split("(")[0].strip())
    for child in plan.get("children", []):
        _walk(child, operators, procedures)


def _refuse_unless_read(query_type: str, operators: list[str], procedures: list[str]) -> None:
    if query_type in ("w", "rw"):
        raise CypherRefused(WRITE_REFUSED.format(what="CREATE/MERGE/SET/DELETE/REMOVE"))
    if "LoadCSV" in operators:
        raise CypherRefused("refused: LOAD CSV reads files or URLs from the server; read-only Cypher over the "
                            "graph only.")
    dbms = [p for p in procedures if p.lower().startswith("dbms.")]
    if dbms:
        raise CypherRefused(f"refused: {dbms[0]} is a DBMS procedure; read-only Cypher over the graph only.")


def _collect(tx: ManagedTransaction, query: str, params: dict, limit: int) -> tuple[list[str], list[list], bool]:
    result = tx.run(query, params)
    columns = list(result.keys())
    rows, truncated = [], False
    for record in result:
        if len(rows) == limit:
            truncated = True
            break
        rows.append([plain(value) for value in record.values()])
    return columns, rows, truncated


def _friendly(err: Neo4jError, timeout: float) -> Exception:
    code = err.code or ""
    message = (err.message or str(err)).strip().splitlines()[0]
    if code == "Neo.ClientError.Statement.AccessMode" or "AccessMode" in code:
        return CypherRefused(WRITE_REFUSED.format(what=message))
    if "TransactionTimedOut" in code or "Terminated" in code:
        return CypherFailed(f"the query ran longer than the timeout of {timeout:g} s and was stopped")
    return CypherFailed(f"{code.rsplit('.', 1)[-1] or 'Neo4j error'}: {message}")


def plain(value):
    """Driver values → JSON-friendly Python (nodes and relationships as property maps)."""
    if isinstance(value, Node):
        return {"_labels": sorted(value.labels), **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"_type": value.type, **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return [plain(n) for n in value.nodes]
    if isinstance(value, Date | DateTime | Time | Duration):
        return value.iso_format()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
