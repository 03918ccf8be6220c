"""One chunk of families priced in one worker process: Arrow IPC files in, Arrow IPC files out.

:mod:`assets.health_plan.marts` exports the claim lines of a chunk of families (every family whole, lines
ordered by subscriber, member, claim and line) and their enrollment spans to Arrow IPC files;
:func:`price_chunk` reads them (memory-mapped), prices all its families at once with the vectorised engine
(:func:`domain.health_plan.pricing.price_lines`) and writes one Arrow IPC file per claim mart: the columns
the engine computed (money as 64-bit decimals) and, for the columns that are the input's own values
(provider, dates, amounts...: :data:`PICKED`), only the input rows they come from. :func:`read_output` puts
each mart's rows together again at the load, taking those columns from the chunk's input file with Arrow
``take``; :func:`price_tables` does the same in memory (Spark). The engine's own results are numpy and Arrow
arrays: no Python object per line anywhere.

This module imports no Dagster, so a spawned worker starts in a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from domain import marts
from domain.health_plan.plans import PlanBook, PlanIndex, PlanYear
from domain.health_plan.pricing import Priced, price_lines
from domain.marts.entry import MONEY, PCT, arrow_type

EPOCH = dt.date(1970, 1, 1)
#: The marts one chunk writes; their columns and DuckDB types, in table order, are the registry's
#: (``domain.marts``).
CLAIM_MARTS: tuple[str, ...] = (
    "claim_cost_share",
    "claim_exceptions",
    "claim_status",
    "member_accumulators",
    "family_accumulators",
)
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {name: marts.get(name).column_types for name in CLAIM_MARTS}

#: Columns of a chunk's input file (``assets.health_plan.marts._export_chunks`` writes them): the family
#: member row (every member, with or without claims), the claim line's own columns, and the engine's numbers.
INPUT_COLUMNS = (
    "subscriber_id",
    "family_member",
    "employer_id",
    "claim_id",
    "line_number",
    "claim_type",
    "original_claim_id",
    "member_id",
    "provider_npi",
    "service_date",
    "processed_at",
    "status",
    "service_category",
    "network",
    "billed_amount",
    "allowed_amount",
    "service_day",
    "processed_us",
    "billed_cents",
    "allowed_cents",
)
#: The engine's numbers among them, read off the columns they come from (the day off the service date, the
#: microseconds off the processing time, the cents off the amounts): DuckDB does not export them, a caller
#: bringing its own batches may (:func:`with_engine_numbers`).
ENGINE_NUMBERS = {
    "service_day": "service_date",
    "processed_us": "processed_at",
    "billed_cents": "billed_amount",
    "allowed_cents": "allowed_amount",
}
#: Columns of the chunk files the pipeline's export writes (``assets/health_plan/chunk_lines.sql``).
EXPORT_COLUMNS = tuple(c for c in INPUT_COLUMNS if c not in ENGINE_NUMBERS)
SPAN_COLUMNS = ("member_id", "plan_id", "coverage_tier", "start_day", "end_day")
#: The Arrow types DuckDB gives the input's non-text columns (text is ``string``): what a caller bringing its
#: own batches (Spark: large strings, int32 day numbers) casts to, so passed-through columns keep the marts'
#: types.
INPUT_TYPES = {
    "line_number": pa.int32(),
    "service_date": pa.date32(),
    "processed_at": pa.timestamp("us"),
    "billed_amount": pa.decimal128(14, 2),
    "allowed_amount": pa.decimal128(14, 2),
    "service_day": pa.int64(),
    "processed_us": pa.int64(),
    "billed_cents": pa.int64(),
    "allowed_cents": pa.int64(),
}


class Part(NamedTuple):
    """One claim mart's rows for one chunk, as a worker hands them back: the columns the engine computed
    (``own``), and for each kind of row of :data:`PICKED` the input row of each mart row (``rows``)."""

    own: dict[str, pa.Array | pa.ChunkedArray]
    rows: dict[str, np.ndarray | pa.Array | pa.ChunkedArray]


#: The claim marts' columns that are an input column's own values at some row of the chunk: (mart column,
#: which rows, input column). A worker writes the row numbers, not the values; the load takes the values from
#: the chunk's input file (same rows, same order), so the 14 passed-through text and number columns of
#: ``claim_cost_share`` are not written, read and written again (session 10).
PICKED: dict[str, tuple[tuple[str, str, str], ...]] = {
    "claim_cost_share": tuple(
        (c, "line", c)
        for c in (
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
        )
    )
    + (("root_claim_id", "root", "claim_id"), ("order_at", "root", "processed_at")),
    "claim_exceptions": tuple(
        (c, "line", c)
        for c in (
            "claim_id",
            "line_number",
            "member_id",
            "subscriber_id",
            "claim_type",
            "service_date",
            "processed_at",
            "provider_npi",
            "allowed_amount",
        )
    ),
    "claim_status": (
        ("root_claim_id", "root", "claim_id"),
        ("claim_id", "head", "claim_id"),
        ("claim_type", "head", "claim_type"),
        ("processed_at", "head", "processed_at"),
        ("member_id", "shown", "member_id"),
        ("subscriber_id", "shown", "subscriber_id"),
        ("employer_id", "shown", "employer_id"),
        ("provider_npi", "shown", "provider_npi"),
        ("service_date", "shown", "service_date"),
    ),
    "member_accumulators": (
        ("subscriber_id", "member", "subscriber_id"),
        ("employer_id", "member", "employer_id"),
    ),
    "family_accumulators": (("subscriber_id", "family", "subscriber_id"),),
}
#: Prefix of the row-number columns in a worker's output file.
ROWS = "rows:"


def day_number(day: dt.date) -> int:
    """The engine's day units in the pipeline: days since 1970-01-01 (Arrow's date32)."""
    return (day - EPOCH).days


def schema(mart: str) -> pa.Schema:
    return marts.get(mart).arrow_schema()


def _scaled(values: Sequence[int | None], scale: int, to: pa.DataType) -> pa.Array:
    """Integers in units of 10^-scale (cents, tenths) as exact decimals of type ``to`` (64-bit, of that
    scale)."""
    try:
        ints = (
            np.ascontiguousarray(values, dtype=np.int64)
            if isinstance(values, np.ndarray)
            else np.fromiter(values, dtype=np.int64, count=len(values))
        )
    except TypeError:  # a None (no limit): the slower way, which keeps nulls
        unit = pa.scalar(Decimal(1).scaleb(-scale), pa.decimal128(scale + 1, scale))
        return pc.multiply(pa.array(values, pa.int64()).cast(pa.decimal128(19, 0)), unit).cast(to)
    # A decimal64 value is its unscaled integer: the int64 itself, no copy.
    return pa.Array.from_buffers(to, len(ints), [None, pa.py_buffer(ints)])


def _wire_type(kind: pa.DataType) -> pa.DataType:
    """A mart's decimal type as Arrow's 64-bit decimal (half the bytes of ``decimal128``; the marts' decimals
    have at most 18 digits)."""
    return pa.decimal64(kind.precision, kind.scale)


def with_engine_numbers(lines: pa.Table) -> pa.Table:
    """``lines`` with the :data:`ENGINE_NUMBERS` columns it lacks: days since 1970-01-01 (Arrow's date32 is
    that number), microseconds since the epoch (a ``timestamp[us]`` is that number) and cents (a decimal of
    scale 2 is stored as its number of cents), each read off the column's own values without arithmetic."""
    for name, source in ENGINE_NUMBERS.items():
        if name in lines.column_names:
            continue
        column = lines.column(source)
        if name == "service_day":
            numbers = column.cast(pa.date32()).cast(pa.int32()).cast(pa.int64())
        elif name == "processed_us":
            numbers = column.cast(pa.timestamp("us")).cast(pa.int64())
        else:
            numbers = pa.chunked_array([_cents(c) for c in _chunks_of(column)], pa.int64())
        lines = lines.append_column(name, numbers)
    return lines


def _chunks_of(column) -> list[pa.Array]:
    return column.chunks if isinstance(column, pa.ChunkedArray) else [column]


def _cents(amounts: pa.Array) -> pa.Array:
    """Decimal amounts as int64 cents: the unscaled integer of each decimal of scale 2 (a decimal128 value is
    a 16-byte little-endian integer: its low 8 bytes, when the high 8 are their sign extension)."""
    if not (pa.types.is_decimal128(amounts.type) and amounts.type.scale == 2):
        amounts = amounts.cast(pa.decimal128(38, 2))  # refuses (raises) an amount with a fraction of a cent
    words = np.frombuffer(amounts.buffers()[1], dtype=np.int64)[
        2 * amounts.offset : 2 * (amounts.offset + len(amounts))
    ]
    low, high = words[0::2], words[1::2]
    valid = amounts.is_valid().to_numpy(zero_copy_only=False) if amounts.null_count else None
    fits = high == (low >> 63)
    if not (fits if valid is None else fits | ~valid).all():
        raise ValueError("an amount beyond int64 cents")
    return pa.array(low, pa.int64(), mask=None if valid is None else ~valid)


def _read(path: Path) -> pa.Table:
    return pa.ipc.open_file(pa.memory_map(str(path))).read_all()


def price_chunk(
    lines_path: Path, spans_path: Path, work_dir: Path, plan_years: list[PlanYear]
) -> dict[str, Path]:
    """Price every family of one chunk; returns the Arrow IPC file written (in ``work_dir``) for each claim
    mart."""
    # Millions of small tuples and lists live until the chunk is written, and none of them forms a cycle:
    # without this, the cyclic garbage collector walks them all again and again (a third of the time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        out_dir = work_dir / f"out_{lines_path.stem}"
        out_dir.mkdir()
        return _write(_price(_read(lines_path), _read(spans_path), plan_years)[0], out_dir)
    finally:
        if was_enabled:
            gc.enable()


def price_tables(lines: pa.Table, spans: pa.Table, plan_years: list[PlanYear]) -> dict[str, pa.Table]:
    """The claim marts' rows for the families in ``lines`` (the columns of :data:`INPUT_COLUMNS`, those of
    :data:`ENGINE_NUMBERS` optional; family by family in subscriber, member, claim, line order) given their
    members' enrollment ``spans`` (the columns of :data:`SPAN_COLUMNS`, in table order): what one chunk
    worker computes, as in-memory Arrow tables, for a caller that brings its own batches (Spark's
    ``applyInArrow``)."""
    parts, table = _price(lines, spans, plan_years)
    return {mart: assemble(mart, part, table).cast(schema(mart)) for mart, part in parts.items()}


def _price(
    table: pa.Table, span_table: pa.Table, plan_years: list[PlanYear]
) -> tuple[dict[str, Part], pa.Table]:
    table = with_engine_numbers(table)
    # Families are runs of one subscriber id; a span belongs to its member's family.
    subscribers = pc.dictionary_encode(table.column("subscriber_id")).combine_chunks().indices
    codes = np.asarray(subscribers.to_numpy(zero_copy_only=False), dtype=np.int64)
    family = np.cumsum(np.r_[0, codes[1:] != codes[:-1]]) if len(codes) else codes
    member_row = pc.index_in(span_table.column("member_id"), value_set=table.column("family_member"))
    span_family = np.asarray(pc.fill_null(member_row, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    span_family = family[span_family] if len(family) else span_family
    if member_row.null_count:  # spans of no member of these families: not theirs to price with
        keep = member_row.is_valid()
        span_table = span_table.filter(keep)
        span_family = span_family[keep.to_numpy(zero_copy_only=False)]
    found = price_lines(table, family, span_table, span_family, PlanIndex(PlanBook(plan_years), day_number))
    return _parts(table, span_table, family, found), table


def _family_employers(table: pa.Table, family: np.ndarray) -> pa.Array:
    """Each family's employer: the subscriber's own, else that of the family's first member (in member id
    order: the first row)."""
    own = pc.equal(table.column("family_member"), table.column("subscriber_id")).combine_chunks()
    employer = table.column("employer_id").combine_chunks()
    starts = np.flatnonzero(np.r_[True, family[1:] != family[:-1]]) if len(family) else family
    own_rows = np.flatnonzero(pc.fill_null(own, False).to_numpy(zero_copy_only=False))
    # The first own row of each family, else the family's first row.
    at = np.searchsorted(own_rows, starts)
    ends = np.r_[starts[1:], len(family)]
    has_own = (
        (at < len(own_rows)) & (own_rows[np.minimum(at, max(len(own_rows) - 1, 0))] < ends)
        if len(own_rows)
        else np.zeros(len(starts), bool)
    )
    pick = np.where(
        has_own, own_rows[np.minimum(at, max(len(own_rows) - 1, 0))] if len(own_rows) else 0, starts
    )
    chosen = employer.take(pa.array(pick, pa.int64()))
    fallback = employer.take(pa.array(starts, pa.int64()))
    empty = pc.fill_null(pc.equal(chosen, ""), True)
    return pc.if_else(empty, fallback, chosen)


def _parts(table: pa.Table, spans: pa.Table, family: np.ndarray, found: Priced) -> dict[str, Part]:
    """Each claim mart's rows as :class:`Part`: the columns the engine computed, and the input rows whose own
    values make the other columns (:data:`PICKED`)."""
    money = _wire_type(arrow_type(MONEY))
    pct = _wire_type(arrow_type(PCT))

    def cents(values) -> pa.Array:
        return _scaled(values, 2, money)

    def year_column(index: np.ndarray, pick, kind: pa.DataType) -> pa.Array:
        values = pa.array([pick(y) for y in found.years], kind)
        return values.take(pa.array(index, pa.int64())) if len(values) else pa.array([], kind)

    parts: dict[str, Part] = {}
    parts["claim_cost_share"] = Part(
        {
            "deductible_applied": cents(found.deductible_applied),
            "coinsurance": cents(found.coinsurance),
            "copay": cents(found.copay),
            "member_responsibility": cents(found.member_responsibility),
            "plan_paid": cents(found.plan_paid),
            "plan_id": year_column(found.line_year, lambda y: y.plan.plan_id, pa.string()),
            "plan_year": year_column(found.line_year, lambda y: y.plan.plan_year, pa.int32()),
            "coverage_tier": spans.column("coverage_tier").take(pa.array(found.line_span, pa.int64())),
            "basis": found.basis,
            "explanation": found.explanation,
        },
        {"line": found.line_row, "root": found.line_root_row},
    )
    parts["claim_exceptions"] = Part({"reason": found.exception_reason}, {"line": found.exception_row})
    parts["claim_status"] = Part(
        {
            "status": found.chain_status,
            "line_count": pa.array(found.chain_line_count, pa.int32()),
            "unpriced_lines": pa.array(found.chain_unpriced, pa.int32()),
            "billed_amount": cents(found.chain_billed),
            "allowed_amount": cents(found.chain_allowed),
            "member_responsibility": cents(found.chain_member_pays),
            "plan_paid": cents(found.chain_plan_pays),
        },
        {"head": found.chain_head_row, "shown": found.chain_shown_row, "root": found.chain_root_row},
    )

    member_ids = spans.column("member_id").take(pa.array(found.member_span, pa.int64()))
    member_rows = pc.index_in(member_ids, value_set=table.column("family_member"))
    family_employer = _family_employers(table, family)
    for mart, prefix in (("member_accumulators", "member_"), ("family_accumulators", "family_")):
        fam, span, year, network, ded_met, ded_limit, oop_met, oop_limit = (
            getattr(found, prefix + f)
            for f in (
                "family",
                "span",
                "year",
                "network",
                "deductible_met",
                "deductible_limit",
                "oop_met",
                "oop_limit",
            )
        )
        oop_values = np.asarray(pc.fill_null(oop_limit, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
        oop_none = oop_limit.is_null().to_numpy(zero_copy_only=False)
        ded_rem = np.maximum(ded_limit - ded_met, 0)
        oop_rem = np.maximum(oop_values - oop_met, 0)
        own = {
            "plan_id": year_column(year, lambda y: y.plan.plan_id, pa.string()),
            "plan_year": year_column(year, lambda y: y.plan.plan_year, pa.int32()),
            "network": network,
            "deductible_met": cents(ded_met),
            "deductible_limit": cents(ded_limit),
            "oop_met": cents(oop_met),
            "oop_limit": _nullable_scaled(oop_values, oop_none, 2, money),
            "deductible_remaining": cents(ded_rem),
            "deductible_pct_met": _scaled(_pct_tenths(ded_met, ded_limit), 1, pct),
            "oop_remaining": _nullable_scaled(oop_rem, oop_none, 2, money),
            "oop_pct_met": _nullable_scaled(_pct_tenths(oop_met, oop_values), oop_none, 1, pct),
            "coverage_tier": spans.column("coverage_tier").take(pa.array(span, pa.int64())),
            "plan_year_start": year_column(year, lambda y: y.plan.plan_year_start, pa.date32()),
        }
        if mart == "member_accumulators":
            rows = np.asarray(pc.fill_null(member_rows, 0).to_numpy(zero_copy_only=False))
            parts[mart] = Part(own | {"member_id": member_ids}, {"member": rows})
        else:
            starts = np.flatnonzero(np.r_[True, family[1:] != family[:-1]]) if len(family) else family
            employers = family_employer.take(pa.array(fam, pa.int64()))
            parts[mart] = Part(own | {"employer_id": employers}, {"family": starts[fam]})
    return parts


def assemble(mart: str, part: Part, table: pa.Table, pool: pa.MemoryPool | None = None) -> pa.Table:
    """``mart``'s rows, its columns in table order: ``part``'s own columns, and the :data:`PICKED` ones taken
    from ``table`` (the chunk's input) at ``part``'s rows. Money is Arrow's 64-bit decimal here (DuckDB reads
    it as the mart's ``DECIMAL``); :func:`price_tables` casts to the mart's exact Arrow types."""
    picked: dict[str, pa.ChunkedArray] = {}
    by_rows: dict[str, list[tuple[str, str]]] = {}
    for column, rows, source in PICKED[mart]:
        by_rows.setdefault(rows, []).append((column, source))
    for rows, columns in by_rows.items():
        sources = list(dict.fromkeys(source for _, source in columns))
        taken = pc.take(table.select(sources), _indices(part.rows[rows]), memory_pool=pool)
        for column, source in columns:
            picked[column] = taken.column(source)
    if "order_at" in picked:  # the root claim's processing time, as the ordering timestamp
        picked["order_at"] = pc.cast(picked["order_at"], pa.timestamp("us"), memory_pool=pool)
    names = [f.name for f in schema(mart)]
    return pa.table([part.own[n] if n in part.own else picked[n] for n in names], names=names)


def _indices(rows) -> pa.Array:
    if isinstance(rows, np.ndarray):
        return pa.array(rows, pa.int64())
    return rows.combine_chunks() if isinstance(rows, pa.ChunkedArray) else rows


def _pct_tenths(met: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """:func:`domain.health_plan.accumulators.pct_met_tenths` column-wise (met >= 0)."""
    safe = np.maximum(limit, 1)
    pct = np.minimum(1000, (2 * 1000 * met + safe) // (2 * safe))
    return np.where(limit <= 0, 1000, pct)


def _nullable_scaled(values: np.ndarray, none: np.ndarray, scale: int, to: pa.DataType) -> pa.Array:
    scaled = _scaled(values, scale, to)
    return pc.if_else(pa.array(none), pa.scalar(None, to), scaled) if none.any() else scaled


def _write(parts: dict[str, Part], out_dir: Path) -> dict[str, Path]:
    """One Arrow IPC file per mart: the part's own columns, and its row numbers as ``int32`` columns named
    :data:`ROWS` + the rows' name (what :func:`read_output` reads back)."""
    written: dict[str, Path] = {}
    for mart, part in parts.items():
        rows = {ROWS + name: pa.array(np.asarray(r, dtype=np.int32)) for name, r in part.rows.items()}
        table = pa.table(part.own | rows)
        path = out_dir / f"{mart}.arrow"
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        written[mart] = path
    return written


def read_output(chunks: Sequence[tuple[Path, Path]], mart: str) -> pa.RecordBatchReader:
    """The rows of ``mart``, chunk after chunk: for each chunk, the file :func:`price_chunk` wrote for it and
    the chunk's input lines, both memory-mapped; the :data:`PICKED` columns are taken from the input as the
    stream is read, so memory holds one chunk's rows at a time."""

    def part_of(path: Path) -> Part:
        written = _read(path)
        own = {n: written.column(n) for n in written.column_names if not n.startswith(ROWS)}
        rows = {n[len(ROWS) :]: written.column(n) for n in written.column_names if n.startswith(ROWS)}
        return Part(own, rows)

    # The C library's allocator keeps a chunk's freed memory for the next one (see worker_start).
    pool = pa.system_memory_pool()
    tables = (assemble(mart, part_of(out), _read(lines), pool) for out, lines in chunks)
    first = next(tables, None)
    if first is None:
        return pa.RecordBatchReader.from_batches(schema(mart), [])
    return pa.RecordBatchReader.from_batches(
        first.schema, itertools.chain(first.to_batches(), (b for t in tables for b in t.to_batches()))
    )
