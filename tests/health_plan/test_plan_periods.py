"""Default days and periods counted back from the data's last day, by hand."""

import datetime as dt

import pytest

from domain.plan_periods import default_day, last_full_month

D = dt.date


def test_the_default_day_is_today_unless_today_is_past_the_data():
    assert default_day(D(2026, 12, 6), D(2026, 11, 20)) == D(2026, 11, 20)
    assert default_day(D(2026, 11, 1), D(2026, 11, 20)) == D(2026, 11, 1)
    assert default_day(D(2026, 12, 6), None) == D(2026, 12, 6)


@pytest.mark.parametrize(
    ("day", "month"),
    [
        (D(2026, 11, 20), (D(2026, 10, 1), D(2026, 10, 31))),
        (D(2026, 10, 31), (D(2026, 10, 1), D(2026, 10, 31))),  # the month's last day: that month is full
        (D(2026, 1, 15), (D(2025, 12, 1), D(2025, 12, 31))),  # across a year
        (D(2024, 3, 1), (D(2024, 2, 1), D(2024, 2, 29))),  # a leap February
    ],
)
def test_last_full_month(day, month):
    assert last_full_month(day) == month
