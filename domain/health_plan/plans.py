"""Plan designs: one ``hp_plans`` row per plan year (:class:`PlanYear`, Decimal amounts), the book of them
(:class:`PlanBook`: which plan year contains a date), and the same book in integer cents as the pricing engine
reads it (:class:`PlanIndex`).

Limits: a member's deductible limit is the individual deductible, except in an aggregate family plan above
tier EMP, where only the family deductible exists (so it is the member's limit too); a member's OOP limit is
always the individual OOP. A family's limits are the family limits, or the individual ones when every span of
the family in that plan year is tier EMP.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.health_plan.accumulators import HUNDRED, ZERO
from domain.health_plan.enrollment import SINGLE_TIER

IN, OUT = "in", "out"
NETWORKS = (IN, OUT)
EMBEDDED, AGGREGATE = "embedded", "aggregate"
PREVENTIVE = "preventive"
COPAY_CATEGORIES = ("office_visit", "specialist", "emergency", "rx_generic", "rx_brand")
CATEGORY_WORDS = {
    "preventive": "preventive care",
    "office_visit": "office visit",
    "specialist": "specialist visit",
    "emergency": "emergency visit",
    "rx_generic": "generic prescription",
    "rx_brand": "brand-name prescription",
}


# ---------------------------------------------------------------------------------------- plans
@dataclass(frozen=True, slots=True)
class NetworkTerms:
    ded_ind: Decimal
    ded_fam: Decimal
    oop_ind: Decimal | None  # None = no limit (out of network may have none)
    oop_fam: Decimal | None
    coinsurance: Decimal  # member share, e.g. 0.20


@dataclass(frozen=True, slots=True)
class PlanYear:
    """One row of ``hp_plans``: a plan's design for one plan year."""

    plan_id: str
    plan_year: int
    plan_year_start: dt.date
    family_deductible_type: str  # embedded | aggregate
    ded_ind_in: Decimal
    ded_fam_in: Decimal
    oop_ind_in: Decimal
    oop_fam_in: Decimal
    ded_ind_out: Decimal
    ded_fam_out: Decimal
    oop_ind_out: Decimal | None
    oop_fam_out: Decimal | None
    coins_in: Decimal
    coins_out: Decimal
    copay_office_visit: Decimal
    copay_specialist: Decimal
    copay_emergency: Decimal
    copay_rx_generic: Decimal
    copay_rx_brand: Decimal
    name: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.plan_id, self.plan_year)

    def terms(self, network: str) -> NetworkTerms:
        if network == IN:
            return NetworkTerms(
                self.ded_ind_in, self.ded_fam_in, self.oop_ind_in, self.oop_fam_in, self.coins_in
            )
        return NetworkTerms(
            self.ded_ind_out, self.ded_fam_out, self.oop_ind_out, self.oop_fam_out, self.coins_out
        )

    def copay(self, category: str) -> Decimal:
        return getattr(self, f"copay_{category}")

    def member_limits(self, network: str, tier: str) -> tuple[Decimal, Decimal | None]:
        """(deductible limit, OOP limit) that apply to one member (see the module docstring)."""
        t = self.terms(network)
        aggregate_family = tier != SINGLE_TIER and self.family_deductible_type == AGGREGATE
        return (t.ded_fam if aggregate_family else t.ded_ind, t.oop_ind)

    def family_limits(self, network: str, single: bool) -> tuple[Decimal, Decimal | None]:
        t = self.terms(network)
        return (t.ded_ind, t.oop_ind) if single else (t.ded_fam, t.oop_fam)


def _add_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class PlanBook:
    """All plan years, answering "which plan year of plan P contains date D".

    A plan year runs from its plan_year_start to the next plan year's start, and never longer than one year: a
    date after a plan's last known year (or in a gap of more than a year) has no plan year and is reported,
    not priced.
    """

    def __init__(self, plan_years: Iterable[PlanYear]):
        self._by_key: dict[tuple[str, int], PlanYear] = {}
        by_plan: dict[str, list[PlanYear]] = defaultdict(list)
        for py in plan_years:
            self._by_key[py.key] = py
            by_plan[py.plan_id].append(py)
        self._years: dict[str, list[PlanYear]] = {}
        self._starts: dict[str, list[dt.date]] = {}
        self._ends: dict[tuple[str, int], dt.date] = {}
        for plan_id, years in by_plan.items():
            years.sort(key=lambda p: p.plan_year_start)
            self._years[plan_id] = years
            self._starts[plan_id] = [p.plan_year_start for p in years]
            for i, py in enumerate(years):
                one_year = _add_year(py.plan_year_start)
                nxt = years[i + 1].plan_year_start if i + 1 < len(years) else one_year
                self._ends[py.key] = min(nxt, one_year)

    def __getitem__(self, key: tuple[str, int]) -> PlanYear:
        return self._by_key[key]

    def __len__(self) -> int:
        return len(self._by_key)

    def plan_years(self) -> list[PlanYear]:
        return sorted(self._by_key.values(), key=lambda p: (p.plan_id, p.plan_year))

    def end_of(self, plan_year: PlanYear) -> dt.date:
        """The first day after the plan year."""
        return self._ends[plan_year.key]


# ---------------------------------------------------------------------------------------- plans in cents
@dataclass(frozen=True, slots=True)
class NetworkCents:
    """One network's terms in integer cents; the coinsurance rate as the exact fraction num / den."""

    ded_ind: int
    ded_fam: int
    oop_ind: int | None
    oop_fam: int | None
    coins_num: int
    coins_den: int
    rate_words: str  # e.g. "20%"
    where: str  # "in-network" or "out-of-network", for the explanation


@dataclass(frozen=True, slots=True)
class PlanYearCents:
    """A plan year as the engine reads it: its days in the engine's units, its terms in cents."""

    plan: PlanYear
    start: Any  # first day
    end: Any  # first day after
    aggregate: bool  # family deductible type is aggregate
    networks: Mapping[str, NetworkCents]
    copays: Mapping[str, int]  # in-network copay per copay category

    def member_limits(self, network: str, tier: str) -> tuple[int, int | None]:
        """(deductible limit, OOP limit) that apply to one member (see the module docstring)."""
        t = self.networks[network]
        return (t.ded_fam if tier != SINGLE_TIER and self.aggregate else t.ded_ind, t.oop_ind)

    def family_limits(self, network: str, single: bool) -> tuple[int, int | None]:
        t = self.networks[network]
        return (t.ded_ind, t.oop_ind) if single else (t.ded_fam, t.oop_fam)


def _plan_cents(plan: PlanYear, amount: Decimal | None, column: str) -> int | None:
    if amount is None:
        return None
    value = amount.scaleb(2)
    if value != value.to_integral_value():
        raise ValueError(f"hp_plans plan {plan.plan_id} year {plan.plan_year}: {column} is not whole cents")
    return int(value)


def _network_cents(plan: PlanYear, network: str) -> NetworkCents:
    t = plan.terms(network)
    if not ZERO <= t.coinsurance <= 1:
        raise ValueError(
            f"hp_plans plan {plan.plan_id} year {plan.plan_year}: coins_{network} is not between 0 and 1"
        )
    num, den = t.coinsurance.as_integer_ratio()
    return NetworkCents(
        _plan_cents(plan, t.ded_ind, f"ded_ind_{network}"),
        _plan_cents(plan, t.ded_fam, f"ded_fam_{network}"),
        _plan_cents(plan, t.oop_ind, f"oop_ind_{network}"),
        _plan_cents(plan, t.oop_fam, f"oop_fam_{network}"),
        num,
        den,
        f"{(t.coinsurance * HUNDRED).normalize():f}%",
        "in-network" if network == IN else "out-of-network",
    )


class PlanIndex:
    """The plan book in the engine's units: ``day`` turns a date into the units of the claim lines' service
    days (identity for dates; day numbers in the pipeline)."""

    def __init__(self, book: PlanBook, day: Callable[[dt.date], Any] = lambda d: d):
        self._starts: dict[str, list] = {}
        self._years: dict[str, list[PlanYearCents]] = {}
        self._memo: dict[tuple, PlanYearCents | None] = {}
        for py in book.plan_years():
            cents_of = PlanYearCents(
                py,
                day(py.plan_year_start),
                day(book.end_of(py)),
                py.family_deductible_type == AGGREGATE,
                {n: _network_cents(py, n) for n in NETWORKS},
                {c: _plan_cents(py, py.copay(c), f"copay_{c}") for c in COPAY_CATEGORIES},
            )
            self._years.setdefault(py.plan_id, []).append(cents_of)
        for plan_id, years in self._years.items():
            years.sort(key=lambda y: y.start)
            self._starts[plan_id] = [y.start for y in years]

    def years(self) -> list[PlanYearCents]:
        """Every plan year, by plan and start."""
        return [y for years in self._years.values() for y in years]

    def year_for(self, plan_id: str, on) -> PlanYearCents | None:
        """The plan year of ``plan_id`` containing day ``on``, else None (memoized: few plans, few days)."""
        key = (plan_id, on)
        try:
            return self._memo[key]
        except KeyError:
            found = self._memo[key] = self._year_for(plan_id, on)
            return found

    def _year_for(self, plan_id: str, on) -> PlanYearCents | None:
        starts = self._starts.get(plan_id)
        if not starts:
            return None
        i = bisect_right(starts, on) - 1
        if i < 0:
            return None
        year = self._years[plan_id][i]
        return year if on < year.end else None

    def years_overlapping(self, plan_id: str, start, end) -> list[PlanYearCents]:
        """Plan years of ``plan_id`` sharing at least one day with [start, end] (end None = open)."""
        return [y for y in self._years.get(plan_id, ()) if (end is None or y.start <= end) and y.end > start]
