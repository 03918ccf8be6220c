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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from domain.health_plan.resolution import CLAIM_STATUSES, STATUS_CODES, TYPE_CODES, ClaimColumns, resolve

ORIGINAL, ADJUSTMENT, REVERSAL = "original", "adjustment", "reversal"
PAID, DENIED, PENDING = "paid", "denied", "pending"
#: Claim-level status of a chain whose latest version is a reversal.
REVERSED = "reversed"
#: Claim-level status when a claim's lines were partly paid and partly denied.
PARTIALLY_PAID = "partially_paid"
CENT = Decimal("0.01")
#: Why a claim pays nothing or less than its allowed amount, as a claim-status answer says it. The claim feed
#: (hp_claims) carries no payer reason code (CARC), so a denial says so rather than inventing one.
STATUS_REASONS = {
    REVERSED: "Reversed: the claim was taken back; nothing is paid on it",
    DENIED: "Denied by the plan: nothing is paid (the claim feed gives no reason code)",
    PARTIALLY_PAID: "Some lines were denied by the plan and pay nothing (the claim feed gives no reason "
    "code)",
    PENDING: "Pending: not decided yet",
}


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


def to_cents(amount: Decimal) -> int:
    """Dollars to integer cents, rounding half up (the engine computes in cents)."""
    return int(amount.quantize(CENT, rounding=ROUND_HALF_UP).scaleb(2))


def from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def claim_version_status(lines: Sequence[ClaimLine], chain: tuple) -> ClaimVersionStatus:
    """A chain (:data:`CHAIN_FIELDS`) of ``lines`` as a :class:`ClaimVersionStatus`."""
    root, latest, head_row, shown_row, status, line_count, billed, allowed = chain[:8]
    head, shown = lines[head_row], lines[shown_row]
    return ClaimVersionStatus(
        root_claim_id=root,
        claim_id=latest,
        claim_type=head.claim_type,
        member_id=shown.member_id,
        provider_npi=shown.provider_npi,
        service_date=shown.service_date,
        processed_at=head.processed_at,
        status=status,
        line_count=line_count,
        billed_amount=from_cents(billed),
        allowed_amount=from_cents(allowed),
    )


def effective_lines(lines: Sequence[ClaimLine]) -> EffectiveClaims:
    """Resolve every claim's chain to its effective lines (see the module docstring for the rules)."""
    rank = {
        c: i
        for i, c in enumerate(
            sorted({ln.claim_id for ln in lines} | {ln.original_claim_id or "" for ln in lines})
        )
    }
    resolved = resolve(
        ClaimColumns(
            family=np.zeros(len(lines), np.int64),
            claim=np.array([rank[ln.claim_id] for ln in lines], np.int64),
            original=np.array(
                [rank[ln.original_claim_id] if ln.original_claim_id else -1 for ln in lines], np.int64
            ),
            line_number=np.array([ln.line_number for ln in lines], np.int64),
            claim_type=np.array([_code(TYPE_CODES, ln.claim_type) for ln in lines], np.int64),
            processed_at=np.array([microseconds(ln.processed_at) for ln in lines], np.int64),
            status=np.array([_code(STATUS_CODES, ln.status) for ln in lines], np.int64),
            billed_cents=np.array([to_cents(ln.billed_amount) for ln in lines], np.int64),
            allowed_cents=np.array([to_cents(ln.allowed_amount) for ln in lines], np.int64),
        ),
        np.arange(len(lines)),
    )
    root_ids = [lines[r].claim_id for r in resolved.chain_root_row.tolist()]
    return EffectiveClaims(
        [
            EffectiveLine(lines[row], root_ids[c], lines[resolved.chain_root_row[c]].processed_at)
            for row, c in zip(resolved.line_row.tolist(), resolved.line_chain.tolist(), strict=True)
        ],
        [
            claim_version_status(
                lines,
                (
                    root_ids[i],
                    lines[resolved.chain_head_row[i]].claim_id,
                    int(resolved.chain_head_row[i]),
                    int(resolved.chain_shown_row[i]),
                    CLAIM_STATUSES[resolved.chain_status[i]],
                    int(resolved.chain_line_count[i]),
                    int(resolved.chain_billed[i]),
                    int(resolved.chain_allowed[i]),
                ),
            )
            for i in range(len(root_ids))
        ],
        [lines[r] for r in resolved.orphan_row.tolist()],
    )


def microseconds(moment: dt.datetime) -> int:
    """A timestamp as an ordered integer: microseconds since 1970 (naive, or aware in UTC)."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=moment.tzinfo and dt.UTC)
    return (moment - epoch) // dt.timedelta(microseconds=1)


def _code(codes: tuple[str, ...], value: str) -> int:
    return codes.index(value) if value in codes else -1
