"""The audit log as a hash chain, append-only in the store.

Each row carries ``prev_hash`` (the previous row's hash) and ``row_hash`` = SHA-256 of ``prev_hash`` and the
row's own fields, so changing, inserting or deleting a row breaks every hash after it; ``audit_chain_head``
holds the newest id and hash, so cutting off the newest rows is noticed too. On SQLite, triggers refuse UPDATE
and DELETE of audit rows (docs/operations.md has the PostgreSQL equivalent). Whoever can drop the triggers can
also rewrite the whole chain: the chain makes tampering evident to ``portalytics audit verify`` with the head
kept elsewhere (e.g. the last verified hash printed into the operator's log), it does not make it impossible.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from reports.state.models import AuditChainHead, AuditEntry

GENESIS = "0" * 64
HEAD_ID = 1

_SQLITE_GUARDS = (
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be changed'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_chain_head_forward BEFORE UPDATE ON audit_chain_head
       WHEN NEW.last_id < OLD.last_id
       BEGIN SELECT RAISE(ABORT, 'audit_chain_head only moves forward'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
       BEGIN SELECT RAISE(ABORT, 'audit_chain_head cannot be deleted'); END""",
)


def row_hash(
    prev_hash: str,
    entry_id: int,
    at: datetime,
    actor: str,
    actor_role: str | None,
    action: str,
    target: str | None,
    scope: str | None,
    row_count: int | None,
    detail: str | None,
) -> str:
    """SHA-256 of the previous hash and the row's fields, as canonical JSON (one value per field)."""
    moment = at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [prev_hash, entry_id, moment, actor, actor_role, action, target, scope, row_count, detail]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def hash_of(entry: AuditEntry, prev_hash: str) -> str:
    return row_hash(
        prev_hash,
        entry.id,
        entry.at,
        entry.actor,
        entry.actor_role,
        entry.action,
        entry.target,
        entry.scope,
        entry.row_count,
        entry.detail,
    )


def prepare(engine: Engine) -> None:
    """Bring a store up to the chain: add the hash columns to an older audit_log, chain its existing rows
    (oldest first), write the head row and, on SQLite, install the append-only triggers. Idempotent."""
    columns = {c["name"] for c in inspect(engine).get_columns("audit_log")}
    with engine.begin() as conn:
        for column in ("prev_hash", "row_hash"):
            if column not in columns:
                conn.execute(text(f"ALTER TABLE audit_log ADD COLUMN {column} VARCHAR(64)"))
    with engine.begin() as conn:
        if conn.scalar(select(AuditChainHead.id).where(AuditChainHead.id == HEAD_ID)) is None:
            _chain_existing_rows(conn)
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            for ddl in _SQLITE_GUARDS:
                conn.execute(text(ddl))


def _chain_existing_rows(conn: Connection) -> None:
    """Rows written before the chain existed get their hashes now, in id order (runs before the triggers)."""
    prev, last_id = GENESIS, 0
    for entry in conn.execute(select(AuditEntry).order_by(AuditEntry.id)).all():
        digest = hash_of(entry, prev)
        conn.execute(
            update(AuditEntry).where(AuditEntry.id == entry.id).values(prev_hash=prev, row_hash=digest)
        )
        prev, last_id = digest, entry.id
    try:
        with conn.begin_nested():
            conn.execute(
                AuditChainHead.__table__.insert().values(id=HEAD_ID, last_id=last_id, last_hash=prev)
            )
    except IntegrityError:  # another process prepared the same store at the same moment: same result
        pass


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    #: The id of the first row that fails (or the last good id when rows after it are missing); None if
    #: intact.
    first_bad_id: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(engine: Engine) -> ChainReport:
    """Walk the chain from the first row; the first row whose links or contents do not hold, and why."""
    prev, expected_id, checked = GENESIS, None, 0
    with engine.connect() as conn:
        head = conn.execute(select(AuditChainHead).where(AuditChainHead.id == HEAD_ID)).first()
        rows = conn.execution_options(yield_per=5_000).execute(select(AuditEntry).order_by(AuditEntry.id))
        for entry in rows:
            if expected_id is not None and entry.id != expected_id:
                return ChainReport(
                    checked,
                    entry.id,
                    f"rows {expected_id} to {entry.id - 1} before row {entry.id} are missing",
                )
            if entry.prev_hash != prev:
                return ChainReport(
                    checked,
                    entry.id,
                    f"row {entry.id} does not follow from the row before it (that row was changed or "
                    "removed)",
                )
            if entry.row_hash != hash_of(entry, prev):
                return ChainReport(checked, entry.id, f"row {entry.id} was changed after it was written")
            prev, expected_id, checked = entry.row_hash, entry.id + 1, checked + 1
    last_id = (expected_id or 1) - 1
    if head is None:
        return ChainReport(checked, None, "the chain head (audit_chain_head) is missing")
    if head.last_id != last_id or head.last_hash != prev:
        return ChainReport(
            checked,
            last_id + 1,
            f"the newest rows are missing: the log ends at row {last_id}, the chain head records row "
            f"{head.last_id}",
        )
    return ChainReport(checked)
