"""Cost share and deductible / out-of-pocket accumulators: the health-plan rules of domain-rules.md.

:func:`price_lines` is the whole rule for the families of a chunk at once (vectorised across families,
:mod:`domain.health_plan.pricing`): resolve each claim to its effective version
(:mod:`domain.health_plan.claims`, :mod:`domain.health_plan.resolution`), find the enrollment span and plan
year that price each line, then price each family's lines in processing order against its running
accumulators. It is a pure function over columns (Arrow in; numpy cents and Arrow strings out: millions of
lines cost no object each), so the pipeline can price families in any grouping and any number of processes.
:func:`price_family` is the same rule over dataclasses and ``Decimal`` for one family (what tests write by
hand): it converts at the edges and calls
:func:`price_lines`.

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

Modules by job: ``plans`` (plan designs, the plan book, the same in cents), ``pricing`` (the engine,
:func:`price_lines`), ``resolution`` (claim chains, column-wise), ``accumulators`` (remaining and % met); this
module is the ``Decimal`` edge (:func:`price_family` and its dataclasses) and re-exports the names the
pipeline imports from here.

Limits reported for accumulators: a member's deductible limit is the individual deductible, except in an
aggregate family plan above tier EMP, where only the family deductible exists (so it is the member's limit
too); a member's OOP limit is always the individual OOP. A family's limits are the family limits, or the
individual ones when every span of the family in that plan year is tier EMP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa

from domain.health_plan.accumulators import remaining
from domain.health_plan.claims import (
    ClaimLine,
    ClaimVersionStatus,
    claim_version_status,
    from_cents,
    microseconds,
    to_cents,
)
from domain.health_plan.enrollment import EnrollmentSpan
from domain.health_plan.plans import (
    AGGREGATE,
    CATEGORY_WORDS,
    COPAY_CATEGORIES,
    EMBEDDED,
    IN,
    NETWORKS,
    OUT,
    PREVENTIVE,
    NetworkCents,
    NetworkTerms,
    PlanBook,
    PlanIndex,
    PlanYear,
    PlanYearCents,
)
from domain.health_plan.pricing import (
    EXCEPTION_WORDS,
    NO_ENROLLMENT,
    NO_PLAN_YEAR,
    ORPHAN_REVERSAL,
    UNKNOWN_MEMBER,
    Priced,
    money_cents,
    price_lines,
)

__all__ = [  # the rule's names, wherever they live
    "AGGREGATE",
    "CATEGORY_WORDS",
    "COPAY_CATEGORIES",
    "EMBEDDED",
    "EXCEPTION_WORDS",
    "IN",
    "NETWORKS",
    "NO_ENROLLMENT",
    "NO_PLAN_YEAR",
    "ORPHAN_REVERSAL",
    "OUT",
    "PREVENTIVE",
    "UNKNOWN_MEMBER",
    "AccumulatorRow",
    "ClaimException",
    "FamilyResult",
    "LineCostShare",
    "NetworkCents",
    "NetworkTerms",
    "PlanBook",
    "PlanIndex",
    "PlanYear",
    "PlanYearCents",
    "PricedLine",
    "Priced",
    "money",
    "money_cents",
    "price_family",
    "price_lines",
]


def money(value: Decimal | None) -> str:
    return "no limit" if value is None else f"${value:,.2f}"


# ---------------------------------------------------------------------------------------- one family, as
# objects
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
    """:func:`price_lines` for one family given as objects: cost share per effective line, lines that could
    not be priced, claim statuses, and member and family accumulators for every plan year a family member is
    enrolled in. Amounts are taken to the cent (half up) on the way in; days are date ordinals."""
    lines = pa.table(
        {
            "claim_id": pa.array([ln.claim_id for ln in claim_lines], pa.string()),
            "line_number": pa.array([ln.line_number for ln in claim_lines], pa.int64()),
            "claim_type": pa.array([ln.claim_type for ln in claim_lines], pa.string()),
            "original_claim_id": pa.array([ln.original_claim_id for ln in claim_lines], pa.string()),
            "member_id": pa.array([ln.member_id for ln in claim_lines], pa.string()),
            "service_day": pa.array([ln.service_date.toordinal() for ln in claim_lines], pa.int64()),
            "processed_us": pa.array([microseconds(ln.processed_at) for ln in claim_lines], pa.int64()),
            "status": pa.array([ln.status for ln in claim_lines], pa.string()),
            "service_category": pa.array([ln.service_category for ln in claim_lines], pa.string()),
            "network": pa.array([ln.network for ln in claim_lines], pa.string()),
            "billed_cents": pa.array([to_cents(ln.billed_amount) for ln in claim_lines], pa.int64()),
            "allowed_cents": pa.array([to_cents(ln.allowed_amount) for ln in claim_lines], pa.int64()),
        }
    )
    span_table = pa.table(
        {
            "member_id": pa.array([s.member_id for s in spans], pa.string()),
            "plan_id": pa.array([s.plan_id for s in spans], pa.string()),
            "coverage_tier": pa.array([s.coverage_tier for s in spans], pa.string()),
            "start_day": pa.array([s.coverage_start.toordinal() for s in spans], pa.int64()),
            "end_day": pa.array(
                [None if s.coverage_end is None else s.coverage_end.toordinal() for s in spans], pa.int64()
            ),
        }
    )
    found = price_lines(
        lines,
        np.zeros(len(claim_lines), np.int64),
        span_table,
        np.zeros(len(spans), np.int64),
        PlanIndex(plans, dt.date.toordinal),
    )
    tiers = [s.coverage_tier for s in spans]
    basis, explanation = found.basis.to_pylist(), found.explanation.to_pylist()
    result_lines = []
    for i, r in enumerate(found.line_row.tolist()):
        year = found.years[found.line_year[i]].plan
        root = claim_lines[found.line_root_row[i]]
        result_lines.append(
            LineCostShare(
                PricedLine(
                    claim_lines[r],
                    subscriber_id,
                    year.plan_id,
                    year.plan_year,
                    tiers[found.line_span[i]],
                    root.claim_id,
                    root.processed_at,
                ),
                *(
                    from_cents(int(c[i]))
                    for c in (
                        found.deductible_applied,
                        found.coinsurance,
                        found.copay,
                        found.member_responsibility,
                        found.plan_paid,
                    )
                ),
                basis[i],
                explanation[i],
            )
        )
    exceptions = [
        ClaimException(claim_lines[r].claim_id, claim_lines[r].line_number, claim_lines[r].member_id, reason)
        for r, reason in zip(found.exception_row.tolist(), found.exception_reason.to_pylist(), strict=True)
    ]
    statuses = found.chain_status.to_pylist()
    claims = [
        claim_version_status(
            claim_lines,
            (
                claim_lines[found.chain_root_row[i]].claim_id,
                claim_lines[found.chain_head_row[i]].claim_id,
                int(found.chain_head_row[i]),
                int(found.chain_shown_row[i]),
                statuses[i],
                int(found.chain_line_count[i]),
                int(found.chain_billed[i]),
                int(found.chain_allowed[i]),
            ),
        )
        for i in range(len(statuses))
    ]
    return FamilyResult(
        result_lines,
        exceptions,
        claims,
        _accumulator_rows(subscriber_id, found, "member_", [s.member_id for s in spans], tiers),
        _accumulator_rows(subscriber_id, found, "family_", None, tiers),
    )


def _accumulator_rows(
    subscriber_id: str, found: Priced, prefix: str, member_ids: list[str] | None, tiers: list[str]
) -> list[AccumulatorRow]:
    def col(name: str) -> list:
        values = getattr(found, prefix + name)
        return values.to_pylist() if isinstance(values, pa.Array) else values.tolist()

    rows = []
    for span, year, network, ded_met, ded_limit, oop_met, oop_limit in zip(
        *(
            col(n)
            for n in ("span", "year", "network", "deductible_met", "deductible_limit", "oop_met", "oop_limit")
        ),
        strict=True,
    ):
        plan = found.years[year].plan
        rows.append(
            AccumulatorRow(
                subscriber_id,
                None if member_ids is None else member_ids[span],
                plan.plan_id,
                plan.plan_year,
                plan.plan_year_start,
                network,
                tiers[span],
                from_cents(ded_met),
                from_cents(ded_limit),
                from_cents(oop_met),
                None if oop_limit is None else from_cents(oop_limit),
            )
        )
    return rows
