"""Benchmark of the cost-share engine on the warehouse's staging claims (built by ``portalytics
materialize``).

Figures: the engine's time (export every chunk of families out of DuckDB, price them in worker processes,
write the five claim marts) against a baseline of DuckDB alone scanning, joining and sorting the same lines
into family order; lines priced per second; and the peak memory (resident set) of the process that ran the
engine plus its workers, which must stay bounded whatever the number of lines (the product's bar: under 6 GB
for the whole run at medium scale).

The engine runs in a fresh child process so its peak memory is its own, and writes its marts into a scratch
DuckDB file under ``<data dir>/bench/`` (deleted afterwards); the warehouse is only read.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from pathlib import Path
from queue import Empty

import duckdb

from assets.warehouse import open_warehouse
from pipelines.bench import BenchContext, Figure

TOPIC = "health_plan"
PEAK_MEMORY_LIMIT_MB = 6 * 1024


def _open(warehouse: Path, scratch: Path) -> duckdb.DuckDBPyConnection:
    scratch.unlink(missing_ok=True)
    conn = duckdb.connect(str(scratch))
    conn.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
    return conn


def _baseline(warehouse: Path, scratch: Path) -> float:
    """DuckDB alone: the same lines joined to their families and sorted into family order, into a table."""
    with _open(warehouse, scratch) as conn:
        start = time.perf_counter()
        conn.execute(
            """
            CREATE TABLE sorted_lines AS
            SELECT m.subscriber_id, m.employer_id, c.*
            FROM wh.staging.hp_members m LEFT JOIN wh.staging.hp_claims c ON c.member_id = m.member_id
            ORDER BY m.subscriber_id, m.member_id
            """
        )
        return time.perf_counter() - start


def _engine(warehouse: str, scratch: str, out) -> None:
    """Child process: price every family; report seconds, mart row counts and the peak memory of this
    process plus its worker processes (each worker counted at the largest worker's peak: they run at once)."""
    from assets.health_plan.marts import price_all_families, worker_count

    with _open(Path(warehouse), Path(scratch)) as conn:
        ((lines,),) = conn.execute("SELECT count(*) FROM wh.staging.hp_claims").fetchall()
        workers = worker_count(lines)
        start = time.perf_counter()
        counts = price_all_families(conn, source="wh.staging", target="bench", workers=workers)
        seconds = time.perf_counter() - start
    own_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    worker_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if workers > 1 else 0
    out.put(
        {
            "seconds": seconds,
            "counts": counts,
            "workers": workers,
            "peak_mb": (own_kb + workers * worker_kb) / 1024,
        }
    )


def run_engine_in_child(warehouse: Path, scratch: Path) -> dict:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_engine, args=(str(warehouse), str(scratch), queue))
    child.start()
    result = None
    while result is None:  # poll, so a child that dies without reporting does not leave us waiting forever
        try:
            result = queue.get(timeout=1)
        except Empty:
            if not child.is_alive():
                break
    child.join()
    if child.exitcode != 0 or result is None:
        raise RuntimeError(f"the cost-share benchmark process failed with exit code {child.exitcode}")
    return result


def bench(ctx: BenchContext) -> list[Figure]:
    warehouse = ctx.settings.warehouse_path
    scratch = ctx.settings.root / "bench" / "health_plan_scratch.duckdb"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    if not warehouse.exists():
        ctx.console.print(
            f"[yellow]{TOPIC}: no warehouse at {warehouse}; run `portalytics materialize` first[/]"
        )
        return []
    with open_warehouse(warehouse, read_only=True) as conn:
        lines, members = conn.execute(
            "SELECT (SELECT count(*) FROM staging.hp_claims), (SELECT count(*) FROM staging.hp_members)"
        ).fetchall()[0]
    try:
        baseline = _baseline(warehouse, scratch)
        run = run_engine_in_child(warehouse, scratch)
    finally:
        scratch.unlink(missing_ok=True)
        Path(f"{scratch}.wal").unlink(missing_ok=True)
    seconds, peak = run["seconds"], run["peak_mb"]
    notes = (
        f"{lines:,} claim lines, {members:,} members, {run['counts']['claim_exceptions']:,} exceptions, "
        f"{run['workers']} worker process(es) on {os.cpu_count()} cores"
    )
    ctx.console.print(
        f"{TOPIC}: {notes}; engine {seconds:.1f}s, DuckDB sort {baseline:.1f}s, peak {peak:,.0f} MB"
    )
    return [
        Figure(
            TOPIC,
            "cost share engine (all families)",
            seconds,
            "s",
            baseline,
            "ratio to DuckDB sort",
            notes=notes,
        ),
        Figure(TOPIC, "cost share lines priced per second", lines / seconds if seconds else 0.0, "lines/s"),
        Figure(
            TOPIC,
            "cost share peak memory (engine process RSS)",
            peak,
            "MB",
            target=f"< {PEAK_MEMORY_LIMIT_MB} MB",
            ok=peak < PEAK_MEMORY_LIMIT_MB,
        ),
    ]
