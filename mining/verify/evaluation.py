"""Measuring citation verification against a gold folder: the logic behind ``policykg eval verify``.

The gold folder holds manuscripts (*.txt, *.md, *.docx, *.pdf) and ``gold.jsonl``, one line per manuscript:

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
from dataclasses import dataclass, field
from pathlib import Path

from corpus.store import Store
from corpus.text import ReadError
from mining.citations import cite_key
from mining.scores import Score
from mining.verify.records import KINDS, PROBLEMS, VerificationReport
from mining.verify.verifier import verify_file


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
