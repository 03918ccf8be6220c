"""How much data each ``--scale`` writes, and the fixed calendar every scale is anchored on.

The headline counts follow quality-bars.md; the smaller tables (courses, activities, providers, employers) are
derived from them so the ratios between scales hold for every source, not only the headline ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: The data runs through this day: nothing is generated after it, and nothing reads the wall clock.
END_DATE = date(2026, 10, 31)
#: About three years of history end at END_DATE.
HISTORY_START = date(2023, 11, 1)
#: Plan years present in hp_plans (the first one covers service dates just before HISTORY_START).
PLAN_YEARS = (2023, 2024, 2025, 2026)
#: Login events cover the last 14 weeks, so a medium day is about 50k events (the "new day" benchmark).
AUTH_DAYS = 98
AUTH_DAYS_PER_FILE = 7


@dataclass(frozen=True)
class ScaleSpec:
    name: str
    people: int
    ce_accounts: int
    members: int
    claim_lines: int
    auth_events: int
    ce_attendance: int
    #: Each kind of planted bad row appears this many times in a large source (reference tables get one each).
    bad_row_multiplier: int

    @property
    def courses(self) -> int:
        return max(14, self.people // 150)

    @property
    def activities(self) -> int:
        return max(12, self.ce_accounts // 25)

    @property
    def providers(self) -> int:
        return max(15, self.members // 30)

    @property
    def employers(self) -> int:
        return max(3, round(self.members**0.5 / 5))

    @property
    def departments(self) -> int:
        return max(4, min(20, self.people // 60))


SCALES: dict[str, ScaleSpec] = {
    s.name: s
    for s in (
        ScaleSpec("tiny", 50, 40, 40, 300, 1_000, 250, 1),
        ScaleSpec("small", 2_000, 1_500, 2_000, 50_000, 100_000, 10_000, 2),
        ScaleSpec("medium", 25_000, 60_000, 100_000, 3_000_000, 5_000_000, 400_000, 3),
        ScaleSpec("large", 250_000, 600_000, 1_000_000, 30_000_000, 50_000_000, 4_000_000, 5),
    )
}


def scale_spec(name: str) -> ScaleSpec:
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; choose one of {', '.join(SCALES)}") from None
