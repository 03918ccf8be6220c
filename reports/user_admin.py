"""Managing dashboard users (administrators and the CLI): add, list, reset, unlock, disable, enable.

New and reset accounts get a random one-time password that is returned once and must be changed at first
sign-in; only its argon2id hash is stored. Every action is audited under the acting principal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.settings import Settings
from reports.auth import AuthPolicy, end_sessions, normalize_username, one_time_password_expires_at
from reports.clock import Clock, utc_now
from reports.passwords import hash_password, new_one_time_password, password_problems
from reports.principal import Principal, Role
from reports.snapshot import NoSnapshotError, open_snapshot
from reports.state.audit_log import add_audit
from reports.state.db import transaction
from reports.state.models import User

#: Roles whose rows are limited to a scope value, and what that value is.
SCOPE_MEANING = {
    Role.STAFF: "person_id",
    Role.EDUCATION_MANAGER: "department(s), comma-separated",
    Role.EMPLOYER: "employer_id",
    Role.MEMBER: "member_id",
    Role.PROVIDER: "NPI",
}
#: Where each scoped role's values live in the published snapshot: (mart, column), any of them will do.
SCOPE_SOURCES = {
    Role.STAFF: (("learning_people", "person_id"),),
    Role.EDUCATION_MANAGER: (("learning_people", "department"),),
    Role.EMPLOYER: (("employer_enrollment", "employer_id"),),
    Role.MEMBER: (("employer_enrollment", "member_id"), ("claim_cost_share", "member_id")),
    Role.PROVIDER: (("claim_cost_share", "provider_npi"),),
}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,149}$")

#: The actor recorded for changes made from the command line.
CLI_ADMIN = Principal(username="cli", role=Role.ADMIN)


class UserAdminError(ValueError):
    """A user-management request that cannot be done (the message says why)."""


@dataclass(frozen=True)
class UserSummary:
    username: str
    role: Role
    scope: tuple[str, ...]
    email: str | None
    disabled: bool
    locked_until: datetime | None
    failed_attempts: int
    must_change_password: bool
    created_at: datetime
    last_sign_in_at: datetime | None
    #: When the one-time password stops working (None once the user chose their own password).
    one_time_password_expires_at: datetime | None = None

    def status(self, now: datetime) -> str:
        if self.disabled:
            return "disabled"
        if self.locked_until is not None and self.locked_until > now:
            return "locked"
        if self.one_time_password_expires_at is not None and now >= self.one_time_password_expires_at:
            return "one-time password expired"
        if self.must_change_password:
            return "must change password"
        return "active"


def parse_scope(role: Role, scope: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """A role's scope values, checked: scoped roles need one (departments may be several), others none."""
    values = scope.split(",") if isinstance(scope, str) else list(scope or ())
    values = tuple(v.strip() for v in values if v and v.strip())
    if role in SCOPE_MEANING:
        if not values:
            raise UserAdminError(f"role {role.value} needs a scope: its {SCOPE_MEANING[role]}")
        if role is not Role.EDUCATION_MANAGER and len(values) > 1:
            raise UserAdminError(
                f"role {role.value} takes exactly one scope value (its {SCOPE_MEANING[role]})"
            )
    elif values:
        raise UserAdminError(f"role {role.value} sees everything in its area and takes no scope")
    return values


def check_scope_published(settings: Settings, role: Role, values: tuple[str, ...]) -> None:
    """Refuse scope values that the published data does not know (a typo would give the user an empty page).

    Raises UserAdminError naming the unknown values and where they were looked for; with nothing published yet
    a scoped user cannot be checked, so it is refused too.
    """
    sources = SCOPE_SOURCES.get(role)
    if not sources or not values:
        return
    meaning = SCOPE_MEANING[role]
    try:
        with open_snapshot(settings) as conn:
            present = {
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
                ).fetchall()
            }
            found: set[str] = set()
            for table, column in sources:
                if table in present:
                    placeholders = ", ".join("?" for _ in values)
                    found.update(
                        str(r[0])
                        for r in conn.execute(
                            f'SELECT DISTINCT "{column}" FROM marts.{table} WHERE "{column}" IN '
                            f"({placeholders})",
                            list(values),
                        ).fetchall()
                    )
    except NoSnapshotError:
        raise UserAdminError(
            f"nothing is published yet, so the {meaning} {', '.join(values)} cannot be checked: "
            "run `portalytics materialize` first"
        ) from None
    missing = [v for v in values if v not in found]
    if missing:
        where = " or ".join(f"marts.{t}.{c}" for t, c in sources)
        raise UserAdminError(
            f"scope {', '.join(missing)} is not in the published data (no such {meaning} in {where}); "
            "check the value"
        )


def parse_role(role: str | Role) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise UserAdminError(f"unknown role {role!r}; use one of: {allowed}") from None


def _find(s: Session, username: str) -> User:
    name = normalize_username(username)
    user = s.scalar(select(User).where(User.username == name))
    if user is None:
        raise UserAdminError(f"no dashboard user named {name!r}")
    return user


def _audit(s: Session, actor: Principal, now: datetime, action: str, target: str, **kw) -> None:
    add_audit(
        s, at=now, actor=actor.username, actor_role=actor.role.value, action=action, target=target, **kw
    )


def create_user(
    settings: Settings,
    actor: Principal,
    username: str,
    role: str | Role,
    scope: str | tuple[str, ...] | list[str] | None = None,
    *,
    email: str | None = None,
    password: str | None = None,
    must_change_password: bool = True,
    check_scope: bool = False,
    clock: Clock = utc_now,
) -> str:
    """Create a user; returns its one-time password (or ``password`` when given, e.g. for demo accounts).

    ``check_scope``: refuse scope values the published data does not know (the CLI and the admin page do).
    """
    actor.require(Role.ADMIN)
    name = normalize_username(username)
    if not _USERNAME.match(name):
        raise UserAdminError(
            "a username is 1-150 characters: letters, digits and . _ @ + - (starting with a letter or digit)"
        )
    role = parse_role(role)
    values = parse_scope(role, scope)
    if check_scope:
        check_scope_published(settings, role, values)
    address = normalize_username(email) if email and email.strip() else None
    if password is not None and (problems := password_problems(password, name, names=[address])):
        raise UserAdminError(" ".join(problems))
    secret = password if password is not None else new_one_time_password()
    now = clock()
    with transaction(settings) as s:
        if s.scalar(select(User.id).where(User.username == name)) is not None:
            raise UserAdminError(f"a dashboard user named {name!r} already exists")
        if address and s.scalar(select(User.id).where(User.email == address)) is not None:
            raise UserAdminError("another dashboard user already has this e-mail")
        s.add(
            User(
                username=name,
                role=role.value,
                scope=list(values),
                email=address,
                password_hash=hash_password(secret),
                must_change_password=must_change_password,
                failed_attempts=0,
                disabled=False,
                created_at=now,
                # a one-time password's 72 hours count from here
                password_changed_at=now,
            )
        )
        _audit(s, actor, now, "user_add", name, scope=",".join(values) or None, detail=f"role {role.value}")
    return secret


def list_users(settings: Settings, actor: Principal) -> list[UserSummary]:
    actor.require(Role.ADMIN)
    policy = AuthPolicy.from_settings(settings)
    with transaction(settings) as s:
        users = s.scalars(select(User).order_by(User.username)).all()
        return [
            UserSummary(
                username=u.username,
                role=Role(u.role),
                scope=tuple(u.scope or ()),
                email=u.email,
                disabled=u.disabled,
                locked_until=u.locked_until,
                failed_attempts=u.failed_attempts,
                must_change_password=u.must_change_password,
                created_at=u.created_at,
                last_sign_in_at=u.last_sign_in_at,
                one_time_password_expires_at=one_time_password_expires_at(u, policy),
            )
            for u in users
        ]


def reset_with_one_time_password(
    settings: Settings, actor: Principal, username: str, *, clock: Clock = utc_now
) -> str:
    """Give the user a new one-time password (returned once), clear any lock and end their sessions."""
    actor.require(Role.ADMIN)
    secret = new_one_time_password()
    now = clock()
    with transaction(settings) as s:
        user = _find(s, username)
        user.password_hash = hash_password(secret)
        user.must_change_password = True
        user.password_changed_at = now  # the new one-time password's hours start now
        user.failed_attempts, user.locked_until = 0, None
        end_sessions(s, user.id, now, "password_reset")
        _audit(s, actor, now, "user_reset", user.username)
    return secret


def unlock_user(settings: Settings, actor: Principal, username: str, *, clock: Clock = utc_now) -> None:
    actor.require(Role.ADMIN)
    now = clock()
    with transaction(settings) as s:
        user = _find(s, username)
        user.failed_attempts, user.locked_until = 0, None
        _audit(s, actor, now, "user_unlock", user.username)


def set_disabled(
    settings: Settings, actor: Principal, username: str, disabled: bool, *, clock: Clock = utc_now
) -> None:
    """Disable (ending every session at once) or re-enable a user; admins cannot disable themselves."""
    actor.require(Role.ADMIN)
    now = clock()
    with transaction(settings) as s:
        user = _find(s, username)
        if disabled and user.username == actor.username:
            raise UserAdminError("you cannot disable your own account")
        user.disabled = disabled
        if disabled:
            end_sessions(s, user.id, now, "disabled")
        _audit(s, actor, now, "user_disable" if disabled else "user_enable", user.username)
