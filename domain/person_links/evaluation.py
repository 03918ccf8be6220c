"""Precision and recall of person links against a planted truth, per source and overall."""

from __future__ import annotations

from collections.abc import Iterable

from domain.match_scores import MatchScores

Link = tuple[str, str, str]  # (person_key, source, source_id)
ALL = "all"


LinkScores = MatchScores


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
