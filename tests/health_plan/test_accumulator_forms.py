"""Remaining and % met have one home (``domain.health_plan.accumulators``) in two forms: integer cents for the
marts, Decimal for the read side's accumulators as of a date. Both give the hand-worked answers, and the same
answer for every amount."""

from __future__ import annotations

from decimal import Decimal

from domain.health_plan.accumulators import pct_met, pct_met_tenths, remaining, remaining_cents

#: (met, limit) in cents → (remaining in cents, % met in tenths), worked by hand
CASES = {
    (25_000, 100_000): (75_000, 250),  # $250 of $1,000: 25.0%
    (100_000, 100_000): (0, 1000),
    (150_000, 100_000): (0, 1000),  # over the limit: nothing left, capped at 100%
    (1, 300_000): (299_999, 0),  # 0.0003%: 0.0
    (50, 3_000): (2_950, 17),  # 1.666..%: 1.7
    (45, 3_000): (2_955, 15),  # exactly 1.5%: 1.5
    (1, 6_667): (6_666, 0),  # 0.0149..%: 0.0
    (15, 10_000): (9_985, 2),  # 0.15% = 1.5 tenths, half up: 0.2
    (0, 0): (0, 1000),  # a zero limit is met
    (12_345, None): (None, None),  # no limit: no remaining, no percentage
}


def _money(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


def test_cents_form_gives_the_hand_worked_figures():
    for (met, limit), expected in CASES.items():
        assert (remaining_cents(met, limit), pct_met_tenths(met, limit)) == expected, (met, limit)


def test_decimal_form_gives_the_same_figures():
    for (met, limit), (left, tenths) in CASES.items():
        assert remaining(_money(met), _money(limit)) == _money(left), (met, limit)
        assert pct_met(_money(met), _money(limit)) == (None if tenths is None else Decimal(tenths).scaleb(-1))


def test_the_two_forms_agree_on_every_amount_of_a_sweep():
    for limit in (None, 0, 1, 99, 3_000, 6_667, 100_000, 1_234_567):
        for met in range(0, 2 * (limit or 5_000) + 2, max(1, (limit or 5_000) // 97)):
            left, tenths = remaining_cents(met, limit), pct_met_tenths(met, limit)
            assert remaining(_money(met), _money(limit)) == _money(left)
            assert pct_met(_money(met), _money(limit)) == (
                None if tenths is None else Decimal(tenths).scaleb(-1)
            )
