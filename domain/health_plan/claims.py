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
from typing import NamedTuple

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


#: Claim status of a one-line claim, the common case (what :func:`claim_status_of` gives for that line).
_ONE_LINE_STATUS = {PAID: PAID, DENIED: DENIED, PENDING: PENDING}


@dataclass(frozen=True, slots=True)
class ClaimRows:
    """Claim lines column by column: row ``i`` of every column is one ``hp_claims`` line.

    The engine's input form: the pipeline fills it straight from Arrow columns, without one object per line.
    Money is in integer cents. ``service_day`` and ``processed_at`` are only compared (with each other, with
    enrollment spans and plan years given in the same units), so any ordered values work: day numbers and
    microseconds in the pipeline, dates and datetimes in :func:`effective_lines`.
    """

    claim_id: Sequence[str]
    line_number: Sequence[int]
    claim_type: Sequence[str]
    original_claim_id: Sequence[str | None]
    member_id: Sequence[str]
    service_day: Sequence
    processed_at: Sequence
    status: Sequence[str]
    service_category: Sequence[str]
    network: Sequence[str]
    allowed_cents: Sequence[int]
    billed_cents: Sequence[int]


#: Fields of a claim chain as a provider sees it (:attr:`ResolvedRows.claims`; see
#: :class:`ClaimVersionStatus`): the root claim, the latest version, the row of the latest version's first
#: line (claim type, processed_at), the row whose member, provider and service date are shown, the claim-level
#: status, and the shown lines' count and totals in cents.
CHAIN_FIELDS = (
    "root_claim_id",
    "claim_id",
    "head_row",
    "shown_row",
    "status",
    "line_count",
    "billed_cents",
    "allowed_cents",
)
#: Fields of an effective line (:attr:`ResolvedRows.lines`): its place in processing order (the chain root's
#: processed_at, the root claim, the line number) and its row. Sorting the tuples sorts lines into that order.
EFFECTIVE_FIELDS = ("order_at", "root_claim_id", "line_number", "row")


class ResolvedRows(NamedTuple):
    # Plain tuples, not objects: there is one per claim line, and a tuple costs a tenth of a NamedTuple.
    lines: list[tuple]  # EFFECTIVE_FIELDS, in processing order
    claims: list[tuple]  # CHAIN_FIELDS, one per chain, ordered by root claim id
    orphan_reversals: list[int]  # rows of reversals naming a claim that is not in the data


def resolve_rows(rows: ClaimRows, family: Iterable[int]) -> ResolvedRows:
    """Resolve every claim's chain among the rows ``family`` to its effective lines (see the module
    docstring).

    A claim's line with the lowest line number is its head: its claim type, original and processed_at are the
    claim's (they are the same on every line of a well-formed claim), so ``family`` may list rows in any
    order."""
    claim_ids, line_numbers, claim_types = rows.claim_id, rows.line_number, rows.claim_type
    originals, processed = rows.original_claim_id, rows.processed_at
    by_claim: dict[str, list[int]] = {}
    for i in family:
        found = by_claim.get(claim_ids[i])
        if found is None:
            by_claim[claim_ids[i]] = [i]
        else:
            found.append(i)

    def root_of(claim_id: str) -> str:
        seen = {claim_id}
        current = claim_id
        while True:
            original = originals[by_claim[current][0]]
            # A dangling link or a cycle (bad data) ends the chain where it stands.
            if not original or original not in by_claim or original in seen:
                return current
            seen.add(original)
            current = original

    chains: dict[str, list[str]] = {}
    orphans: list[int] = []
    for claim_id, claim_rows in by_claim.items():
        if len(claim_rows) > 1:
            claim_rows.sort(key=line_numbers.__getitem__)
        head = claim_rows[0]
        root = root_of(claim_id) if originals[head] else claim_id  # no link: an original, the common case
        if root == claim_id and claim_types[head] == REVERSAL:
            orphans.extend(claim_rows)
            continue
        chain = chains.get(root)
        if chain is None:
            chains[root] = [claim_id]
        else:
            chain.append(claim_id)

    effective: list[tuple] = []
    claims: list[tuple] = []
    statuses, billed, allowed = rows.status, rows.billed_cents, rows.allowed_cents
    for root in sorted(chains):
        root_rows = by_claim[root]
        versions = chains[root]
        latest = (
            versions[0] if len(versions) == 1 else max(versions, key=lambda c: (processed[by_claim[c][0]], c))
        )
        latest_rows = by_claim[latest]
        head = latest_rows[0]
        if len(latest_rows) == 1:  # the common case: a one-line claim
            if claim_types[head] == REVERSAL:
                shown_rows, status = root_rows, REVERSED
            else:
                effective.append((processed[root_rows[0]], root, line_numbers[head], head))
                shown_rows, status = (
                    latest_rows,
                    _ONE_LINE_STATUS.get(statuses[head]) or claim_status_of((statuses[head],)),
                )
        else:
            if claim_types[head] == REVERSAL:
                # The claim was taken back: show the claim's own lines (a reversal's amounts may be negated).
                shown_rows, status = root_rows, REVERSED
            else:
                order_at = processed[root_rows[0]]
                effective.extend((order_at, root, line_numbers[r], r) for r in latest_rows)
                shown_rows, status = latest_rows, claim_status_of(statuses[r] for r in latest_rows)
        if len(shown_rows) == 1:
            shown = shown_rows[0]
            claims.append((root, latest, head, shown, status, 1, billed[shown], allowed[shown]))
        else:
            claims.append(
                (
                    root,
                    latest,
                    head,
                    shown_rows[0],
                    status,
                    len(shown_rows),
                    sum(billed[r] for r in shown_rows),
                    sum(allowed[r] for r in shown_rows),
                )
            )
    effective.sort()
    return ResolvedRows(effective, claims, orphans)


def to_cents(amount: Decimal) -> int:
    """Dollars to integer cents, rounding half up (the engine computes in cents)."""
    return int(amount.quantize(CENT, rounding=ROUND_HALF_UP).scaleb(2))


def from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def claim_rows(lines: Sequence[ClaimLine]) -> ClaimRows:
    """:class:`ClaimLine` objects as :class:`ClaimRows` (dates and datetimes as they are)."""
    return ClaimRows(
        claim_id=[ln.claim_id for ln in lines],
        line_number=[ln.line_number for ln in lines],
        claim_type=[ln.claim_type for ln in lines],
        original_claim_id=[ln.original_claim_id for ln in lines],
        member_id=[ln.member_id for ln in lines],
        service_day=[ln.service_date for ln in lines],
        processed_at=[ln.processed_at for ln in lines],
        status=[ln.status for ln in lines],
        service_category=[ln.service_category for ln in lines],
        network=[ln.network for ln in lines],
        allowed_cents=[to_cents(ln.allowed_amount) for ln in lines],
        billed_cents=[to_cents(ln.billed_amount) for ln in lines],
    )


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
    resolved = resolve_rows(claim_rows(lines), range(len(lines)))
    return EffectiveClaims(
        [EffectiveLine(lines[row], root, order_at) for order_at, root, _, row in resolved.lines],
        [claim_version_status(lines, c) for c in resolved.claims],
        [lines[r] for r in resolved.orphan_reversals],
    )
