"""The audit log: who did what, when, over which scope and how many rows.

Pages call :func:`record` for every view of a person's record and every export; sign-in and user management
write their own rows (see ``reports.auth`` and ``reports.user_admin``). Only administrators may read the log.
Never put record contents, passwords or tokens in ``target`` or ``detail``: identifiers and counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from domain.settings import Settings, get_settings
from reports.clock import Clock, utc_now
from reports.principal import Principal, Role
from reports.state.audit_log import add_audit
from reports.state.db import transaction
from reports.state.models import AuditEntry

#: Actions written by the sign-in and user-management code (pages add their own, e.g. "view", "export").
SECURITY_ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_refused",
    "lockout",
    "sign_out",
    "session_ended",
    "password_change",
    "password_change_failed",
    "password_reset",
    "password_reset_failed",
    "reset_token_issued",
    "user_add",
    "user_reset",
    "user_unlock",
    "user_disable",
    "user_enable",
)
#: Actions written by the CE team's decisions and the dashboard's "Apply now".
CE_ACTIONS = ("ce_merge", "ce_keep_separate", "ce_undo", "materialize_start")
#: Actions written by issuing and revoking transcript credentials (``reports.credentials.status``).
CREDENTIAL_ACTIONS = ("credential_issue", "credential_revoke")
#: Actions written by the health-plan pages: adult dependents' grants and provider eligibility checks.
PLAN_ACTIONS = ("plan_access_grant", "plan_access_revoke", "eligibility_check")
#: Every action an admin can filter the audit log by.
#: Written by the pipeline for each compliance reminder e-mail (``reports.learning.reminders``).
REMINDER_ACTIONS = ("reminder_sent",)
ALL_ACTIONS = (
    *SECURITY_ACTIONS,
    *CE_ACTIONS,
    *CREDENTIAL_ACTIONS,
    *PLAN_ACTIONS,
    *REMINDER_ACTIONS,
    "view",
    "export",
    "export_refused",
)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    actor_role: str | None
    action: str
    target: str | None
    scope: str | None
    row_count: int | None
    detail: str | None


def record(
    principal: Principal,
    action: str,
    target: str | None = None,
    scope: str | None = None,
    row_count: int | None = None,
    *,
    detail: str | None = None,
    settings: Settings | None = None,
    clock: Clock = utc_now,
) -> None:
    """Write one audit row for ``principal``.

    ``action``: e.g. "view" or "export"; ``target``: what, e.g. "transcript person P0001" or
    "overdue list xlsx"; ``scope``: the scope the rows came from (default: the principal's own scope);
    ``row_count``: rows shown or exported.
    """
    settings = settings or get_settings()
    if scope is None and principal.scope:
        scope = ",".join(principal.scope)
    with transaction(settings) as s:
        add_audit(
            s,
            at=clock(),
            actor=principal.username,
            actor_role=principal.role.value,
            action=action,
            target=target,
            scope=scope,
            row_count=row_count,
            detail=detail,
        )


def read(
    settings: Settings,
    principal: Principal,
    *,
    actor: str | None = None,
    actions: tuple[str, ...] | list[str] = (),
    since: datetime | None = None,
    limit: int = 500,
) -> list[AuditRow]:
    """The newest audit rows first (administrators only), optionally filtered by actor, actions and time."""
    principal.require(Role.ADMIN)
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 10_000)))
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor.strip().lower())
    if actions:
        stmt = stmt.where(AuditEntry.action.in_(list(actions)))
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    with transaction(settings) as s:
        return [
            AuditRow(
                id=e.id,
                at=e.at,
                actor=e.actor,
                actor_role=e.actor_role,
                action=e.action,
                target=e.target,
                scope=e.scope,
                row_count=e.row_count,
                detail=e.detail,
            )
            for e in s.scalars(stmt)
        ]
