"""Writing an audit row inside the caller's transaction, so the action and its audit row commit together.

The row is linked into the hash chain (reports.state.audit_chain): the chain head is updated first, which
takes the store's write lock (SQLite) or the head row's lock (PostgreSQL) until the transaction ends, so
concurrent writers line up and every row follows from exactly one predecessor.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from reports.state.audit_chain import HEAD_ID, row_hash
from reports.state.models import AuditChainHead, AuditEntry


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
    head = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_id=AuditChainHead.last_id + 1)
        .returning(AuditChainHead.last_id, AuditChainHead.last_hash)
        .execution_options(synchronize_session=False)
    ).one()
    fields = {
        "at": at,
        "actor": _clip(actor, 150),
        "actor_role": actor_role,
        "action": action,
        "target": _clip(target, 300),
        "scope": _clip(scope, 300),
        "row_count": row_count,
        "detail": _clip(detail, 2000),
    }
    digest = row_hash(head.last_hash, head.last_id, **fields)
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_hash=digest)
        .execution_options(synchronize_session=False)
    )
    session.add(AuditEntry(id=head.last_id, prev_hash=head.last_hash, row_hash=digest, **fields))
