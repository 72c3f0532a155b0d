"""``policykg``: the one entry point for every job. The Streamlit app calls the same functions."""
from __future__ import annotations

import csv
import io
import json
import os
import sys
from dataclasses import asdict, is_dataclass
from pathlib import Path

import click

from corpus import metadata_eval
from corpus.ingest import ingest_paths
from corpus.store import DEFAULT_DB, Store, document_as_dict
from graph import cli_mining, cli_neo4j, cli_verify, jobs

FORMATS = click.Choice(["table", "json", "csv"])
REPO_ROOT = Path(__file__).resolve().parents[1]


@click.group()
@click.option("--db", default=DEFAULT_DB, show_default=True, envvar="POLICYKG_DB",
              help="SQLite store file (env POLICYKG_DB).")
@click.pass_context
def main(ctx: click.Context, db: str) -> None:
    """PolicyKG: Chinese health-policy documents → evidence you can cite."""
    ctx.obj = {"db": db}


def _store(ctx: click.Context) -> Store:
    return Store(ctx.obj["db"])


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Read documents (files or folders: .txt .docx .pdf .html) into the store."""
    with _store(ctx) as store:
        outcomes = ingest_paths(store, paths, progress=True)
    _print_ingest_report(outcomes)


@main.command()
@click.option("--force", is_flag=True, help="Re-mine documents even when nothing changed.")
@click.pass_context
def mine(ctx: click.Context, force: bool) -> None:
    """Tag every clause with instruments, actors, regions, terms (skips unchanged documents)."""
    with _store(ctx) as store:
        report = jobs.mine(store, force=force)
    click.echo(f"mined {report.mined} documents ({report.tags} tags), {report.skipped} unchanged")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_context
def build(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Ingest + mine + graph in one go (the bundled examples when no PATH is given)."""
    paths = paths or (str(jobs.EXAMPLES),)
    with _store(ctx) as store:
        outcomes = ingest_paths(store, paths, progress=True)
        _print_ingest_report(outcomes)
        report = jobs.mine(store)
        click.echo(f"mined {report.mined} documents ({report.tags} tags), {report.skipped} unchanged")
        g = jobs.graph(store)
    counts = jobs.graph_counts(g)
    click.echo("graph: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    click.echo(f"store: {ctx.obj['db']}")


@main.command()
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def documents(ctx: click.Context, fmt: str) -> None:
    """Every stored document with its metadata."""
    with _store(ctx) as store:
        rows = [document_as_dict(d) for d in store.documents()]
    _emit(rows, fmt, ["id", "date", "level", "region", "doc_number", "title", "issuers", "parent_id"])


@main.command()
@click.argument("term")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def timeline(ctx: click.Context, term: str, fmt: str) -> None:
    """When a term (verbatim) or a codebook instrument appears, oldest first, with the clauses."""
    with _store(ctx) as store:
        result = jobs.timeline(store, term)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    rows = [{"date": e.date, "doc_id": e.doc_id, "title": e.title, "clauses": len(e.evidence),
             "first_clause": e.evidence[0].number + " " + _snippet(e.evidence[0].clause, e.evidence[0].matched)}
            for e in result.documents]
    if fmt == "csv":
        _emit(rows, fmt, list(rows[0]) if rows else ["date"])
        return
    cov = result.coverage
    click.echo(f"{term} ({result.matched_as}): {len(result.documents)} documents; corpus of {cov['documents']} "
               f"documents, {cov['first_year']}–{cov['last_year']}, levels {cov['levels']}")
    if result.first:
        click.echo(f"first: {result.first.date} {result.first.title} [{result.first.doc_id}]")
    else:
        click.echo("first: not found in the corpus")
    _emit(rows, "table", ["date", "doc_id", "title", "clauses", "first_clause"])
    if result.not_in_corpus:
        click.echo(f"note: {len(result.not_in_corpus)} catalogue documents dated earlier have no text in the corpus "
                   "and could not be checked: " + "; ".join(f"{d['date']} {d['title']}" for d in result.not_in_corpus[:5])
                   + (" …" if len(result.not_in_corpus) > 5 else ""))


@main.command()
@click.option("--by", "by", type=click.Choice(["region"]), default="region", show_default=True)
@click.option("--level", type=click.Choice(["issuer", "mention"]), default="issuer", show_default=True,
              help="issuer: the document's jurisdiction; mention: a region named in the same clause.")
@click.option("--province", is_flag=True, help="Roll cities and counties up into their province.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def instruments(ctx: click.Context, by: str, level: str, province: bool, fmt: str) -> None:
    """Region × instrument, with counts of documents and clauses (json includes the evidence)."""
    with _store(ctx) as store:
        rows = jobs.instruments_by_region(store, level, province)
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    _emit([{k: v for k, v in r.to_dict().items() if k != "evidence"} for r in rows], fmt,
          ["region", "instrument", "side", "documents", "clauses"])


@main.command()
@click.argument("text")
@click.option("--limit", default=50, show_default=True)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def search(ctx: click.Context, text: str, limit: int, fmt: str) -> None:
    """Clauses containing TEXT verbatim (trigram full-text index)."""
    with _store(ctx) as store:
        rows = [{"doc_id": c.doc_id, "clause_id": c.id, "number": c.number, "start": c.start, "end": c.end,
                 "text": c.text if fmt != "table" else _snippet(c.text, text)}
                for c in store.search_clauses(text, limit)]
    _emit(rows, fmt, ["doc_id", "clause_id", "number", "text"])


@main.command()
@click.option("--port", default=8501, show_default=True)
@click.option("--headless/--no-headless", default=True, show_default=True)
@click.pass_context
def app(ctx: click.Context, port: int, headless: bool) -> None:
    """Serve the Streamlit explorer on the current store."""
    command = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"), "--server.port", str(port),
               "--server.headless", str(headless).lower(), "--browser.gatherUsageStats", "false",
               "--", "--db", str(Path(ctx.obj["db"]).resolve())]
    click.echo(f"PolicyKG explorer on http://localhost:{port} (store {ctx.obj['db']})")
    os.execv(sys.executable, command)  # become Streamlit, so signals reach the server itself


@main.group(name="eval")
def eval_group() -> None:
    """Measure quality against a gold standard."""


@eval_group.command(name="metadata")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
def eval_metadata(folder: str) -> None:
    """Metadata extracted from the text alone against FOLDER's catalog.jsonl, on the fields the text states."""
    click.echo(metadata_eval.table(metadata_eval.evaluate(Path(folder))))


# -- output ---------------------------------------------------------------------------------

def _print_ingest_report(outcomes) -> None:
    for o in outcomes:
        detail = f" ({o.reason})" if o.reason else ""
        click.echo(f"{o.status:9} {o.path}" + (f" -> {o.doc_id}" if o.doc_id else "") + detail,
                   err=o.status == "failed")
    counts = {s: sum(o.status == s for o in outcomes) for s in ("ingested", "duplicate", "failed")}
    click.echo("ingest: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


def _snippet(text: str, needle: str, width: int = 30) -> str:
    i = text.find(needle) if needle else -1
    if i < 0:
        return text[: 2 * width].replace("\n", " ")
    start = max(0, i - width)
    return ("…" if start else "") + text[start: i + len(needle) + width].replace("\n", " ") + "…"


def _cell(value) -> str:
    if isinstance(value, list | tuple):
        return ";".join(map(str, value))
    return "" if value is None else str(value)


def _emit(rows: list, fmt: str, columns: list[str]) -> None:
    rows = [asdict(r) if is_dataclass(r) else r for r in rows]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({c: _cell(r.get(c)) for c in columns} for r in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(_table(rows, columns))


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _table(rows: list[dict], columns: list[str], max_cell: int = 60) -> str:
    cells = [[_cell(r.get(c))[:max_cell] for c in columns] for r in rows]
    widths = [max([_width(c)] + [_width(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c + " " * (w - _width(c)) for c, w in zip(columns, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v + " " * (w - _width(v)) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines) + f"\n({len(rows)} rows)"


# Commands that live beside their subject: Neo4j (push, export, cypher), verification (verify, eval verify),
# clause coding (tag, eval tagging).
cli_neo4j.register(main)
cli_verify.register(main, eval_group)
cli_mining.register(main, eval_group)

if __name__ == "__main__":
    main()
