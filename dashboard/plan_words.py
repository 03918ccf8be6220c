"""Deductible and out-of-pocket progress in the words of a payer's member portal.

"You've met $493.86 of your $1,700.00 in-network deductible — $1,206.14 to go"; a met deductible or a reached
maximum is said as such, so it reads differently from a bar that is merely long.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.health_plan.cost_share import money

NETWORK_WORDS = {"in": "in-network", "out": "out-of-network"}


@dataclass(frozen=True)
class Whose:
    """Who a sentence is about: the reader ("You've ... your"), the family ("Your family has ... its") or a
    family member by name ("Tom Reyes has ... their")."""

    subject: str
    has: str
    possessive: str

    @classmethod
    def you(cls) -> Whose:
        return cls("You", "'ve", "your")

    @classmethod
    def family(cls) -> Whose:
        return cls("Your family", " has", "its")

    @classmethod
    def named(cls, name: str) -> Whose:
        return cls(name, " has", "their")


@dataclass(frozen=True)
class Progress:
    sentence: str
    met: bool  # the deductible is met / the out-of-pocket maximum reached
    pct: int | None  # for the bar, 0..100; None when there is no limit to draw a bar against


def _pct(met: Decimal, limit: Decimal) -> int:
    return 100 if limit <= 0 else min(100, int(met * 100 / limit))


def deductible(whose: Whose, network: str, met: Decimal, limit: Decimal) -> Progress:
    where = NETWORK_WORDS[network]
    if met >= limit:
        return Progress(
            f"{whose.subject}{whose.has} met {whose.possessive} {money(limit)} {where} deductible", True, 100
        )
    return Progress(
        f"{whose.subject}{whose.has} met {money(met)} of {whose.possessive} {money(limit)} {where} deductible"
        f" — {money(limit - met)} to go",
        False,
        _pct(met, limit),
    )


def out_of_pocket(whose: Whose, network: str, met: Decimal, limit: Decimal | None) -> Progress:
    where = NETWORK_WORDS[network]
    if limit is None:
        return Progress(
            f"{whose.subject}{whose.has} paid {money(met)} {where}; the plan has no {where} out-of-pocket "
            "maximum",
            False,
            None,
        )
    if met >= limit:
        return Progress(
            f"{whose.subject}{whose.has} reached {whose.possessive} {money(limit)} {where} out-of-pocket "
            "maximum:"
            " covered services are paid in full for the rest of the plan year",
            True,
            100,
        )
    return Progress(
        f"{whose.subject}{whose.has} paid {money(met)} of {whose.possessive} {money(limit)} {where}"
        f" out-of-pocket maximum — {money(limit - met)} to go",
        False,
        _pct(met, limit),
    )
