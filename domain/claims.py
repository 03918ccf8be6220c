"""Claim lines and their effective versions: which lines of a claim's history count, and where in the order.

A claim's *chain* is an original plus every adjustment or reversal that names it (directly, or through another
adjustment) in ``original_claim_id``. Within a chain the latest version by (processed_at, claim_id) wins:

- an original or adjustment as the latest version: its lines are the effective ones;
- a reversal as the latest version: the chain has no effective lines (the claim was taken back).

An adjustment *takes the original's place* in processing order: its lines are ordered by the chain root's
(processed_at, claim_id) and the adjustment's own line_number, so re-pricing a claim never moves it behind
claims processed after the original. A reversal or adjustment whose original is not in the data is kept
visible: the reversal is reported as an orphan (nothing to remove), the adjustment is priced in its own place.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

ORIGINAL, ADJUSTMENT, REVERSAL = "original", "adjustment", "reversal"
PAID, DENIED, PENDING = "paid", "denied", "pending"
#: Claim-level status of a chain whose latest version is a reversal.
REVERSED = "reversed"
#: Claim-level status when a claim's lines were partly paid and partly denied.
PARTIALLY_PAID = "partially_paid"


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One row of ``hp_claims`` (the contract's columns the rules need)."""

    claim_id: str
    line_number: int
    claim_type: str
    original_claim_id: str | None
    member_id: str
    provider_npi: str
    service_date: dt.date
    processed_at: dt.datetime
    status: str
    service_category: str
    network: str
    allowed_amount: Decimal
    billed_amount: Decimal = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class EffectiveLine:
    """A line that counts, with the place in processing order it takes (its chain root's place)."""

    line: ClaimLine
    root_claim_id: str
    order_at: dt.datetime  # the root's processed_at: fixes the place in processing order

    @property
    def order_key(self) -> tuple[dt.datetime, str, int]:
        return (self.order_at, self.root_claim_id, self.line.line_number)


@dataclass(frozen=True, slots=True)
class ClaimVersionStatus:
    """One claim as a provider sees it: its effective (latest) version and the claim-level status."""

    root_claim_id: str
    claim_id: str  # the latest version: original, adjustment, or the reversal that took it back
    claim_type: str
    member_id: str
    provider_npi: str
    service_date: dt.date
    processed_at: dt.datetime
    status: str  # paid, denied, pending, partially_paid or reversed
    line_count: int
    billed_amount: Decimal
    allowed_amount: Decimal


@dataclass(frozen=True, slots=True)
class EffectiveClaims:
    lines: list[EffectiveLine]  # in processing order
    claims: list[ClaimVersionStatus]  # one per chain, ordered by root claim id
    orphan_reversals: list[ClaimLine]  # reversals naming a claim that is not in the data


def claim_status_of(statuses: Iterable[str]) -> str:
    """A claim's status from its lines' statuses: pending wins, then a mix of paid and denied."""
    found = set(statuses)
    if PENDING in found:
        return PENDING
    if found == {DENIED}:
        return DENIED
    if found == {PAID}:
        return PAID
    return PARTIALLY_PAID


def _total(amounts: Iterable[Decimal]) -> Decimal:
    total = Decimal("0.00")
    for amount in amounts:
        total += amount
    return total


def effective_lines(lines: Sequence[ClaimLine]) -> EffectiveClaims:
    """Resolve every claim's chain to its effective lines (see the module docstring for the rules)."""
    by_claim: dict[str, list[ClaimLine]] = defaultdict(list)
    for line in lines:
        by_claim[line.claim_id].append(line)

    def root_of(claim_id: str) -> str:
        if not by_claim[claim_id][0].original_claim_id:  # the common case: an original
            return claim_id
        seen = {claim_id}
        current = claim_id
        while True:
            original = by_claim[current][0].original_claim_id
            # A dangling link or a cycle (bad data) ends the chain where it stands.
            if not original or original not in by_claim or original in seen:
                return current
            seen.add(original)
            current = original

    chains: dict[str, list[str]] = defaultdict(list)
    orphans: list[ClaimLine] = []
    for claim_id, claim_lines in by_claim.items():
        head = claim_lines[0]
        root = root_of(claim_id)
        if head.claim_type == REVERSAL and root == claim_id:
            orphans.extend(sorted(claim_lines, key=lambda ln: ln.line_number))
            continue
        chains[root].append(claim_id)

    effective: list[EffectiveLine] = []
    claims: list[ClaimVersionStatus] = []
    for root in sorted(chains):
        root_head = by_claim[root][0]
        versions = chains[root]
        latest = (
            versions[0]
            if len(versions) == 1
            else max(versions, key=lambda c: (by_claim[c][0].processed_at, c))
        )
        latest_lines = by_claim[latest]
        if len(latest_lines) > 1:
            latest_lines = sorted(latest_lines, key=lambda ln: ln.line_number)
        head = latest_lines[0]
        reversed_ = head.claim_type == REVERSAL
        if not reversed_:
            effective.extend(EffectiveLine(ln, root, root_head.processed_at) for ln in latest_lines)
        shown = root_head if reversed_ else head  # a reversal's own amounts may be negated; show the claim's
        shown_lines = by_claim[root] if reversed_ else latest_lines
        claims.append(
            ClaimVersionStatus(
                root_claim_id=root,
                claim_id=latest,
                claim_type=head.claim_type,
                member_id=shown.member_id,
                provider_npi=shown.provider_npi,
                service_date=shown.service_date,
                processed_at=head.processed_at,
                status=REVERSED if reversed_ else claim_status_of(ln.status for ln in latest_lines),
                line_count=len(shown_lines),
                billed_amount=_total(ln.billed_amount for ln in shown_lines),
                allowed_amount=_total(ln.allowed_amount for ln in shown_lines),
            )
        )
    effective.sort(key=lambda e: (e.order_at, e.root_claim_id, e.line.line_number))
    return EffectiveClaims(effective, claims, orphans)
