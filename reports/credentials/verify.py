"""Checking a transcript credential offline: issuer, signature, revocation status.

Trusts only the issuer published in ``<data dir>/published/``: a credential naming any other issuer is
"unknown"; the signature is checked with the published key (``openbadgeslib``'s verifier pins the algorithm to
the key's type, EdDSA), then the credential's bit in the published, signed status list. Nothing is fetched
over the network. Imports only what verifying needs, so ``portalytics credential verify`` starts quickly.
"""

from __future__ import annotations

from dataclasses import dataclass

import jwt
from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier

from domain.settings import Settings
from reports.credentials.keys import published_issuer
from reports.credentials.published import STATUS_FILE, status_list_url


class CredentialInvalid(ValueError):
    """The credential does not hold; the message says why (tampered, revoked, unknown issuer, not one at
    all)."""


@dataclass(frozen=True)
class VerifiedCredential:
    credential_id: str
    subject_name: str
    person_id: str
    item_count: int
    issuer: str


def _offline_fetch(settings: Settings):
    url = status_list_url(settings)

    def fetch(requested: str) -> bytes:
        if requested != url:
            raise ValueError(f"offline verification reads only this issuer's status list ({url})")
        return (settings.published_dir / STATUS_FILE).read_bytes()

    return fetch


def verify_token(settings: Settings, token: str) -> VerifiedCredential:
    """Check issuer, signature and revocation status offline; raise :class:`CredentialInvalid` with the
    reason."""
    token = token.strip()
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except (jwt.exceptions.InvalidTokenError, ValueError) as exc:
        raise CredentialInvalid(f"not a credential (a compact JWT was expected): {exc}") from exc
    issuer = unverified.get("iss") if isinstance(unverified, dict) else None
    trusted = published_issuer(settings)
    if trusted is None:
        raise CredentialInvalid(
            f"unknown issuer {issuer!r}: no issuer key is published in this data directory"
        )
    if issuer != trusted.did:
        raise CredentialInvalid(f"unknown issuer {issuer!r}: not this organisation's published issuer")
    verifier = OB3Verifier(trusted.public_key, issuer_did=trusted.did)
    try:
        credential = verifier.verify(
            token, check_status=True, verify_status_list=True, download=_offline_fetch(settings)
        )
    except OB3VerificationError as exc:
        message = str(exc)
        if "Credential status 'revocation' is set" in message:
            raise CredentialInvalid("revoked by the issuer") from exc
        if message == "Invalid signature":
            raise CredentialInvalid("tampered: the signature does not match the content") from exc
        raise CredentialInvalid(message) from exc
    ids = {i.identity_type: i.identity_hash for i in credential.identifiers if not i.hashed}
    return VerifiedCredential(
        credential_id=credential.id or "",
        subject_name=ids.get("name", ""),
        person_id=ids.get("sourcedId", ""),
        item_count=len(credential.evidence),
        issuer=credential.issuer.name or credential.issuer.id,
    )
