"""Precision, recall and F1 of what a matching rule found against a planted truth (duplicate pairs, person
links)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MatchScores:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0
