"""Health-plan marts: cost share per claim line, accumulators, claim status, exceptions, enrollment roster,
members (with birth dates) and providers.

Cost share is sequential within a family and independent between families, so the vectorised engine
(:func:`domain.health_plan.pricing.price_lines`, all of a chunk's families at once) runs over chunks of
consecutive families, in parallel: DuckDB exports each chunk's claim lines (family order) and spans to Arrow
IPC files under the data dir (one ordered query per band of chunks, streamed a chunk at a time), worker
processes (:mod:`assets.health_plan.chunks`) price them and write the marts' computed columns and row numbers
as Arrow IPC files, and one ``CREATE TABLE ... AS SELECT`` per mart loads them, chunk after chunk, taking the
passed-through columns from each chunk's lines file. The workers never open the warehouse (DuckDB has one
writer, the pipeline). Memory holds a chunk per worker (about :data:`CHUNK_LINES` lines), one chunk's rows
in the load and a band's sort in DuckDB (about :data:`EXPORT_BAND_LINES` lines), whatever the number of
lines; disk holds the spans of a few chunks per worker (removed once priced), every chunk's lines file until
the marts are loaded, and each mart's computed columns until it is loaded.

The roster and the plan years are set-based: DuckDB SQL in this package's ``.sql`` files, loaded by name
(:mod:`domain.sql_files`).
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing
from pathlib import Path

import dagster as dg
import numpy as np
import pyarrow as pa
from dagster_duckdb import DuckDBResource

from assets.common import HEAVY_TAG, MARTS, STAGING, mart_key, replace_table, staging_key
from assets.health_plan.chunks import CLAIM_MARTS, COLUMNS, price_chunk, read_output
from assets.health_plan.worker_start import start_worker
from domain.health_plan.cost_share import UNKNOWN_MEMBER, PlanBook, PlanYear
from domain.sql_files import load, search_path

log = logging.getLogger(__name__)

GROUP = "health_plan"
HP_SOURCES: tuple[str, ...] = ("hp_plans", "hp_members", "hp_enrollment", "hp_claims")
#: Asset check (non-blocking): claim lines that could not be priced, counted by reason.
CHECK_CLAIM_EXCEPTIONS = "claim_lines_without_coverage"
#: About this many claim lines per chunk of families: bounds a worker's memory, and gives the pool several
#: chunks per worker so a worker slowed down by another process does not hold up the end.
CHUNK_LINES = 250_000
EXPORT_BATCH_ROWS = 100_000
#: About this many claim lines (whole chunks) exported by one query: one scan of every claim line per band,
#: and DuckDB holds one band's sorted rows at a time.
EXPORT_BAND_LINES = 1_000_000
WORK_PREFIX = "cost_share_chunks_"
#: Below this many claim lines, starting worker processes costs more than it saves.
PARALLEL_MIN_LINES = 100_000
#: Chunks exported per worker ahead of the one it prices: keeps the workers busy, bounds the files on disk.
CHUNKS_AHEAD = 2

#: Sort order of the small marts; the big ones keep the chunks' order (see :func:`_load_mart`).
ORDER_BY: dict[str, str] = {
    "claim_exceptions": "claim_id, line_number",
    "member_accumulators": "member_id, plan_id, plan_year, network",
    "family_accumulators": "subscriber_id, plan_id, plan_year, network",
}
__all__ = ["CLAIM_MARTS", "COLUMNS"]


def load_plan_book(conn, source: str = STAGING) -> PlanBook:
    return PlanBook(_plan_years(conn, source))


def _plan_years(conn, source: str) -> list[PlanYear]:
    cols = ", ".join(f.name for f in PlanYear.__dataclass_fields__.values())
    return [PlanYear(*r) for r in conn.execute(f"SELECT {cols} FROM {source}.hp_plans").fetchall()]


def worker_count(lines: int) -> int:
    """Worker processes for ``lines`` claim lines: one per CPU, or none (this process) for small data."""
    return (os.cpu_count() or 1) if lines >= PARALLEL_MIN_LINES else 1


def _assign_chunks(conn, chunk_lines: int) -> int:
    """Split the families into chunks of about ``chunk_lines`` claim lines, in subscriber order (temp table
    ``_hp_chunks``: subscriber_id, chunk; and ``_hp_chunk_members``: each member's chunk and place in family
    order); returns the number of chunks.

    Chunks are runs of consecutive subscribers, so the chunks' rows laid end to end are in subscriber order
    whatever the number of chunks or workers: the marts come out the same on every machine."""
    conn.execute(load(__package__, "chunk_families"), {"chunk_lines": chunk_lines})
    conn.execute(load(__package__, "chunk_members"))
    ((chunks,),) = conn.execute("SELECT coalesce(max(chunk) + 1, 1) FROM _hp_chunks").fetchall()
    return chunks


def _export_chunks(conn, chunks: int, chunk_lines: int, into: Path) -> Iterator[tuple[Path, Path]]:
    """Write, chunk after chunk, as Arrow IPC files, the claim lines of each chunk's families, a row for every
    member with or without claims, in family order, and the enrollment spans of its members in table order
    (the order that breaks ties between overlapping spans); yields each chunk's two files once written.

    One ordered query per band of chunks of about :data:`EXPORT_BAND_LINES` lines (not one per chunk: each
    query reads every claim line), streamed: a chunk's file is written only when the caller asks for the next
    chunk, so the files on disk stay what the caller keeps, and memory a band's sort. A family's rows side by
    side is also what keeps the worker fast."""
    band = max(1, EXPORT_BAND_LINES // max(chunk_lines, 1))
    for first in range(0, chunks, band):
        last = min(first + band, chunks) - 1
        params = {"first": first, "last": last}
        spans = conn.sql(load(__package__, "chunk_spans"), params=params).to_arrow_table()
        starts = _chunk_starts(spans.column("chunk"), first, last)
        spans = spans.drop_columns("chunk")
        lines = conn.sql(load(__package__, "chunk_lines"), params=params).to_arrow_reader(EXPORT_BATCH_ROWS)
        try:
            batches = _ChunkBatches(lines)
            for chunk in range(first, last + 1):
                lines_path, spans_path = into / f"lines_{chunk}.arrow", into / f"spans_{chunk}.arrow"
                _write_batches(batches.of(chunk), batches.schema, lines_path)
                own = spans.slice(starts[chunk - first], starts[chunk - first + 1] - starts[chunk - first])
                _write_batches(own.to_batches(), spans.schema, spans_path)
                yield lines_path, spans_path
        finally:
            lines.close()  # frees the connection if the caller stops early


def _chunk_starts(chunk: pa.ChunkedArray, first: int, last: int) -> list[int]:
    """Where each chunk's rows start in a column of chunk numbers in ascending order (and where they end)."""
    values = chunk.to_numpy()
    return [int(i) for i in np.searchsorted(values, np.arange(first, last + 2), side="left")]


class _ChunkBatches:
    """A record-batch stream in chunk order (its first column is the chunk), cut at chunk boundaries:
    ``of(c)`` yields chunk ``c``'s rows without that column."""

    def __init__(self, reader: pa.RecordBatchReader):
        self._batches = iter(reader)
        self._pending: pa.RecordBatch | None = None
        self.schema = reader.schema.remove(0)

    def of(self, chunk: int) -> Iterator[pa.RecordBatch]:
        while True:
            if self._pending is None:
                self._pending = next(self._batches, None)
                if self._pending is None:
                    return
            batch = self._pending
            ends = int(np.searchsorted(batch.column(0).to_numpy(), chunk, side="right"))
            if ends:
                yield batch.slice(0, ends).drop_columns(batch.schema.names[0])
            if ends < batch.num_rows:
                self._pending = batch.slice(ends)
                return
            self._pending = None


def _write_batches(batches, schema: pa.Schema, path: Path) -> None:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)


def _work_dir(conn) -> Path:
    """A fresh folder for the chunk files, beside the database file (inside the data dir) when there is one.

    Folders left there by a run that was killed are removed first: only one process writes a database file,
    so none of them is in use."""
    ((path,),) = conn.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    if not path:
        return Path(tempfile.mkdtemp(prefix=WORK_PREFIX))
    parent = Path(path).parent
    for stale in parent.glob(f"{WORK_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=parent))


def price_all_families(
    conn,
    source: str = STAGING,
    target: str = MARTS,
    *,
    workers: int | None = None,
    chunk_lines: int = CHUNK_LINES,
) -> dict[str, int]:
    """Build the claim marts in ``target`` from the hp_* tables in ``source``; returns each mart's row count.

    Families are independent, so they are priced in chunks of consecutive families, by ``workers`` processes
    (default: one per CPU, or just this process for small data). The pipeline holds the only connection to
    the warehouse, so the workers never open it: each chunk goes out as Arrow IPC files, the workers write its
    marts' rows as Arrow IPC files, and one ``CREATE TABLE ... AS SELECT`` per mart loads them all."""
    ((lines,),) = conn.execute(f"SELECT count(*) FROM {source}.hp_claims").fetchall()
    workers = worker_count(lines) if workers is None else workers
    plan_years = _plan_years(conn, source)
    work = _work_dir(conn)
    started = time.perf_counter()
    try:
        with search_path(conn, source):  # the chunk statements name the hp_* tables unqualified
            chunks, outputs = _price_chunks(conn, workers, chunk_lines, work, plan_years)
        priced = time.perf_counter()
        log.info(
            "cost share: %d lines in %d chunks priced by %d workers in %.1fs",
            lines,
            chunks,
            workers,
            priced - started,
        )
        counts = {
            mart: _load_mart(conn, source, target, mart, [(o[mart], lines) for o, lines in outputs])
            for mart in CLAIM_MARTS
        }
        _remove(lines for _, lines in outputs)
        log.info("cost share: marts written in %.1fs", time.perf_counter() - priced)
        return counts
    finally:
        conn.execute("DROP TABLE IF EXISTS _hp_chunk_members")
        conn.execute("DROP TABLE IF EXISTS _hp_chunks")
        shutil.rmtree(work, ignore_errors=True)


def _price_chunks(conn, workers: int, chunk_lines: int, work: Path, plan_years) -> tuple[int, list]:
    """Assign the families to chunks, export each chunk and price it; returns the number of chunks and, in
    chunk order, each chunk's output files with its input lines file (the load takes the marts' passed-through
    columns from it: :data:`assets.health_plan.chunks.PICKED`).

    A chunk's spans file is removed once it is priced, its lines file once the marts are loaded; at most
    :data:`CHUNKS_AHEAD` chunks per worker are exported before their turn, so memory holds a few chunks
    whatever the number of lines. On disk, the lines files and the workers' outputs (which do not repeat
    the lines' columns) add up to less than the outputs alone did before session 10."""
    chunks = _assign_chunks(conn, chunk_lines)
    with closing(_export_chunks(conn, chunks, chunk_lines, work)) as exports:
        if workers == 1:
            outputs = []
            for inputs in exports:
                outputs.append(_priced(price_chunk(*inputs, work, plan_years), inputs))
            return chunks, outputs
        context = multiprocessing.get_context("spawn")  # never fork a process holding DuckDB's threads
        with ProcessPoolExecutor(workers, mp_context=context, initializer=start_worker) as pool:
            # The next chunks are exported while the workers price the earlier ones.
            in_flight: deque = deque()
            outputs = []
            try:
                for index in range(chunks):
                    if len(in_flight) >= workers * CHUNKS_AHEAD:
                        outputs.append(_priced(*in_flight.popleft(), chunks))
                    inputs = next(exports)
                    in_flight.append((pool.submit(price_chunk, *inputs, work, plan_years), inputs, index))
                while in_flight:
                    outputs.append(_priced(*in_flight.popleft(), chunks))
            except BaseException:
                for future, _, _ in in_flight:  # the step fails: the chunks not started yet are not priced
                    future.cancel()
                raise
            return chunks, outputs


def _priced(done, inputs: tuple[Path, Path], index: int = 0, chunks: int = 0) -> tuple[dict[str, Path], Path]:
    """A priced chunk's output files (``done``: them, or the worker's future for chunk ``index`` of
    ``chunks``) and its lines file (kept for the load); its spans file is removed. A worker's failure fails
    the step, naming the chunk."""
    lines, spans = inputs
    if isinstance(done, Future):
        try:
            done = done.result()
        except Exception as error:
            raise RuntimeError(
                f"cost share: pricing chunk {index + 1} of {chunks} failed in a worker process "
                f"({type(error).__name__}); the claim marts were not replaced"
            ) from error
    _remove([spans])
    return done, lines


def _remove(paths) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _load_mart(conn, source: str, target: str, mart: str, chunks: list[tuple[Path, Path]]) -> int:
    """Replace ``target.mart`` by the chunks' rows (each chunk's output file of ``mart`` and its input lines
    file), in a fixed order so reruns are identical: the chunks' own order (subscriber, then processing
    order) for the big marts, sorting costs seconds there."""
    rows, params = "SELECT * FROM _hp_chunk_rows", []
    if mart == "claim_exceptions":
        # Lines of members unknown to hp_members belong to no family: reported, never priced.
        rows += f"""
            UNION ALL
            SELECT c.claim_id, c.line_number, c.member_id, CAST(? AS VARCHAR), NULL, c.claim_type,
            c.service_date,
                   c.processed_at, c.provider_npi, c.allowed_amount
            FROM {source}.hp_claims c ANTI JOIN {source}.hp_members m ON c.member_id = m.member_id
        """
        params = [UNKNOWN_MEMBER]
    columns = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in COLUMNS[mart])
    order = f" ORDER BY {ORDER_BY[mart]}" if mart in ORDER_BY else ""
    conn.register("_hp_chunk_rows", read_output(chunks, mart))
    started = time.perf_counter()
    try:
        return replace_table(conn, f"{target}.{mart}", f"SELECT {columns} FROM ({rows}){order}", params)
    finally:
        conn.unregister("_hp_chunk_rows")
        _remove(out for out, _ in chunks)  # loaded: the next marts' load has the disk space back
        log.info("cost share: %s written in %.1fs", mart, time.perf_counter() - started)


def build_employer_enrollment(conn) -> int:
    """The roster: one row per enrollment span with the member's employer, family and names."""
    return replace_table(conn, f"{MARTS}.employer_enrollment", load(__package__, "employer_enrollment"))


def build_plan_members(conn) -> int:
    """One row per member with the birth date: provider eligibility matches on member id AND birth date, and a
    dependent aged 18 or more is private from the subscriber (both read it; no page shows it)."""
    return replace_table(conn, f"{MARTS}.plan_members", load(__package__, "plan_members"))


def build_plan_providers(conn) -> int:
    """Providers by NPI with their names: what a member's claims and EOBs call them."""
    return replace_table(conn, f"{MARTS}.plan_providers", load(__package__, "plan_providers"))


def build_plan_years(conn) -> int:
    """Plan designs with the last day of each plan year (``plan_year_end``) as the engine decides it."""
    book = load_plan_book(conn)
    ends = [(py.plan_id, py.plan_year, book.end_of(py) - dt.timedelta(days=1)) for py in book.plan_years()]
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _hp_plan_year_ends (plan_id VARCHAR, plan_year INTEGER, plan_year_end "
        "DATE)"
    )
    if ends:
        conn.executemany("INSERT INTO _hp_plan_year_ends VALUES (?, ?, ?)", ends)
    try:
        return replace_table(conn, f"{MARTS}.plan_years", load(__package__, "plan_years"))
    finally:
        conn.execute("DROP TABLE _hp_plan_year_ends")


# ---------------------------------------------------------------------------------------- Dagster
@dg.multi_asset(
    specs=[
        dg.AssetSpec(mart_key(name), deps=[staging_key(s) for s in HP_SOURCES], group_name=GROUP)
        for name in CLAIM_MARTS
    ],
    check_specs=[
        dg.AssetCheckSpec(CHECK_CLAIM_EXCEPTIONS, asset=mart_key("claim_exceptions"), blocking=False)
    ],
    # at the large scale it is the run's memory peak: never beside the other heavy steps there. At medium it
    # runs beside another step (session 9: both lanes busy instead of one core idle during its serial part)
    op_tags={HEAVY_TAG: "true"},
)
def health_plan_claims(duckdb: DuckDBResource):
    """Cost share per effective claim line, claim status, member and family accumulators at the end of the
    data, and the claim lines that could not be priced (no covering enrollment span or plan year, unknown
    member)."""
    with duckdb.get_connection() as conn:
        counts = price_all_families(conn)
        by_reason = dict(
            conn.execute(
                f"SELECT reason, count(*) FROM {MARTS}.claim_exceptions GROUP BY reason ORDER BY reason"
            ).fetchall()
        )
        totals = conn.execute(
            f"SELECT count(*), coalesce(sum(member_responsibility), 0), coalesce(sum(plan_paid), 0) "
            f"FROM {MARTS}.claim_cost_share"
        ).fetchall()[0]
    for name in CLAIM_MARTS:
        metadata: dict = {"rows": counts[name]}
        if name == "claim_cost_share":
            metadata |= {"member_responsibility": str(totals[1]), "plan_paid": str(totals[2])}
        if name == "claim_exceptions":
            metadata |= {f"reason_{k}": v for k, v in by_reason.items()}
        yield dg.MaterializeResult(asset_key=mart_key(name), metadata=metadata)
    yield dg.AssetCheckResult(
        asset_key=mart_key("claim_exceptions"),
        check_name=CHECK_CLAIM_EXCEPTIONS,
        passed=counts["claim_exceptions"] == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"unpriced_lines": counts["claim_exceptions"], **{k: v for k, v in by_reason.items()}},
        description="Claim lines reported in marts.claim_exceptions instead of being priced.",
    )


@dg.asset(
    key=mart_key("employer_enrollment"),
    deps=[staging_key(s) for s in ("hp_employers", "hp_members", "hp_enrollment")],
    group_name=GROUP,
)
def employer_enrollment(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Every enrollment span with the member's employer, subscriber, relationship, names, tier and plan."""
    with duckdb.get_connection() as conn:
        rows = build_employer_enrollment(conn)
    return dg.MaterializeResult(metadata={"rows": rows})


@dg.asset(key=mart_key("plan_years"), deps=[staging_key("hp_plans")], group_name=GROUP)
def plan_years(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Plan designs per plan year, with where each plan year ends."""
    with duckdb.get_connection() as conn:
        rows = build_plan_years(conn)
    return dg.MaterializeResult(metadata={"rows": rows})


@dg.asset(key=mart_key("plan_members"), deps=[staging_key("hp_members")], group_name=GROUP)
def plan_members(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Members with their birth dates (eligibility matching and adult-dependent privacy)."""
    with duckdb.get_connection() as conn:
        rows = build_plan_members(conn)
    return dg.MaterializeResult(metadata={"rows": rows})


@dg.asset(key=mart_key("plan_providers"), deps=[staging_key("hp_providers")], group_name=GROUP)
def plan_providers(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Providers by NPI with their names and network status."""
    with duckdb.get_connection() as conn:
        rows = build_plan_providers(conn)
    return dg.MaterializeResult(metadata={"rows": rows})
