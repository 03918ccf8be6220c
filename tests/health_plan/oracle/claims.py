"""The cost-share engine's claim resolution as it was before issue 22 (one family at a time, Python per
line): kept only as the test oracle of the vectorised engine (``domain.health_plan.claims.resolve``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from domain.health_plan.claims import DENIED, PAID, PENDING, REVERSAL, REVERSED, claim_status_of

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
