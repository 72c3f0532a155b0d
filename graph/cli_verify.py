"""``policykg verify`` and ``policykg eval verify``: citation checking from the command line.

The lead wires them in with ``register(main, eval_group)`` (graph/cli.py). The evaluation reads a
gold folder: manuscripts (*.txt, *.md, *.docx, *.pdf) and ``gold.jsonl``, one line per manuscript:

    {"file": "02-wrong-year.txt",
     "citations": [{"cited": "“健康中国2030”规划纲要",
                    "checks": {"exists": "ok", "year": "mismatch", "quote": ["ok", "ok"]}}]}

A check's expected value is a status, or a list of statuses for kinds that repeat (quote, region),
in the order they occur. A "problem" is ``mismatch`` or ``not_found``. Predicted citations are
aligned to gold ones by their cited title (``cite_key``), in order. Scoring is strict: a problem
predicted where the gold expects none (or for a citation the gold does not list) is a false positive.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from corpus.store import Store
from corpus.text import ReadError
from mining.citations import cite_key
from mining.scores import Score
from mining.verify import KINDS, PROBLEMS, VerificationReport, verify_file

FORMATS = ("json", "md", "html", "docx")


# -------------------------------------------------------------------------------- evaluation


@dataclass
class VerifyEvaluation:
    scores: dict[str, Score]
    manuscripts: int = 0
    gold_citations: int = 0
    matched_citations: int = 0
    correct_flagged_mismatch: int = 0     # a check the gold says is fine, reported as mismatch
    errors: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Score:
        total = Score(empty=1.0)
        for s in self.scores.values():
            total.tp += s.tp
            total.fp += s.fp
            total.fn += s.fn
        return total

    def rows(self) -> list[dict]:
        out = []
        for kind, s in [*self.scores.items(), ("overall", self.overall)]:
            out.append({"kind": kind, "tp": s.tp, "fp": s.fp, "fn": s.fn,
                        "precision": round(s.precision, 3), "recall": round(s.recall, 3)})
        return out


def _statuses(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def _align(gold: list[dict], report: VerificationReport) -> list[tuple[dict | None, object | None]]:
    """(gold citation, predicted citation) pairs; unmatched ones on either side paired with None."""
    predicted = list(report.citations)
    used: set[int] = set()
    pairs = []
    for g in gold:
        key = cite_key(g["cited"])
        match = next((p for p in predicted if id(p) not in used and cite_key(p.cited) == key), None)
        if match is None:
            match = next((p for p in predicted if id(p) not in used
                          and (key in cite_key(p.cited) or cite_key(p.cited) in key)), None)
        if match is not None:
            used.add(id(match))
        pairs.append((g, match))
    pairs += [(None, p) for p in predicted if id(p) not in used]
    return pairs


def score_report(gold: list[dict], report: VerificationReport, evaluation: VerifyEvaluation) -> None:
    for g, p in _align(gold, report):
        expected = g["checks"] if g else {}
        if g:
            evaluation.gold_citations += 1
            evaluation.matched_citations += p is not None
        predicted = p.statuses() if p else {}
        for kind in KINDS:
            want = _statuses(expected[kind]) if kind in expected else []
            got = predicted.get(kind, [])
            score = evaluation.scores[kind]
            for i in range(max(len(want), len(got))):
                w = want[i] if i < len(want) else None
                s = got[i] if i < len(got) else None
                wp, sp = w in PROBLEMS, s in PROBLEMS
                score.tp += wp and sp
                score.fp += sp and not wp
                score.fn += wp and not sp
                if s == "mismatch" and w is not None and not wp:
                    evaluation.correct_flagged_mismatch += 1
                if wp != sp or (s == "mismatch" and w is not None and not wp):
                    where = f"{report.manuscript}: {g['cited'] if g else p.cited} {kind}[{i}]"
                    evaluation.errors.append(f"{where}: expected {w}, got {s}")


def evaluate(gold_dir: Path, store: Store) -> VerifyEvaluation:
    evaluation = VerifyEvaluation({k: Score(empty=1.0) for k in KINDS})
    gold_file = gold_dir / "gold.jsonl"
    for line in gold_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        evaluation.manuscripts += 1
        try:
            report = verify_file(gold_dir / entry["file"], store)
        except ReadError as exc:
            evaluation.errors.append(str(exc))
            continue
        score_report(entry["citations"], report, evaluation)
    return evaluation


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
