"""Dashboard sign-in: passwords, lockout, sessions (idle and absolute timeouts), password changes, resets.

Every function takes the settings (where the state store is) and an injectable ``clock``. Failures raise an
:class:`AuthError` whose message is fit to show the user as is. Each outcome writes an audit row in the same
transaction; application logs carry usernames at most, never passwords or tokens.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.settings import Settings
from reports.clock import Clock, utc_now
from reports.passwords import (
    burn_verification_time,
    hash_password,
    needs_rehash,
    new_token,
    password_problems,
    token_digest,
    verify_password,
)
from reports.principal import Principal, Role
from reports.state.audit_log import add_audit
from reports.state.db import transaction
from reports.state.models import ResetToken, User, UserSession

log = logging.getLogger(__name__)

INVALID_CREDENTIALS = "Invalid username or password."


@dataclass(frozen=True)
class AuthPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_lifetime: timedelta = timedelta(hours=12)
    reset_token_ttl: timedelta = timedelta(minutes=30)
    timezone: str = "UTC"

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthPolicy:
        return cls(
            # lockout_minutes is read defensively until Settings declares it (default 15 minutes).
            lockout=timedelta(minutes=getattr(settings, "lockout_minutes", 15)),
            idle_timeout=timedelta(minutes=settings.idle_timeout_minutes),
            absolute_lifetime=timedelta(hours=settings.session_lifetime_hours),
            timezone=settings.org_timezone,
        )

    def local_time(self, moment: datetime) -> str:
        local = moment.astimezone(ZoneInfo(self.timezone))
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


class AuthError(Exception):
    """A sign-in or session problem; ``str(error)`` is the message for the user."""


class InvalidCredentials(AuthError):
    def __init__(self) -> None:
        super().__init__(INVALID_CREDENTIALS)


class AccountLocked(AuthError):
    def __init__(self, until: datetime, policy: AuthPolicy) -> None:
        self.until = until
        super().__init__(
            f"This account is locked after {policy.max_failures} failed sign-ins "
            f"until {policy.local_time(until)}. Try again then, or ask an administrator to unlock it."
        )


class AccountDisabled(AuthError):
    def __init__(self) -> None:
        super().__init__("This account is disabled. Ask an administrator if you need access.")


class NoDashboardAccount(AuthError):
    def __init__(self) -> None:
        super().__init__("There is no dashboard account for this Organization ID. Ask an administrator.")


class SessionEnded(AuthError):
    """The session is no longer valid; ``reason`` is idle | expired | signed_out | disabled | ... ."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class PasswordRejected(AuthError):
    pass


class ResetTokenInvalid(AuthError):
    def __init__(self) -> None:
        super().__init__("This reset code is not valid: it may be mistyped, already used or expired.")


@dataclass(frozen=True)
class SignedIn:
    token: str
    principal: Principal
    must_change_password: bool


@dataclass(frozen=True)
class ActiveSession:
    principal: Principal
    must_change_password: bool
    method: str
    started_at: datetime
    last_seen_at: datetime
    #: When the session ends if nothing else happens: the earlier of idle and absolute expiry.
    expires_at: datetime


def normalize_username(username: str) -> str:
    return username.strip().lower()


def principal_of(user: User) -> Principal:
    return Principal(username=user.username, role=Role(user.role), scope=tuple(user.scope or ()))


def _audit(s: Session, now: datetime, user: User | None, actor: str, action: str, **kw) -> None:
    add_audit(s, at=now, actor=actor, actor_role=user.role if user else None, action=action, **kw)


def _open_session(s: Session, user: User, now: datetime, method: str) -> str:
    token = new_token()
    s.add(
        UserSession(
            token_hash=token_digest(token), user_id=user.id, method=method, created_at=now, last_seen_at=now
        )
    )
    user.last_sign_in_at = now
    return token


def end_sessions(s: Session, user_id: int, now: datetime, reason: str, keep_id: int | None = None) -> None:
    stmt = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep_id is not None:
        stmt = stmt.where(UserSession.id != keep_id)
    s.execute(stmt.values(ended_at=now, end_reason=reason))


def sign_in(settings: Settings, username: str, password: str, *, clock: Clock = utc_now) -> SignedIn:
    """Check a username and password; on success open a server-side session and return its token.

    Raises InvalidCredentials (unknown user and wrong password look the same), AccountLocked (the 5th
    consecutive failure locks for ``AuthPolicy.lockout``; attempts while locked are refused without checking
    the password) or AccountDisabled (only once the password was right, so it reveals nothing to a guesser).
    """
    policy = AuthPolicy.from_settings(settings)
    name = normalize_username(username)
    now = clock()
    error: AuthError | None = None
    with transaction(settings) as s:
        user = s.scalar(select(User).where(User.username == name).with_for_update())
        if user is None:
            burn_verification_time(password)
            _audit(s, now, None, name, "sign_in_failed", detail="unknown username")
            error = InvalidCredentials()
        elif user.locked_until is not None and user.locked_until > now:
            _audit(s, now, user, name, "sign_in_refused", detail="account locked")
            error = AccountLocked(user.locked_until, policy)
        else:
            if user.locked_until is not None:  # the lock has run out: a fresh count of failures starts
                user.locked_until, user.failed_attempts = None, 0
            if not verify_password(password, user.password_hash):
                user.failed_attempts += 1
                _audit(
                    s, now, user, name, "sign_in_failed", detail=f"wrong password ({user.failed_attempts})"
                )
                if user.failed_attempts >= policy.max_failures:
                    user.locked_until = now + policy.lockout
                    _audit(
                        s,
                        now,
                        user,
                        name,
                        "lockout",
                        target=name,
                        detail=f"until {user.locked_until:%Y-%m-%dT%H:%MZ}",
                    )
                    log.warning("dashboard account %s locked after %d failures", name, user.failed_attempts)
                    error = AccountLocked(user.locked_until, policy)
                else:
                    error = InvalidCredentials()
            elif user.disabled:
                _audit(s, now, user, name, "sign_in_refused", detail="account disabled")
                error = AccountDisabled()
            else:
                user.failed_attempts = 0
                if needs_rehash(user.password_hash):
                    user.password_hash = hash_password(password)
                token = _open_session(s, user, now, "password")
                _audit(s, now, user, name, "sign_in", detail="password")
                result = SignedIn(token, principal_of(user), user.must_change_password)
    if error is not None:
        log.info("dashboard sign-in refused for %s: %s", name, type(error).__name__)
        raise error
    log.info("dashboard sign-in for %s", name)
    return result


def sign_in_with_organization_id(settings: Settings, email: str, *, clock: Clock = utc_now) -> SignedIn:
    """Open a session for the dashboard user whose e-mail (or username) is the identity provider's e-mail.

    The identity provider authenticated the person, so no one-time password change is asked for; the role and
    scope are the dashboard user's, never taken from the identity token.
    """
    address = normalize_username(email)
    now = clock()
    error: AuthError | None = None
    with transaction(settings) as s:
        user = s.scalar(select(User).where((User.email == address) | (User.username == address)))
        if user is None:
            _audit(
                s, now, None, address, "sign_in_failed", detail="organization id without dashboard account"
            )
            error = NoDashboardAccount()
        elif user.disabled:
            _audit(s, now, user, user.username, "sign_in_refused", detail="account disabled")
            error = AccountDisabled()
        else:
            token = _open_session(s, user, now, "oidc")
            _audit(s, now, user, user.username, "sign_in", detail="organization id")
            result = SignedIn(token, principal_of(user), False)
    if error is not None:
        raise error
    return result


_ENDED_MESSAGES = {
    "signed_out": "You signed out. Please sign in again.",
    "disabled": "This account is disabled. Ask an administrator if you need access.",
    "password_changed": "Your password was changed in another session. Please sign in again.",
    "password_reset": "Your password was reset. Please sign in again.",
}


def _ended(reason: str, policy: AuthPolicy) -> SessionEnded:
    if reason == "idle":
        minutes = int(policy.idle_timeout.total_seconds() // 60)
        return SessionEnded(
            reason, f"You were signed out after {minutes} minutes without activity. Please sign in again."
        )
    if reason == "expired":
        hours = policy.absolute_lifetime.total_seconds() / 3600
        return SessionEnded(reason, f"Your session reached its {hours:g}-hour limit. Please sign in again.")
    return SessionEnded(reason, _ENDED_MESSAGES.get(reason, "Your session has ended. Please sign in again."))


def check_session(settings: Settings, token: str, *, clock: Clock = utc_now) -> ActiveSession:
    """Validate a session token on every rerun, enforcing the absolute lifetime and the idle timeout.

    A valid session's ``last_seen_at`` moves to now; an expired one is ended (with an audit row) and raises
    SessionEnded with the message to show.
    """
    policy = AuthPolicy.from_settings(settings)
    now = clock()
    error: SessionEnded | None = None
    with transaction(settings) as s:
        row = s.scalar(select(UserSession).where(UserSession.token_hash == token_digest(token)))
        user = s.get(User, row.user_id) if row is not None else None
        if row is None or user is None:
            error = _ended("unknown", policy)
        elif row.ended_at is not None:
            error = _ended(row.end_reason or "unknown", policy)
        else:
            reason = None
            if user.disabled:
                reason = "disabled"
            elif now >= row.created_at + policy.absolute_lifetime:
                reason = "expired"
            elif now >= row.last_seen_at + policy.idle_timeout:
                reason = "idle"
            if reason is not None:
                row.ended_at, row.end_reason = now, reason
                _audit(s, now, user, user.username, "session_ended", detail=reason)
                error = _ended(reason, policy)
            else:
                row.last_seen_at = now
                result = ActiveSession(
                    principal=principal_of(user),
                    must_change_password=user.must_change_password and row.method == "password",
                    method=row.method,
                    started_at=row.created_at,
                    last_seen_at=now,
                    expires_at=min(row.created_at + policy.absolute_lifetime, now + policy.idle_timeout),
                )
    if error is not None:
        raise error
    return result


def sign_out(settings: Settings, token: str, *, clock: Clock = utc_now) -> None:
    """End the session (idempotent: signing out of an ended session does nothing)."""
    now = clock()
    with transaction(settings) as s:
        row = s.scalar(select(UserSession).where(UserSession.token_hash == token_digest(token)))
        if row is None or row.ended_at is not None:
            return
        row.ended_at, row.end_reason = now, "signed_out"
        user = s.get(User, row.user_id)
        _audit(s, now, user, user.username, "sign_out")


def change_password(
    settings: Settings, token: str, current_password: str, new_password: str, *, clock: Clock = utc_now
) -> None:
    """The signed-in user replaces their password (a one-time password included); other sessions end."""
    active = check_session(settings, token, clock=clock)
    name = active.principal.username
    now = clock()
    error: AuthError | None = None
    with transaction(settings) as s:
        user = s.scalar(select(User).where(User.username == name).with_for_update())
        row = s.scalar(select(UserSession).where(UserSession.token_hash == token_digest(token)))
        if not verify_password(current_password, user.password_hash):
            _audit(s, now, user, name, "password_change_failed", detail="current password wrong")
            error = PasswordRejected("Your current password is not correct.")
        elif problems := _new_password_problems(new_password, user, current_password):
            error = PasswordRejected(" ".join(problems))
        else:
            user.password_hash = hash_password(new_password)
            user.must_change_password = False
            user.password_changed_at = now
            end_sessions(s, user.id, now, "password_changed", keep_id=row.id)
            _audit(s, now, user, name, "password_change")
    if error is not None:
        raise error
    log.info("dashboard password changed for %s", name)


def _new_password_problems(new_password: str, user: User, old_password: str | None) -> list[str]:
    problems = password_problems(new_password, user.username)
    if old_password is not None and new_password == old_password:
        problems.append("Choose a password different from the current one.")
    return problems


def issue_reset_token(settings: Settings, actor: Principal, username: str, *, clock: Clock = utc_now) -> str:
    """An administrator issues a reset code for ``username``: random, stored hashed, single use, 30 minutes.

    Any earlier unused code of that user stops working. Returns the code (show it once, never store it).
    """
    actor.require(Role.ADMIN)
    policy = AuthPolicy.from_settings(settings)
    name = normalize_username(username)
    now = clock()
    with transaction(settings) as s:
        user = s.scalar(select(User).where(User.username == name))
        if user is None:
            raise LookupError(f"no dashboard user named {name!r}")
        s.execute(
            update(ResetToken)
            .where(ResetToken.user_id == user.id, ResetToken.used_at.is_(None))
            .values(expires_at=now)
        )
        token = new_token()
        s.add(
            ResetToken(
                token_hash=token_digest(token),
                user_id=user.id,
                created_by=actor.username,
                created_at=now,
                expires_at=now + policy.reset_token_ttl,
            )
        )
        add_audit(
            s,
            at=now,
            actor=actor.username,
            actor_role=actor.role.value,
            action="reset_token_issued",
            target=name,
        )
    return token


def reset_password_with_token(
    settings: Settings, token: str, new_password: str, *, clock: Clock = utc_now
) -> str:
    """Set a new password with a reset code; the code is spent, the lock cleared, every session ended.

    Returns the username the code belonged to. Raises ResetTokenInvalid (unknown, used or expired: one
    message) or PasswordRejected.
    """
    now = clock()
    error: AuthError | None = None
    with transaction(settings) as s:
        row = s.scalar(
            select(ResetToken).where(ResetToken.token_hash == token_digest(token.strip())).with_for_update()
        )
        if row is None or row.used_at is not None or now >= row.expires_at:
            add_audit(s, at=now, actor="(reset code)", actor_role=None, action="password_reset_failed")
            error = ResetTokenInvalid()
        else:
            user = s.get(User, row.user_id)
            if problems := _new_password_problems(new_password, user, None):
                error = PasswordRejected(" ".join(problems))
            else:
                row.used_at = now
                user.password_hash = hash_password(new_password)
                user.must_change_password = False
                user.password_changed_at = now
                user.failed_attempts, user.locked_until = 0, None
                end_sessions(s, user.id, now, "password_reset")
                _audit(s, now, user, user.username, "password_reset", detail="reset code")
                name = user.username
    if error is not None:
        raise error
    return name
