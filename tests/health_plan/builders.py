"""Small builders so each hand-computed case reads like the arithmetic in its comment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from domain.health_plan.claims import ClaimLine
from domain.health_plan.cost_share import FamilyResult, PlanBook, PlanYear, price_family
from domain.health_plan.enrollment import EnrollmentSpan

D = Decimal
#: Claims are processed one day apart in the order of their ``at`` number, from this moment on.
T0 = dt.datetime(2025, 2, 1, 12, 0)
SERVICE = dt.date(2025, 1, 15)


def plan(
    plan_id: str = "P1",
    year: int = 2025,
    *,
    start: dt.date | None = None,
    fam_type: str = "embedded",
    ded_ind_in: str = "500",
    ded_fam_in: str = "1000",
    oop_ind_in: str = "2000",
    oop_fam_in: str = "4000",
    ded_ind_out: str = "1000",
    ded_fam_out: str = "2000",
    oop_ind_out: str | None = "5000",
    oop_fam_out: str | None = "10000",
    coins_in: str = "0.20",
    coins_out: str = "0.40",
) -> PlanYear:
    """The standard test plan: in-network 500/1000 deductible, 2000/4000 OOP, 20%; out 1000/2000, 5000/10000,
    40%; copays office 25, specialist 50, emergency 250, generic 10, brand 40."""
    return PlanYear(
        plan_id=plan_id,
        plan_year=year,
        plan_year_start=start or dt.date(year, 1, 1),
        family_deductible_type=fam_type,
        ded_ind_in=D(ded_ind_in),
        ded_fam_in=D(ded_fam_in),
        oop_ind_in=D(oop_ind_in),
        oop_fam_in=D(oop_fam_in),
        ded_ind_out=D(ded_ind_out),
        ded_fam_out=D(ded_fam_out),
        oop_ind_out=None if oop_ind_out is None else D(oop_ind_out),
        oop_fam_out=None if oop_fam_out is None else D(oop_fam_out),
        coins_in=D(coins_in),
        coins_out=D(coins_out),
        copay_office_visit=D("25"),
        copay_specialist=D("50"),
        copay_emergency=D("250"),
        copay_rx_generic=D("10"),
        copay_rx_brand=D("40"),
        name=f"{plan_id} {year}",
    )


def line(
    claim_id: str,
    allowed: str,
    *,
    at: int,
    member: str = "M1",
    cat: str = "lab",
    net: str = "in",
    status: str = "paid",
    service: dt.date = SERVICE,
    claim_type: str = "original",
    original: str | None = None,
    line_number: int = 1,
    npi: str = "1234567893",
) -> ClaimLine:
    return ClaimLine(
        claim_id=claim_id,
        line_number=line_number,
        claim_type=claim_type,
        original_claim_id=original,
        member_id=member,
        provider_npi=npi,
        service_date=service,
        processed_at=T0 + dt.timedelta(days=at),
        status=status,
        service_category=cat,
        network=net,
        allowed_amount=D(allowed),
        billed_amount=D(allowed) * 2,
    )


def span(
    member: str = "M1",
    tier: str = "EMP",
    plan_id: str = "P1",
    start: dt.date = dt.date(2025, 1, 1),
    end: dt.date | None = None,
) -> EnrollmentSpan:
    return EnrollmentSpan(member, plan_id, tier, start, end)


def family_spans(tier: str = "FAM", members: tuple[str, ...] = ("M1", "M2", "M3")) -> list[EnrollmentSpan]:
    return [span(m, tier) for m in members]


def price(lines, spans=None, plans=None, subscriber: str = "M1") -> FamilyResult:
    return price_family(subscriber, lines, spans or [span()], PlanBook(plans or [plan()]))


def shares(result: FamilyResult) -> dict[str, tuple[Decimal, Decimal, Decimal, Decimal, Decimal]]:
    """claim_id -> (deductible, coinsurance, copay, member pays, plan pays) for single-line claims."""
    return {
        r.line.claim_id: (r.deductible_applied, r.coinsurance, r.copay, r.member_responsibility, r.plan_paid)
        for r in result.lines
    }


def member_row(result: FamilyResult, member: str, network: str = "in", year: int = 2025, plan_id: str = "P1"):
    (row,) = [
        r
        for r in result.members
        if (r.member_id, r.network, r.plan_year, r.plan_id) == (member, network, year, plan_id)
    ]
    return row


def family_row(result: FamilyResult, network: str = "in", year: int = 2025, plan_id: str = "P1"):
    (row,) = [r for r in result.families if (r.network, r.plan_year, r.plan_id) == (network, year, plan_id)]
    return row
