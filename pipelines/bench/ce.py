"""CE attendance validation speed on the warehouse's staging tables (target scale medium: ~400k claims).

Baseline (same run, same connection): scanning every column of the tables the validation reads. The validation
is timed end to end (compile the Ibis rule to SQL, run it, materialise all outcome rows into a temp table).
Each is the best of a few repetitions, so one noisy neighbour on the shared cores does not decide the figure.
"""

from __future__ import annotations

import time

import ibis

from assets.warehouse import open_warehouse
from domain.ce.attendance import attendance_outcomes
from domain.ce.tables import CeTables
from pipelines.bench import BenchContext, Figure

TOPIC = "ce"
REPEATS = 3
#: The floor below which the validation would be slower than a naive per-event Python loop.
MIN_EVENTS_PER_SECOND = 100_000
READ_TABLES = ("ce_attendance", "ce_accounts", "ce_activities", "ce_activity_credits")


def bench(ctx: BenchContext) -> list[Figure]:
    path = ctx.settings.warehouse_path
    if not path.exists():
        ctx.console.print(f"[yellow]ce: no warehouse at {path}; run `portalytics materialize` first[/]")
        return []
    with open_warehouse(path, read_only=True) as conn:
        if not _has_staging(conn):
            ctx.console.print("[yellow]ce: the warehouse has no staging.ce_* tables yet[/]")
            return []
        events = conn.execute("SELECT count(*) FROM staging.ce_attendance").fetchall()[0][0]
        scan = _best(lambda: _scan(conn))
        validate = _best(lambda: _validate(conn))
    rate = events / validate if validate else 0.0
    note = f"{events:,} claims, {ctx.cores} cores, best of {REPEATS}"
    timing = Figure(TOPIC, "attendance validation", validate, "s", baseline=scan, notes=note)
    timing.target = "baseline = scan of the inputs"
    throughput = Figure(TOPIC, "attendance validation rate", rate, "events/s", notes=note)
    throughput.target = f"≥ {MIN_EVENTS_PER_SECOND:,} events/s"
    throughput.ok = rate >= MIN_EVENTS_PER_SECOND
    return [timing, throughput]


def _has_staging(conn) -> bool:
    sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'staging'"
    names = {r[0] for r in conn.execute(sql).fetchall()}
    return set(READ_TABLES) <= names


def _best(run) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _scan(conn) -> None:
    for table in READ_TABLES:
        columns = [r[0] for r in conn.execute(f"DESCRIBE staging.{table}").fetchall()]
        counts = ", ".join(f'count("{c}")' for c in columns)
        conn.execute(f"SELECT {counts} FROM staging.{table}").fetchall()


def _validate(conn) -> None:
    tables = CeTables.from_backend(ibis.duckdb.from_connection(conn))
    sql = ibis.to_sql(attendance_outcomes(tables), dialect="duckdb")
    conn.execute(f"CREATE OR REPLACE TEMP TABLE bench_ce_outcomes AS {sql}")
    conn.execute("DROP TABLE bench_ce_outcomes")
