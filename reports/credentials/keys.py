"""The organisation's credential-signing key: an Ed25519 pair made on first use, its public part published.

- Private key: ``<data dir>/keys/credential-issuer-ed25519.pem`` (PKCS#8 PEM, file 0600 in a 0700 folder),
  created once with ``O_EXCL`` so two processes starting together cannot each make their own.
- Public part: ``<data dir>/published/credential-issuer.jwk.json`` (the JWK) and
  ``credential-issuer.did.json`` (the DID document of the issuer's ``did:jwk``). The issuer's id in every
  credential is that ``did:jwk``: it names the key itself, so a verifier needs nothing but this file.

Key generation and the JWK come from ``openbadgeslib`` (``cryptography`` underneath); nothing here is crypto.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from jwt.algorithms import OKPAlgorithm
from openbadgeslib.keys import KeyEd25519, public_jwk_from_pem
from openbadgeslib.ob3 import build_did_document, did_jwk_from_jwk

from domain.settings import Settings

PRIVATE_KEY_FILE = "credential-issuer-ed25519.pem"
PUBLIC_JWK_FILE = "credential-issuer.jwk.json"
DID_DOCUMENT_FILE = "credential-issuer.did.json"
ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class IssuerKey:
    private_pem: bytes
    public_pem: bytes
    jwk: dict
    did: str


@dataclass(frozen=True)
class PublishedIssuer:
    """What a verifier trusts: the issuer's ``did:jwk`` and public key, read from ``published/``."""

    did: str
    #: The public key (a ``cryptography`` Ed25519 key) the issuer's credentials must verify under.
    public_key: object


def _write_private(path: Path, pem: bytes) -> bool:
    """Write ``pem`` to a new 0600 file; False when another process made it first."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return True


def _public_pem(private_pem: bytes) -> bytes:
    public = serialization.load_pem_private_key(private_pem, password=None).public_key()
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _publish(settings: Settings, jwk: dict, did: str) -> None:
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    documents = {
        PUBLIC_JWK_FILE: jwk,
        DID_DOCUMENT_FILE: build_did_document(did, [("0", jwk)]),
    }
    for name, document in documents.items():
        target = settings.published_dir / name
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, target)


def issuer_key(settings: Settings) -> IssuerKey:
    """The signing key, made (and its public part published) on first use."""
    path = settings.keys_dir / PRIVATE_KEY_FILE
    if not path.exists():
        private_pem, _ = KeyEd25519().generate_keypair()
        _write_private(path, private_pem)
    private_pem = path.read_bytes()
    public_pem = _public_pem(private_pem)
    jwk = public_jwk_from_pem(public_pem)
    did = did_jwk_from_jwk(jwk)
    published = settings.published_dir / PUBLIC_JWK_FILE
    if not published.exists() or json.loads(published.read_text(encoding="utf-8")) != jwk:
        _publish(settings, jwk, did)
    return IssuerKey(private_pem, public_pem, jwk, did)


def published_issuer(settings: Settings) -> PublishedIssuer | None:
    """The issuer a verifier on this data dir trusts; None when no credential was ever issued here."""
    path = settings.published_dir / PUBLIC_JWK_FILE
    if not path.exists():
        return None
    jwk = json.loads(path.read_text(encoding="utf-8"))
    return PublishedIssuer(did_jwk_from_jwk(jwk), OKPAlgorithm.from_jwk(jwk))
