"""Cost share and deductible / out-of-pocket accumulators: the health-plan rules of domain-rules.md.

:func:`price_family` is the whole rule for ONE family (subscriber): resolve each claim to its effective
version (:mod:`domain.claims`), find the enrollment span and plan year that price each line, then run the
sequential engine :func:`apply_cost_share` over the lines in processing order. It is a pure function of plain
dataclasses, so the pipeline can stream families one at a time and tests can price a handful of lines by hand.

Per line with allowed amount A (money is ``Decimal``, every computed amount quantised to cents ROUND_HALF_UP):

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from domain.claims import DENIED, PAID, PENDING, ClaimLine, ClaimVersionStatus, EffectiveLine, effective_lines
from domain.enrollment import SINGLE_TIER, EnrollmentSpan, covering_span

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


# ---------------------------------------------------------------------------------------- engine
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


@dataclass(slots=True)
class Totals:
    deductible: Decimal = ZERO
    oop: Decimal = ZERO


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
        return max(ZERO, self.deductible_limit - self.deductible_met)

    @property
    def oop_remaining(self) -> Decimal | None:
        return None if self.oop_limit is None else max(ZERO, self.oop_limit - self.oop_met)


@dataclass
class Accumulators:
    """Running totals of one family: by (member, plan, year, network) and by (plan, year, network)."""

    members: dict[tuple[str, str, int, str], Totals] = field(default_factory=lambda: defaultdict(Totals))
    families: dict[tuple[str, int, str], Totals] = field(default_factory=lambda: defaultdict(Totals))


def _remaining(limit: Decimal | None, met: Decimal) -> Decimal | None:
    return None if limit is None else max(ZERO, limit - met)


def _min_limit(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _zero_line(priced: PricedLine, basis: str, explanation: str) -> LineCostShare:
    return LineCostShare(priced, ZERO, ZERO, ZERO, ZERO, ZERO, basis, explanation)


def price_line(priced: PricedLine, plan: PlanYear, acc: Accumulators) -> LineCostShare:
    """Price one line against the running totals ``acc`` and add it to them (the sequential step of the
    rule)."""
    line = priced.line
    if line.status == DENIED:
        return _zero_line(
            priced, DENIED, "Denied: the plan pays nothing and nothing counts toward your deductible."
        )
    if line.status == PENDING:
        return _zero_line(priced, PENDING, "Pending: not priced yet; nothing counts toward your deductible.")
    if line.status != PAID:
        raise ValueError(
            f"hp_claims claim {line.claim_id} line {line.line_number}: unknown status {line.status!r}"
        )
    allowed = cents(line.allowed_amount)
    if allowed < ZERO:
        raise ValueError(f"hp_claims claim {line.claim_id} line {line.line_number}: negative allowed_amount")
    network, category = line.network, line.service_category
    where = "in-network" if network == IN else "out-of-network"
    if network == IN and category == PREVENTIVE:
        return LineCostShare(
            priced,
            ZERO,
            ZERO,
            ZERO,
            ZERO,
            allowed,
            PREVENTIVE,
            "In-network preventive care is covered in full.",
        )

    single = priced.coverage_tier == SINGLE_TIER
    terms = plan.terms(network)
    ind = acc.members[(line.member_id, plan.plan_id, plan.plan_year, network)]
    fam = acc.families[(plan.plan_id, plan.plan_year, network)]
    basis: list[str] = []
    words: list[str] = []
    deductible = coinsurance = copay = ZERO

    if network == IN and category in COPAY_CATEGORIES:
        copay = min(plan.copay(category), allowed)
        basis.append("copay")
        words.append(f"{money(copay)} copay for an {where} {CATEGORY_WORDS[category]}")
        if copay < plan.copay(category):
            words[-1] += f" (the {money(plan.copay(category))} copay, limited to the allowed amount)"
    else:
        ind_rem = max(ZERO, terms.ded_ind - ind.deductible)
        fam_rem = max(ZERO, terms.ded_fam - fam.deductible)
        if single:
            ded_rem, which = ind_rem, "individual"
        elif plan.family_deductible_type == EMBEDDED:
            ded_rem, which = (ind_rem, "individual") if ind_rem <= fam_rem else (fam_rem, "family")
        else:
            ded_rem, which = fam_rem, "family"
        deductible = min(allowed, ded_rem)
        coinsurance = cents(terms.coinsurance * (allowed - deductible))
        if deductible > ZERO:
            basis.append("deductible")
            words.append(f"{money(deductible)} toward the {where} {which} deductible")
        if coinsurance > ZERO:
            basis.append("coinsurance")
            rate = f"{(terms.coinsurance * HUNDRED).normalize():f}%"
            words.append(f"{rate} coinsurance on {money(allowed - deductible)} = {money(coinsurance)}")

    owed = deductible + coinsurance + copay
    ind_oop = _remaining(terms.oop_ind, ind.oop)
    fam_oop = None if single else _remaining(terms.oop_fam, fam.oop)
    oop_rem = _min_limit(ind_oop, fam_oop)
    if oop_rem is not None and owed > oop_rem:
        cut = owed - oop_rem
        for_coins = min(cut, coinsurance)
        coinsurance -= for_coins
        cut -= for_coins
        for_copay = min(cut, copay)
        copay -= for_copay
        cut -= for_copay
        deductible -= cut
        cap = "family" if fam_oop is not None and (ind_oop is None or fam_oop < ind_oop) else "individual"
        basis.append("oop_cap")
        words.append(
            f"{money(owed - oop_rem)} less because the {where} {cap} out-of-pocket maximum is reached"
        )
    member = deductible + coinsurance + copay

    ind.deductible += deductible
    fam.deductible += deductible
    ind.oop += member
    fam.oop += member
    if not words:
        words.append("Nothing owed: the deductible is met and the plan pays the rest")
    explanation = "; ".join(words) + f". You owe {money(member)}."
    return LineCostShare(
        priced,
        deductible,
        coinsurance,
        copay,
        member,
        allowed - member,
        "+".join(basis) or "covered",
        explanation,
    )


def apply_cost_share(
    lines: Iterable[PricedLine], plans: Mapping[tuple[str, int], PlanYear]
) -> tuple[list[LineCostShare], Accumulators]:
    """Price one family's lines in processing order (the whole plan year, every time); returns the priced
    lines and the accumulators at the end."""
    acc = Accumulators()
    out = [
        price_line(p, plans[(p.plan_id, p.plan_year)], acc) for p in sorted(lines, key=lambda p: p.order_key)
    ]
    return out, acc


# ---------------------------------------------------------------------------------------- one family
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
    """Everything the health-plan marts need for one family: cost share per effective line, lines that could
    not be priced, claim statuses, and member and family accumulators for every plan year a family member is
    enrolled in."""
    spans_of: dict[str, list[EnrollmentSpan]] = defaultdict(list)
    for span in spans:
        spans_of[span.member_id].append(span)
    resolved = effective_lines(claim_lines)
    exceptions = [
        ClaimException(o.claim_id, o.line_number, o.member_id, ORPHAN_REVERSAL)
        for o in resolved.orphan_reversals
    ]
    priced: list[PricedLine] = []
    for eff in resolved.lines:
        priced_line = _resolve(subscriber_id, eff, spans_of, plans)
        if isinstance(priced_line, str):
            exceptions.append(
                ClaimException(eff.line.claim_id, eff.line.line_number, eff.line.member_id, priced_line)
            )
        else:
            priced.append(priced_line)
    lines, acc = apply_cost_share(priced, plans)
    members, families = _accumulator_rows(subscriber_id, spans_of, plans, acc)
    return FamilyResult(lines, exceptions, resolved.claims, members, families)


def _resolve(
    subscriber_id: str, eff: EffectiveLine, spans_of: Mapping[str, list[EnrollmentSpan]], plans: PlanBook
) -> PricedLine | str:
    """The line priced under its covering span and plan year, or the exception reason."""
    line = eff.line
    span = covering_span(spans_of.get(line.member_id, ()), line.service_date)
    if span is None:
        return NO_ENROLLMENT
    plan_year = plans.year_for(span.plan_id, line.service_date)
    if plan_year is None:
        return NO_PLAN_YEAR
    return PricedLine(
        line,
        subscriber_id,
        span.plan_id,
        plan_year.plan_year,
        span.coverage_tier,
        eff.root_claim_id,
        eff.order_at,
    )


def _accumulator_rows(
    subscriber_id: str, spans_of: Mapping[str, list[EnrollmentSpan]], plans: PlanBook, acc: Accumulators
) -> tuple[list[AccumulatorRow], list[AccumulatorRow]]:
    # The member's tier in a plan year: that of their latest-starting span overlapping it.
    member_tier: dict[tuple[str, str, int], tuple[dt.date, str]] = {}
    for member_id, member_spans in spans_of.items():
        for span in member_spans:
            for py in plans.years_overlapping(span.plan_id, span.coverage_start, span.coverage_end):
                key = (member_id, py.plan_id, py.plan_year)
                if key not in member_tier or span.coverage_start > member_tier[key][0]:
                    member_tier[key] = (span.coverage_start, span.coverage_tier)
    # A family is single (individual limits) when every span in the plan year is EMP; its tier is the latest
    # one.
    family_single: dict[tuple[str, int], bool] = {}
    family_tier: dict[tuple[str, int], tuple[dt.date, str]] = {}
    for (_, plan_id, year), (start, tier) in member_tier.items():
        key = (plan_id, year)
        family_single[key] = family_single.get(key, True) and tier == SINGLE_TIER
        if key not in family_tier or start > family_tier[key][0]:
            family_tier[key] = (start, tier)

    members: list[AccumulatorRow] = []
    for (member_id, plan_id, year), (_, tier) in sorted(member_tier.items()):
        py = plans[(plan_id, year)]
        for network in NETWORKS:
            totals = acc.members.get((member_id, plan_id, year, network), Totals())
            ded_limit, oop_limit = py.member_limits(network, tier)
            members.append(
                AccumulatorRow(
                    subscriber_id, member_id, plan_id, year, py.plan_year_start, network, tier,
                    totals.deductible, ded_limit, totals.oop, oop_limit,
                )
            )  # fmt: skip
    families: list[AccumulatorRow] = []
    for (plan_id, year), single in sorted(family_single.items()):
        py = plans[(plan_id, year)]
        for network in NETWORKS:
            totals = acc.families.get((plan_id, year, network), Totals())
            ded_limit, oop_limit = py.family_limits(network, single)
            families.append(
                AccumulatorRow(
                    subscriber_id, None, plan_id, year, py.plan_year_start, network,
                    family_tier[(plan_id, year)][1], totals.deductible, ded_limit, totals.oop, oop_limit,
                )
            )  # fmt: skip
    return members, families


def pct_met(met: Decimal, limit: Decimal | None) -> Decimal | None:
    """Percent of a limit met, one decimal; a zero limit is 100% met; no limit has no percentage."""
    if limit is None:
        return None
    if limit <= ZERO:
        return Decimal("100.0")
    return min(HUNDRED, met * HUNDRED / limit).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
