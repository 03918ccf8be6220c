"""Enrollment spans and eligibility: which span (plan, tier) covers a member on a date.

A span covers every day from ``coverage_start`` through ``coverage_end`` inclusive (an empty end = open). When
spans of one member overlap (a bad feed), the one that started last wins, so a re-enrolment replaces the
earlier span; of two starting the same day, the lower plan id (whatever order the feed sent them in). The read
side writes the same rule in SQL over the published tables (``reports/health_plan/covering_span.sql``,
``enrollment_by_month.sql``); tests/health_plan/test_covering_span_forms.py shows the forms agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

TIERS = ("EMP", "ESP", "ECH", "FAM")
#: Employee-only coverage: the individual limits are the only limits.
SINGLE_TIER = "EMP"


@dataclass(frozen=True, slots=True)
class EnrollmentSpan:
    member_id: str
    plan_id: str
    coverage_tier: str
    coverage_start: dt.date
    coverage_end: dt.date | None = None

    def covers(self, on: dt.date) -> bool:
        return self.coverage_start <= on and (self.coverage_end is None or on <= self.coverage_end)


class SpanRow(NamedTuple):
    """A span in the engine's form: ``start`` and ``end`` in the same units as the claim lines' service days
    (day numbers in the pipeline, dates in tests)."""

    start: Any
    end: Any  # None = open
    plan_id: str
    coverage_tier: str


def span_row(span: EnrollmentSpan) -> SpanRow:
    return SpanRow(span.coverage_start, span.coverage_end, span.plan_id, span.coverage_tier)


def covering_row(spans: Iterable[SpanRow], on) -> SpanRow | None:
    """The span covering ``on`` (the latest-starting one if several do; of spans starting the same day, the
    lowest plan id, as the SQL form orders them), else None."""
    best: SpanRow | None = None
    for span in spans:
        start, end = span.start, span.end
        if (
            start <= on
            and (end is None or on <= end)
            and (best is None or start > best.start or (start == best.start and span.plan_id < best.plan_id))
        ):
            best = span
    return best
