"""Random but valid health-plan staging tables of any size (for the benchmark smoke test and timing
probes)."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pyarrow as pa

from domain.contracts import SERVICE_CATEGORIES
from tests.health_plan.warehouse import PLAN
from tests.support import create_staging_table


def build_synthetic(
    conn: duckdb.DuckDBPyConnection, families: int, lines_per_member: int, seed: int = 7
) -> int:
    """Staging hp_* tables with ``families`` families of 1-4 members; returns the number of claim lines."""
    rng = random.Random(seed)
    create_staging_table(conn, "hp_employers", [{"employer_id": "E1", "name": "Acme", "group_number": "G1"}])
    create_staging_table(
        conn, "hp_plans", [PLAN, {**PLAN, "plan_year": 2026, "plan_year_start": "2026-01-01"}]
    )
    create_staging_table(conn, "hp_providers")
    members, spans, claims = [], [], []
    for f in range(families):
        size = rng.randint(1, 4)
        tier = "EMP" if size == 1 else "FAM"
        sub = f"S{f:06d}"
        for i in range(size):
            member = sub if i == 0 else f"{sub}-{i}"
            members.append(
                (member, sub, "self" if i == 0 else "child", "A", "B", dt.date(1980, 1, 1), None, "E1")
            )
            spans.append((member, "P1", tier, dt.date(2025, 1, 1), None))
            for n in range(lines_per_member):
                claim = f"{member}-C{n}"
                at = dt.datetime(2025, 1, 2) + dt.timedelta(hours=rng.randint(0, 24 * 500))
                row = [claim, 1, "original", None, member, "1234567893", at.date(), at.date(), at,
                       rng.choice(["paid"] * 8 + ["denied", "pending"]), rng.choice(SERVICE_CATEGORIES),
                       rng.choice(["in", "in", "out"]), 0, rng.randint(0, 300_000) / 100]  # fmt: skip
                row[12] = row[13]
                claims.append(tuple(row))
                if rng.random() < 0.05:  # a reversal a week later
                    claims.append(
                        (f"{claim}-R", 1, "reversal", claim, *row[4:8], at + dt.timedelta(days=7), *row[9:])
                    )
    _insert(conn, "hp_members", members, "'m.csv', 1")
    _insert(conn, "hp_enrollment", spans, "'e.csv', 1")
    _insert(conn, "hp_claims", claims, "'c.csv', 1")
    return len(claims)


def _insert(conn: duckdb.DuckDBPyConnection, table: str, rows: list[tuple], lineage: str) -> None:
    """Append ``rows`` (the table's columns in order, lineage columns aside) in one statement: row-by-row
    inserts of thousands of rows take seconds."""
    names = [r[0] for r in conn.execute(f"DESCRIBE staging.{table}").fetchall()][: len(rows[0])]
    frame = pa.table({n: list(column) for n, column in zip(names, zip(*rows, strict=True), strict=True)})
    conn.register("_synthetic_rows", frame)
    try:
        # by name: staging tables may carry optional columns after the ones given here
        columns = ", ".join([*names, "_file_name", "_row_number"])
        conn.execute(f"INSERT INTO staging.{table} ({columns}) SELECT *, {lineage} FROM _synthetic_rows")
    finally:
        conn.unregister("_synthetic_rows")
