"""`policykg push`, `policykg export` and `policykg cypher` (registered on the main group by graph/cli.py)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from corpus.store import Store
from graph import jobs
from graph.cypher import DEFAULT_LIMIT, DEFAULT_TIMEOUT, CypherFailed, CypherRefused, run_read_only
from graph.export import FORMATS, export as export_graph
from graph.neo4j_store import Neo4jSettings, Neo4jStore, Neo4jUnavailable, connect

NEO4J_OPTION = click.option("--neo4j", "uri", default=None, envvar="NEO4J_URI",
                            help="Bolt URI (env NEO4J_URI; user and password from NEO4J_USER, NEO4J_PASSWORD).")


def register(main: click.Group) -> None:
    main.add_command(push)
    main.add_command(export)
    main.add_command(cypher)


@click.command()
@NEO4J_OPTION
@click.pass_context
def push(ctx: click.Context, uri: str | None) -> None:
    """Bring a Neo4j database in step with the graph (only changed documents are rewritten)."""
    settings = Neo4jSettings.from_env(uri)
    try:
        neo4j = Neo4jStore(settings.uri, settings.user, settings.password)   # fails fast, before any work
    except Neo4jUnavailable as err:
        raise click.ClickException(str(err)) from None
    with neo4j, Store(ctx.obj["db"]) as store:
        report = neo4j.push(jobs.graph(store))
    click.echo(f"pushed to {settings.uri}: {report.documents_written} documents written, "
               f"{report.documents_unchanged} unchanged, {report.documents_removed} removed, "
               f"{report.relationships_written} relationships written in {report.seconds:.1f} s")
    click.echo("neo4j: " + ", ".join(f"{k} {v}" for k, v in report.counts.items()))


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--out", "out", type=click.Path(), required=True,
              help="Output file (graphml, gexf) or directory (neo4j-csv).")
@click.pass_context
def export(ctx: click.Context, fmt: str, out: str) -> None:
    """Export the graph as GraphML, GEXF (Gephi) or CSV for `neo4j-admin database import full`."""
    with Store(ctx.obj["db"]) as store:
        files = export_graph(jobs.graph(store), fmt, Path(out))
    click.echo(f"wrote {len(files)} files" if len(files) > 1 else f"wrote {files[0]}")
    if fmt == "neo4j-csv":
        click.echo("load into a new database (server stopped): " + (Path(out) / "import-command.txt").read_text().strip())


@click.command()
@click.argument("query")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter ($KEY); VALUE is read as JSON when it parses, else as text. Repeatable.")
@click.option("--limit", default=DEFAULT_LIMIT, show_default=True, help="Rows returned at most.")
@click.option("--timeout", default=DEFAULT_TIMEOUT, show_default=True, help="Seconds before the server stops it.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@NEO4J_OPTION
def cypher(query: str, params: tuple[str, ...], limit: int, timeout: float, fmt: str, uri: str | None) -> None:
    """Run a read-only Cypher query (writes are refused)."""
    settings = Neo4jSettings.from_env(uri)
    try:
        driver = connect(settings.uri, settings.user, settings.password)
    except Neo4jUnavailable as err:
        raise click.ClickException(str(err)) from None
    try:
        result = run_read_only(driver, query, parse_params(params), limit=limit, timeout=timeout)
    except (CypherRefused, CypherFailed) as err:
        raise click.ClickException(str(err)) from None
    finally:
        driver.close()
    if fmt == "json":
        click.echo(json.dumps(result.to_dicts(), ensure_ascii=False, indent=2, default=str))
    else:
        from graph.cli import _emit   # late: graph.cli imports this module to register the commands
        _emit([{c: _text(v) for c, v in row.items()} for row in result.to_dicts()], "table", result.columns)
    if result.truncated:
        click.echo(f"(only the first {limit} rows; raise --limit for more)", err=True)


def parse_params(pairs: tuple[str, ...]) -> dict:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--param")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
