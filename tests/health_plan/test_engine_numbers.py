"""The engine's numbers (days, microseconds, cents) read off a chunk's own columns, as the worker does now
that DuckDB no longer exports them: they must be exactly what the export computed before
(``service_date - DATE '1970-01-01'``, ``epoch_us(processed_at)``, ``CAST(amount * 100 AS BIGINT)``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

from assets.health_plan.chunks import ENGINE_NUMBERS, with_engine_numbers

AMOUNTS = ["10.00", "-0.50", None, "0.01", "999999999999.99", "-999999999999.99", "0.00"]


def _lines(amounts: list[str | None], scale: int = 2, precision: int = 14) -> pa.Table:
    n = len(amounts)
    return pa.table(
        {
            "service_date": pa.array(
                [dt.date(1969, 12, 31), dt.date(1970, 1, 1), None, dt.date(2026, 6, 30)][:n]
                + [dt.date(2000, 2, 29)] * max(0, n - 4),
                pa.date32(),
            ),
            "processed_at": pa.array(
                [dt.datetime(1969, 12, 31, 23, 59, 59, 999999), None]
                + [dt.datetime(2026, 6, 30, 8, 1, 2, 3)] * (n - 2),
                pa.timestamp("us"),
            ),
            "billed_amount": pa.array(
                [None if a is None else Decimal(a) for a in amounts], pa.decimal128(precision, scale)
            ),
            "allowed_amount": pa.array(
                [None if a is None else -Decimal(a) for a in amounts], pa.decimal128(precision, scale)
            ),
        }
    )


def _duckdb_numbers(table: pa.Table) -> dict[str, list]:
    """What the export computed in DuckDB before: the reference."""
    conn = duckdb.connect()
    conn.register("t", table)
    rows = conn.execute(
        "SELECT service_date - DATE '1970-01-01', epoch_us(processed_at),"
        " CAST(billed_amount * 100 AS BIGINT), CAST(allowed_amount * 100 AS BIGINT) FROM t"
    ).fetchall()
    return {name: [r[i] for r in rows] for i, name in enumerate(ENGINE_NUMBERS)}


def test_numbers_are_what_duckdb_computed_for_the_same_values():
    table = _lines(AMOUNTS)
    numbers = with_engine_numbers(table)
    assert numbers.column("billed_cents").to_pylist() == [
        1000,
        -50,
        None,
        1,
        99999999999999,
        -99999999999999,
        0,
    ]
    assert numbers.column("allowed_cents").to_pylist() == [
        -1000,
        50,
        None,
        -1,
        -99999999999999,
        99999999999999,
        0,
    ]
    assert numbers.column("service_day").to_pylist()[:4] == [-1, 0, None, 20634]
    assert numbers.column("processed_us").to_pylist()[:2] == [-1, None]
    assert {n: numbers.column(n).to_pylist() for n in ENGINE_NUMBERS} == _duckdb_numbers(table)
    assert all(numbers.schema.field(n).type == pa.int64() for n in ENGINE_NUMBERS)


def test_a_slice_of_a_batch_reads_its_own_rows():
    """An exported chunk is a slice of DuckDB's record batches: the numbers come from the slice's rows."""
    table = _lines(AMOUNTS)
    part = pa.Table.from_batches([b.slice(3, 3) for b in table.to_batches()])
    assert with_engine_numbers(part).column("billed_cents").to_pylist() == [
        1,
        99999999999999,
        -99999999999999,
    ]


def test_other_decimal_scales_give_cents_or_are_refused():
    whole = _lines(["12", "-3", None], scale=0, precision=10)
    assert with_engine_numbers(whole).column("billed_cents").to_pylist() == [1200, -300, None]
    with pytest.raises(pa.ArrowInvalid):  # a tenth of a cent cannot be a whole number of cents
        with_engine_numbers(_lines(["1.005", "2.000", None], scale=3, precision=10))


def test_an_amount_beyond_int64_cents_is_refused_not_wrapped():
    with pytest.raises(ValueError, match="beyond int64 cents"):
        with_engine_numbers(_lines(["100000000000000000.00", "1.00", None], scale=2, precision=38))


def test_numbers_a_caller_brings_are_kept():
    table = _lines(AMOUNTS).append_column("billed_cents", pa.array([7] * len(AMOUNTS), pa.int64()))
    assert with_engine_numbers(table).column("billed_cents").to_pylist() == [7] * len(AMOUNTS)
