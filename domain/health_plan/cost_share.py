"""Cost share and deductible / out-of-pocket accumulators: the health-plan rules of domain-rules.md.

:func:`price_rows` is the whole rule for ONE family (subscriber): resolve each claim to its effective
version (:mod:`domain.health_plan.claims`), find the enrollment span and plan year that price each line, then price the
lines in processing order against running accumulators. It is a pure function over the family's rows of a
:class:`domain.health_plan.claims.ClaimRows` (columns, money in integer cents: millions of lines cost no object each), so
the pipeline can price families in any grouping and any number of processes. :func:`price_family` is the same
rule over dataclasses and ``Decimal`` (what tests write by hand): it converts at the edges and calls
:func:`price_rows`.

Per line with allowed amount A (computed in integer cents, so every amount is exact; a coinsurance amount is
rounded to the cent ROUND_HALF_UP):

1. In-network ``preventive``: the member pays 0 and nothing accumulates.
2. In-network copay categories (office_visit, specialist, emergency, rx_generic, rx_brand): copay = min(copay,
   A); no deductible; the copay counts toward the in-network out-of-pocket (OOP).
3. Everything else: deductible part = min(A, remaining deductible), where remaining deductible is the
   individual remaining (tier EMP), min(individual remaining, family remaining) (embedded family deductible)
   or the family remaining (aggregate family deductible); coinsurance = rate x (A - deductible part).
   **Out of network, the copay categories and preventive care are "everything else"**: they go through the
   out-of-network deductible and coinsurance, because a copay is an in-network contract price and an
   out-of-network provider has agreed to none.
4. The member pays min(deductible + coinsurance + copay, remaining OOP), with remaining OOP = min(individual
   remaining, family remaining) (for tier EMP only the individual's), ``None`` limits meaning no limit. When
   the cap cuts, the cut comes off coinsurance first, then the copay, then the deductible part, so the three
   parts always add up to what the member pays, and the deductible accumulates only what the member actually
   paid toward it.
5. The deductible part goes into the individual and family deductible totals, the member payment into the
   individual and family OOP totals, separately for in- and out-of-network. The plan pays A - member pays.
6. Accumulators are kept per (plan_id, plan_year), so they reset at each plan_year_start. Denied and pending
   lines are output with zeros (the plan pays nothing either) and accumulate nothing.

Every line carries ``basis`` (codes: preventive, copay, deductible, coinsurance, oop_cap, denied, pending) and
a sentence ``explanation`` a member can read.

Limits reported for accumulators: a member's deductible limit is the individual deductible, except in an
aggregate family plan above tier EMP, where only the family deductible exists (so it is the member's limit
too); a member's OOP limit is always the individual OOP. A family's limits are the family limits, or the
individual ones when every span of the family in that plan year is tier EMP.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from domain.health_plan.accumulators import remaining
from domain.health_plan.claims import (
    CHAIN_FIELDS,
    DENIED,
    PAID,
    PENDING,
    ClaimLine,
    ClaimRows,
    ClaimVersionStatus,
    claim_rows,
    claim_version_status,
    from_cents,
    resolve_rows,
)
from domain.health_plan.enrollment import SINGLE_TIER, EnrollmentSpan, SpanRow, covering_row, span_row

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
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

# Exception reasons (marts.claim_exceptions.reason): a line that could not be priced, never silently dropped.
NO_ENROLLMENT = "no_enrollment"  # no span of the member covers the service date
NO_PLAN_YEAR = "no_plan_year"  # the span's plan has no plan year containing the service date
UNKNOWN_MEMBER = "unknown_member"  # the claim's member_id is not in hp_members (no family to price it in)
ORPHAN_REVERSAL = "original_not_found"  # a reversal naming a claim that is not in the data: nothing removed
#: The exception reasons in words, for a claim whose lines could not be priced.
EXCEPTION_WORDS = {
    NO_ENROLLMENT: "Not covered: the member had no coverage on the date of service",
    NO_PLAN_YEAR: "Not priced: the plan has no plan year for the date of service",
    UNKNOWN_MEMBER: "Not priced: the member is not known to the plan",
    ORPHAN_REVERSAL: "Reversal of a claim that is not on file: nothing was taken back",
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal | None) -> str:
    return "no limit" if value is None else f"${value:,.2f}"


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

    def year_for(self, plan_id: str, on: dt.date) -> PlanYear | None:
        starts = self._starts.get(plan_id)
        if not starts:
            return None
        i = bisect_right(starts, on) - 1
        if i < 0:
            return None
        py = self._years[plan_id][i]
        return py if on < self._ends[py.key] else None

    def years_overlapping(self, plan_id: str, start: dt.date, end: dt.date | None) -> list[PlanYear]:
        """Plan years of ``plan_id`` sharing at least one day with [start, end] (end None = open)."""
        return [
            py
            for py in self._years.get(plan_id, [])
            if py.plan_year_start <= (end or dt.date.max) and self._ends[py.key] > start
        ]


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


# ---------------------------------------------------------------------------------------- engine
def money_cents(cents_: int) -> str:
    """Like :func:`money`, from integer cents."""
    text = _MONEY_TEXT.get(cents_)
    if text is None:
        sign, whole = ("-", -cents_) if cents_ < 0 else ("", cents_)
        text = f"${sign}{whole // 100:,}.{whole % 100:02d}"
        if len(_MONEY_TEXT) < 1_000_000:  # amounts repeat a lot (copays, deductibles); bound the memory
            _MONEY_TEXT[cents_] = text
    return text


_MONEY_TEXT: dict[int, str] = {}


DENIED_WORDS = "Denied: the plan pays nothing and nothing counts toward your deductible."
PENDING_WORDS = "Pending: not priced yet; nothing counts toward your deductible."
PREVENTIVE_WORDS = "In-network preventive care is covered in full."
NOTHING_OWED_WORDS = "Nothing owed: the deductible is met and the plan pays the rest"
_COPAY_CATEGORIES = frozenset(COPAY_CATEGORIES)

#: Fields of one priced line (:attr:`FamilyRows.lines`), money in cents.
LINE_FIELDS = (
    "row", "plan_id", "plan_year", "coverage_tier", "root_claim_id", "order_at", "deductible_applied",
    "coinsurance", "copay", "member_responsibility", "plan_paid", "basis", "explanation",
)  # fmt: skip


#: Fields of a claim's totals (:attr:`FamilyRows.claims`): the chain (:data:`domain.health_plan.claims.CHAIN_FIELDS`)
#: followed by what its effective lines cost in cents and how many of its lines are exceptions.
CLAIM_FIELDS = (*CHAIN_FIELDS, "member_responsibility", "plan_paid", "unpriced_lines")


class AccumulatorCents(NamedTuple):
    """Deductible and OOP met against their limits, in cents, for one member (or a family: member None)."""

    member_id: str | None
    year: PlanYearCents
    network: str
    coverage_tier: str
    deductible_met: int
    deductible_limit: int
    oop_met: int
    oop_limit: int | None


class FamilyRows(NamedTuple):
    """Everything the health-plan marts need for one family, by row numbers of its :class:`ClaimRows`."""

    lines: list[tuple]  # LINE_FIELDS, in processing order
    exceptions: list[tuple[int, str]]  # (row, reason)
    claims: list[tuple]  # CLAIM_FIELDS, ordered by root claim id
    members: list[AccumulatorCents]  # at the end of the data
    families: list[AccumulatorCents]


def price_rows(
    subscriber_id: str,
    rows: ClaimRows,
    family: Iterable[int],
    spans_of: Mapping[str, Sequence[SpanRow]],
    plans: PlanIndex,
) -> FamilyRows:
    """The whole rule for ONE family: resolve its claim lines (rows ``family`` of ``rows``) to their effective
    versions, find the span and plan year that price each line, price the lines in processing order against
    running accumulators (steps 1-6 of the module docstring), total them per claim and report the
    accumulators of every plan year a family member (a key of ``spans_of``) is enrolled in."""
    resolved = resolve_rows(rows, family)
    exceptions: list[tuple[int, str]] = [(r, ORPHAN_REVERSAL) for r in resolved.orphan_reversals]
    lines: list[tuple] = []
    members: dict[tuple, list[int]] = {}  # (member, plan, year, network) -> [deductible, oop]
    families: dict[tuple, list[int]] = {}  # (plan, year, network) -> [deductible, oop]
    claim_ids, line_numbers, member_ids, days = (
        rows.claim_id,
        rows.line_number,
        rows.member_id,
        rows.service_day,
    )
    statuses, categories, networks, allowed_of = (
        rows.status,
        rows.service_category,
        rows.network,
        rows.allowed_cents,
    )
    cached_money = _MONEY_TEXT.get  # the hot loop formats each amount through this cache first
    for order_at, root, _, r in resolved.lines:
        member_id, day = member_ids[r], days[r]
        span = covering_row(spans_of.get(member_id, ()), day)
        if span is None:
            exceptions.append((r, NO_ENROLLMENT))
            continue
        plan_id, tier = span[2], span[3]
        year = plans.year_for(plan_id, day)
        if year is None:
            exceptions.append((r, NO_PLAN_YEAR))
            continue
        plan_year = year.plan.plan_year
        status = statuses[r]
        if status != PAID:
            if status == DENIED:
                lines.append(
                    (r, plan_id, plan_year, tier, root, order_at, 0, 0, 0, 0, 0, DENIED, DENIED_WORDS)
                )
                continue
            if status == PENDING:
                lines.append(
                    (r, plan_id, plan_year, tier, root, order_at, 0, 0, 0, 0, 0, PENDING, PENDING_WORDS)
                )
                continue
            raise ValueError(
                f"hp_claims claim {claim_ids[r]} line {line_numbers[r]}: unknown status {status!r}"
            )
        allowed = allowed_of[r]
        if allowed < 0:
            raise ValueError(
                f"hp_claims claim {claim_ids[r]} line {line_numbers[r]}: negative allowed_amount"
            )
        network, category = networks[r], categories[r]
        if network == IN and category == PREVENTIVE:
            lines.append(
                (
                    r,
                    plan_id,
                    plan_year,
                    tier,
                    root,
                    order_at,
                    0,
                    0,
                    0,
                    0,
                    allowed,
                    PREVENTIVE,
                    PREVENTIVE_WORDS,
                )
            )
            continue
        ind = members.get(key := (member_id, plan_id, plan_year, network))
        if ind is None:
            ind = members[key] = [0, 0]
        fam = families.get(key := (plan_id, plan_year, network))
        if fam is None:
            fam = families[key] = [0, 0]
        single = tier == SINGLE_TIER
        terms = year.networks[network]
        where = terms.where
        words: list[str] = []
        deductible = coinsurance = copay = 0
        if network == IN and category in _COPAY_CATEGORIES:
            full_copay = year.copays[category]
            copay = min(full_copay, allowed)
            basis = "copay"
            words.append(
                f"{cached_money(copay) or money_cents(copay)} copay for an {where} {CATEGORY_WORDS[category]}"
                if copay >= full_copay
                else f"{money_cents(copay)} copay for an {where} {CATEGORY_WORDS[category]} "
                f"(the {money_cents(full_copay)} copay, limited to the allowed amount)"
            )
        else:
            ind_rem = terms.ded_ind - ind[0]
            if ind_rem < 0:
                ind_rem = 0
            if single:
                ded_rem, which = ind_rem, "individual"
            else:
                fam_rem = terms.ded_fam - fam[0]
                if fam_rem < 0:
                    fam_rem = 0
                if year.aggregate:
                    ded_rem, which = fam_rem, "family"
                else:
                    ded_rem, which = (ind_rem, "individual") if ind_rem <= fam_rem else (fam_rem, "family")
            deductible = allowed if allowed < ded_rem else ded_rem
            rest = allowed - deductible
            # rate x rest to the cent, half up: both are >= 0, so floor((2 num rest + den) / (2 den)).
            coinsurance = (2 * terms.coins_num * rest + terms.coins_den) // (2 * terms.coins_den)
            basis = ""
            if deductible > 0:
                basis = "deductible"
                words.append(
                    f"{cached_money(deductible) or money_cents(deductible)} toward the {where} {which} deductible"
                )
            if coinsurance > 0:
                basis = "deductible+coinsurance" if basis else "coinsurance"
                words.append(
                    f"{terms.rate_words} coinsurance on {cached_money(rest) or money_cents(rest)} = "
                    f"{cached_money(coinsurance) or money_cents(coinsurance)}"
                )
        owed = deductible + coinsurance + copay
        ind_oop = None if terms.oop_ind is None else max(0, terms.oop_ind - ind[1])
        fam_oop = None if single or terms.oop_fam is None else max(0, terms.oop_fam - fam[1])
        oop_rem = ind_oop if fam_oop is None else fam_oop if ind_oop is None or fam_oop < ind_oop else ind_oop
        if oop_rem is not None and owed > oop_rem:
            # The cap cuts coinsurance first, then the copay, then the deductible part.
            cut = owed - oop_rem
            for_coins = min(cut, coinsurance)
            coinsurance -= for_coins
            cut -= for_coins
            for_copay = min(cut, copay)
            copay -= for_copay
            deductible -= cut - for_copay
            cap = "family" if fam_oop is not None and (ind_oop is None or fam_oop < ind_oop) else "individual"
            basis = f"{basis}+oop_cap" if basis else "oop_cap"
            words.append(
                f"{money_cents(owed - oop_rem)} less because the {where} {cap} out-of-pocket maximum is reached"
            )
        member = deductible + coinsurance + copay
        ind[0] += deductible
        fam[0] += deductible
        ind[1] += member
        fam[1] += member
        explanation = f"{'; '.join(words) if words else NOTHING_OWED_WORDS}. You owe {cached_money(member) or money_cents(member)}."
        lines.append(
            (r, plan_id, plan_year, tier, root, order_at, deductible, coinsurance, copay, member,
             allowed - member, basis or "covered", explanation)
        )  # fmt: skip
    return FamilyRows(
        lines,
        exceptions,
        _claim_totals(rows, resolved.claims, lines, exceptions),
        *_accumulators(spans_of, plans, members, families),
    )


def _claim_totals(
    rows: ClaimRows, chains: list[tuple], lines: list[tuple], exceptions: list[tuple[int, str]]
) -> list[tuple]:
    claim_ids = rows.claim_id
    paid: dict[str, list[int]] = {}  # claim_id -> [member pays, plan pays]
    for line in lines:
        totals = paid.get(claim_ids[line[0]])
        if totals is None:
            paid[claim_ids[line[0]]] = [line[9], line[10]]
        else:
            totals[0] += line[9]
            totals[1] += line[10]
    unpriced: dict[str, int] = {}
    for r, _ in exceptions:
        unpriced[claim_ids[r]] = unpriced.get(claim_ids[r], 0) + 1
    none = (0, 0)
    return [(*c, *paid.get(c[1], none), unpriced.get(c[1], 0)) for c in chains]


def _accumulators(
    spans_of: Mapping[str, Sequence[SpanRow]],
    plans: PlanIndex,
    members: Mapping[tuple, list[int]],
    families: Mapping[tuple, list[int]],
) -> tuple[list[AccumulatorCents], list[AccumulatorCents]]:
    # The member's tier in a plan year: that of their latest-starting span overlapping it.
    member_tier: dict[tuple[str, str, int], tuple[Any, str, PlanYearCents]] = {}
    for member_id, member_spans in spans_of.items():
        for start, end, plan_id, tier in member_spans:
            for year in plans.years_overlapping(plan_id, start, end):
                key = (member_id, plan_id, year.plan.plan_year)
                if key not in member_tier or start > member_tier[key][0]:
                    member_tier[key] = (start, tier, year)
    # A family is single (individual limits) when every span in the plan year is EMP; its tier is the latest
    # one.
    family_single: dict[tuple[str, int], bool] = {}
    family_tier: dict[tuple[str, int], tuple[Any, str, PlanYearCents]] = {}
    for (_, plan_id, plan_year), (start, tier, year) in member_tier.items():
        key = (plan_id, plan_year)
        family_single[key] = family_single.get(key, True) and tier == SINGLE_TIER
        if key not in family_tier or start > family_tier[key][0]:
            family_tier[key] = (start, tier, year)

    none = (0, 0)
    member_rows: list[AccumulatorCents] = []
    for (member_id, plan_id, plan_year), (_, tier, year) in sorted(member_tier.items(), key=lambda kv: kv[0]):
        for network in NETWORKS:
            ded, oop = members.get((member_id, plan_id, plan_year, network), none)
            ded_limit, oop_limit = year.member_limits(network, tier)
            member_rows.append(
                AccumulatorCents(member_id, year, network, tier, ded, ded_limit, oop, oop_limit)
            )
    family_rows: list[AccumulatorCents] = []
    for (plan_id, plan_year), single in sorted(family_single.items()):
        _, tier, year = family_tier[(plan_id, plan_year)]
        for network in NETWORKS:
            ded, oop = families.get((plan_id, plan_year, network), none)
            ded_limit, oop_limit = year.family_limits(network, single)
            family_rows.append(AccumulatorCents(None, year, network, tier, ded, ded_limit, oop, oop_limit))
    return member_rows, family_rows


# ---------------------------------------------------------------------------------------- one family, as objects
@dataclass(frozen=True, slots=True)
class PricedLine:
    """An effective claim line with what prices it: family, plan year and the tier of the covering span."""

    line: ClaimLine
    subscriber_id: str
    plan_id: str
    plan_year: int
    coverage_tier: str
    root_claim_id: str
    order_at: dt.datetime

    @property
    def order_key(self) -> tuple[dt.datetime, str, int]:
        return (self.order_at, self.root_claim_id, self.line.line_number)


@dataclass(frozen=True, slots=True)
class LineCostShare:
    priced: PricedLine
    deductible_applied: Decimal
    coinsurance: Decimal
    copay: Decimal
    member_responsibility: Decimal
    plan_paid: Decimal
    basis: str  # '+'-joined codes
    explanation: str

    @property
    def line(self) -> ClaimLine:
        return self.priced.line

    @property
    def plan_id(self) -> str:
        return self.priced.plan_id

    @property
    def plan_year(self) -> int:
        return self.priced.plan_year


@dataclass(frozen=True, slots=True)
class AccumulatorRow:
    """Deductible and OOP met against their limits for one member or one family, plan year and network."""

    subscriber_id: str
    member_id: str | None  # None for a family row
    plan_id: str
    plan_year: int
    plan_year_start: dt.date
    network: str
    coverage_tier: str
    deductible_met: Decimal
    deductible_limit: Decimal
    oop_met: Decimal
    oop_limit: Decimal | None

    @property
    def deductible_remaining(self) -> Decimal:
        return remaining(self.deductible_met, self.deductible_limit)

    @property
    def oop_remaining(self) -> Decimal | None:
        return remaining(self.oop_met, self.oop_limit)


@dataclass(frozen=True, slots=True)
class ClaimException:
    claim_id: str
    line_number: int
    member_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class FamilyResult:
    lines: list[LineCostShare]  # in processing order
    exceptions: list[ClaimException]
    claims: list[ClaimVersionStatus]
    members: list[AccumulatorRow]  # at the end of the data
    families: list[AccumulatorRow]


def price_family(
    subscriber_id: str,
    claim_lines: Sequence[ClaimLine],
    spans: Sequence[EnrollmentSpan],
    plans: PlanBook,
) -> FamilyResult:
    """:func:`price_rows` for one family given as objects: cost share per effective line, lines that could not
    be priced, claim statuses, and member and family accumulators for every plan year a family member is
    enrolled in. Amounts are taken to the cent (half up) on the way in."""
    spans_of: dict[str, list[SpanRow]] = {}
    for span in spans:
        spans_of.setdefault(span.member_id, []).append(span_row(span))
    found = price_rows(
        subscriber_id, claim_rows(claim_lines), range(len(claim_lines)), spans_of, PlanIndex(plans)
    )
    lines = [
        LineCostShare(
            PricedLine(claim_lines[r], subscriber_id, plan_id, plan_year, tier, root, order_at),
            *(from_cents(c) for c in amounts),
            basis,
            explanation,
        )
        for r, plan_id, plan_year, tier, root, order_at, *amounts, basis, explanation in found.lines
    ]
    exceptions = [
        ClaimException(claim_lines[r].claim_id, claim_lines[r].line_number, claim_lines[r].member_id, reason)
        for r, reason in found.exceptions
    ]
    claims = [claim_version_status(claim_lines, c) for c in found.claims]
    return FamilyResult(
        lines,
        exceptions,
        claims,
        [_accumulator_row(subscriber_id, a) for a in found.members],
        [_accumulator_row(subscriber_id, a) for a in found.families],
    )


def _accumulator_row(subscriber_id: str, a: AccumulatorCents) -> AccumulatorRow:
    plan = a.year.plan
    return AccumulatorRow(
        subscriber_id, a.member_id, plan.plan_id, plan.plan_year, plan.plan_year_start, a.network,
        a.coverage_tier, from_cents(a.deductible_met), from_cents(a.deductible_limit), from_cents(a.oop_met),
        None if a.oop_limit is None else from_cents(a.oop_limit),
    )  # fmt: skip
