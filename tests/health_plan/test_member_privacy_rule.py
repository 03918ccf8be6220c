"""The adult-dependent rule by hand: age in whole years, the 18th birthday, 29 February, grants."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.health_plan.member_privacy import (
    age_on,
    latest_adult_birth_date,
    private_from_subscriber,
    visible_to_subscriber,
)

D = dt.date


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (D(2008, 3, 15), D(2026, 3, 14), 17),  # the day before the 18th birthday
        (D(2008, 3, 15), D(2026, 3, 15), 18),  # the birthday itself
        (D(2008, 2, 29), D(2026, 2, 28), 17),  # a leap-day birthday in a year without one: 1 March
        (D(2008, 2, 29), D(2026, 3, 1), 18),
        (D(2006, 3, 1), D(2024, 2, 29), 17),
        (D(2006, 2, 28), D(2024, 2, 29), 18),
    ],
)
def test_age_and_the_birth_date_cut_off_agree(born, on, age):
    assert age_on(born, on) == age
    assert (born <= latest_adult_birth_date(on)) == (age >= 18)


def test_latest_adult_birth_date_on_a_leap_day_falls_back_to_28_february():
    assert latest_adult_birth_date(D(2024, 2, 29)) == D(2006, 2, 28)
    assert latest_adult_birth_date(D(2026, 3, 15)) == D(2008, 3, 15)


def test_a_17_year_old_is_visible_an_18_year_old_only_with_a_grant():
    lia = D(2008, 3, 15)
    assert not private_from_subscriber(lia, D(2026, 3, 14), granted=False)
    assert private_from_subscriber(lia, D(2026, 3, 15), granted=False)
    assert not private_from_subscriber(lia, D(2026, 3, 15), granted=True)
    assert private_from_subscriber(None, D(2026, 3, 15), granted=False)  # unknown age: the private answer
    family = {"LIA": lia, "TOM": D(2012, 6, 1), "JON": D(1974, 9, 30)}
    assert visible_to_subscriber(family, D(2026, 3, 15), granted=()) == {"TOM"}
    assert visible_to_subscriber(family, D(2026, 3, 15), granted={"JON"}) == {"TOM", "JON"}
