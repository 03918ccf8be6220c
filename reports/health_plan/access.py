"""Adult dependents' grants of access to their subscriber (domain.health_plan.member_privacy), kept in the
state store.

The dependent, signed in as a member, grants or revokes on their own page; each change is one transaction with
its audit row. The health-plan reads (:mod:`reports.health_plan.reads`) ask :func:`granted_to` which of a
subscriber's dependents granted access, so the privacy rule is applied where claims are queried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from domain.settings import Settings
from reports.clock import Clock, utc_now
from reports.health_plan.sql import query
from reports.principal import NotPermitted, Principal, Role
from reports.state.audit_log import add_audit
from reports.state.db import transaction
from reports.state.models import PlanAccessGrant

GRANT, REVOKE = "plan_access_grant", "plan_access_revoke"


@dataclass(frozen=True)
class AccessState:
    """A dependent's standing grant to their subscriber (``granted_at`` None: none in force)."""

    member_id: str
    subscriber_id: str
    granted_at: datetime | None
    subscriber_name: str = ""
    birth_date: date | None = None  # the dependent's own (for "while you are under 18")


def is_dependent(principal: Principal, conn) -> bool:
    """Whether the signed-in member is someone's dependent (and so may grant access)."""
    try:
        _dependent(principal, conn)
    except NotPermitted:
        return False
    return True


def _dependent(principal: Principal, conn) -> tuple[str, str, str, date | None]:
    """(member_id, subscriber_id, subscriber's name, own birth date) of the signed-in member; only a dependent
    has someone to grant access to."""
    principal.require(Role.MEMBER)
    me = principal.scope_value
    if not me:
        raise NotPermitted("a member sign-in without a member id")
    rows = [tuple(r.values()) for r in query(conn, "dependent_of", [me]).to_pylist()]
    if not rows or rows[0][0] == me:
        raise NotPermitted("only a dependent grants their subscriber access to their claims")
    subscriber, name, born = rows[0]
    return me, subscriber, name or subscriber, born


def _standing(session, member_id: str, subscriber_id: str) -> PlanAccessGrant | None:
    return session.scalars(
        select(PlanAccessGrant)
        .where(
            PlanAccessGrant.member_id == member_id,
            PlanAccessGrant.subscriber_id == subscriber_id,
            PlanAccessGrant.revoked_at.is_(None),
        )
        .order_by(PlanAccessGrant.id.desc())
    ).first()


def access_state(settings: Settings, principal: Principal, conn) -> AccessState:
    member_id, subscriber_id, name, born = _dependent(principal, conn)
    with transaction(settings) as s:
        grant = _standing(s, member_id, subscriber_id)
        return AccessState(member_id, subscriber_id, grant.granted_at if grant else None, name, born)


def grant_access(settings: Settings, principal: Principal, conn, *, clock: Clock = utc_now) -> AccessState:
    """Let the subscriber see the signed-in dependent's claims from now on (a second grant changes
    nothing)."""
    member_id, subscriber_id, name, born = _dependent(principal, conn)
    with transaction(settings) as s:
        grant = _standing(s, member_id, subscriber_id)
        if grant is None:
            now = clock()
            grant = PlanAccessGrant(
                member_id=member_id,
                subscriber_id=subscriber_id,
                granted_by=principal.username,
                granted_at=now,
            )
            s.add(grant)
            add_audit(
                s,
                at=now,
                actor=principal.username,
                actor_role=principal.role.value,
                action=GRANT,
                target=f"claims of member {member_id} to subscriber {subscriber_id}",
                scope=member_id,
            )
        return AccessState(member_id, subscriber_id, grant.granted_at, name, born)


def revoke_access(settings: Settings, principal: Principal, conn, *, clock: Clock = utc_now) -> AccessState:
    """End the signed-in dependent's standing grant (nothing to do when there is none)."""
    member_id, subscriber_id, name, born = _dependent(principal, conn)
    with transaction(settings) as s:
        grant = _standing(s, member_id, subscriber_id)
        if grant is not None:
            now = clock()
            grant.revoked_at, grant.revoked_by = now, principal.username
            add_audit(
                s,
                at=now,
                actor=principal.username,
                actor_role=principal.role.value,
                action=REVOKE,
                target=f"claims of member {member_id} to subscriber {subscriber_id}",
                scope=member_id,
            )
        return AccessState(member_id, subscriber_id, None, name, born)


def granted_to(settings: Settings, subscriber_id: str) -> frozenset[str]:
    """The dependents whose grant to ``subscriber_id`` is in force."""
    with transaction(settings) as s:
        return frozenset(
            s.scalars(
                select(PlanAccessGrant.member_id).where(
                    PlanAccessGrant.subscriber_id == subscriber_id, PlanAccessGrant.revoked_at.is_(None)
                )
            )
        )
