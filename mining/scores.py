"""Counts of one label in an evaluation, with precision, recall and F1."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Score:
    name: str = ""
    tp: int = 0
    fp: int = 0
    fn: int = 0
    empty: float = 0.0      # precision/recall when there is nothing to measure (no predictions / no gold)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else self.empty

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else self.empty

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn
