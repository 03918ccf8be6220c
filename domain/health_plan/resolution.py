"""Claim chains resolved to their effective lines for many families at once, column by column (numpy).

The rule is :mod:`domain.health_plan.claims`'s (a claim's chain, its latest version, an adjustment taking its
original's place, orphan reversals); this is its form over columns, so the cost-share engine
(:mod:`domain.health_plan.pricing`) never spends Python per claim line. Claims are grouped per family by claim
id; a claim's head is its line with the lowest line number (then the first row).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: Claim types and line statuses as codes (index in these tuples; -1 for anything else).
TYPE_CODES = ("original", "adjustment", "reversal")
STATUS_CODES = ("paid", "denied", "pending")
REVERSAL_CODE, PAID_CODE, DENIED_CODE, PENDING_CODE = 2, 0, 1, 2
#: Claim-level statuses as codes (index in this tuple), see :func:`domain.health_plan.claims.claim_status_of`.
CLAIM_STATUSES = ("paid", "denied", "pending", "partially_paid", "reversed")
_C_PAID, _C_DENIED, _C_PENDING, _C_PARTIAL, _C_REVERSED = range(5)


class ClaimColumns(NamedTuple):
    """The claim lines the rule reads, one numpy array per column (rows of one table, several families)."""

    family: np.ndarray  # family number of each row
    claim: np.ndarray  # claim id as its rank in string order (equal ids, equal ranks)
    original: np.ndarray  # original_claim_id's rank in the same order; -1 when empty or none
    line_number: np.ndarray
    claim_type: np.ndarray  # TYPE_CODES
    processed_at: np.ndarray  # int64, any ordered units
    status: np.ndarray  # STATUS_CODES
    billed_cents: np.ndarray
    allowed_cents: np.ndarray


class Resolved(NamedTuple):
    """Chains (one per claim with effective or reversed lines, by family then root claim id), effective lines
    (by family, then processing order) and orphan reversal lines (by family, in the family's claim order).
    Every ``*_row`` is a row of the input columns."""

    chain_family: np.ndarray
    chain_root_row: (
        np.ndarray
    )  # the root claim's head row (its claim id, its processed_at: the place in order)
    chain_head_row: np.ndarray  # the latest version's head row
    chain_shown_row: np.ndarray  # the first line of the lines shown (the root's when reversed)
    chain_status: np.ndarray  # CLAIM_STATUSES
    chain_line_count: np.ndarray
    chain_billed: np.ndarray
    chain_allowed: np.ndarray
    line_row: np.ndarray
    line_chain: np.ndarray  # index into the chain arrays
    orphan_row: np.ndarray


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """Start positions of runs of equal ``keys`` (already sorted), plus the end."""
    n = len(keys[0])
    change = np.zeros(n, dtype=bool)
    if n:
        change[0] = True
        for k in keys:
            change[1:] |= k[1:] != k[:-1]
    return np.append(np.flatnonzero(change), n)


def lex_order(*keys: np.ndarray) -> np.ndarray:
    """``np.lexsort(keys)`` (the last key first; stable), as one sort of a combined integer key when the keys'
    ranges allow it (several times faster); a key with a wide range (microseconds) is replaced by its rank."""
    if not len(keys[0]):
        return np.zeros(0, np.int64)
    combined = np.zeros(len(keys[0]), np.int64)
    bits = 0
    for key in reversed(keys):
        low, high = int(key.min()), int(key.max())
        if high - low >= 1 << 24:
            distinct, key = np.unique(key, return_inverse=True)
            key, low, high = key.ravel(), 0, len(distinct) - 1
        width = max(high - low + 1, 1).bit_length()
        bits += width
        if bits > 62:
            return np.lexsort(keys)
        combined = (combined << width) | (key - low)
    return np.argsort(combined, kind="stable")


def _roots(parent: np.ndarray) -> np.ndarray:
    """Each claim's chain root: follow ``parent`` (the claim its head names as original, itself when none)
    to the end. A cycle (bad data) ends the walk at the last claim not yet seen, as the rule says."""
    root = parent.copy()
    for _ in range(64):
        step = parent[root]
        if np.array_equal(step, root):
            return root
        root = step
    root = parent[root]
    for c in np.flatnonzero(parent[root] != root):  # in or behind a cycle: walk it as the rule does
        seen, current = {int(c)}, int(c)
        while True:
            nxt = int(parent[current])
            if nxt == current or nxt in seen:
                break
            seen.add(nxt)
            current = nxt
        root[c] = current
    return root


def resolve(cols: ClaimColumns, rows: np.ndarray) -> Resolved:
    """Resolve the chains of the claim lines ``rows`` (an int64 array of row numbers) family by family."""
    fam, claim, line_no = cols.family[rows], cols.claim[rows], cols.line_number[rows]
    order = rows[lex_order(line_no, claim, fam)]  # rows come in row order: ties stay so
    o_fam, o_claim = cols.family[order], cols.claim[order]
    bounds = _group_starts(o_fam, o_claim)
    starts, ends = bounds[:-1], bounds[1:]
    sizes = ends - starts
    head = order[starts]  # per claim (group), in (family, claim id) order
    g_fam, g_claim = o_fam[starts], o_claim[starts]
    group_of = np.repeat(np.arange(len(starts)), sizes)  # per position of ``order``

    # A claim's original, when it is a claim of the same family.
    span = int(max(cols.claim.max(initial=0), cols.original.max(initial=0))) + 2
    g_key = g_fam.astype(np.int64) * span + g_claim
    orig = cols.original[head]
    o_key = g_fam.astype(np.int64) * span + orig
    at = np.searchsorted(g_key, o_key)
    found = (orig >= 0) & (at < len(g_key)) & (g_key[np.minimum(at, len(g_key) - 1)] == o_key)
    parent = np.where(found, at, np.arange(len(starts)))
    root = _roots(parent)
    orphan = (root == np.arange(len(starts))) & (cols.claim_type[head] == REVERSAL_CODE)

    # Chains: the versions (claims that are not orphans) by root; the latest by (processed_at, claim id).
    versions = np.flatnonzero(~orphan)
    # Most claims are their chain's only version; only the chains of several are sorted.
    n_versions = np.bincount(root[versions], minlength=len(starts))
    alone = versions[n_versions[root[versions]] == 1]
    several = versions[n_versions[root[versions]] > 1]
    by_root = several[np.lexsort((g_claim[several], cols.processed_at[head[several]], root[several]))]
    last = _group_starts(root[by_root])[1:] - 1
    latest = np.sort(np.concatenate([alone, by_root[last]]))  # chains by family, then root claim id
    latest = latest[np.argsort(root[latest], kind="stable")]
    chain_root = root[latest]  # ascending: chains come by family, then root claim id
    reversed_ = cols.claim_type[head[latest]] == REVERSAL_CODE
    shown = np.where(reversed_, chain_root, latest)

    o_status = cols.status[order]
    counts = {
        code: np.add.reduceat((o_status == code).astype(np.int64), starts) if len(starts) else sizes
        for code in (PAID_CODE, DENIED_CODE, PENDING_CODE)
    }
    status = np.full(len(latest), _C_PARTIAL, dtype=np.int64)
    n_latest = sizes[latest]
    status[counts[PAID_CODE][latest] == n_latest] = _C_PAID
    status[counts[DENIED_CODE][latest] == n_latest] = _C_DENIED
    status[counts[PENDING_CODE][latest] > 0] = _C_PENDING
    status[reversed_] = _C_REVERSED

    def sums(values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values[order], starts)[shown] if len(starts) else np.zeros(0, np.int64)

    # Effective lines: the latest version's lines of every chain not taken back, in processing order.
    chain_of_group = np.full(len(starts), -1)
    live = np.flatnonzero(~reversed_)
    chain_of_group[latest[live]] = live
    positions = np.flatnonzero(chain_of_group[group_of] >= 0)
    line_row = order[positions]
    line_chain = chain_of_group[group_of[positions]]
    root_head = head[chain_root[line_chain]]
    # (rows of one claim with the same line number keep their row order: they come so in ``order``)
    sort = lex_order(
        cols.line_number[line_row],
        g_claim[chain_root[line_chain]],
        cols.processed_at[root_head],
        cols.family[line_row],
    )
    line_row, line_chain = line_row[sort], line_chain[sort]

    # Orphan reversals: in the family's claim order (a claim's first row), then line number.
    first_row = np.minimum.reduceat(order, starts) if len(starts) else starts
    o_pos = np.flatnonzero(orphan[group_of])
    o_rows, o_groups = order[o_pos], group_of[o_pos]
    orphan_row = o_rows[np.lexsort((o_rows, cols.line_number[o_rows], first_row[o_groups], g_fam[o_groups]))]

    return Resolved(
        chain_family=g_fam[latest],
        chain_root_row=head[chain_root],
        chain_head_row=head[latest],
        chain_shown_row=head[shown],
        chain_status=status,
        chain_line_count=sizes[shown],
        chain_billed=sums(cols.billed_cents),
        chain_allowed=sums(cols.allowed_cents),
        line_row=line_row,
        line_chain=line_chain,
        orphan_row=orphan_row,
    )
