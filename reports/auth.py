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

from sqlalchemy import and_, case, literal, select, update
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
from reports.state.models import ResetToken, User, UserSession, UtcDateTime

log = logging.getLogger(__name__)

INVALID_CREDENTIALS = "Invalid username or password."


@dataclass(frozen=True)
class AuthPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_lifetime: timedelta = timedelta(hours=12)
    reset_token_ttl: timedelta = timedelta(minutes=30)
    one_time_password_ttl: timedelta = timedelta(hours=72)
    timezone: str = "UTC"

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthPolicy:
        return cls(
            lockout=timedelta(minutes=settings.lockout_minutes),
            idle_timeout=timedelta(minutes=settings.idle_timeout_minutes),
            absolute_lifetime=timedelta(hours=settings.session_lifetime_hours),
            one_time_password_ttl=timedelta(hours=settings.one_time_password_hours),
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


class AccountLocked(InvalidCredentials):
    """Refused because the account is locked. The sign-in form says exactly what it says to a wrong password
    or an unknown username (a different message would tell a guesser which usernames exist); the lock is in
    the audit log and on the admin's Users page, and ``lock_message`` is there for an administrator."""

    def __init__(self, until: datetime, policy: AuthPolicy) -> None:
        self.until = until
        self.lock_message = (
            f"This account is locked after {policy.max_failures} failed sign-ins "
            f"until {policy.local_time(until)}."
        )
        super().__init__()


class AccountDisabled(AuthError):
    def __init__(self) -> None:
        super().__init__("This account is disabled. Ask an administrator if you need access.")


class NoDashboardAccount(AuthError):
    def __init__(self) -> None:
        super().__init__("There is no dashboard account for this Organization ID. Ask an administrator.")


class EmailNotVerified(AuthError):
    def __init__(self) -> None:
        super().__init__(
            "Your Organization ID did not confirm that this e-mail address is verified, so it cannot sign "
            "you "
            "in here. Ask your identity administrator, or sign in with your dashboard password."
        )


class OneTimePasswordExpired(AuthError):
    def __init__(self, policy: AuthPolicy) -> None:
        hours = policy.one_time_password_ttl.total_seconds() / 3600
        super().__init__(
            f"Your one-time password has expired (one-time passwords work for {hours:g} hours). "
            "Ask an administrator for a new one."
        )


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


class DownloadRefused(AuthError):
    """A download pressed on a page whose session has since ended or whose principal changed."""


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


def one_time_password_expires_at(user: User, policy: AuthPolicy) -> datetime | None:
    """When the user's one-time password stops working (None once they chose their own password)."""
    if not user.must_change_password:
        return None
    return (user.password_changed_at or user.created_at) + policy.one_time_password_ttl


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

    Raises InvalidCredentials for an unknown user, a wrong password and a locked account alike (AccountLocked
    is its subclass: one message, so accounts cannot be enumerated); AccountDisabled and
    OneTimePasswordExpired only once the password was right, so they reveal nothing to a guesser.

    Every refused attempt on an account is counted by one atomic ``UPDATE ... SET failed_attempts =
    failed_attempts + 1 ... RETURNING`` (no read-then-write), so parallel guesses are all counted; the attempt
    that reaches ``max_failures`` sets the lock in the same statement. Attempts while locked are counted too
    and refused without checking the password. The password is verified outside any transaction: argon2
    takes tens of milliseconds and must not hold the state store's write lock.
    """
    policy = AuthPolicy.from_settings(settings)
    name = normalize_username(username)
    now = clock()
    with transaction(settings) as s:
        user = s.scalar(select(User).where(User.username == name))
    if user is None:
        burn_verification_time(password)
        with transaction(settings) as s:
            _audit(s, now, None, name, "sign_in_failed", detail="unknown username")
        log.info("dashboard sign-in refused for %s: unknown username", name)
        raise InvalidCredentials()
    was_locked = user.locked_until is not None and user.locked_until > now
    if was_locked:
        burn_verification_time(password)  # a locked account answers as slowly as a wrong password
        right = False
    else:
        right = verify_password(password, user.password_hash)
    error: AuthError | None = None
    with transaction(settings) as s:
        if not right:
            count, locked_until = _count_failure(s, user.id, now, policy)
            if was_locked:
                _audit(s, now, user, name, "sign_in_refused", detail=f"account locked ({count})")
            else:
                _audit(s, now, user, name, "sign_in_failed", detail=f"wrong password ({count})")
            if locked_until is not None and locked_until > now:
                # counts are handed out one by one, so exactly one attempt reaches max_failures: it locked
                if count == policy.max_failures:
                    _audit(
                        s,
                        now,
                        user,
                        name,
                        "lockout",
                        target=name,
                        detail=f"until {policy.local_time(locked_until)}",  # as the audit log page
                    )
                    log.warning("dashboard account %s locked after %d failures", name, count)
                error = AccountLocked(locked_until, policy)
            else:
                error = InvalidCredentials()
        else:
            user = s.get(User, user.id)
            if user.disabled:
                _audit(s, now, user, name, "sign_in_refused", detail="account disabled")
                error = AccountDisabled()
            elif not _clear_failures_unless_locked(s, user.id, now):
                # parallel wrong guesses locked the account while this password was being checked
                _audit(s, now, user, name, "sign_in_refused", detail="account locked")
                error = AccountLocked(s.scalar(select(User.locked_until).where(User.id == user.id)), policy)
            elif (expires := one_time_password_expires_at(user, policy)) is not None and now >= expires:
                _audit(s, now, user, name, "sign_in_refused", detail="one-time password expired")
                error = OneTimePasswordExpired(policy)
            else:
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


def _count_failure(
    s: Session, user_id: int, now: datetime, policy: AuthPolicy
) -> tuple[int, datetime | None]:
    """Count one refused attempt atomically; the new (failed_attempts, locked_until).

    A lock that has run out starts a fresh count; reaching ``max_failures`` locks until now + lockout; a lock
    still running is kept (not extended). SET expressions read the row's values before the update, on SQLite
    and PostgreSQL alike.
    """
    lock_over = and_(User.locked_until.is_not(None), User.locked_until <= now)
    lock_running = and_(User.locked_until.is_not(None), User.locked_until > now)
    count = case((lock_over, 1), else_=User.failed_attempts + 1)
    until = literal(now + policy.lockout, UtcDateTime())
    locked_until = case((lock_running, User.locked_until), (count >= policy.max_failures, until), else_=None)
    row = s.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_attempts=count, locked_until=locked_until)
        .returning(User.failed_attempts, User.locked_until)
        .execution_options(synchronize_session=False)
    ).one()
    return row.failed_attempts, row.locked_until


def _clear_failures_unless_locked(s: Session, user_id: int, now: datetime) -> bool:
    """After a right password: reset the count, unless a lock is running (checked in the same statement)."""
    cleared = s.execute(
        update(User)
        .where(User.id == user_id, (User.locked_until.is_(None)) | (User.locked_until <= now))
        .values(failed_attempts=0, locked_until=None)
        .returning(User.id)
        .execution_options(synchronize_session=False)
    ).first()
    return cleared is not None


def sign_in_with_organization_id(
    settings: Settings, email: str, *, email_verified: bool, clock: Clock = utc_now
) -> SignedIn:
    """Open a session for the dashboard user whose Organization ID e-mail is the identity provider's e-mail.

    Only a verified e-mail claim counts (``email_verified`` must be true: otherwise anyone able to set an
    unverified address at the provider could take over the account with that address), and it is matched
    against the users' Organization ID e-mail only, never against usernames. The identity provider
    authenticated the person, so no one-time password change is asked for; the role and scope are the
    dashboard user's, never taken from the identity token.
    """
    address = normalize_username(email)
    now = clock()
    error: AuthError | None = None
    with transaction(settings) as s:
        user = None if email_verified is not True else s.scalar(select(User).where(User.email == address))
        if email_verified is not True:
            _audit(s, now, None, address, "sign_in_refused", detail="organization id e-mail not verified")
            error = EmailNotVerified()
        elif user is None:
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


def session_is_open(settings: Settings, token: str, *, clock: Clock = utc_now) -> bool:
    """Whether the session is still alive, without counting as activity or ending it (the cookie route asks
    before clearing a browser's cookie: only a cookie of an ended session is cleared)."""
    policy = AuthPolicy.from_settings(settings)
    now = clock()
    with transaction(settings) as s:
        row = s.scalar(select(UserSession).where(UserSession.token_hash == token_digest(token)))
        user = s.get(User, row.user_id) if row is not None else None
        return (
            user is not None
            and row.ended_at is None
            and not user.disabled
            and now < row.created_at + policy.absolute_lifetime
            and now < row.last_seen_at + policy.idle_timeout
        )


def recheck_for_download(
    settings: Settings, token: str, drawn_for: Principal, target: str, *, clock: Clock = utc_now
) -> Principal:
    """Re-validate a session when a download button is pressed (not when the page was drawn).

    Streamlit builds a deferred download off the page's thread, without rerunning the app, so without this a
    user signed out by the idle timeout, the absolute lifetime or an administrator (disabled), or whose role
    or scope changed, could still download what the old page offered. A refusal is audited as
    ``export_refused`` (the export itself is audited by whoever builds the file).
    """
    now = clock()
    try:
        active = check_session(settings, token, clock=clock)
    except SessionEnded as exc:
        _refuse_download(settings, now, drawn_for, target, f"session ended: {exc.reason}")
        raise DownloadRefused(str(exc)) from None
    if active.principal != drawn_for:
        _refuse_download(settings, now, drawn_for, target, "role or scope changed since the page was drawn")
        raise DownloadRefused("Your access changed since this page was shown. Reload the page.")
    return active.principal


def _refuse_download(settings: Settings, now: datetime, who: Principal, target: str, detail: str) -> None:
    with transaction(settings) as s:
        add_audit(
            s,
            at=now,
            actor=who.username,
            actor_role=who.role.value,
            action="export_refused",
            target=target,
            scope=",".join(who.scope) or None,
            detail=detail,
        )
    log.info("dashboard download refused for %s: %s", who.username, detail)


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
    """The signed-in user replaces their password (a one-time password included); other sessions end.

    The new hash replaces the old one only if the old one is still in place (compare-and-swap in one UPDATE),
    so a one-time password is redeemed exactly once even by parallel requests.
    """
    active = check_session(settings, token, clock=clock)
    policy = AuthPolicy.from_settings(settings)
    name = active.principal.username
    now = clock()
    with transaction(settings) as s:
        user = s.scalar(select(User).where(User.username == name))
        row = s.scalar(select(UserSession).where(UserSession.token_hash == token_digest(token)))
    error: AuthError | None = None
    new_hash = None
    expires = one_time_password_expires_at(user, policy)
    if expires is not None and now >= expires:
        error, detail = OneTimePasswordExpired(policy), "one-time password expired"
    elif not verify_password(current_password, user.password_hash):
        error, detail = PasswordRejected("Your current password is not correct."), "current password wrong"
    elif problems := _new_password_problems(new_password, user, current_password):
        error, detail = PasswordRejected(" ".join(problems)), None
    else:
        new_hash = hash_password(new_password)
    with transaction(settings) as s:
        if new_hash is not None:
            swapped = s.execute(
                update(User)
                .where(User.id == user.id, User.password_hash == user.password_hash)
                .values(password_hash=new_hash, must_change_password=False, password_changed_at=now)
                .returning(User.id)
                .execution_options(synchronize_session=False)
            ).first()
            if swapped is None:
                error, detail = (
                    PasswordRejected("Your password was changed meanwhile (in another tab?). Sign in again."),
                    "password changed concurrently",
                )
            else:
                end_sessions(s, user.id, now, "password_changed", keep_id=row.id)
                _audit(s, now, user, name, "password_change")
        if error is not None and detail is not None:
            _audit(s, now, user, name, "password_change_failed", detail=detail)
    if error is not None:
        raise error
    log.info("dashboard password changed for %s", name)


def _new_password_problems(new_password: str, user: User, old_password: str | None) -> list[str]:
    problems = password_problems(new_password, user.username, names=[user.email])
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
    message) or PasswordRejected (the code stays usable). The code is claimed by one conditional UPDATE
    (``used_at IS NULL AND expires_at > now``), so parallel redemptions succeed exactly once.
    """
    now = clock()
    with transaction(settings) as s:
        row = s.scalar(select(ResetToken).where(ResetToken.token_hash == token_digest(token.strip())))
        user = s.get(User, row.user_id) if row is not None else None
    if row is None or row.used_at is not None or now >= row.expires_at:
        _refuse_reset(settings, now)
    if problems := _new_password_problems(new_password, user, None):
        raise PasswordRejected(" ".join(problems))
    new_hash = hash_password(new_password)
    with transaction(settings) as s:
        claimed = s.execute(
            update(ResetToken)
            .where(ResetToken.id == row.id, ResetToken.used_at.is_(None), ResetToken.expires_at > now)
            .values(used_at=now)
            .returning(ResetToken.id)
            .execution_options(synchronize_session=False)
        ).first()
        if claimed is not None:
            s.execute(
                update(User)
                .where(User.id == user.id)
                .values(
                    password_hash=new_hash,
                    must_change_password=False,
                    password_changed_at=now,
                    failed_attempts=0,
                    locked_until=None,
                )
                .execution_options(synchronize_session=False)
            )
            end_sessions(s, user.id, now, "password_reset")
            _audit(s, now, user, user.username, "password_reset", detail="reset code")
    if claimed is None:
        _refuse_reset(settings, now)
    return user.username


def _refuse_reset(settings: Settings, now: datetime) -> None:
    with transaction(settings) as s:
        add_audit(s, at=now, actor="(reset code)", actor_role=None, action="password_reset_failed")
    raise ResetTokenInvalid()
