"""Revocation of transcript credentials: the register in the state store and the published status list.

Each issued credential gets a random unused bit of one W3C Bitstring Status List (purpose ``revocation``,
131,072 bits, so the list says nothing about how many were issued). Revoking sets ``revoked_at`` in the state
store (audited, admins only) and republishes the list, signed with the issuer's key, as
``<data dir>/published/credential-status.jwt``; ``credential verify`` reads that file.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime

from openbadgeslib.ob3 import build_status_list_credential, sign_status_list_credential, status_entry
from openbadgeslib.ob3.status_list import DEFAULT_SIZE_BITS
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.settings import Settings
from reports.clock import Clock, utc_now
from reports.credentials.keys import ALGORITHM, issuer_key
from reports.credentials.published import STATUS_FILE, status_list_url
from reports.principal import Principal, Role
from reports.state.audit_log import add_audit
from reports.state.db import transaction
from reports.state.models import IssuedCredential

PURPOSE = "revocation"


class CredentialNotFound(LookupError):
    """No credential with that id was issued here."""


@dataclass(frozen=True)
class IssuedRow:
    credential_id: str
    person_id: str
    item_count: int
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None
    revoked_by: str | None
    revocation_reason: str | None


def status_entry_for(settings: Settings, index: int) -> dict:
    return status_entry(status_list_url(settings), PURPOSE, index)


def register(
    settings: Settings,
    principal: Principal,
    credential_id: str,
    person_id: str,
    item_count: int,
    now: datetime,
) -> int:
    """Record a credential about to be issued (audited) and return its status-list index."""
    for _attempt in range(5):
        try:
            return _register_once(settings, principal, credential_id, person_id, item_count, now)
        except IntegrityError:  # another issue took the same random index in the meantime: draw again
            continue
    raise RuntimeError("could not reserve a status-list index; try again")


def _register_once(
    settings: Settings,
    principal: Principal,
    credential_id: str,
    person_id: str,
    item_count: int,
    now: datetime,
) -> int:
    with transaction(settings) as s:
        used = set(s.scalars(select(IssuedCredential.status_index)))
        if len(used) >= DEFAULT_SIZE_BITS:
            raise RuntimeError("the revocation status list is full: start a new list")
        index = secrets.randbelow(DEFAULT_SIZE_BITS)
        while index in used:
            index = secrets.randbelow(DEFAULT_SIZE_BITS)
        s.add(
            IssuedCredential(
                credential_id=credential_id,
                person_id=person_id,
                status_index=index,
                item_count=item_count,
                issued_at=now,
                issued_by=principal.username,
            )
        )
        add_audit(
            s,
            at=now,
            actor=principal.username,
            actor_role=principal.role.value,
            action="credential_issue",
            target=f"transcript credential person {person_id}",
            row_count=item_count,
            detail=credential_id,
        )
    return index


def revoke(
    settings: Settings, principal: Principal, credential_id: str, reason: str, *, clock: Clock = utc_now
) -> None:
    """Revoke a credential (admins only, with a reason; audited) and republish the status list."""
    principal.require(Role.ADMIN)
    if not reason or not reason.strip():
        raise ValueError("a revocation needs a reason")
    now = clock()
    with transaction(settings) as s:
        row = s.scalar(select(IssuedCredential).where(IssuedCredential.credential_id == credential_id))
        if row is None:
            raise CredentialNotFound(f"no credential {credential_id} was issued here")
        if row.revoked_at is None:
            row.revoked_at, row.revoked_by, row.revocation_reason = now, principal.username, reason.strip()
            add_audit(
                s,
                at=now,
                actor=principal.username,
                actor_role=principal.role.value,
                action="credential_revoke",
                target=f"transcript credential person {row.person_id}",
                detail=credential_id,
            )
    publish_status_list(settings)


def issued(settings: Settings, principal: Principal, person_id: str | None = None) -> list[IssuedRow]:
    """Issued credentials, newest first (admins only), optionally of one person."""
    principal.require(Role.ADMIN)
    stmt = select(IssuedCredential).order_by(IssuedCredential.id.desc())
    if person_id:
        stmt = stmt.where(IssuedCredential.person_id == person_id)
    with transaction(settings) as s:
        return [
            IssuedRow(
                r.credential_id,
                r.person_id,
                r.item_count,
                r.issued_at,
                r.issued_by,
                r.revoked_at,
                r.revoked_by,
                r.revocation_reason,
            )
            for r in s.scalars(stmt)
        ]


def publish_status_list(settings: Settings) -> None:
    """Sign the current revocation list and swap it into ``published/`` atomically."""
    with transaction(settings) as s:
        revoked = list(
            s.scalars(select(IssuedCredential.status_index).where(IssuedCredential.revoked_at.is_not(None)))
        )
    key = issuer_key(settings)
    url = status_list_url(settings)
    document = build_status_list_credential(key.did, url, PURPOSE, revoked)
    token = sign_status_list_credential(document, key.private_pem, ALGORITHM)
    target = settings.published_dir / STATUS_FILE
    tmp = target.with_suffix(".tmp")
    tmp.write_text(token, encoding="ascii")
    os.replace(tmp, target)
