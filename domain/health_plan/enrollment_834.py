"""X12 834 maintenance applied to enrollment spans: adds, changes, terminations, reinstatements and audits.

An 834 does not carry spans; it carries *maintenance* (INS03) of a member's coverage (HD loops with benefit
begin and end dates, DTP*348/349). Applied in file order to the spans the warehouse already holds, it yields
the spans that changed, keyed like ``hp_enrollment`` (member, plan, coverage start):

| INS03 | meaning | effect on the member's spans |
| --- | --- | --- |
| 021 | addition | each HD starts a span (plan, tier, begin, end or open); same (plan, begin): replaced |
| 001 | change | each HD starts a span at its begin date; the span open on that day ends the day before |
| 024 | termination | the span covering the end date (DTP*349) ends on it; none covering it: unknown member |
| 025 | reinstatement | the span starting on the begin date (or the latest) reopens (or ends on DTP*349) |
| 030 | audit / full file | each HD states a span as it is: inserted or replaced, never ended by omission |

A change, termination or reinstatement for a member with no span at all is refused (``unknown_member``): the
sender and the warehouse disagree about who is enrolled, and guessing would invent coverage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from domain.health_plan.enrollment import EnrollmentSpan


class Maintenance(StrEnum):
    ADD = "021"
    CHANGE = "001"
    TERMINATION = "024"
    REINSTATEMENT = "025"
    AUDIT = "030"


@dataclass(frozen=True, slots=True)
class Coverage:
    """One HD loop (2300): plan (HD04), tier (HD05 mapped), benefit begin and end (DTP*348, DTP*349)."""

    plan_id: str
    coverage_tier: str | None  # None on a termination that names no tier
    begin: dt.date | None
    end: dt.date | None


@dataclass(frozen=True, slots=True)
class MemberMaintenance:
    member_id: str
    maintenance: Maintenance
    coverages: tuple[Coverage, ...]


class UnknownMember(Exception):
    """The maintenance needs a span the member does not have."""


class EnrollmentBook:
    """The spans of the members a file touches, changed in place transaction by transaction."""

    def __init__(self, spans: Iterable[EnrollmentSpan]):
        self._spans: dict[str, dict[tuple[str, dt.date], EnrollmentSpan]] = {}
        for s in spans:
            self._spans.setdefault(s.member_id, {})[(s.plan_id, s.coverage_start)] = s
        self._changed: set[tuple[str, str, dt.date]] = set()

    def apply(self, tx: MemberMaintenance) -> None:
        """Apply one member-level transaction, all or nothing (raises :class:`UnknownMember`, changing
        nothing)."""
        mine = dict(self._spans.get(tx.member_id, {}))
        for cov in tx.coverages:
            _apply_one(tx.member_id, tx.maintenance, cov, mine)
        before = self._spans.get(tx.member_id, {})
        for key, span in mine.items():
            if before.get(key) != span:
                self._changed.add((tx.member_id, *key))
        self._spans[tx.member_id] = mine

    def changed(self) -> list[EnrollmentSpan]:
        """The spans added or altered, in (member, start, plan) order."""
        out = [self._spans[m][(p, s)] for m, p, s in self._changed]
        return sorted(out, key=lambda s: (s.member_id, s.coverage_start, s.plan_id))

    def spans_of(self, member_id: str) -> list[EnrollmentSpan]:
        return sorted(self._spans.get(member_id, {}).values(), key=lambda s: (s.coverage_start, s.plan_id))


def _open_on(spans: dict, day: dt.date) -> EnrollmentSpan | None:
    best = None
    for s in spans.values():
        if s.covers(day) and (best is None or s.coverage_start > best.coverage_start):
            best = s
    return best


def _put(spans: dict, span: EnrollmentSpan) -> None:
    spans[(span.plan_id, span.coverage_start)] = span


def _apply_one(member_id: str, kind: Maintenance, cov: Coverage, spans: dict) -> None:
    if kind in (Maintenance.ADD, Maintenance.AUDIT):
        if cov.begin is None or cov.coverage_tier is None:
            raise ValueError("an addition needs a benefit begin date and a coverage level")
        _put(spans, EnrollmentSpan(member_id, cov.plan_id, cov.coverage_tier, cov.begin, cov.end))
    elif kind is Maintenance.CHANGE:
        if not spans:
            raise UnknownMember(f"change for a member with no coverage (plan {cov.plan_id})")
        if cov.begin is None or cov.coverage_tier is None:
            raise ValueError("a change needs a benefit begin date and a coverage level")
        current = _open_on(spans, cov.begin)
        if current is not None and current.coverage_start < cov.begin:
            _put(spans, replace(current, coverage_end=cov.begin - dt.timedelta(days=1)))
        _put(spans, EnrollmentSpan(member_id, cov.plan_id, cov.coverage_tier, cov.begin, cov.end))
    elif kind is Maintenance.TERMINATION:
        if cov.end is None:
            raise ValueError("a termination needs a benefit end date (DTP*349)")
        target = spans.get((cov.plan_id, cov.begin)) if cov.begin else None
        target = target or _open_on(spans, cov.end)
        if target is None:
            raise UnknownMember(f"termination of coverage the member does not have (plan {cov.plan_id})")
        _put(spans, replace(target, coverage_end=cov.end))
    elif kind is Maintenance.REINSTATEMENT:
        of_plan = [s for s in spans.values() if s.plan_id == cov.plan_id]
        target = spans.get((cov.plan_id, cov.begin)) if cov.begin else None
        target = target or max(of_plan, key=lambda s: s.coverage_start, default=None)
        if target is None:
            raise UnknownMember(f"reinstatement of coverage the member never had (plan {cov.plan_id})")
        tier = cov.coverage_tier or target.coverage_tier
        _put(spans, replace(target, coverage_tier=tier, coverage_end=cov.end))
