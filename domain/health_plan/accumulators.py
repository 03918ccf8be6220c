"""Remaining and % met of a deductible or out-of-pocket accumulator: the one home of the rule.

Remaining = limit - met, never below zero; no limit (``None``) has no remaining. % met = min(100, 100 x met /
limit) to one decimal, rounded half up; a zero limit is 100% met; no limit has no percentage.

Two forms: integer cents (the pricing engine and the accumulator marts, ``assets/health_plan/chunks.py``) and
``Decimal`` (the read side's accumulators as of a date, ``reports/health_plan/reads.py``, and
:class:`domain.health_plan.cost_share.AccumulatorRow`). ``tests/health_plan/test_accumulator_forms.py`` holds
them to the same answers.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


def half_up(num: int, den: int) -> int:
    """num / den rounded to an integer, halves away from zero (ROUND_HALF_UP); den > 0."""
    q = (2 * abs(num) + den) // (2 * den)
    return q if num >= 0 else -q


def remaining_cents(met: int, limit: int | None) -> int | None:
    return None if limit is None else max(0, limit - met)


def pct_met_tenths(met: int, limit: int | None) -> int | None:
    """:func:`pct_met` in tenths of a percent, from cents: min(1000, 1000 x met / limit) rounded half up."""
    if limit is None:
        return None
    if limit <= 0:
        return 1000
    return min(1000, half_up(1000 * met, limit))


def remaining(met: Decimal, limit: Decimal | None) -> Decimal | None:
    return None if limit is None else max(ZERO, limit - met)


def pct_met(met: Decimal, limit: Decimal | None) -> Decimal | None:
    """Percent of a limit met, one decimal; a zero limit is 100% met; no limit has no percentage."""
    if limit is None:
        return None
    if limit <= ZERO:
        return Decimal("100.0")
    return min(HUNDRED, met * HUNDRED / limit).quantize(TENTH, rounding=ROUND_HALF_UP)
