"""Provider eligibility and benefits, like an X12 270/271 inquiry: member id AND birth date in, coverage and
the member's cost share for the date of service out (domain-rules.md "Clarifications").

Any provider may ask about any member, but only with both identifiers: a wrong birth date and an unknown
member id get the same :class:`NoMatch`, so the answer never tells whether an id exists. The answer carries
plan, tier, coverage dates, copays, coinsurance and what is left of the deductible and out-of-pocket maximum
after the claims processed by the end of the date (organisation time) — totals only, never a claim line. Every
check, matched or not, writes an audit row in the same call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal

from domain.health_plan.cost_share import AGGREGATE, COPAY_CATEGORIES, NETWORKS, PlanYear
from domain.health_plan.enrollment import SINGLE_TIER
from domain.settings import Settings, get_settings
from reports import audit
from reports.clock import Clock, utc_now
from reports.health_plan.reads import end_of_day_utc
from reports.health_plan.sql import query
from reports.principal import NotPermitted, Principal, Role

ZERO = Decimal("0.00")
ACTION = "eligibility_check"
NO_MATCH_WORDS = "No member matches this member ID and birth date."


class NoMatch(NotPermitted):
    """No member has this member id with this birth date (said the same way whichever one is wrong)."""


@dataclass(frozen=True)
class Limit:
    """One accumulator as a 271 reports it: the limit for the plan year and what remains on the date."""

    limit: Decimal | None  # None: no maximum
    met: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.limit is None else max(ZERO, self.limit - self.met)


@dataclass(frozen=True)
class NetworkBenefits:
    network: str
    coinsurance: Decimal  # the member's share, e.g. 0.20
    deductible: Limit | None  # the member's own; None when only the family deductible exists (aggregate)
    oop: Limit
    family_deductible: Limit | None  # None on individual coverage (tier EMP)
    family_oop: Limit | None


@dataclass(frozen=True)
class Benefits:
    member_id: str
    member_name: str
    on: dt.date
    covered: bool
    plan_id: str | None = None
    plan_name: str | None = None
    plan_year: int | None = None
    plan_year_start: dt.date | None = None
    plan_year_end: dt.date | None = None
    coverage_tier: str | None = None
    coverage_start: dt.date | None = None
    coverage_end: dt.date | None = None
    copays: tuple[tuple[str, Decimal], ...] = ()  # in network, by service category
    networks: tuple[NetworkBenefits, ...] = ()


def _first(conn, name: str, params: dict) -> dict | None:
    rows = query(conn, name, params).to_pylist()
    return rows[0] if rows else None


def _plan_year(row: dict) -> PlanYear:
    names = {f.name for f in fields(PlanYear)}
    return PlanYear(**{k: v for k, v in row.items() if k in names})


def _met(
    conn, who: str, value: str, plan: PlanYear, network: str, until: dt.datetime
) -> tuple[Decimal, Decimal]:
    """(deductible met, out-of-pocket met) of a member or family in one plan year and network, from the claim
    lines processed before ``until`` (their place in processing order, as the accumulators count them)."""
    row = _first(
        conn,
        {"member_id": "member_met", "subscriber_id": "family_met"}[who],
        {
            "who": value,
            "plan_id": plan.plan_id,
            "plan_year": plan.plan_year,
            "network": network,
            "until": until,
        },
    )
    return Decimal(row["ded"]), Decimal(row["oop"])


def _benefits(conn, member: dict, span: dict, on: dt.date, org_timezone: str) -> Benefits:
    plan_row = _first(conn, "plan_year_on", {"plan_id": span["plan_id"], "on": on})
    base = {
        "member_id": member["member_id"],
        "member_name": member["name"],
        "on": on,
        "covered": True,
        "plan_id": span["plan_id"],
        "coverage_tier": span["coverage_tier"],
        "coverage_start": span["coverage_start"],
        "coverage_end": span["coverage_end"],
    }
    if plan_row is None:  # covered, but the plan has no plan year for the date: no benefits to quote
        return Benefits(**base)
    plan = _plan_year(plan_row)
    tier = span["coverage_tier"]
    until = end_of_day_utc(on, org_timezone)
    networks = []
    for network in NETWORKS:
        ded_met, oop_met = _met(conn, "member_id", member["member_id"], plan, network, until)
        ded_limit, oop_limit = plan.member_limits(network, tier)
        # An aggregate family deductible has no individual part: only the family's counts (shown below).
        own_ded = (
            None
            if tier != SINGLE_TIER and plan.family_deductible_type == AGGREGATE
            else Limit(ded_limit, ded_met)
        )
        family_ded = family_oop = None
        if tier != SINGLE_TIER:
            fam_ded_met, fam_oop_met = _met(
                conn, "subscriber_id", member["subscriber_id"], plan, network, until
            )
            fam_ded_limit, fam_oop_limit = plan.family_limits(network, single=False)
            family_ded, family_oop = Limit(fam_ded_limit, fam_ded_met), Limit(fam_oop_limit, fam_oop_met)
        networks.append(
            NetworkBenefits(
                network,
                plan.terms(network).coinsurance,
                own_ded,
                Limit(oop_limit, oop_met),
                family_ded,
                family_oop,
            )
        )
    return Benefits(
        **base,
        plan_name=plan_row["name"],
        plan_year=plan.plan_year,
        plan_year_start=plan_row["plan_year_start"],
        plan_year_end=plan_row["plan_year_end"],
        copays=tuple((c, plan.copay(c)) for c in COPAY_CATEGORIES),
        networks=tuple(networks),
    )


def check_eligibility(
    principal: Principal,
    conn,
    member_id: str,
    birth_date: dt.date,
    on: dt.date,
    *,
    settings: Settings | None = None,
    clock: Clock = utc_now,
) -> Benefits:
    """Coverage and benefits of the member with ``member_id`` AND ``birth_date`` on ``on`` (a provider or an
    admin); :class:`NoMatch` when no member has both. Audited either way."""
    principal.require(Role.PROVIDER, Role.ADMIN)
    if principal.role is Role.PROVIDER and not principal.scope_value:
        raise NotPermitted("a provider sign-in without an NPI sees nothing")
    settings = settings or get_settings()
    member_id = member_id.strip()
    member = _first(conn, "member_by_birth_date", {"member_id": member_id, "birth_date": birth_date})
    target = f"eligibility member {member_id} on {on}"
    if member is None:
        audit.record(
            principal, ACTION, target, row_count=0, detail="no match", settings=settings, clock=clock
        )
        raise NoMatch(NO_MATCH_WORDS)
    span = _first(conn, "covering_span", {"member_id": member_id, "on": on})
    if span is None:
        answer = Benefits(member_id, member["name"], on, covered=False)
    else:
        answer = _benefits(conn, member, span, on, settings.org_timezone)
    detail = "covered" if answer.covered else "not covered"
    audit.record(principal, ACTION, target, row_count=1, detail=detail, settings=settings, clock=clock)
    return answer
