"""Transcript credentials: issued, verified offline, and refused when tampered, revoked or from another
issuer.

The transcript is P0001's from ``tests/dashboard/published_marts.py``: 5 items, hours 9.00, AMA_PRA_1 1.50,
ANCC 5.50 (worked out there).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat

import jwt
import pytest
from typer.testing import CliRunner

from domain.settings import Settings
from pipelines.cli import app
from reports import audit
from reports.credentials import status
from reports.credentials.keys import DID_DOCUMENT_FILE, PRIVATE_KEY_FILE, PUBLIC_JWK_FILE
from reports.credentials.transcript_vc import issue
from reports.credentials.verify import CredentialInvalid, verify_token
from reports.learning.transcripts import load_transcript
from reports.principal import Principal, Role
from reports.snapshot import open_snapshot
from reports.state import dispose_engines
from tests.dashboard.published_marts import STAFF_ID, STAFF_NAME, publish_snapshot

ADMIN = Principal("root", Role.ADMIN)
STAFF = Principal("zoe", Role.STAFF, (STAFF_ID,))


def _settings(path, monkeypatch) -> Settings:
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(path))
    settings = Settings()
    publish_snapshot(settings)
    return settings


@pytest.fixture
def settings(tmp_path, monkeypatch):
    yield _settings(tmp_path / "org", monkeypatch)
    dispose_engines()


def _issue(settings: Settings, principal: Principal = STAFF) -> str:
    with open_snapshot(settings) as conn:
        transcript = load_transcript(principal, conn, STAFF_ID)
    return issue(settings, principal, transcript)


def _payload(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _with_payload(token: str, payload: dict) -> str:
    """The same header and signature over a changed payload: what an edit of the file by hand gives."""
    header, _, signature = token.split(".")
    return f"{header}.{_b64(json.dumps(payload).encode())}.{signature}"


def test_an_issued_credential_verifies_and_carries_the_transcript(settings):
    token = _issue(settings)
    verified = verify_token(settings, token)
    assert (verified.subject_name, verified.person_id, verified.item_count) == (STAFF_NAME, STAFF_ID, 5)
    payload = _payload(token)
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["issuer"]["id"].startswith("did:jwk:")
    totals = {
        r["resultDescription"].rsplit(":", 1)[-1]: r["value"] for r in payload["credentialSubject"]["result"]
    }
    assert totals == {"hours": "9.00", "AMA_PRA_1": "1.50", "ANCC": "5.50"}
    assert [e["name"] for e in payload["evidence"]] == [
        "Hand hygiene",
        "Sepsis grand rounds",
        "Sepsis grand rounds",
        "ACLS renewal",
        "Orientation",
    ]
    entry = payload["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    # no sensitive id in the credential: the masked Learning Center id is not even there
    assert "lc_user_id" not in json.dumps(payload) and "••" not in json.dumps(payload)


def test_a_changed_credit_amount_does_not_verify(settings):
    token = _issue(settings)
    payload = _payload(token)
    for result in payload["credentialSubject"]["result"]:
        if result["resultDescription"].endswith(":ANCC"):
            result["value"] = "15.50"
    with pytest.raises(CredentialInvalid, match="tampered"):
        verify_token(settings, _with_payload(token, payload))


def test_a_revoked_credential_does_not_verify_and_the_revocation_is_audited(settings):
    keep, revoked = _issue(settings), _issue(settings)
    credential_id = _payload(revoked)["id"]
    status.revoke(settings, ADMIN, credential_id, "issued to the wrong person")
    with pytest.raises(CredentialInvalid, match="revoked"):
        verify_token(settings, revoked)
    assert verify_token(settings, keep).item_count == 5
    rows = audit.read(settings, ADMIN, actions=["credential_issue", "credential_revoke"])
    assert [(r.action, r.actor, r.detail) for r in rows][0] == ("credential_revoke", "root", credential_id)
    assert sum(r.action == "credential_issue" for r in rows) == 2
    with pytest.raises(PermissionError):
        status.revoke(settings, STAFF, _payload(keep)["id"], "mine")


def test_a_credential_from_another_issuer_does_not_verify(settings, tmp_path, monkeypatch):
    foreign = _issue(_settings(tmp_path / "elsewhere", monkeypatch))
    with pytest.raises(CredentialInvalid, match="unknown issuer"):
        verify_token(settings, foreign)


def test_a_credential_naming_our_issuer_but_signed_by_another_key_does_not_verify(
    settings, tmp_path, monkeypatch
):
    ours = _payload(_issue(settings))
    forged = _issue(_settings(tmp_path / "forger", monkeypatch))
    payload = _payload(forged)
    payload["iss"] = ours["iss"]
    payload["issuer"] = ours["issuer"]
    with pytest.raises(CredentialInvalid, match="tampered"):
        verify_token(settings, _with_payload(forged, payload))


def test_staff_issue_only_their_own_and_garbage_is_not_a_credential(settings):
    with open_snapshot(settings) as conn:
        other = load_transcript(ADMIN, conn, "P0002")
    with pytest.raises(PermissionError):
        issue(settings, STAFF, other)
    with pytest.raises(CredentialInvalid, match="not a credential"):
        verify_token(settings, "hello")


def test_the_key_is_made_once_private_0600_and_its_public_part_published(settings):
    first = _issue(settings)
    key_file = settings.keys_dir / PRIVATE_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.keys_dir.stat().st_mode) == 0o700
    before = key_file.read_bytes()
    second = _issue(settings)
    assert key_file.read_bytes() == before
    assert _payload(first)["iss"] == _payload(second)["iss"]
    jwk = json.loads((settings.published_dir / PUBLIC_JWK_FILE).read_text())
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and "d" not in jwk
    did = json.loads((settings.published_dir / DID_DOCUMENT_FILE).read_text())
    assert did["id"] == _payload(first)["iss"]
    assert b"PRIVATE" not in b"".join(p.read_bytes() for p in settings.published_dir.glob("credential-*"))


def test_credential_commands_issue_verify_and_refuse_with_the_reason(settings, tmp_path):
    runner = CliRunner()
    out = tmp_path / "zoe.jwt"
    issued = runner.invoke(app, ["credential", "issue", "--person", STAFF_ID, "--out", str(out)])
    assert issued.exit_code == 0, issued.output
    verified = runner.invoke(app, ["credential", "verify", str(out)])
    assert verified.exit_code == 0, verified.output
    assert f"{STAFF_NAME} (person {STAFF_ID}), 5 items" in verified.output

    token = out.read_text().strip()
    payload = _payload(token)
    payload["evidence"][1]["description"] = payload["evidence"][1]["description"].replace("1.50", "9.50")
    tampered = tmp_path / "tampered.jwt"
    tampered.write_text(_with_payload(token, payload))
    refused = runner.invoke(app, ["credential", "verify", str(tampered)])
    assert refused.exit_code == 1 and "tampered" in refused.output

    status.revoke(settings, ADMIN, payload["id"], "test")
    revoked = runner.invoke(app, ["credential", "verify", str(out)])
    assert revoked.exit_code == 1 and "revoked" in revoked.output

    missing = runner.invoke(app, ["credential", "verify", str(tmp_path / "nothing.jwt")])
    assert missing.exit_code == 1 and "cannot read the credential" in missing.output
    huge = tmp_path / "huge.jwt"
    huge.write_bytes(b"a" * 5_000_001)
    too_big = runner.invoke(app, ["credential", "verify", str(huge)])
    assert too_big.exit_code == 1 and "too large for a credential" in too_big.output

    unknown = runner.invoke(app, ["credential", "issue", "--person", "NOBODY", "--out", str(tmp_path / "x")])
    assert unknown.exit_code == 1 and "no person 'NOBODY'" in unknown.output
    assert not os.path.exists(tmp_path / "x")


def test_algorithm_tricks_on_a_genuine_payload_do_not_verify(settings):
    """``alg: none`` and HS256 keyed with the published public key (the classic confusion) are refused."""
    payload = _payload(_issue(settings))
    unsigned = jwt.encode(payload, key=None, algorithm="none")
    # PyJWT refuses to HMAC with a public key, so the forger's token is put together by hand
    public_jwk = (settings.published_dir / PUBLIC_JWK_FILE).read_bytes()
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    signing_input = f"{header}.{_b64(json.dumps(payload).encode())}"
    mac = _b64(hmac.new(public_jwk, signing_input.encode(), hashlib.sha256).digest())
    for token in (unsigned, f"{signing_input}.{mac}"):
        with pytest.raises(CredentialInvalid, match="not allowed"):
            verify_token(settings, token)
