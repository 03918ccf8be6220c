"""Password hashing (argon2id via passlib's CryptContext), the password policy, one-time passwords and tokens.

Parameters are the OWASP minimum for argon2id (m=19 MiB, t=2, p=1); ``needs_update`` lets a later, stronger
setting rehash old hashes at the next successful sign-in. Verification is argon2's own constant-time
comparison.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
import threading
from collections.abc import Iterable
from functools import lru_cache

from passlib.context import CryptContext
from zxcvbn import zxcvbn

ARGON2_MEMORY_COST_KIB = 19456
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
MIN_PASSWORD_LENGTH = 12
#: Hashing cost grows with length; a cap stops a megabyte "password" from being a denial of service.
MAX_PASSWORD_LENGTH = 256
#: zxcvbn's score (0-4) a new password needs: 3 means more than 10^8 guesses even for an attacker who tries
#: breached passwords, dictionary words, names, keyboard walks and dates first.
MIN_GUESSABILITY_SCORE = 3
#: zxcvbn's matching grows steeply with length (seconds at 256 characters); the first 64 characters are
#: judged, which no guesser gets through when they are strong.
_GUESSABILITY_PREFIX = 64
#: Parts of a username or name shorter than this are too common to refuse inside a password ("al", "jo").
_MIN_NAME_PART = 3

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


# zxcvbn keeps the user inputs in a module-level dictionary between its two steps: one check at a time.
_zxcvbn_lock = threading.Lock()


def _name_parts(values: Iterable[str | None]) -> list[str]:
    """The words of a username, e-mail or name that a password may not contain ("ana.lopez" -> ana, lopez)."""
    parts = set()
    for value in values:
        if not value:
            continue
        text = value.strip().lower()
        local = text.split("@", 1)[0]
        parts.update({text, local}, re.split(r"[\s._@+\-]+", text))
    return sorted(p for p in parts if len(p) >= _MIN_NAME_PART)


def password_problems(password: str, username: str, *, names: Iterable[str | None] = ()) -> list[str]:
    """Why ``password`` is not acceptable for ``username`` (empty when it is).

    NIST SP 800-63B 5.1.1.2: at least 12 characters, not a known breached or common password, not built from
    the account's own username, e-mail or the person's ``names``. Breached and common passwords, dictionary
    words, keyboard walks and sequences are found by zxcvbn (its lists come from public password leaks).
    """
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"Use at most {MAX_PASSWORD_LENGTH} characters.")
        return problems
    lowered = password.lower()
    if password.strip() and username and username.strip().lower() in lowered:
        problems.append("Do not include your username.")
    elif any(part in lowered for part in _name_parts([username, *names])):
        problems.append("Do not include your name, username or e-mail address.")
    if len(set(password)) < 4:
        problems.append("Use more than three different characters.")
    if not problems:
        problems.extend(_guessability_problems(password, [username, *names]))
    return problems


def _guessability_problems(password: str, user_inputs: list[str | None]) -> list[str]:
    with _zxcvbn_lock:
        result = zxcvbn(
            password[:_GUESSABILITY_PREFIX],
            user_inputs=_name_parts(user_inputs),
            max_length=_GUESSABILITY_PREFIX,
        )
    if result["score"] >= MIN_GUESSABILITY_SCORE:
        return []
    from_leak = any(
        m["pattern"] == "dictionary" and m.get("dictionary_name") == "passwords" for m in result["sequence"]
    )
    why = (
        "it is, or is close to, a password found in public lists of breached passwords"
        if from_leak
        else "it is built from common words, names, dates or keyboard patterns"
    )
    return [f"This password is too easy to guess: {why}. Use a longer phrase of unrelated words."]


def new_one_time_password() -> str:
    return "".join(secrets.choice(_OTP_ALPHABET) for _ in range(ONE_TIME_PASSWORD_LENGTH))


def new_token() -> str:
    """A random bearer token (session or reset): 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored for a token: tokens are random and long, so a plain SHA-256 suffices (no salt)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
