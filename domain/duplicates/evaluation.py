"""How good the clusters are against planted truth: pairwise precision, recall and F1 of co-clustered pairs.

Two accounts form a *pair* when they share a cluster; a cluster of k accounts holds k·(k−1)/2 pairs. Predicted
pairs that are also true pairs are true positives. Singletons hold no pairs, so truth files and cluster marts may
list them or not. Used by the tests and by ``portalytics bench``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

Pair = tuple[str, str]


@dataclass(frozen=True)
class PairScores:
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


def co_clustered_pairs(rows: Iterable[tuple[str, str]]) -> set[Pair]:
    """(cluster_id, account_id) rows → every unordered pair of accounts sharing a cluster, as (smaller, larger)."""
    members: dict[str, set[str]] = defaultdict(set)
    for cluster_id, account_id in rows:
        members[str(cluster_id)].add(str(account_id))
    return {pair for accounts in members.values() for pair in combinations(sorted(accounts), 2)}


def score_pairs(predicted: set[Pair], truth: set[Pair]) -> PairScores:
    tp = len(predicted & truth)
    return PairScores(tp, len(predicted) - tp, len(truth) - tp)


def score_clusters(
    predicted_rows: Iterable[tuple[str, str]], truth_rows: Iterable[tuple[str, str]]
) -> PairScores:
    """Pairwise scores of predicted (cluster_id, account_id) rows against the truth's rows."""
    return score_pairs(co_clustered_pairs(predicted_rows), co_clustered_pairs(truth_rows))


def blocking_recall(blocked: Iterable[Pair], truth_rows: Iterable[tuple[str, str]]) -> float:
    """Share of the true pairs that blocking lets through to be compared at all (the ceiling of recall)."""
    truth = co_clustered_pairs(truth_rows)
    if not truth:
        return 1.0
    blocked_set = {tuple(sorted((str(a), str(b)))) for a, b in blocked}
    return len(truth & blocked_set) / len(truth)
