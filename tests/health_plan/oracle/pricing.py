"""The cost-share engine as it was before issue 22, kept only as the test oracle of the vectorised engine
(``domain.health_plan.pricing``).

The engine in integer cents: :func:`price_rows` prices ONE family's claim lines against running
accumulators, by the rule of ``domain.health_plan.cost_share`` (steps 1-6 of its docstring).

Pure over the family's rows of a :class:`domain.health_plan.claims.ClaimRows` (columns: millions of lines cost
no object each), so the pipeline can price families in any grouping and any number of processes. Its outputs
are named tuples (:class:`PricedRow`, :class:`AccumulatorCents`), so the marts read them by field or by
position.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from domain.health_plan.claims import DENIED, PAID, PENDING
from domain.health_plan.enrollment import SINGLE_TIER, SpanRow, covering_row
from domain.health_plan.plans import (
    CATEGORY_WORDS,
    COPAY_CATEGORIES,
    IN,
    NETWORKS,
    PREVENTIVE,
    PlanIndex,
    PlanYearCents,
)
from tests.health_plan.oracle.claims import CHAIN_FIELDS, ClaimRows, resolve_rows

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


# ---------------------------------------------------------------------------------------- engine
def money_cents(cents_: int) -> str:
    """``domain.health_plan.cost_share.money`` from integer cents."""
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
#: Builds a :class:`PricedRow` from its values in field order, without the NamedTuple's Python ``__new__``:
#: half the cost per line, a few per cent of the engine's time.
_row = tuple.__new__


class PricedRow(NamedTuple):
    """One priced line (:attr:`FamilyRows.lines`), money in cents; ``row`` is its row of the
    :class:`ClaimRows`."""

    row: int
    plan_id: str
    plan_year: int
    coverage_tier: str
    root_claim_id: str
    order_at: Any
    deductible_applied: int
    coinsurance: int
    copay: int
    member_responsibility: int
    plan_paid: int
    basis: str
    explanation: str


#: Fields of one priced line, in the order of :class:`PricedRow`.
LINE_FIELDS = PricedRow._fields


#: Fields of a claim's totals (:attr:`FamilyRows.claims`): the chain
#: (:data:`domain.health_plan.claims.CHAIN_FIELDS`) followed by what its effective lines cost in cents and how
#: many of its lines are exceptions.
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


class _Totals:
    """Running deductible and OOP totals in cents of one member or family, plan year and network."""

    __slots__ = ("deductible", "oop")

    def __init__(self) -> None:
        self.deductible = 0
        self.oop = 0


_NO_TOTALS = _Totals()
_CLAIM_ID = CHAIN_FIELDS.index("claim_id")


class FamilyRows(NamedTuple):
    """Everything the health-plan marts need for one family, by row numbers of its :class:`ClaimRows`."""

    lines: list[PricedRow]  # in processing order
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
    running accumulators (steps 1-6 of ``domain.health_plan.cost_share``), total them per claim and report the
    accumulators of every plan year a family member (a key of ``spans_of``) is enrolled in."""
    resolved = resolve_rows(rows, family)
    exceptions: list[tuple[int, str]] = [(r, ORPHAN_REVERSAL) for r in resolved.orphan_reversals]
    lines: list[PricedRow] = []
    members: dict[tuple, _Totals] = {}  # (member, plan, year, network)
    families: dict[tuple, _Totals] = {}  # (plan, year, network)
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
        plan_id, tier = span.plan_id, span.coverage_tier
        year = plans.year_for(plan_id, day)
        if year is None:
            exceptions.append((r, NO_PLAN_YEAR))
            continue
        plan_year = year.plan.plan_year
        status = statuses[r]
        if status != PAID:
            if status == DENIED:
                lines.append(
                    _row(
                        PricedRow,
                        (r, plan_id, plan_year, tier, root, order_at, 0, 0, 0, 0, 0, DENIED, DENIED_WORDS),
                    )
                )
                continue
            if status == PENDING:
                lines.append(
                    _row(
                        PricedRow,
                        (r, plan_id, plan_year, tier, root, order_at, 0, 0, 0, 0, 0, PENDING, PENDING_WORDS),
                    )
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
                _row(
                    PricedRow,
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
                    ),
                )
            )
            continue
        ind = members.get(key := (member_id, plan_id, plan_year, network))
        if ind is None:
            ind = members[key] = _Totals()
        fam = families.get(key := (plan_id, plan_year, network))
        if fam is None:
            fam = families[key] = _Totals()
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
            ind_rem = terms.ded_ind - ind.deductible
            if ind_rem < 0:
                ind_rem = 0
            if single:
                ded_rem, which = ind_rem, "individual"
            else:
                fam_rem = terms.ded_fam - fam.deductible
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
                    f"{cached_money(deductible) or money_cents(deductible)} toward the {where} {which} "
                    "deductible"
                )
            if coinsurance > 0:
                basis = "deductible+coinsurance" if basis else "coinsurance"
                words.append(
                    f"{terms.rate_words} coinsurance on {cached_money(rest) or money_cents(rest)} = "
                    f"{cached_money(coinsurance) or money_cents(coinsurance)}"
                )
        owed = deductible + coinsurance + copay
        ind_oop = None if terms.oop_ind is None else max(0, terms.oop_ind - ind.oop)
        fam_oop = None if single or terms.oop_fam is None else max(0, terms.oop_fam - fam.oop)
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
                f"{money_cents(owed - oop_rem)} less because the {where} {cap} out-of-pocket maximum is "
                "reached"
            )
        member = deductible + coinsurance + copay
        ind.deductible += deductible
        fam.deductible += deductible
        ind.oop += member
        fam.oop += member
        explanation = (
            f"{'; '.join(words) if words else NOTHING_OWED_WORDS}. You owe "
            f"{cached_money(member) or money_cents(member)}."
        )
        lines.append(
            _row(
                PricedRow,
                (
                    r,
                    plan_id,
                    plan_year,
                    tier,
                    root,
                    order_at,
                    deductible,
                    coinsurance,
                    copay,
                    member,
                    allowed - member,
                    basis or "covered",
                    explanation,
                ),
            )
        )
    return FamilyRows(
        lines,
        exceptions,
        _claim_totals(rows, resolved.claims, lines, exceptions),
        *_accumulators(spans_of, plans, members, families),
    )


def _claim_totals(
    rows: ClaimRows, chains: list[tuple], lines: list[PricedRow], exceptions: list[tuple[int, str]]
) -> list[tuple]:
    claim_ids = rows.claim_id
    paid: dict[str, list[int]] = {}  # claim_id -> [member pays, plan pays]
    for line in lines:
        claim_id = claim_ids[line.row]
        totals = paid.get(claim_id)
        if totals is None:
            paid[claim_id] = [line.member_responsibility, line.plan_paid]
        else:
            totals[0] += line.member_responsibility
            totals[1] += line.plan_paid
    unpriced: dict[str, int] = {}
    for r, _ in exceptions:
        unpriced[claim_ids[r]] = unpriced.get(claim_ids[r], 0) + 1
    none = (0, 0)
    return [(*c, *paid.get(c[_CLAIM_ID], none), unpriced.get(c[_CLAIM_ID], 0)) for c in chains]


def _accumulators(
    spans_of: Mapping[str, Sequence[SpanRow]],
    plans: PlanIndex,
    members: Mapping[tuple, _Totals],
    families: Mapping[tuple, _Totals],
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

    member_rows: list[AccumulatorCents] = []
    for (member_id, plan_id, plan_year), (_, tier, year) in sorted(member_tier.items(), key=lambda kv: kv[0]):
        for network in NETWORKS:
            found = members.get((member_id, plan_id, plan_year, network), _NO_TOTALS)
            ded, oop = found.deductible, found.oop
            ded_limit, oop_limit = year.member_limits(network, tier)
            member_rows.append(
                AccumulatorCents(member_id, year, network, tier, ded, ded_limit, oop, oop_limit)
            )
    family_rows: list[AccumulatorCents] = []
    for (plan_id, plan_year), single in sorted(family_single.items()):
        _, tier, year = family_tier[(plan_id, plan_year)]
        for network in NETWORKS:
            found = families.get((plan_id, plan_year, network), _NO_TOTALS)
            ded, oop = found.deductible, found.oop
            ded_limit, oop_limit = year.family_limits(network, single)
            family_rows.append(AccumulatorCents(None, year, network, tier, ded, ded_limit, oop, oop_limit))
    return member_rows, family_rows
