"""The chunk pricing as it was before issue 22: the reference the property test holds
:func:`assets.health_plan.chunks.price_tables` to.

:func:`price_tables` takes a chunk's claim lines and enrollment spans (the pipeline's chunk layout) and
runs the old per-family engine (``tests.health_plan.oracle.pricing.price_rows``) family by family into the
claim marts' exact columns and types.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assets.health_plan.chunks import (  # the chunk files' layout is shared; the pricing is not
    SPAN_COLUMNS,
    day_number,
    schema,
)
from domain.health_plan.accumulators import pct_met_tenths, remaining_cents
from domain.health_plan.enrollment import SpanRow
from domain.health_plan.plans import PlanBook, PlanIndex, PlanYear
from domain.marts.entry import MONEY, PCT, arrow_type
from tests.health_plan.oracle.claims import ClaimRows
from tests.health_plan.oracle.pricing import LINE_FIELDS, AccumulatorCents, FamilyRows, price_rows

#: The input columns the engine reads as Python values (the rest only pass through, in Arrow).
ENGINE_COLUMNS = (
    "subscriber_id",
    "family_member",
    "employer_id",
    "claim_id",
    "line_number",
    "claim_type",
    "original_claim_id",
    "member_id",
    "status",
    "service_category",
    "network",
    "service_day",
    "processed_us",
    "billed_cents",
    "allowed_cents",
)


def _scaled(values: Sequence[int | None], scale: int, to: pa.Decimal128Type) -> pa.Array:
    """Integers in units of 10^-scale (cents, tenths) as exact decimals of type ``to`` (of that scale)."""
    try:
        ints = np.fromiter(values, dtype=np.int64, count=len(values))
    except TypeError:  # a None (no limit): the slower way, which keeps nulls
        unit = pa.scalar(Decimal(1).scaleb(-scale), pa.decimal128(scale + 1, scale))
        return pc.multiply(pa.array(values, pa.int64()).cast(pa.decimal128(19, 0)), unit).cast(to)
    # A decimal128 value is its unscaled integer in 16 little-endian bytes: the int64 and its sign extension.
    unscaled = np.empty((len(ints), 2), dtype=np.int64)
    unscaled[:, 0] = ints
    unscaled[:, 1] = ints >> 63
    return pa.Array.from_buffers(to, len(ints), [None, pa.py_buffer(unscaled)])


class _Output:
    """Rows of one chunk for every claim mart, collected across its families."""

    def __init__(self) -> None:
        self.lines: list[tuple] = []
        self.exceptions: list[tuple[int, str]] = []
        self.claims: list[tuple] = []
        self.members: list[tuple] = []
        self.families: list[tuple] = []

    def add(
        self, subscriber_id: str, employers: dict[str, str], members: list[str], found: FamilyRows
    ) -> None:
        """Add one family's rows; ``members`` are the keys of ``employers`` in order."""
        self.lines += found.lines
        self.exceptions += found.exceptions
        self.claims += found.claims
        for a in found.members:
            self.members.append(
                (a.member_id, *_accumulator_values(a), subscriber_id, employers.get(a.member_id))
            )
        if found.families:
            family_employer = employers.get(subscriber_id) or employers[members[0]]
            for a in found.families:
                self.families.append((subscriber_id, *_accumulator_values(a), family_employer))


def _accumulator_values(a: AccumulatorCents) -> tuple:
    plan = a.year.plan
    return (
        plan.plan_id,
        plan.plan_year,
        a.network,
        a.deductible_met,
        a.deductible_limit,
        a.oop_met,
        a.oop_limit,
        remaining_cents(a.deductible_met, a.deductible_limit),
        pct_met_tenths(a.deductible_met, a.deductible_limit),
        remaining_cents(a.oop_met, a.oop_limit),
        pct_met_tenths(a.oop_met, a.oop_limit),
        a.coverage_tier,
        plan.plan_year_start,
    )


def _spans(table: pa.Table) -> dict[str, list[SpanRow]]:
    spans: dict[str, list[SpanRow]] = {}
    for member_id, plan_id, tier, start, end in zip(
        *(table.column(c).to_pylist() for c in SPAN_COLUMNS), strict=True
    ):
        spans.setdefault(member_id, []).append(SpanRow(start, end, plan_id, tier))
    return spans


def price_tables(lines: pa.Table, spans: pa.Table, plan_years: list[PlanYear]) -> dict[str, pa.Table]:
    """The claim marts' rows for the families in ``lines`` (the columns of :data:`INPUT_COLUMNS`, family by
    family in subscriber, member, claim, line order) given their members' enrollment ``spans`` (the columns of
    :data:`SPAN_COLUMNS`, in table order): what one chunk worker computes, as in-memory Arrow tables, for a
    caller that brings its own batches (Spark's ``applyInArrow``)."""
    return _price(lines, spans, plan_years)


def _price(table: pa.Table, span_table: pa.Table, plan_years: list[PlanYear]) -> dict[str, pa.Table]:
    col = {name: table.column(name).to_pylist() for name in ENGINE_COLUMNS}
    rows = ClaimRows(
        claim_id=col["claim_id"],
        line_number=col["line_number"],
        claim_type=col["claim_type"],
        original_claim_id=col["original_claim_id"],
        member_id=col["member_id"],
        service_day=col["service_day"],
        processed_at=col["processed_us"],
        status=col["status"],
        service_category=col["service_category"],
        network=col["network"],
        allowed_cents=col["allowed_cents"],
        billed_cents=col["billed_cents"],
    )
    plans = PlanIndex(PlanBook(plan_years), day_number)
    spans = _spans(span_table)
    subscribers, family_members = col["subscriber_id"], col["family_member"]
    employer_ids, claim_ids = col["employer_id"], col["claim_id"]
    out = _Output()
    n, i = table.num_rows, 0
    while i < n:  # rows come family by family
        subscriber_id = subscribers[i]
        employers: dict[str, str] = {}
        family: list[int] = []
        while i < n and subscribers[i] == subscriber_id:
            employers[family_members[i]] = employer_ids[i]
            if claim_ids[i] is not None:  # a member without claims has one row with no claim
                family.append(i)
            i += 1
        members = sorted(employers)  # member order breaks ties between members' spans: make it fixed
        spans_of = {m: spans[m] for m in members if m in spans}
        out.add(subscriber_id, employers, members, price_rows(subscriber_id, rows, family, spans_of, plans))
    return _tables(table, out)


def _take(table: pa.Table, rows: Sequence[int], names: Sequence[str]) -> dict[str, pa.Array]:
    picked = table.select(list(names)).take(pa.array(rows, pa.int64()))
    return {name: picked.column(name) for name in names}


def _tables(table: pa.Table, out: _Output) -> dict[str, pa.Table]:
    money = arrow_type(MONEY)
    pct = arrow_type(PCT)

    def cents(values: Sequence[int | None]) -> pa.Array:
        return _scaled(values, 2, money)

    def timestamps(values: Sequence[int]) -> pa.Array:
        return pa.array(values, pa.int64()).cast(pa.timestamp("us"))

    columns: dict[str, dict[str, pa.Array | pa.ChunkedArray]] = {}

    lines = dict(zip(LINE_FIELDS, _transpose(out.lines, len(LINE_FIELDS)), strict=True))
    columns["claim_cost_share"] = (
        _take(
            table,
            lines["row"],
            (
                "claim_id",
                "line_number",
                "member_id",
                "subscriber_id",
                "employer_id",
                "network",
                "service_category",
                "status",
                "claim_type",
                "service_date",
                "processed_at",
                "provider_npi",
                "billed_amount",
                "allowed_amount",
            ),
        )
        | {
            name: cents(lines[name])
            for name in ("deductible_applied", "coinsurance", "copay", "member_responsibility", "plan_paid")
        }
        | {
            "plan_id": pa.array(lines["plan_id"], pa.string()),
            "plan_year": pa.array(lines["plan_year"], pa.int32()),
            "coverage_tier": pa.array(lines["coverage_tier"], pa.string()),
            "root_claim_id": pa.array(lines["root_claim_id"], pa.string()),
            "order_at": timestamps(lines["order_at"]),
            "basis": pa.array(lines["basis"], pa.string()),
            "explanation": pa.array(lines["explanation"], pa.string()),
        }
    )

    rows, reasons = _transpose(out.exceptions, 2)
    columns["claim_exceptions"] = _take(
        table,
        rows,
        (
            "claim_id",
            "line_number",
            "member_id",
            "subscriber_id",
            "claim_type",
            "service_date",
            "processed_at",
            "provider_npi",
            "allowed_amount",
        ),
    ) | {"reason": pa.array(reasons, pa.string())}

    (root, latest, head, shown, status, line_count, billed, allowed, member_pays, plan_pays, unpriced) = (
        _transpose(out.claims, 11)
    )
    columns["claim_status"] = (
        _take(table, head, ("claim_type", "processed_at"))
        | _take(table, shown, ("member_id", "subscriber_id", "employer_id", "provider_npi", "service_date"))
        | {
            "root_claim_id": pa.array(root, pa.string()),
            "claim_id": pa.array(latest, pa.string()),
            "status": pa.array(status, pa.string()),
            "line_count": pa.array(line_count, pa.int32()),
            "unpriced_lines": pa.array(unpriced, pa.int32()),
            "billed_amount": cents(billed),
            "allowed_amount": cents(allowed),
            "member_responsibility": cents(member_pays),
            "plan_paid": cents(plan_pays),
        }
    )

    for mart, found in (("member_accumulators", out.members), ("family_accumulators", out.families)):
        (
            who,
            plan_id,
            plan_year,
            network,
            ded_met,
            ded_limit,
            oop_met,
            oop_limit,
            ded_rem,
            ded_pct,
            oop_rem,
            oop_pct,
            tier,
            start,
            *rest,
        ) = _transpose(found, 16 if mart == "member_accumulators" else 15)
        columns[mart] = {
            "member_id" if mart == "member_accumulators" else "subscriber_id": pa.array(who, pa.string()),
            "plan_id": pa.array(plan_id, pa.string()),
            "plan_year": pa.array(plan_year, pa.int32()),
            "network": pa.array(network, pa.string()),
            "deductible_met": cents(ded_met),
            "deductible_limit": cents(ded_limit),
            "oop_met": cents(oop_met),
            "oop_limit": cents(oop_limit),
            "deductible_remaining": cents(ded_rem),
            "deductible_pct_met": _scaled(ded_pct, 1, pct),
            "oop_remaining": cents(oop_rem),
            "oop_pct_met": _scaled(oop_pct, 1, pct),
            "coverage_tier": pa.array(tier, pa.string()),
            "plan_year_start": pa.array(start, pa.date32()),
        }
        if mart == "member_accumulators":
            columns[mart] |= {
                "subscriber_id": pa.array(rest[0], pa.string()),
                "employer_id": pa.array(rest[1], pa.string()),
            }
        else:
            columns[mart] |= {"employer_id": pa.array(rest[0], pa.string())}

    return {
        mart: pa.table([cols[f.name] for f in schema(mart)], schema=schema(mart))
        for mart, cols in columns.items()
    }


def _transpose(rows: list[tuple], width: int) -> list[Sequence]:
    """Rows of ``width`` values as ``width`` columns (empty columns when there are no rows)."""
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]
