"""``policykg verify`` and ``policykg eval verify``: citation checking from the command line
(the evaluation itself is mining/verify/evaluation.py). Wired in with ``register(main, eval_group)``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from corpus.store import Store
from corpus.text import ReadError
from mining.verify import VerificationReport, verify_file
from mining.verify.evaluation import evaluate

FORMATS = ("json", "md", "html", "docx")


def ensure_store(db: str | None, corpus: Path | None) -> Store:
    """The store to evaluate against: ``db`` when it holds documents, else one built from ``corpus``."""
    if db and Path(db).exists():
        store = Store(db)
        if store.document_count():
            return store
        store.close()
    if corpus is None:
        raise click.UsageError(f"the store {db} is empty; pass --corpus DIR to build it")
    from corpus.ingest import ingest_paths

    target = db or str(Path(corpus).name + ".verify.db")
    store = Store(target)
    outcomes = ingest_paths(store, [corpus], progress=True)
    failed = [o for o in outcomes if o.status == "failed"]
    click.echo(f"built {target} from {corpus}: {len(outcomes) - len(failed)} files, {len(failed)} failed", err=True)
    return store


# -------------------------------------------------------------------------------- commands


def render(report: VerificationReport, fmt: str) -> bytes | str:
    from mining import report as renderers

    if fmt == "json":
        return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
    if fmt == "md":
        return renderers.render_markdown(report)
    if fmt == "html":
        return renderers.render_html(report)
    return renderers.render_docx(report)


def register(main: click.Group, eval_group: click.Group) -> None:
    """Add ``verify`` to the main group and ``verify`` to the ``eval`` group."""

    @main.command(name="verify")
    @click.argument("manuscript", type=click.Path(dir_okay=False))
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
    @click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
                  help="Write the report here (required for docx).")
    @click.pass_context
    def verify_command(ctx: click.Context, manuscript: str, fmt: str, out: str | None) -> None:
        """Check every policy citation of MANUSCRIPT (.docx .md .txt .pdf) against the corpus."""
        if fmt == "docx" and not out:
            raise click.UsageError("--format docx needs --out FILE.docx")
        with Store(ctx.obj["db"]) as store:
            if not store.document_count():
                click.echo(f"warning: the store {ctx.obj['db']} holds no documents; run `policykg build` first",
                           err=True)
            try:
                report = verify_file(manuscript, store)
            except ReadError as exc:
                click.echo(f"error: {exc}", err=True)
                sys.exit(2)
        rendered = render(report, fmt)
        if out:
            mode = "wb" if isinstance(rendered, bytes) else "w"
            with open(out, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as fh:
                fh.write(rendered)
            counts = report.counts()
            click.echo(f"{len(report.citations)} citations checked; " +
                       ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + f"; report: {out}", err=True)
        else:
            click.echo(rendered)

    @eval_group.command(name="verify")
    @click.option("--gold", "gold", type=click.Path(exists=True, file_okay=False), required=True,
                  help="Folder with manuscripts and gold.jsonl (e.g. tests/gold/verify).")
    @click.option("--corpus", "corpus", type=click.Path(exists=True, file_okay=False), default=None,
                  help="Build the store from this folder when --db is empty (e.g. ../shared/corpus).")
    @click.option("--show-errors/--no-show-errors", default=True, show_default=True)
    @click.pass_context
    def eval_verify(ctx: click.Context, gold: str, corpus: str | None, show_errors: bool) -> None:
        """Precision and recall of problem detection (mismatch / not_found) per check kind."""
        db = (ctx.find_root().obj or {}).get("db")
        with ensure_store(db, Path(corpus) if corpus else None) as store:
            result = evaluate(Path(gold), store)
        click.echo(f"{result.manuscripts} manuscripts, {result.gold_citations} gold citations, "
                   f"{result.matched_citations} found")
        header = f"{'kind':18} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}"
        click.echo(header)
        click.echo("-" * len(header))
        for row in result.rows():
            click.echo(f"{row['kind']:18} {row['tp']:>4} {row['fp']:>4} {row['fn']:>4} "
                       f"{row['precision']:>10.3f} {row['recall']:>8.3f}")
        click.echo(f"correct checks reported as mismatch: {result.correct_flagged_mismatch}")
        if show_errors:
            for error in result.errors:
                click.echo(f"  {error}")
