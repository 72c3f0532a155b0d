"""Mining commands: `policykg tag CLAUSES.jsonl` codes arbitrary clauses; `policykg eval tagging
--gold FILE` measures the tagger against gold clauses. Wired into graph/cli.py with register()."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click

from mining.codebook import core_instruments, SIDES
from mining.scores import Score

EVIDENCE_FIELDS = ("instrument", "side", "matched", "start", "end", "source", "score")


# ---- coding clauses ------------------------------------------------------------------------

def code_texts(texts: Sequence[str], use_model: bool = True, all_instruments: bool = False) -> list[dict]:
    """For each text: instruments, sides and the evidence of each instrument tag (offsets into the text).
    Only core instruments unless all_instruments (extended ones have no gold and no model)."""
    from mining.tagging import tag_texts

    core = {i.name for i in core_instruments()}
    out = []
    for matches in tag_texts(list(texts), use_model=use_model):
        evidence = [{"instrument": m.label, "side": m.category, "matched": m.matched, "start": m.start,
                     "end": m.end, "source": m.source, "score": m.score}
                    for m in matches if m.kind == "instrument" and (all_instruments or m.label in core)]
        instruments = sorted({e["instrument"] for e in evidence})
        sides = sorted({e["side"] for e in evidence}, key=SIDES.index)
        out.append({"instruments": instruments, "sides": sides, "evidence": evidence})
    return out


def read_jsonl(path: str) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise click.ClickException(f"{path}:{number}: not JSON ({exc})") from exc
    return rows


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


# ---- evaluation ------------------------------------------------------------------------------

@dataclass
class TaggingEval:
    clauses: int
    instruments: list[Score]
    sides: list[Score]
    side_accuracy: float            # clauses whose predicted side set equals the gold one
    exact_match: float              # clauses whose predicted instrument set equals the gold one
    errors: list[dict] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the instruments that occur in the gold or in the predictions."""
        scored = [s for s in self.instruments if s.tp + s.fp + s.fn]
        return sum(s.f1 for s in scored) / len(scored) if scored else 0.0

    @property
    def side_macro_f1(self) -> float:
        scored = [s for s in self.sides if s.tp + s.fp + s.fn]
        return sum(s.f1 for s in scored) / len(scored) if scored else 0.0

    @property
    def micro(self) -> Score:
        return Score("micro", sum(s.tp for s in self.instruments), sum(s.fp for s in self.instruments),
                     sum(s.fn for s in self.instruments))


def evaluate(gold: list[dict], predicted: list[dict]) -> TaggingEval:
    """Gold rows {"text", "instruments", "side"} against code_texts() rows, in the same order."""
    side_of = {i.name: i.side for i in core_instruments()}
    names = list(side_of)
    scores = {n: Score(n) for n in names}
    side_scores = {s: Score(s) for s in SIDES}
    side_hits = exact = 0
    errors = []
    for row, pred in zip(gold, predicted):
        want = set(row.get("instruments") or [])
        got = set(pred["instruments"])
        want_sides = set(row.get("side") or row.get("sides") or {side_of[n] for n in want if n in side_of})
        got_sides = set(pred["sides"])
        for name in want | got:
            score = scores.setdefault(name, Score(name))
            score.tp += name in want and name in got
            score.fp += name in got and name not in want
            score.fn += name in want and name not in got
        for side in want_sides | got_sides:
            score = side_scores.setdefault(side, Score(side))
            score.tp += side in want_sides and side in got_sides
            score.fp += side in got_sides and side not in want_sides
            score.fn += side in want_sides and side not in got_sides
        side_hits += want_sides == got_sides
        exact += want == got
        if want != got:
            errors.append({"text": row["text"], "missing": sorted(want - got), "extra": sorted(got - want),
                           "evidence": pred["evidence"]})
    n = len(gold) or 1
    return TaggingEval(len(gold), list(scores.values()), list(side_scores.values()), side_hits / n, exact / n,
                       errors)


def read_gold(path: str, corpus: str | None = None) -> list[dict]:
    """Gold rows; a row without "text" but with {"file", "start", "end"} is a reference into the
    shared corpus (offsets into the normalised text, see mining/classifier.py) and is resolved here,
    in memory: the corpus text never enters the repository. Unresolvable references are skipped."""
    from mining.classifier import SHARED_CORPUS, resolve_corpus_ref

    rows, skipped = [], 0
    for row in read_jsonl(path):
        if "text" not in row and "file" in row:
            text = resolve_corpus_ref(row, Path(corpus) if corpus else SHARED_CORPUS)
            if text is None:
                skipped += 1
                continue
            row = {**row, "text": text}
        rows.append(row)
    if skipped:
        click.echo(f"{skipped} corpus references skipped (corpus absent or changed)", err=True)
    return rows


def evaluate_file(path: str, use_model: bool = True, corpus: str | None = None) -> TaggingEval:
    gold = read_gold(path, corpus)
    return evaluate(gold, code_texts([row["text"] for row in gold], use_model=use_model))


def report_lines(result: TaggingEval, title: str = "") -> list[str]:
    lines = [title] if title else []
    lines.append(f"{'instrument':<14}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}")
    for s in sorted(result.instruments, key=lambda s: s.name):
        if s.tp + s.fp + s.fn:
            lines.append(f"{_pad(s.name, 14)}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.support:6d}")
    lines.append(f"{'side':<14}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}")
    for s in result.sides:
        lines.append(f"{_pad(s.name, 14)}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.support:6d}")
    micro = result.micro
    lines.append(f"clauses {result.clauses}; instruments macro-F1 {result.macro_f1:.3f}, micro P/R/F1 "
                 f"{micro.precision:.3f}/{micro.recall:.3f}/{micro.f1:.3f}; side accuracy {result.side_accuracy:.3f}, "
                 f"side macro-F1 {result.side_macro_f1:.3f}; exact match {result.exact_match:.3f}")
    return lines


def _pad(text: str, width: int) -> str:
    wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(1, width - wide)


# ---- click -----------------------------------------------------------------------------------

def register(main: click.Group, eval_group: click.Group) -> None:
    main.add_command(tag_command)
    eval_group.add_command(eval_tagging)


@click.command(name="tag")
@click.argument("clauses", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write here instead of stdout.")
@click.option("--rules-only", is_flag=True, help="Codebook rules only, without the classifier.")
@click.option("--all-instruments", is_flag=True, help="Also report extended (non-canonical) instruments.")
def tag_command(clauses: str, fmt: str, out: str | None, rules_only: bool, all_instruments: bool) -> None:
    """Code clauses of a JSON-lines file ({"id", "text"} per line) with instruments and their sides."""
    rows = read_jsonl(clauses)
    coded = code_texts([str(r.get("text", "")) for r in rows], use_model=not rules_only,
                       all_instruments=all_instruments)
    records = [{"id": r.get("id", i), **c} for i, (r, c) in enumerate(zip(rows, coded), 1)]
    if fmt == "csv":
        text = csv_rows(records)
    else:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if out:
        Path(out).write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        click.echo(f"{len(records)} clauses coded -> {out}", err=True)
    else:
        click.echo(text, nl=False)


@click.command(name="tagging")
@click.option("--gold", "gold", required=True, type=click.Path(exists=True, dir_okay=False),
              help='JSON lines {"text", "instruments": [...], "side": [...]}.')
@click.option("--compare/--no-compare", default=True, show_default=True,
              help="Also show the codebook rules alone, to see what the classifier adds.")
@click.option("--errors", "show_errors", is_flag=True, help="List the clauses coded wrongly.")
@click.option("--corpus", type=click.Path(file_okay=False), default=None,
              help="Where gold rows given by reference ({file, start, end}) are read (default ../shared/corpus).")
def eval_tagging(gold: str, compare: bool, show_errors: bool, corpus: str | None) -> None:
    """Precision, recall and F1 per instrument, per side and macro against a gold file (rows may
    also point into the shared corpus by reference, e.g. mining/gold/corpus_refs_eval.jsonl)."""
    result = evaluate_file(gold, corpus=corpus)
    for line in report_lines(result, "rules + classifier"):
        click.echo(line)
    if compare:
        rules = evaluate_file(gold, use_model=False, corpus=corpus)
        click.echo(f"rules only: macro-F1 {rules.macro_f1:.3f}, side accuracy {rules.side_accuracy:.3f}, "
                   f"exact match {rules.exact_match:.3f}")
    if show_errors:
        for error in result.errors:
            click.echo(f"  missing {error['missing']} extra {error['extra']}: {error['text']}")
