"""Writing an audit row inside the caller's transaction, so the action and its audit row commit together.

The row is linked into the hash chain (reports.state.audit_chain): the chain head is updated first, which
takes the store's write lock (SQLite) or the head row's lock (PostgreSQL) until the transaction ends, so
concurrent writers line up and every row follows from exactly one predecessor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
    add_audits(
        session,
        at=at,
        actor=actor,
        actor_role=actor_role,
        action=action,
        rows=[AuditRow(target, scope, row_count, detail)],
    )


@dataclass(frozen=True)
class AuditRow:
    """What differs between the rows of one :func:`add_audits` call."""

    target: str | None = None
    scope: str | None = None
    row_count: int | None = None
    detail: str | None = None


def add_audits(
    session: Session,
    *,
    at: datetime,
    actor: str,
    actor_role: str | None,
    action: str,
    rows: Sequence[AuditRow],
) -> None:
    """One audit row per ``rows`` item, chained in that order: the same rows and hashes as one
    :func:`add_audit` each, with the chain head read and written once for all of them (a batch of reminders
    is one statement pair, not two per message)."""
    if not rows:
        return
    head = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_id=AuditChainHead.last_id + len(rows))
        .returning(AuditChainHead.last_id, AuditChainHead.last_hash)
        .execution_options(synchronize_session=False)
    ).one()
    row_id, prev = head.last_id - len(rows), head.last_hash
    entries = []
    for row in rows:
        row_id += 1
        fields = {
            "at": at,
            "actor": _clip(actor, 150),
            "actor_role": actor_role,
            "action": action,
            "target": _clip(row.target, 300),
            "scope": _clip(row.scope, 300),
            "row_count": row.row_count,
            "detail": _clip(row.detail, 2000),
        }
        digest = row_hash(prev, row_id, **fields)
        entries.append(AuditEntry(id=row_id, prev_hash=prev, row_hash=digest, **fields))
        prev = digest
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_hash=prev)
        .execution_options(synchronize_session=False)
    )
    session.add_all(entries)
