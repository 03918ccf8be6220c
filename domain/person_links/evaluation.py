"""Precision and recall of person links against a planted truth, per source and overall."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Link = tuple[str, str, str]  # (person_key, source, source_id)
ALL = "all"


@dataclass(frozen=True)
class LinkScores:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0


def score_links(found: Iterable[Link], truth: Iterable[Link]) -> dict[str, LinkScores]:
    """Scores per source (``hr``, ``ce_account``, ``plan_member``, ``portal_user:<portal>``) and ``all``."""
    got, want = set(map(tuple, found)), set(map(tuple, truth))
    sources = sorted({s for _, s, _ in got | want})
    out = {}
    for source in [*sources, ALL]:
        g = {x for x in got if source in (ALL, x[1])}
        w = {x for x in want if source in (ALL, x[1])}
        out[source] = LinkScores(len(g & w), len(g - w), len(w - g))
    return out
