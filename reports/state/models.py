"""Tables of the dashboard's own state: users, sessions, reset tokens, audit log, CE merge decisions, adult
dependents' access grants.

Every timestamp is stored in UTC and read back as an aware UTC datetime on every backend (SQLite keeps no
zone).
Secrets are never stored: passwords as argon2id hashes, session and reset tokens as SHA-256 digests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, whatever the backend does with zones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    #: person_id, department(s), employer_id, member_id or NPI, as a JSON list (empty for ce_team/admin).
    scope: Mapped[list] = mapped_column(JSON, default=list)
    #: The Organization ID e-mail that signs this user in through OIDC (optional).
    email: Mapped[str | None] = mapped_column(String(320), unique=True, nullable=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class UserSession(Base):
    """A signed-in browser session, checked on every rerun (idle timeout and absolute lifetime)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16), default="password")  # password | oidc
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    #: signed_out | idle | expired | disabled | password_changed | password_reset
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ResetToken(Base):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class AuditEntry(Base):
    """Who did what, when, over which scope and how many rows. Never passwords, tokens or record contents."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"), Index("ix_audit_log_actor", "actor"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(150))
    actor_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str | None] = mapped_column(String(300), nullable=True)
    scope: Mapped[str | None] = mapped_column(String(300), nullable=True)
    row_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Hash chain (reports.state.audit_chain): the previous row's ``row_hash`` and this row's own hash.
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    row_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditChainHead(Base):
    """One row: the id and hash of the newest audit row. Writers update it first, which serialises them (the
    chain never forks) and lets ``audit verify`` notice the newest rows being cut off."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class MergeDecision(Base):
    """A CE team decision on a likely-duplicate cluster or pair; the pipeline applies the ones not undone."""

    __tablename__ = "ce_merge_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(16))  # merge | keep_separate | undo
    decided_by: Mapped[str] = mapped_column(String(150))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text)
    cluster_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    account_id_l: Mapped[str | None] = mapped_column(String(64), nullable=True)
    account_id_r: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: merge: the account that survives (the organisation account); the others' credits move to it.
    survivor_account_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: JSON list of the accounts merged into the survivor (empty for keep_separate / undo).
    merged_account_ids: Mapped[list] = mapped_column(JSON, default=list)
    #: undo: the decision it reverses.
    undoes_decision_id: Mapped[int | None] = mapped_column(ForeignKey("ce_merge_decisions.id"), nullable=True)


class IssuedCredential(Base):
    """A transcript issued as a verifiable credential: its bit in the revocation status list, and whether an
    admin revoked it. The credential itself is not kept (it holds the person's transcript)."""

    __tablename__ = "issued_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(100), unique=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    #: The credential's index in the published BitstringStatusList (unique, chosen at random).
    status_index: Mapped[int] = mapped_column(Integer, unique=True)
    item_count: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(150))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(150), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class PlanAccessGrant(Base):
    """An adult dependent's grant letting their subscriber see their claim lines
    (domain.health_plan.member_privacy).

    A grant is never deleted: revoking it stamps ``revoked_at``, and granting again adds a new row, so who
    could see what, and when, stays on record.
    """

    __tablename__ = "plan_access_grants"
    __table_args__ = (Index("ix_plan_access_grants_subscriber", "subscriber_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The dependent who grants (member_id) and the subscriber who may then see their claims.
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    subscriber_id: Mapped[str] = mapped_column(String(64))
    granted_by: Mapped[str] = mapped_column(String(150))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(150), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ReminderSent(Base):
    """A compliance reminder that went out (``reports.learning.reminders``): at most one per key and delivery.

    ``delivery`` is ``smtp`` or ``outbox`` (a dry run's .eml file), so a dry run never stops the real e-mail.
    """

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint(
            "person_id", "requirement_id", "due_date", "kind", "delivery", name="uq_reminder_key"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64))
    requirement_id: Mapped[str] = mapped_column(String(64))
    due_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    delivery: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
