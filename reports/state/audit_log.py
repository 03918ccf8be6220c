"""Writing an audit row inside the caller's transaction, so the action and its audit row commit together."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from reports.state.models import AuditEntry


def _clip(value: str | None, limit: int) -> str | None:
    return None if value is None else str(value)[:limit]


def add_audit(
    session: Session,
    *,
    at: datetime,
    actor: str,
    actor_role: str | None,
    action: str,
    target: str | None = None,
    scope: str | None = None,
    row_count: int | None = None,
    detail: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor=_clip(actor, 150),
            actor_role=actor_role,
            action=action,
            target=_clip(target, 300),
            scope=_clip(scope, 300),
            row_count=row_count,
            detail=_clip(detail, 2000),
        )
    )
