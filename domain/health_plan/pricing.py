"""The cost-share engine in integer cents, vectorised: :func:`price_lines` prices the claim lines of MANY
families at once, by the rule of ``domain.health_plan.cost_share`` (steps 1-6 of its docstring).

The rule is sequential within a family (each line's deductible and OOP depend on the family's running
accumulators) and independent between families. So the engine sorts the lines by family and processing order
and takes step ``k`` for the ``k``-th accumulating line of every family at once, with numpy arrays of cents
and one accumulator array per (member | family, plan year, network): a step costs the same few dozen array
operations whether it prices ten families or ten thousand, and a chunk takes as many steps as its longest
family has lines. Everything around the step (chain resolution, covering span, plan year, explanation
sentences, claim totals, accumulators) is column-wise as well: no Python per line.

Inputs are Arrow tables (strings stay in Arrow) with a family number per row; outputs are numpy arrays of row
numbers and cents, and Arrow string arrays (:class:`Priced`), so the pipeline builds its marts with Arrow
``take`` and the ``Decimal`` edge (:func:`domain.health_plan.cost_share.price_family`) its objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from domain.health_plan.enrollment import SINGLE_TIER
from domain.health_plan.plans import (
    CATEGORY_WORDS,
    COPAY_CATEGORIES,
    IN,
    NETWORKS,
    PREVENTIVE,
    PlanIndex,
    PlanYearCents,
)
from domain.health_plan.resolution import (
    CLAIM_STATUSES,
    DENIED_CODE,
    PAID_CODE,
    PENDING_CODE,
    STATUS_CODES,
    TYPE_CODES,
    ClaimColumns,
    resolve,
)

# Exception reasons (marts.claim_exceptions.reason): a line that could not be priced, never silently dropped.
NO_ENROLLMENT = "no_enrollment"  # no span of the member covers the service date
NO_PLAN_YEAR = "no_plan_year"  # the span's plan has no plan year containing the service date
UNKNOWN_MEMBER = "unknown_member"  # the claim's member_id is not in hp_members (no family to price it in)
ORPHAN_REVERSAL = "original_not_found"  # a reversal naming a claim that is not in the data: nothing removed
#: The exception reasons in words, for a claim whose lines could not be priced.
EXCEPTION_WORDS = {
    NO_ENROLLMENT: "Not covered: the member had no coverage on the date of service",
    NO_PLAN_YEAR: "Not priced: the plan has no plan year for the date of service",
    UNKNOWN_MEMBER: "Not priced: the member is not known to the plan",
    ORPHAN_REVERSAL: "Reversal of a claim that is not on file: nothing was taken back",
}
_REASONS = (ORPHAN_REVERSAL, NO_ENROLLMENT, NO_PLAN_YEAR)

DENIED_WORDS = "Denied: the plan pays nothing and nothing counts toward your deductible."
PENDING_WORDS = "Pending: not priced yet; nothing counts toward your deductible."
PREVENTIVE_WORDS = "In-network preventive care is covered in full."
NOTHING_OWED_WORDS = "Nothing owed: the deductible is met and the plan pays the rest"

#: Columns of the lines table :func:`price_lines` reads (rows with a null claim_id are skipped).
LINE_COLUMNS = (
    "claim_id",
    "line_number",
    "claim_type",
    "original_claim_id",
    "member_id",
    "service_day",
    "processed_us",
    "status",
    "service_category",
    "network",
    "billed_cents",
    "allowed_cents",
)
#: Columns of the spans table, rows in table order (the order that breaks ties between overlapping spans).
SPAN_COLUMNS = ("member_id", "plan_id", "coverage_tier", "start_day", "end_day")
#: A limit that does not exist (no OOP limit): larger than any amount.
_NO_LIMIT = np.int64(1) << 62
_CATEGORIES = (PREVENTIVE, *COPAY_CATEGORIES)  # codes: 0 preventive, 1.. the copay categories


def money_cents(cents_: int) -> str:
    """``domain.health_plan.cost_share.money`` from integer cents."""
    sign, whole = ("-", -cents_) if cents_ < 0 else ("", cents_)
    return f"${sign}{whole // 100:,}.{whole % 100:02d}"


def money_texts(cents: np.ndarray) -> pa.Array:
    """:func:`money_cents` of every value, column-wise ("$1,234.05", "$-0.50"), each distinct value formatted
    once."""
    distinct, inverse = np.unique(np.asarray(cents, dtype=np.int64), return_inverse=True)
    whole = np.abs(distinct)
    rest = whole // 100

    def digits(values: np.ndarray, width: int) -> pa.Array:
        return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width=width, padding="0")

    # The dollars' groups of three digits from the right, each after a comma, while a higher group is left.
    tail = pa.array([""] * len(distinct), pa.string())
    while (more := rest >= 1000).any():
        tail = pc.if_else(
            pa.array(more), pc.binary_join_element_wise(",", digits(rest % 1000, 3), tail, ""), tail
        )
        rest = np.where(more, rest // 1000, rest)
    sign = pc.if_else(pa.array(distinct < 0), "$-", "$")
    texts = pc.binary_join_element_wise(sign, digits(rest, 1), tail, ".", digits(whole % 100, 2), "")
    return texts.take(pa.array(inverse.ravel()))


class Priced(NamedTuple):
    """What :func:`price_lines` found, by row numbers of its input tables; money in cents.

    ``line_*``: every priced line (an effective line with a covering span and plan year), by family then
    processing order. ``exception_*``: lines that could not be priced (orphan reversals of a family first).
    ``chain_*``: claims as :class:`domain.health_plan.resolution.Resolved` with what their effective lines
    cost. ``member_*`` / ``family_*``: the accumulators at the end of the data, two rows (in, out of network)
    per member or family and plan year any member is enrolled in; ``*_span`` is the span row whose tier is
    reported, ``*_year`` an index into ``years``."""

    years: Sequence[PlanYearCents]
    line_row: np.ndarray
    line_span: np.ndarray
    line_year: np.ndarray
    line_root_row: np.ndarray
    deductible_applied: np.ndarray
    coinsurance: np.ndarray
    copay: np.ndarray
    member_responsibility: np.ndarray
    plan_paid: np.ndarray
    basis: pa.Array
    explanation: pa.Array
    exception_row: np.ndarray
    exception_reason: pa.Array
    chain_family: np.ndarray
    chain_root_row: np.ndarray
    chain_head_row: np.ndarray
    chain_shown_row: np.ndarray
    chain_status: pa.Array
    chain_line_count: np.ndarray
    chain_billed: np.ndarray
    chain_allowed: np.ndarray
    chain_member_pays: np.ndarray
    chain_plan_pays: np.ndarray
    chain_unpriced: np.ndarray
    member_family: np.ndarray
    member_span: np.ndarray
    member_year: np.ndarray
    member_network: pa.Array
    member_deductible_met: np.ndarray
    member_deductible_limit: np.ndarray
    member_oop_met: np.ndarray
    member_oop_limit: pa.Array  # int64 cents, null = no limit
    family_family: np.ndarray
    family_span: np.ndarray
    family_year: np.ndarray
    family_network: pa.Array
    family_deductible_met: np.ndarray
    family_deductible_limit: np.ndarray
    family_oop_met: np.ndarray
    family_oop_limit: pa.Array


# ---------------------------------------------------------------------------------------- columns
def _ints(column) -> np.ndarray:
    return np.asarray(pc.fill_null(column, 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _codes(column, values: Sequence[str]) -> np.ndarray:
    """Index of each value in ``values``, -1 for anything else (null included)."""
    found = pc.index_in(column, value_set=pa.array(values, pa.string()))
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _ranks(*columns) -> list[np.ndarray]:
    """Each value's rank in the string order of all the values of ``columns`` together (equal values, equal
    ranks; null -1), one array per column. Distinct values are sorted once."""
    whole = pa.chunked_array([c.cast(pa.string()) for col in columns for c in _chunks(col)], pa.string())
    encoded = pc.dictionary_encode(whole).combine_chunks()
    rank = np.asarray(pc.rank(encoded.dictionary, tiebreaker="dense").to_numpy(), dtype=np.int64) - 1
    indices = encoded.indices
    ranked = np.where(
        indices.is_valid().to_numpy(zero_copy_only=False),
        rank[np.asarray(pc.fill_null(indices, 0).to_numpy(zero_copy_only=False), dtype=np.int64)]
        if len(rank)
        else -1,
        -1,
    )
    out, at = [], 0
    for col in columns:
        out.append(ranked[at : at + len(col)])
        at += len(col)
    return out


def _chunks(column) -> list:
    return column.chunks if isinstance(column, pa.ChunkedArray) else [column]


class _Plans(NamedTuple):
    """The plan years as arrays, index = position in ``years`` ((plan_id, plan_year) order)."""

    years: list[PlanYearCents]
    plan_ids: list[str]  # sorted
    plan_of: np.ndarray
    start: np.ndarray
    end: np.ndarray
    aggregate: np.ndarray
    terms: dict[str, dict[str, np.ndarray]]  # network -> field -> per year
    copays: np.ndarray  # [year, copay category code - 1]
    rate_words: dict[str, pa.Array]
    where: dict[str, str]


def _plan_arrays(plans: PlanIndex) -> _Plans:
    years = sorted(plans.years(), key=lambda y: (y.plan.plan_id, y.plan.plan_year))
    plan_ids = sorted({y.plan.plan_id for y in years})

    def per_year(values) -> np.ndarray:
        return np.array(list(values), dtype=np.int64)

    terms = {
        n: {
            "ded_ind": per_year(y.networks[n].ded_ind for y in years),
            "ded_fam": per_year(y.networks[n].ded_fam for y in years),
            "oop_ind": per_year(_limit(y.networks[n].oop_ind) for y in years),
            "oop_fam": per_year(_limit(y.networks[n].oop_fam) for y in years),
            "num": per_year(y.networks[n].coins_num for y in years),
            "den": per_year(y.networks[n].coins_den for y in years),
        }
        for n in NETWORKS
    }
    return _Plans(
        years,
        plan_ids,
        per_year(plan_ids.index(y.plan.plan_id) for y in years),
        per_year(y.start for y in years),
        per_year(y.end for y in years),
        np.array([y.aggregate for y in years], dtype=bool),
        terms,
        np.array([[y.copays[c] for c in COPAY_CATEGORIES] for y in years], dtype=np.int64).reshape(
            len(years), len(COPAY_CATEGORIES)
        ),
        {n: pa.array([y.networks[n].rate_words for y in years], pa.string()) for n in NETWORKS},
        {n: ("in-network" if n == IN else "out-of-network") for n in NETWORKS},
    )


def _limit(value: int | None) -> int:
    return _NO_LIMIT if value is None else value


def _year_of(p: _Plans, plan: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The plan year (index) of plan code ``plan`` containing ``day``, -1 when none."""
    year = np.full(len(day), -1, dtype=np.int64)
    for code in range(len(p.plan_ids)):
        on = np.flatnonzero(plan == code)
        if not len(on):
            continue
        ids = np.flatnonzero(p.plan_of == code)
        ids = ids[np.argsort(p.start[ids], kind="stable")]
        at = np.searchsorted(p.start[ids], day[on], side="right") - 1
        ok = at >= 0
        picked = ids[np.maximum(at, 0)]
        ok &= day[on] < p.end[picked]
        year[on[ok]] = picked[ok]
    return year


# ---------------------------------------------------------------------------------------- the engine
def price_lines(
    lines: pa.Table,
    family: np.ndarray,
    spans: pa.Table,
    span_family: np.ndarray,
    plans: PlanIndex,
) -> Priced:
    """Price the claim lines of every family in ``lines`` (columns :data:`LINE_COLUMNS`; ``family[i]`` is row
    ``i``'s family number) against the enrollment ``spans`` of the families' members (columns
    :data:`SPAN_COLUMNS`, in table order; ``span_family[j]`` is span ``j``'s family) and ``plans``: resolve
    the
    claims, find the span and plan year that price each line, price the lines in processing order against
    running accumulators, total them per claim and report the accumulators of every plan year a family
    member is enrolled in. Day and time columns are integers in the units of ``plans``' days."""
    p = _plan_arrays(plans)
    family = np.asarray(family, dtype=np.int64)
    span_family = np.asarray(span_family, dtype=np.int64)
    claim_rank, original_rank = _ranks(lines.column("claim_id"), lines.column("original_claim_id"))
    original_rank = np.where(
        _codes(lines.column("original_claim_id"), ("",)) == 0, -1, original_rank
    )  # an empty original names no claim
    line_member, span_member = _ranks(lines.column("member_id"), spans.column("member_id"))
    cols = ClaimColumns(
        family=family,
        claim=claim_rank,
        original=original_rank,
        line_number=_ints(lines.column("line_number")),
        claim_type=_codes(lines.column("claim_type"), TYPE_CODES),
        processed_at=_ints(lines.column("processed_us")),
        status=_codes(lines.column("status"), STATUS_CODES),
        billed_cents=_ints(lines.column("billed_cents")),
        allowed_cents=_ints(lines.column("allowed_cents")),
    )
    rows = np.flatnonzero(lines.column("claim_id").is_valid().to_numpy(zero_copy_only=False))
    resolved = resolve(cols, rows)

    # The span covering each effective line: of the member's spans covering the day, the latest-starting,
    # then the lowest plan id, then the first in table order.
    eff = resolved.line_row
    day = _ints(lines.column("service_day"))[eff]
    s_start = _ints(spans.column("start_day"))
    s_end = np.where(
        spans.column("end_day").is_valid().to_numpy(zero_copy_only=False),
        _ints(spans.column("end_day")),
        _NO_LIMIT,
    )
    (s_plan_rank,) = _ranks(spans.column("plan_id"))
    s_order = np.lexsort((np.arange(len(s_start)), s_plan_rank, -s_start, span_member, span_family))
    width = int(max(span_member.max(initial=0), line_member.max(initial=0))) + 2
    s_key = span_family[s_order] * width + span_member[s_order]
    l_key = family[eff] * width + line_member[eff]
    first = np.searchsorted(s_key, l_key, side="left")
    count = np.searchsorted(s_key, l_key, side="right") - first
    span = np.full(len(eff), -1, dtype=np.int64)
    for j in range(int(count.max(initial=0))):
        todo = np.flatnonzero((span < 0) & (count > j))
        candidate = s_order[first[todo] + j]
        covers = (s_start[candidate] <= day[todo]) & (day[todo] <= s_end[candidate])
        span[todo[covers]] = candidate[covers]
    s_plan = _codes(spans.column("plan_id"), p.plan_ids)
    year = np.full(len(eff), -1, dtype=np.int64)
    covered = np.flatnonzero(span >= 0)
    year[covered] = _year_of(p, s_plan[span[covered]], day[covered])

    priced = np.flatnonzero(year >= 0)
    reasons = np.where(span < 0, 1, 2)  # NO_ENROLLMENT, NO_PLAN_YEAR
    unpriced = np.flatnonzero(year < 0)
    exception_row = np.concatenate([resolved.orphan_row, eff[unpriced]])
    exception_code = np.concatenate([np.zeros(len(resolved.orphan_row), np.int64), reasons[unpriced]])
    exception_family = family[exception_row]
    phase = np.concatenate([np.zeros(len(resolved.orphan_row), np.int64), np.ones(len(unpriced), np.int64)])
    ex_order = np.lexsort((np.arange(len(exception_row)), phase, exception_family))
    exception_row, exception_code = exception_row[ex_order], exception_code[ex_order]

    row = eff[priced]
    y = year[priced]
    sp = span[priced]
    status = cols.status[row]
    allowed = cols.allowed_cents[row]
    _check(lines, row, status, allowed)
    network_in = _codes(lines.column("network"), (IN,))[row] == 0
    category = _codes(lines.column("service_category"), _CATEGORIES)[row]
    paid = status == PAID_CODE
    preventive = paid & network_in & (category == 0)
    accumulating = paid & ~preventive
    copay_line = network_in & (category >= 1)
    single = _codes(spans.column("coverage_tier"), (SINGLE_TIER,))[sp] == 0

    member_key = family[row] * width + line_member[row]
    amounts = _price_steps(
        p, family[row], member_key, y, network_in, single, copay_line, category, allowed, accumulating
    )
    ded, coins, cop, member = (
        amounts["deductible"],
        amounts["coinsurance"],
        amounts["copay"],
        amounts["member"],
    )
    ded[preventive] = coins[preventive] = cop[preventive] = member[preventive] = 0
    plan_paid = np.where(paid, allowed - member, 0)
    basis, explanation = _words(
        p, status, preventive, accumulating, copay_line, category, y, network_in, allowed, amounts
    )

    line_chain = resolved.line_chain[priced]
    n_chains = len(resolved.chain_family)
    member_pays = np.zeros(n_chains, np.int64)
    plan_pays = np.zeros(n_chains, np.int64)
    np.add.at(member_pays, line_chain, member)
    np.add.at(plan_pays, line_chain, plan_paid)
    chain_unpriced = np.bincount(resolved.line_chain[unpriced], minlength=n_chains).astype(np.int64)

    acc = _accumulators(p, spans, span_family, span_member, s_start, s_end, width, amounts)
    return Priced(
        p.years,
        row,
        sp,
        y,
        resolved.chain_root_row[line_chain],
        ded,
        coins,
        cop,
        member,
        plan_paid,
        basis,
        explanation,
        exception_row,
        pa.array(_REASONS, pa.string()).take(pa.array(exception_code)),
        resolved.chain_family,
        resolved.chain_root_row,
        resolved.chain_head_row,
        resolved.chain_shown_row,
        pa.array(CLAIM_STATUSES, pa.string()).take(pa.array(resolved.chain_status)),
        resolved.chain_line_count,
        resolved.chain_billed,
        resolved.chain_allowed,
        member_pays,
        plan_pays,
        chain_unpriced,
        *acc,
    )


def _check(lines: pa.Table, row: np.ndarray, status: np.ndarray, allowed: np.ndarray) -> None:
    """Refuse the first line (in processing order) with a status the rule does not know or a paid line with
    a negative allowed amount, naming the claim and line."""
    bad = np.flatnonzero((status < 0) | ((status == PAID_CODE) & (allowed < 0)))
    if not len(bad):
        return
    r = int(row[bad[0]])
    claim_id, line_number = lines.column("claim_id")[r].as_py(), lines.column("line_number")[r].as_py()
    if status[bad[0]] < 0:
        raise ValueError(
            f"hp_claims claim {claim_id} line {line_number}: unknown status "
            f"{lines.column('status')[r].as_py()!r}"
        )
    raise ValueError(f"hp_claims claim {claim_id} line {line_number}: negative allowed_amount")


def _price_steps(
    p: _Plans,
    family: np.ndarray,
    member: np.ndarray,
    year: np.ndarray,
    network_in: np.ndarray,
    single: np.ndarray,
    copay_line: np.ndarray,
    category: np.ndarray,
    allowed: np.ndarray,
    accumulating: np.ndarray,
) -> dict[str, np.ndarray]:
    """Steps 3-5 for every accumulating line (the others get zeros), one processing-order step of every
    family at a time. Lines come by family, then processing order."""
    n = len(family)
    out = {
        name: np.zeros(n, np.int64)
        for name in (
            "deductible",
            "coinsurance",
            "copay",
            "member",
            "pre_deductible",
            "pre_coinsurance",
            "pre_copay",
            "full_copay",
            "rest",
            "cut",
        )
    }
    out["family_ded"] = np.zeros(n, bool)  # the deductible that applied is the family's
    out["family_cap"] = np.zeros(n, bool)  # the OOP cap that cut is the family's
    idx = np.flatnonzero(accumulating)
    if not len(idx):
        return out
    fam, net = family[idx], (~network_in[idx]).astype(np.int64)
    yr = year[idx]
    # Accumulator slots: (member, plan year, network) and (family, plan year, network).
    n_years = max(len(p.years), 1)
    m_keys, m_slot = np.unique((member[idx] * n_years + yr) * 2 + net, return_inverse=True)
    f_keys, f_slot = np.unique((fam * n_years + yr) * 2 + net, return_inverse=True)
    m_slot, f_slot = m_slot.ravel(), f_slot.ravel()

    def term(field: str) -> np.ndarray:
        return np.where(net == 0, p.terms[IN][field][yr], p.terms["out"][field][yr])

    ded_ind, ded_fam, oop_ind, oop_fam, num, den = (
        term(f) for f in ("ded_ind", "ded_fam", "oop_ind", "oop_fam", "num", "den")
    )
    sgl = single[idx]
    oop_fam = np.where(sgl, _NO_LIMIT, oop_fam)
    aggregate = p.aggregate[yr]
    is_copay = copay_line[idx]
    full_copay = np.where(is_copay, p.copays[yr, np.maximum(category[idx] - 1, 0)], 0) if len(p.years) else 0
    amount = allowed[idx]

    # Position of each line among its family's accumulating lines; step k takes position k of every family.
    starts = np.flatnonzero(np.r_[True, fam[1:] != fam[:-1]])
    position = np.arange(len(idx)) - np.repeat(starts, np.diff(np.r_[starts, len(idx)]))
    step_order = np.argsort(position, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(position))]

    m_ded = np.zeros(int(m_slot.max()) + 1, np.int64)
    m_oop = np.zeros_like(m_ded)
    f_ded = np.zeros(int(f_slot.max()) + 1, np.int64)
    f_oop = np.zeros_like(f_ded)
    fam_ded_used = np.zeros(len(idx), bool)
    fam_cap_used = np.zeros(len(idx), bool)
    # Step arrays laid out in step order, so a step reads contiguous slices.
    so = step_order
    ms, fs = m_slot[so], f_slot[so]
    a_ded_ind, a_ded_fam, a_oop_ind, a_oop_fam = ded_ind[so], ded_fam[so], oop_ind[so], oop_fam[so]
    a_num, a_den, a_sgl, a_agg, a_copay, a_full, a_amount = (
        num[so],
        den[so],
        sgl[so],
        aggregate[so],
        is_copay[so],
        full_copay[so],
        amount[so],
    )
    r_ded, r_coins, r_cop, r_member = (np.zeros(len(idx), np.int64) for _ in range(4))
    r_pre_ded, r_pre_coins, r_rest, r_cut = (np.zeros(len(idx), np.int64) for _ in range(4))
    for k in range(len(bounds) - 1):
        s, e = bounds[k], bounds[k + 1]
        mk, fk = ms[s:e], fs[s:e]
        ind_rem = np.maximum(a_ded_ind[s:e] - m_ded[mk], 0)
        fam_rem = np.maximum(a_ded_fam[s:e] - f_ded[fk], 0)
        use_fam = ~a_sgl[s:e] & (a_agg[s:e] | (fam_rem < ind_rem))
        copay_k = a_copay[s:e]
        amt = a_amount[s:e]
        ded = np.where(copay_k, 0, np.minimum(amt, np.where(use_fam, fam_rem, ind_rem)))
        rest = amt - ded
        n2, d2 = a_num[s:e], a_den[s:e]
        coins = np.where(copay_k, 0, (2 * n2 * rest + d2) // (2 * d2))
        cop = np.where(copay_k, np.minimum(a_full[s:e], amt), 0)
        owed = ded + coins + cop
        ind_oop = np.where(a_oop_ind[s:e] == _NO_LIMIT, _NO_LIMIT, np.maximum(a_oop_ind[s:e] - m_oop[mk], 0))
        fam_lim = a_oop_fam[s:e]
        fam_oop = np.where(fam_lim == _NO_LIMIT, _NO_LIMIT, np.maximum(fam_lim - f_oop[fk], 0))
        fam_cap = fam_oop < ind_oop
        cut = np.maximum(owed - np.where(fam_cap, fam_oop, ind_oop), 0)
        for_coins = np.minimum(cut, coins)
        left = cut - for_coins
        for_copay = np.minimum(left, cop)
        ded_after = ded - (left - for_copay)
        member = owed - cut
        m_ded[mk] += ded_after
        f_ded[fk] += ded_after
        m_oop[mk] += member
        f_oop[fk] += member
        r_ded[s:e], r_coins[s:e], r_cop[s:e], r_member[s:e] = (
            ded_after,
            coins - for_coins,
            cop - for_copay,
            member,
        )
        r_pre_ded[s:e], r_pre_coins[s:e], r_rest[s:e], r_cut[s:e] = ded, coins, rest, cut
        fam_ded_used[s:e], fam_cap_used[s:e] = use_fam, fam_cap
    back = idx[so]
    for name, values in (
        ("deductible", r_ded),
        ("coinsurance", r_coins),
        ("copay", r_cop),
        ("member", r_member),
        ("pre_deductible", r_pre_ded),
        ("pre_coinsurance", r_pre_coins),
        ("rest", r_rest),
        ("cut", r_cut),
    ):
        out[name][back] = values
    out["pre_copay"][back] = np.where(a_copay, np.minimum(a_full, a_amount), 0)
    out["full_copay"][back] = a_full
    out["family_ded"][back] = fam_ded_used
    out["family_cap"][back] = fam_cap_used & (r_cut > 0)
    # The accumulators at the end, by key: ((family x width + member) x years + year) x 2 + network, and
    # (family x years + year) x 2 + network.
    out["totals"] = ((m_keys, m_ded), (m_keys, m_oop), (f_keys, f_ded), (f_keys, f_oop))
    return out


def _words(
    p: _Plans,
    status: np.ndarray,
    preventive: np.ndarray,
    accumulating: np.ndarray,
    copay_line: np.ndarray,
    category: np.ndarray,
    year: np.ndarray,
    network_in: np.ndarray,
    allowed: np.ndarray,
    a: dict[str, np.ndarray],
) -> tuple[pa.Array, pa.Array]:
    """Each priced line's basis codes and the sentence a member reads, built column-wise: each clause only
    for the lines that have it, every distinct amount formatted once."""
    n = len(status)
    has_ded = accumulating & ~copay_line & (a["pre_deductible"] > 0)
    has_coins = accumulating & ~copay_line & (a["pre_coinsurance"] > 0)
    capped = accumulating & (a["cut"] > 0)
    has_copay = accumulating & copay_line
    kind = np.zeros(n, np.int64)  # covered
    kind[has_coins] = 2
    kind[has_ded] = 1
    kind[has_ded & has_coins] = 3
    kind[has_copay] = 4
    kind += 5 * capped
    kind[status == DENIED_CODE] = 10
    kind[status == PENDING_CODE] = 11
    kind[preventive] = 12
    basis = _BASIS.take(pa.array(kind))

    # Clauses, in the order a sentence says them: copay or deductible, coinsurance, the OOP cap. Every
    # accumulating line has one "shape" (which clauses, which network, individual or family, short or long
    # copay): the lines of a shape say the same words around their amounts, so each shape's sentences are
    # written in one pass (one join of its pieces), fixed words as scalars; every distinct amount is
    # formatted once.
    long_ = has_copay & (a["pre_copay"] < a["full_copay"])
    amounts = {
        "copay": (has_copay, a["pre_copay"]),
        "full": (long_, a["full_copay"]),
        "ded": (has_ded, a["pre_deductible"]),
        "rest": (has_coins, a["rest"]),
        "coins": (has_coins, a["pre_coinsurance"]),
        "cut": (capped, a["cut"]),
        "member": (accumulating, a["member"]),
    }
    # a hash table finds the distinct amounts faster than np.unique's sort
    encoded = pc.dictionary_encode(
        pa.array(np.concatenate([values[mask] for mask, values in amounts.values()]), pa.int64())
    )
    texts = money_texts(encoded.dictionary.to_numpy())
    inverse = encoded.indices.to_numpy()
    text_of: dict[str, np.ndarray] = {}  # row -> index into texts, for the rows that say that amount
    at = 0
    for name, (mask, _) in amounts.items():
        on = np.flatnonzero(mask)
        text_of[name] = np.zeros(n, np.int64)
        text_of[name][on] = inverse[at : at + len(on)]
        at += len(on)

    net = np.where(network_in, 0, 1)
    fam_ded = has_ded & a["family_ded"]
    fam_cap = capped & a["family_cap"]
    acc = np.flatnonzero(accumulating)
    shape = (
        has_copay.astype(np.int64)
        | long_ << 1
        | has_ded << 2
        | has_coins << 3
        | capped << 4
        | net << 5
        | fam_ded << 6
        | fam_cap << 7
    )[acc]
    in_shape_order = np.argsort(shape, kind="stable")
    by_shape = acc[in_shape_order]
    shapes, starts = np.unique(shape[in_shape_order], return_index=True)
    rate_all = (
        pa.concat_arrays([p.rate_words[IN], p.rate_words["out"]])
        if len(p.years)
        else pa.nulls(0, pa.string())
    )
    sentences: list[pa.Array] = []
    for code, first, last in zip(shapes, starts, np.r_[starts[1:], len(acc)][: len(starts)], strict=True):
        rows = by_shape[first:last]
        pieces = _shape_pieces(int(code), rows, texts, text_of, category, year, len(p.years), rate_all)
        sentences.append(pc.binary_join_element_wise(*pieces, ""))
    # Each line's sentence: its own (accumulating lines, by shape), else the fixed one after them.
    pick = np.full(n, len(acc), np.int64)
    pick[status == DENIED_CODE] = len(acc) + 1
    pick[status == PENDING_CODE] = len(acc) + 2
    pick[preventive] = len(acc) + 3
    pick[by_shape] = np.arange(len(acc))
    # one string array in row order (a take across the chunks: cheaper than concatenating them first)
    return basis, pa.chunked_array([*sentences, _CONSTANT_WORDS], pa.string()).take(
        pa.array(pick)
    ).combine_chunks()


def _shape_pieces(
    code: int,
    rows: np.ndarray,
    texts: pa.Array,
    text_of: dict[str, np.ndarray],
    category: np.ndarray,
    year: np.ndarray,
    n_years: int,
    rate_all: pa.Array,
) -> list:
    """The pieces of the sentences of the lines ``rows``, all of shape ``code`` (see :func:`_words`): arrays
    for what differs between them (amounts, the copay's category, the coinsurance rate), one string for each
    run of fixed words."""
    has_copay, long_, has_ded, has_coins, capped = ((code >> bit) & 1 for bit in range(5))
    where = _WHERE_WORDS[(code >> 5) & 1]
    pieces: list = []

    def money(name: str) -> pa.Array:
        return texts.take(pa.array(text_of[name][rows]))

    def say(*parts) -> None:
        if pieces:
            pieces.append("; ")
        pieces.extend(parts)

    if has_copay:
        copay_cat = _CATEGORY_TEXT.take(pa.array(np.maximum(category[rows], 0)))
        say(money("copay"), f" copay for an {where} ", copay_cat)
        if long_:
            pieces.extend([" (the ", money("full"), " copay, limited to the allowed amount)"])
    if has_ded:
        say(money("ded"), f" toward the {where} {_WHICH_WORDS[(code >> 6) & 1]} deductible")
    if has_coins:
        net = (code >> 5) & 1
        say(rate_all.take(pa.array(year[rows] + n_years * net)), " coinsurance on ", money("rest"), " = ")
        pieces.append(money("coins"))
    if capped:
        say(
            money("cut"),
            f" less because the {where} {_WHICH_WORDS[(code >> 7) & 1]} out-of-pocket maximum is reached",
        )
    if not pieces:
        pieces.append(NOTHING_OWED_WORDS)
    pieces.extend([". You owe ", money("member"), "."])
    # adjacent fixed words as one string: fewer arguments to join
    merged: list = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged


_BASIS = pa.array(
    (
        "covered",
        "deductible",
        "coinsurance",
        "deductible+coinsurance",
        "copay",
        "oop_cap",
        "deductible+oop_cap",
        "coinsurance+oop_cap",
        "deductible+coinsurance+oop_cap",
        "copay+oop_cap",
        "denied",
        "pending",
        "preventive",
    ),
    pa.string(),
)
_WHERE_WORDS = ("in-network", "out-of-network")
_WHICH_WORDS = ("individual", "family")
_CATEGORY_TEXT = pa.array([CATEGORY_WORDS.get(c, "") for c in _CATEGORIES], pa.string())
_CONSTANT_WORDS = pa.array([None, DENIED_WORDS, PENDING_WORDS, PREVENTIVE_WORDS], pa.string())


def _accumulators(
    p: _Plans,
    spans: pa.Table,
    span_family: np.ndarray,
    span_member: np.ndarray,
    s_start: np.ndarray,
    s_end: np.ndarray,
    width: int,
    a: dict[str, np.ndarray],
) -> tuple:
    """Member and family accumulators for every plan year a member's span overlaps, two networks each.

    A member's tier in a plan year is that of their latest-starting span overlapping it (the first in table
    order on a tie); the family's is the latest-starting of its members' (the first member in member id order
    on a tie), and the family is single when every member's tier there is EMP."""
    n_years = max(len(p.years), 1)
    plan = _codes(spans.column("plan_id"), p.plan_ids)
    pair_span, pair_year = [], []
    for yr in range(len(p.years)):
        on = np.flatnonzero((plan == p.plan_of[yr]) & (p.start[yr] <= s_end) & (p.end[yr] > s_start))
        pair_span.append(on)
        pair_year.append(np.full(len(on), yr, np.int64))
    ps = np.concatenate(pair_span) if pair_span else np.zeros(0, np.int64)
    py = np.concatenate(pair_year) if pair_year else np.zeros(0, np.int64)
    # One (family, member, year) key each: the latest start wins, then the first span in table order.
    order = np.lexsort((ps, -s_start[ps], py, span_member[ps], span_family[ps]))
    ps, py = ps[order], py[order]
    keep = (
        np.r_[
            True,
            (span_family[ps][1:] != span_family[ps][:-1])
            | (span_member[ps][1:] != span_member[ps][:-1])
            | (py[1:] != py[:-1]),
        ]
        if len(ps)
        else np.zeros(0, bool)
    )
    # Where the key was first met (its member, its first span in table order, its year's start): on a tie
    # between members for the family's tier, the first met wins.
    first_span = np.minimum.reduceat(ps, np.flatnonzero(keep)) if len(ps) else ps
    m_span, m_year = ps[keep], py[keep]
    m_fam, m_member = span_family[m_span], span_member[m_span]
    m_tier_single = _codes(spans.column("coverage_tier"), (SINGLE_TIER,))[m_span] == 0

    # The accumulating lines' totals, as the steps left them (members keyed by family x width + member).
    m_ded, m_oop, f_ded, f_oop = a.get("totals") or ((np.zeros(0, np.int64),) * 2,) * 4

    def lookup(found, keys: np.ndarray) -> np.ndarray:
        distinct, sums = found
        at = np.searchsorted(distinct, keys)
        hit = (
            (at < len(distinct)) & (distinct[np.minimum(at, max(len(distinct) - 1, 0))] == keys)
            if len(distinct)
            else np.zeros(len(keys), bool)
        )
        return np.where(hit, sums[np.minimum(at, max(len(distinct) - 1, 0))] if len(distinct) else 0, 0)

    # Member rows: by family, member id, plan id, plan year (= year index order), then in / out.
    mo = np.lexsort((m_year, m_member, m_fam))
    m_span, m_year, m_fam, m_member, m_tier_single, first_span = (
        m_span[mo],
        m_year[mo],
        m_fam[mo],
        m_member[mo],
        m_tier_single[mo],
        first_span[mo],
    )
    members = _rows(
        p,
        m_fam,
        m_span,
        m_year,
        lambda n: ((m_fam * width + m_member) * n_years + m_year) * 2 + n,
        m_ded,
        m_oop,
        lookup,
        single=None,
        aggregate_member=~m_tier_single,
    )

    # Family rows: one per (family, year), the tier of the latest-starting member span (first met on a tie).
    fo = np.lexsort((py_first := p.start[m_year], first_span, m_member, -s_start[m_span], m_year, m_fam))
    del py_first
    f_first = (
        np.r_[True, (m_fam[fo][1:] != m_fam[fo][:-1]) | (m_year[fo][1:] != m_year[fo][:-1])]
        if len(fo)
        else np.zeros(0, bool)
    )
    group_starts = np.flatnonzero(f_first)
    all_single = np.logical_and.reduceat(m_tier_single[fo], group_starts) if len(fo) else np.zeros(0, bool)
    f_pick = fo[group_starts]
    f_fam, f_year, f_span = m_fam[f_pick], m_year[f_pick], m_span[f_pick]
    families = _rows(
        p,
        f_fam,
        f_span,
        f_year,
        lambda n: (f_fam * n_years + f_year) * 2 + n,
        f_ded,
        f_oop,
        lookup,
        single=all_single,
        aggregate_member=None,
    )
    return (*members, *families)


def _rows(p: _Plans, fam, span, year, key_of, ded_totals, oop_totals, lookup, *, single, aggregate_member):
    """Accumulator rows, two per entry (in, then out of network): family, span, year, network, deductible
    met and limit, OOP met and limit (null = none)."""
    n = len(fam)
    rows_fam = np.repeat(fam, 2)
    rows_span = np.repeat(span, 2)
    rows_year = np.repeat(year, 2)
    rows_net = np.tile(np.array([0, 1], np.int64), n)
    keys = np.empty(2 * n, np.int64)
    keys[0::2], keys[1::2] = key_of(0), key_of(1)
    ded_met, oop_met = lookup(ded_totals, keys), lookup(oop_totals, keys)
    t_in, t_out = p.terms[IN], p.terms["out"]

    def term(field: str) -> np.ndarray:
        if not n:
            return np.zeros(0, np.int64)
        return np.where(rows_net == 0, t_in[field][rows_year], t_out[field][rows_year])

    if single is None:  # a member: the family deductible in an aggregate family plan above EMP
        fam_limit = np.repeat(aggregate_member, 2) & (p.aggregate[rows_year] if n else np.zeros(0, bool))
        ded_limit = np.where(fam_limit, term("ded_fam"), term("ded_ind"))
        oop_limit = term("oop_ind")
    else:
        sgl = np.repeat(single, 2)
        ded_limit = np.where(sgl, term("ded_ind"), term("ded_fam"))
        oop_limit = np.where(sgl, term("oop_ind"), term("oop_fam"))
    oop = pa.array(oop_limit, pa.int64(), mask=oop_limit == _NO_LIMIT)
    network = pa.array(list(NETWORKS), pa.string()).take(pa.array(rows_net))
    return rows_fam, rows_span, rows_year, network, ded_met, ded_limit, oop_met, oop
