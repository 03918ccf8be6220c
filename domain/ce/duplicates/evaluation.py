"""How good the clusters are against planted truth: pairwise precision, recall and F1 of co-clustered pairs.

Two accounts form a *pair* when they share a cluster; a cluster of k accounts holds k·(k−1)/2 pairs. Predicted
pairs that are also true pairs are true positives. Singletons hold no pairs, so truth files and cluster marts
may list them or not. Used by the tests and by ``portalytics bench``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from domain.match_scores import MatchScores

Pair = tuple[str, str]


PairScores = MatchScores


def co_clustered_pairs(rows: Iterable[tuple[str, str]]) -> set[Pair]:
    """(cluster_id, account_id) rows → every unordered pair of accounts sharing a cluster, as (smaller,
    larger)."""
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


@dataclass(frozen=True)
class DecisionAgreement:
    """How the model agrees with the CE team's decisions, pair by pair: a merged pair is a true duplicate, a
    pair kept separate is not; the model says "duplicate" when it links the pair (match probability ≥ the
    match threshold, whether or not a decision later cut the link)."""

    merged_linked: int  # the model agrees: true positives
    merged_not_linked: int  # the team merged what the model did not link: false negatives
    kept_linked: int  # the team kept separate what the model linked: false positives
    kept_not_linked: int  # the model agrees: true negatives

    @property
    def decided_pairs(self) -> int:
        return self.merged_linked + self.merged_not_linked + self.kept_linked + self.kept_not_linked

    @property
    def precision(self) -> float | None:
        linked = self.merged_linked + self.kept_linked
        return self.merged_linked / linked if linked else None

    @property
    def recall(self) -> float | None:
        merged = self.merged_linked + self.merged_not_linked
        return self.merged_linked / merged if merged else None


def agreement_with_decisions(
    linked: Iterable[Pair], merged: Iterable[Pair], kept_separate: Iterable[Pair]
) -> DecisionAgreement:
    """``linked``: pairs the model links; ``merged`` / ``kept_separate``: decided pairs (any order within a
    pair). A pair both merged and kept separate (decisions over time) counts as merged."""

    def norm(pairs: Iterable[Pair]) -> set[Pair]:
        return {(min(str(a), str(b)), max(str(a), str(b))) for a, b in pairs}

    links, yes = norm(linked), norm(merged)
    no = norm(kept_separate) - yes
    return DecisionAgreement(len(yes & links), len(yes - links), len(no & links), len(no - links))
