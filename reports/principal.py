"""Who is asking: every read function in ``reports`` takes a :class:`Principal` and returns only its rows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    STAFF = "staff"  # scope: their person_id
    EDUCATION_MANAGER = "education_manager"  # scope: their department(s)
    CE_TEAM = "ce_team"  # scope: all CE accounts (no scope value)
    EMPLOYER = "employer"  # scope: one employer_id
    MEMBER = "member"  # scope: their member_id (a subscriber also sees the family)
    PROVIDER = "provider"  # scope: their NPI
    ADMIN = "admin"  # security / admin: everything, plus dashboard users
    SUPPORT = "support"  # help desk: one person across the portals (Person page), never claim lines; no scope


class NotPermitted(PermissionError):
    """A principal asked for something outside its role or scope."""


@dataclass(frozen=True)
class Principal:
    username: str
    role: Role
    scope: tuple[str, ...] = ()

    @property
    def scope_value(self) -> str | None:
        return self.scope[0] if self.scope else None

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise NotPermitted(f"role {self.role} may not do this")
