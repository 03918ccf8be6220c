"""An Explanation of Benefits (EOB) of one claim: the claim-status row, its priced lines and why the member
owes what they owe, read through the same scoped queries as the member's page (a private adult dependent's
claim is not found for the subscriber, another family's never).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from domain.health_plan.claims import STATUS_REASONS
from domain.health_plan.cost_share import CATEGORY_WORDS
from reports.health_plan import reads as health_plan
from reports.health_plan.sql import query
from reports.principal import NotPermitted, Principal, Role

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class EobLine:
    line_number: int
    service: str
    network: str
    status: str
    billed: Decimal
    allowed: Decimal
    deductible: Decimal
    coinsurance: Decimal
    copay: Decimal
    plan_paid: Decimal
    you_owe: Decimal
    why: str


@dataclass(frozen=True)
class Eob:
    claim_id: str  # the claim as billed (the chain's original)
    version_id: str  # the version in force (an adjustment's id when adjusted)
    member_id: str
    member_name: str
    provider_npi: str
    provider_name: str | None
    service_date: dt.date
    processed_at: dt.datetime
    status: str
    reason: str | None
    plan: str | None  # "Silver PPO (P2), plan year 2026"
    lines: tuple[EobLine, ...]

    def total(self, field: str) -> Decimal:
        return sum((getattr(line, field) for line in self.lines), ZERO)


def _text(value) -> str | None:
    """A text cell of a pandas row, None when missing (pandas reads a NULL text as NaN)."""
    return value if isinstance(value, str) else None


def service_words(category: str) -> str:
    return CATEGORY_WORDS.get(category, category.replace("_", " "))


def claim_eob(principal: Principal, conn, claim_id: str, *, view: health_plan.Viewing | None = None) -> Eob:
    """The EOB of ``claim_id`` (the original's id or its current version's), for a member or an admin.
    A claim outside the principal's scope and one that does not exist get the same :class:`NotPermitted`."""
    principal.require(Role.MEMBER, Role.ADMIN)
    view = view or health_plan.viewing()
    claims = health_plan.claim_status(principal, conn, claim_id=claim_id, view=view)
    if claims.empty:
        raise NotPermitted(f"claim {claim_id} is not among the claims you may see")
    claim = claims.iloc[0]
    lines = health_plan.claim_cost_share(
        principal, conn, claim_id=claim.root_claim_id, member_id=claim.member_id, view=view
    )
    names = health_plan.member_names(principal, conn)
    plan = None
    if len(lines):
        first = lines.iloc[0]
        plan = (
            f"{_plan_name(conn, first.plan_id, int(first.plan_year))} ({first.plan_id}), plan year "
            f"{first.plan_year}"
        )
    return Eob(
        claim_id=claim.root_claim_id,
        version_id=claim.claim_id,
        member_id=claim.member_id,
        member_name=names.get(claim.member_id, claim.member_id),
        provider_npi=claim.provider_npi,
        provider_name=_text(claim.provider_name),
        service_date=claim.service_date,
        processed_at=claim.processed_at.to_pydatetime(),
        status=claim.status,
        reason=_text(claim.reason) or STATUS_REASONS.get(claim.status),
        plan=plan,
        lines=tuple(
            EobLine(
                line_number=int(r.line_number),
                service=service_words(r.service_category),
                network=r.network,
                status=r.status,
                billed=r.billed_amount,
                allowed=r.allowed_amount,
                deductible=r.deductible_applied,
                coinsurance=r.coinsurance,
                copay=r.copay,
                plan_paid=r.plan_paid,
                you_owe=r.member_responsibility,
                why=r.explanation,
            )
            for r in lines.sort_values("line_number").itertuples()
        ),
    )


def _plan_name(conn, plan_id: str, plan_year: int) -> str:
    rows = query(conn, "plan_name", [plan_id, plan_year]).to_pylist()
    return rows[0]["name"] if rows and rows[0]["name"] else plan_id
