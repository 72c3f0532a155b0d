"""Mining commands: `policykg tag CLAUSES.jsonl` codes arbitrary clauses; `policykg eval tagging
--gold FILE` measures the tagger against gold clauses. Wired into graph/cli.py with register()."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from mining.tag_eval import (GoldFileError, code_texts, cross_validate_by_document, evaluate_coder, evaluate_file,
                             evaluate_in_documents, kind_summary, read_clause_file, report_lines)

EVIDENCE_FIELDS = ("instrument", "side", "matched", "start", "end", "source", "score")


def csv_rows(records: list[dict]) -> str:
    """One row per evidence (a clause without any instrument gets one row with empty evidence)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "instruments", "sides", *EVIDENCE_FIELDS])
    for record in records:
        head = [record["id"], ";".join(record["instruments"]), ";".join(record["sides"])]
        for ev in record["evidence"] or [dict.fromkeys(EVIDENCE_FIELDS, "")]:
            writer.writerow(head + [ev[f] for f in EVIDENCE_FIELDS])
    return buffer.getvalue()


# ---- click -----------------------------------------------------------------------------------

def register(main: click.Group, eval_group: click.Group) -> None:
    main.add_command(tag_command)
    main.add_command(train_classifier)
    eval_group.add_command(eval_tagging)
    eval_group.add_command(eval_tagging_cv)
    eval_group.add_command(eval_regions)


@click.command(name="tag")
@click.argument("clauses", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write here instead of stdout.")
@click.option("--rules-only", is_flag=True, help="Codebook rules only, without the classifier.")
@click.option("--all-instruments", is_flag=True, help="Also report extended (non-canonical) instruments.")
def tag_command(clauses: str, fmt: str, out: str | None, rules_only: bool, all_instruments: bool) -> None:
    """Code clauses of a JSON-lines file ({"id", "text"} per line; id defaults to the line number) with
    instruments and their sides. A line that cannot be read is reported and skipped, the others are
    coded (the exit status is then 1)."""
    try:
        clause_file = read_clause_file(clauses)
    except GoldFileError as exc:
        raise click.ClickException(str(exc)) from None
    for problem in clause_file.problems:
        click.echo(f"skipped {problem}", err=True)
    rows = clause_file.rows
    coded = code_texts([r["text"] for r in rows], use_model=not rules_only, all_instruments=all_instruments)
    records = [{"id": r["id"], **c} for r, c in zip(rows, coded)]
    if fmt == "csv":
        text = csv_rows(records)
    else:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if out:
        Path(out).write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        click.echo(f"{len(records)} clauses coded -> {out}", err=True)
    else:
        click.echo(text, nl=False)
    if clause_file.problems:
        raise click.ClickException(f"{len(clause_file.problems)} line(s) of {clauses} skipped (see above); "
                                   f"the other {len(records)} clauses were coded")


@click.command(name="train-classifier")
def train_classifier() -> None:
    """Retrain the clause classifier on mining/gold/train.tsv and the real clauses of
    corpus_refs.jsonl (needs ../shared/corpus or $POLICYKG_SHARED) and write the model that ships
    with the project (mining/models/instruments.npz). Run it after editing the training data or
    the instrument codebook, and commit the file."""
    from mining.classifier import MODEL_FILE, write_shipped_model

    try:
        model = write_shipped_model()
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{model.name}: {len(model.labels)} labels, {model.real_clauses} real clauses among the training "
               f"data, {len(model.columns)} feature columns -> {MODEL_FILE}")


@click.command(name="tagging")
@click.option("--gold", "gold", required=True, type=click.Path(exists=True, dir_okay=False),
              help='JSON lines {"text", "instruments": [...], "side": [...]}.')
@click.option("--compare/--no-compare", default=True, show_default=True,
              help="Also show the codebook rules alone, to see what the classifier adds.")
@click.option("--errors", "show_errors", is_flag=True, help="List the clauses coded wrongly.")
@click.option("--corpus", type=click.Path(file_okay=False), default=None,
              help="Where gold rows given by reference ({file, start, end}) are read (default ../shared/corpus).")
@click.option("--in-documents", is_flag=True,
              help="Score references into the corpus as mining tags them in their documents, not as lone clauses.")
@click.option("--coder", "coder", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A second coder's labels of (some of) the same clauses: score them against the gold "
                   "(inter-coder agreement), beside the tagger on the same clauses.")
def eval_tagging(gold: str, compare: bool, show_errors: bool, corpus: str | None, in_documents: bool,
                 coder: str | None) -> None:
    """Precision, recall and F1 per instrument, per side and macro against a gold file (rows may
    also point into the shared corpus by reference, e.g. mining/gold/corpus_refs_eval.jsonl)."""
    try:
        if coder:
            _report_agreement(gold, coder, corpus)
            return
        result = evaluate_in_documents(gold, corpus) if in_documents else evaluate_file(gold, corpus=corpus)
    except GoldFileError as exc:
        raise click.ClickException(str(exc)) from None
    if result.skipped:
        click.echo(f"{result.skipped} corpus references skipped (corpus absent or changed)", err=True)
    for line in report_lines(result, "as mined in their documents" if in_documents else "rules + classifier"):
        click.echo(line)
    if compare and not in_documents:
        rules = evaluate_file(gold, use_model=False, corpus=corpus)
        click.echo(f"rules only: macro-F1 {rules.macro_f1:.3f}, side accuracy {rules.side_accuracy:.3f}, "
                   f"exact match {rules.exact_match:.3f}")
        if rules.by_kind:
            click.echo(f"rules only, exact match by kind: {kind_summary(rules)}")
    if show_errors:
        for error in result.errors:
            click.echo(f"  missing {error['missing']} extra {error['extra']}: {error['text']}")


@click.command(name="tagging-cv")
@click.option("--folds", default=6, show_default=True, type=click.IntRange(2, 17),
              help="Groups of documents; each is tagged by a model trained without it.")
def eval_tagging_cv(folds: int) -> None:
    """Leave-documents-out cross-validation on the real training clauses of corpus_refs.jsonl (needs
    ../shared/corpus): how the rules and a model that never saw a document code its clauses."""
    try:
        result = cross_validate_by_document(folds)
    except GoldFileError as exc:
        raise click.ClickException(str(exc)) from None
    for line in report_lines(result, f"real training clauses, {folds} folds of documents"):
        click.echo(line)


def _report_agreement(gold: str, coder: str, corpus: str | None) -> None:
    agreement, tagger = evaluate_coder(gold, coder, corpus)
    for line in report_lines(agreement, f"second coder ({Path(coder).name}) against the gold"):
        click.echo(line)
    click.echo(f"tagger on the same {tagger.clauses} clauses: macro-F1 {tagger.macro_f1:.3f}, "
               f"side accuracy {tagger.side_accuracy:.3f}, exact match {tagger.exact_match:.3f}")


@click.command(name="regions")
@click.option("--gold", "gold", required=True, type=click.Path(exists=True, dir_okay=False),
              help='JSON lines {"id", "text", "pairs": [[region, instrument], ...]}; {"file", "sha1"} '
                   'in place of "text" names a file of --texts.')
@click.option("--texts", "texts", type=click.Path(file_okay=False), default=None,
              help="Where files named by reference are read (default ../shared/literature).")
@click.option("--errors", "show_errors", is_flag=True, help="List the passages whose pairs differ.")
def eval_regions(gold: str, texts: str | None, show_errors: bool) -> None:
    """Mention-level region × instrument pairs against the pairs a reader lists for each passage
    (e.g. mining/gold/practice_forms_analysis.jsonl): each passage is stored, mined and put in the
    graph as a document of its own."""
    from graph.pair_eval import SHARED_LITERATURE, evaluate_pairs, report_lines as pair_report_lines

    try:
        result = evaluate_pairs(gold, Path(texts) if texts else SHARED_LITERATURE)
    except GoldFileError as exc:
        raise click.ClickException(str(exc)) from None
    for line in pair_report_lines(result):
        click.echo(line)
    if show_errors:
        for error in result.errors:
            click.echo(f"  {error['id']}: missing {error['missing']} extra {error['extra']}")
