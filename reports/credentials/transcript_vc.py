"""A person's transcript as an Open Badges 3.0 verifiable credential (VC-JWT, EdDSA), and its offline check.

The credential is an ``OpenBadgeCredential`` built and signed by ``openbadgeslib`` (JOSE header ``alg: EdDSA``
with the issuer's public JWK; the JWT payload is the credential, per OB 3.0 §8.2):

- ``issuer``: the organisation's ``did:jwk`` (``reports.credentials.keys``) and its name;
- ``credentialSubject.identifier``: the person's name and person_id (plaintext ``name`` / ``sourcedId``
  identities); no lc_user_id, birth date or e-mail;
- ``credentialSubject.achievement``: "Transcript" (``achievementType`` ``ext:Transcript``), with one
  ``resultDescription`` per total; ``credentialSubject.result``: total hours and total credits per credit type
  (exact decimals as text, the same ``reports.learning.transcripts.Transcript`` totals the PDF shows);
- ``evidence``: one entry per transcript line (Learning Center completion, CE credit, external credit): title,
  source, date, credit type and amount, hours;
- ``credentialStatus``: a ``BitstringStatusListEntry`` (``reports.credentials.status``).

Verification is ``reports.credentials.verify`` (kept apart so a verifier loads no reporting machinery).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from openbadgeslib.ob3 import (
    Achievement,
    Evidence,
    IdentityObject,
    Issuer,
    OB3Signer,
    OpenBadgeCredential,
    Result,
    ResultDescription,
)

from domain.settings import Settings
from reports.clock import Clock, utc_now
from reports.credentials.keys import ALGORITHM, issuer_key
from reports.credentials.published import STATUS_FILE
from reports.credentials.status import publish_status_list, register, status_entry_for
from reports.learning.transcripts import SOURCE_LABELS, Transcript
from reports.principal import Principal, Role

ACHIEVEMENT_ID = "urn:portalytics:achievement:transcript"
HOURS_RESULT = "urn:portalytics:result:hours"
MIME = "application/vc+jwt"


def _amount(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _credit_result_id(credit_type: str) -> str:
    return f"urn:portalytics:result:credits:{credit_type}"


def _evidence(transcript: Transcript) -> list[Evidence]:
    out = []
    for i in transcript.items:
        parts = [i.completed_on.isoformat()]
        if i.credit_type:
            parts.append(f"{i.credit_type} {_amount(i.credits)} credits")
        if i.hours is not None:
            parts.append(f"{_amount(i.hours)} hours")
        out.append(
            Evidence(
                id=f"urn:portalytics:transcript-item:{i.source}:{i.item_id}:{i.credit_type or 'hours'}",
                name=i.title,
                genre=SOURCE_LABELS.get(i.source, i.source),
                description=" · ".join(parts),
            )
        )
    return out


def build_credential(
    transcript: Transcript, issuer: Issuer, status: dict, credential_id: str, issued_at: datetime
) -> OpenBadgeCredential:
    descriptions = [ResultDescription(HOURS_RESULT, "Total hours", "ext:TotalHours")]
    results = [Result(value=_amount(transcript.total_hours), result_description=HOURS_RESULT)]
    for credit_type, credits in transcript.credits_by_type.items():
        rid = _credit_result_id(credit_type)
        descriptions.append(ResultDescription(rid, f"Total {credit_type} credits", "ext:TotalCredits"))
        results.append(Result(value=_amount(credits), result_description=rid))
    achievement = Achievement(
        id=ACHIEVEMENT_ID,
        name="Transcript",
        description="Learning Center completions, continuing-education credits and uploaded external "
        "credits.",
        criteria_narrative=f"Items completed, {transcript.range_label}, as recorded by {issuer.name}.",
        achievement_type="ext:Transcript",
        result_descriptions=descriptions,
    )
    return OpenBadgeCredential(
        issuer=issuer,
        recipient_id=None,
        achievement=achievement,
        id=credential_id,
        name=f"Transcript of {transcript.name}",
        issuance_date=issued_at,
        evidence=_evidence(transcript),
        credential_status=[status],
        identifiers=[
            IdentityObject(transcript.name, "name", hashed=False),
            IdentityObject(transcript.person_id, "sourcedId", hashed=False),
        ],
        results=results,
    )


def issue(settings: Settings, principal: Principal, transcript: Transcript, *, clock: Clock = utc_now) -> str:
    """Sign ``transcript`` (already scoped to ``principal`` by ``load_transcript``) as a VC-JWT and record it
    for revocation (audited). Staff may issue only their own."""
    if principal.role is Role.STAFF and transcript.person_id != principal.scope_value:
        raise PermissionError("staff may issue only their own transcript")
    principal.require(Role.STAFF, Role.ADMIN)
    key = issuer_key(settings)
    now = clock().replace(microsecond=0)
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    index = register(settings, principal, credential_id, transcript.person_id, len(transcript.items), now)
    if not (settings.published_dir / STATUS_FILE).exists():
        publish_status_list(settings)
    issuer = Issuer(id=key.did, name=settings.credential_issuer_name)
    credential = build_credential(transcript, issuer, status_entry_for(settings, index), credential_id, now)
    return OB3Signer(key.private_pem, algorithm=ALGORITHM).sign(credential)


def file_name(transcript: Transcript) -> str:
    return f"transcript_{transcript.person_id}.jwt"
