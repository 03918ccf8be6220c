"""Adult dependents' privacy (domain-rules.md "Clarifications"): who in a family may see whose claim lines.

A dependent aged :data:`ADULT_AGE` or more on the day of viewing is private from the subscriber: the
subscriber still sees the family totals of the accumulators, but not the dependent's claim lines nor their
individual totals, unless the dependent granted access (a dated, revocable grant kept in the dashboard's state
store). Dependents under 18 are visible to the subscriber. A member always sees themselves.

Age is counted in whole years: a person is 18 on their 18th birthday. Someone born on 29 February is 18 on
1 March of a non-leap year (28 February they are still 17), the convention of :func:`age_on`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

ADULT_AGE = 18


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Whole years of age on ``on``."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def latest_adult_birth_date(on: dt.date, adult_age: int = ADULT_AGE) -> dt.date:
    """The latest birth date of someone aged ``adult_age`` or more on ``on``: ``birth_date <= this`` is the
    same test as ``age_on(birth_date, on) >= adult_age``, as one comparison a query can use."""
    year = on.year - adult_age
    try:
        return on.replace(year=year)
    except ValueError:  # on is 29 February and that year has none: born on 28 February is already of age
        return dt.date(year, 2, 28)


def private_from_subscriber(birth_date: dt.date | None, on: dt.date, granted: bool) -> bool:
    """Whether a dependent's claim lines are hidden from their subscriber on ``on``. A birth date that is not
    known is treated as adult (the private answer)."""
    if granted:
        return False
    return birth_date is None or birth_date <= latest_adult_birth_date(on)


def visible_to_subscriber(
    dependents: dict[str, dt.date | None], on: dt.date, granted: Collection[str]
) -> set[str]:
    """The dependents (member_id → birth date) whose claim lines the subscriber may see on ``on``."""
    return {m for m, born in dependents.items() if not private_from_subscriber(born, on, m in granted)}
