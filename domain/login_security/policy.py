"""The login-security policy: the numbers of domain-rules.md "Login security", as one small dataclass."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoginSecurityPolicy:
    #: Consecutive login failures that lock an account.
    max_failures: int = 5
    #: How long a lock lasts. The lock covers [locked_at, locked_at + lock_minutes): an attempt exactly at
    #: locked_at + lock_minutes is accepted again and is the first attempt of a fresh count.
    lock_minutes: int = 30
    #: How long a reset token lives. A completion exactly reset_token_minutes after the request is still in
    #: time; only "more than" this is ``completed_after_expiry``.
    reset_token_minutes: int = 30
    #: Reset requests for one account, with no successful login between them, that make a reset loop ...
    loop_requests: int = 3
    #: ... when they all fall within this many hours (inclusive: the last request at most loop_hours after the
    #: first).
    loop_hours: int = 24
    #: Distinct usernames one IP must fail on, within stuffing_minutes (inclusive), to be credential stuffing.
    stuffing_usernames: int = 20
    stuffing_minutes: int = 10

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"LoginSecurityPolicy.{name} must be a positive whole number, got {value!r}")
