"""Password hashing (argon2id via passlib's CryptContext), the password policy, one-time passwords and tokens.

Parameters are the OWASP minimum for argon2id (m=19 MiB, t=2, p=1); ``needs_update`` lets a later, stronger
setting rehash old hashes at the next successful sign-in. Verification is argon2's own constant-time
comparison.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from functools import lru_cache

from passlib.context import CryptContext

ARGON2_MEMORY_COST_KIB = 19456
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
MIN_PASSWORD_LENGTH = 12
#: Hashing cost grows with length; a cap stops a megabyte "password" from being a denial of service.
MAX_PASSWORD_LENGTH = 256

PASSWORD_CONTEXT = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=ARGON2_MEMORY_COST_KIB,
    argon2__rounds=ARGON2_TIME_COST,
    argon2__parallelism=ARGON2_PARALLELISM,
)

# No 0/O, 1/l/I: one-time passwords are read off a screen and typed by hand.
_OTP_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
ONE_TIME_PASSWORD_LENGTH = 16


def hash_password(password: str) -> str:
    return PASSWORD_CONTEXT.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return PASSWORD_CONTEXT.verify(password, password_hash)
    except (ValueError, TypeError):  # a malformed stored hash never signs anyone in
        return False


def needs_rehash(password_hash: str) -> bool:
    return PASSWORD_CONTEXT.needs_update(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def burn_verification_time(password: str) -> None:
    """Spend what a real verification costs, so an unknown username answers as slowly as a known one."""
    verify_password(password, _dummy_hash())


def password_problems(password: str, username: str) -> list[str]:
    """Why ``password`` is not acceptable for ``username`` (empty when it is)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    if password.strip() and username and username.lower() in password.lower():
        problems.append("Do not include your username.")
    if len(set(password)) < 4:
        problems.append("Use more than three different characters.")
    return problems


def new_one_time_password() -> str:
    return "".join(secrets.choice(_OTP_ALPHABET) for _ in range(ONE_TIME_PASSWORD_LENGTH))


def new_token() -> str:
    """A random bearer token (session or reset): 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored for a token: tokens are random and long, so a plain SHA-256 suffices (no salt)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
