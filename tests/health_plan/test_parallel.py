"""Pricing families in several chunks and worker processes gives exactly the marts of one chunk in this
process: same rows, same order."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa
import pytest

from assets.health_plan import chunks
from assets.health_plan import marts as marts_module
from assets.health_plan.chunks import CLAIM_MARTS, price_chunk, price_tables, read_output
from assets.health_plan.marts import price_all_families
from assets.health_plan.worker_start import start_worker, without_pandas
from assets.warehouse import open_warehouse
from domain.sql_files import search_path
from tests.health_plan.synthetic import build_synthetic
from tests.health_plan.worker_probe import arrow_pool, engine_imports_pandas, failing_price_chunk
from tests.support import create_staging_table


def _marts(conn, schema: str) -> dict[str, list[tuple]]:
    return {mart: conn.execute(f"SELECT * FROM {schema}.{mart}").fetchall() for mart in CLAIM_MARTS}


def test_worker_processes_give_the_same_marts_as_one_process(tmp_path):
    with open_warehouse(str(tmp_path / "warehouse.duckdb")) as conn:
        # 300 families of 1-4 members, 6 claim lines each (plus 5% reversals): a few thousand lines, with
        # denied, pending and reversed claims, and copays, deductibles and OOP caps across two plan years.
        for name in ("hp_members", "hp_enrollment", "hp_claims"):
            create_staging_table(conn, name)
        lines = build_synthetic(conn, families=300, lines_per_member=6)
        assert lines > 2_000
        serial = price_all_families(conn, target="serial", workers=1)
        # About 1,500 lines per chunk: several chunks, spread over two worker processes.
        parallel = price_all_families(conn, target="parallel", workers=2, chunk_lines=1_500)
        assert parallel == serial
        assert serial["claim_cost_share"] > 2_000 and serial["member_accumulators"] > 0
        assert _marts(conn, "parallel") == _marts(conn, "serial")
        # The rows carry real results, not just matching empty ones: the synthetic members pay something.
        (paid,) = conn.execute("SELECT sum(member_responsibility) FROM parallel.claim_cost_share").fetchall()[
            0
        ]
        assert paid > 0


def test_chunks_waiting_to_be_priced_stay_a_few_and_marts_are_unchanged(tmp_path, monkeypatch):
    """At the large scale every chunk exported at once would be gigabytes held for the workers: a chunk's
    spans go once it is priced, only a few chunks per worker are exported ahead, and every chunk file (the
    lines are kept for the load, which takes the passed-through columns from them) is gone at the end."""
    waiting: list[int] = []
    write = marts_module._write_batches

    def counting_write(batches, schema, path):
        if path.name.startswith("spans_"):  # chunks exported and not yet priced, before this one
            waiting.append(len(list(path.parent.glob("spans_*.arrow"))))
        return write(batches, schema, path)

    monkeypatch.setattr(marts_module, "_write_batches", counting_write)
    with open_warehouse(str(tmp_path / "warehouse.duckdb")) as conn:
        for name in ("hp_members", "hp_enrollment", "hp_claims"):
            create_staging_table(conn, name)
        build_synthetic(conn, families=300, lines_per_member=6)
        serial = price_all_families(conn, target="serial", workers=1, chunk_lines=300)
        assert len(waiting) > 6 and max(waiting) == 0  # one chunk at a time, priced before the next
        waiting.clear()
        parallel = price_all_families(conn, target="parallel", workers=2, chunk_lines=300)
        assert len(waiting) > 6 and max(waiting) <= 2 * marts_module.CHUNKS_AHEAD
        assert parallel == serial and _marts(conn, "parallel") == _marts(conn, "serial")
        assert not list(tmp_path.glob("cost_share_chunks_*"))  # outputs and lines loaded and removed too


def test_a_worker_loads_the_engine_without_pandas():
    """pyarrow imports pandas on its first ``pa.array`` (to check for a pandas argument): more CPU than
    pricing a chunk takes. The pool's workers refuse it; the marts above come out the same without it."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=without_pandas) as pool:
        assert pool.submit(engine_imports_pandas).result() is False
    with ProcessPoolExecutor(1, mp_context=context) as pool:  # what the initializer spares the worker
        assert pool.submit(engine_imports_pandas).result() is True


def test_a_worker_keeps_its_freed_memory_for_the_next_chunk():
    """pyarrow's default allocator gives a chunk's freed buffers back to the system, and the next chunk's
    fresh pages must be zeroed by the kernel first (a sixth of the workers' CPU): the pool's workers take
    Arrow's buffers from the C library's allocator, which keeps them; and still no pandas."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=start_worker) as pool:
        assert pool.submit(arrow_pool).result() == "system"
        assert pool.submit(engine_imports_pandas).result() is False
    with ProcessPoolExecutor(1, mp_context=context) as pool:  # what the initializer changes
        assert pool.submit(arrow_pool).result() == "mimalloc"


def test_a_worker_failure_fails_the_step_naming_the_chunk_and_leaves_nothing_behind(tmp_path, monkeypatch):
    """A chunk that fails in a worker fails the whole step with a message that names the chunk (never a
    cell value), the marts of an earlier run stay as they were, and no chunk file is left beside the
    warehouse."""
    with open_warehouse(str(tmp_path / "warehouse.duckdb")) as conn:
        for name in ("hp_members", "hp_enrollment", "hp_claims"):
            create_staging_table(conn, name)
        build_synthetic(conn, families=300, lines_per_member=6)
        before = price_all_families(conn, target="parallel", workers=2, chunk_lines=300)
        monkeypatch.setattr(marts_module, "price_chunk", failing_price_chunk)
        with pytest.raises(RuntimeError, match=r"pricing chunk 2 of \d+ failed in a worker process") as error:
            price_all_families(conn, target="parallel", workers=2, chunk_lines=300)
        assert isinstance(error.value.__cause__, ValueError)
        assert not list(tmp_path.glob("cost_share_chunks_*"))
        counts = {m: conn.execute(f"SELECT count(*) FROM parallel.{m}").fetchall()[0][0] for m in CLAIM_MARTS}
        assert counts == before


def test_the_rows_a_worker_writes_and_the_load_reads_are_the_in_memory_marts(tmp_path):
    """A worker writes the engine's own columns and row numbers, and the load takes the passed-through
    columns (ids, dates, amounts...) from the chunk's input file: chunk by chunk, that is exactly what
    ``price_tables`` (Spark's path) gives in memory, every column, row and order; the workers' files are
    smaller than the marts' rows they stand for."""
    with open_warehouse(str(tmp_path / "warehouse.duckdb")) as conn:
        for name in ("hp_members", "hp_enrollment", "hp_claims"):
            create_staging_table(conn, name)
        build_synthetic(conn, families=300, lines_per_member=6)
        plan_years = marts_module._plan_years(conn, "staging")
        work = tmp_path / "chunks"
        work.mkdir()
        with search_path(conn, "staging"):
            count = marts_module._assign_chunks(conn, 1_500)
            exported = list(marts_module._export_chunks(conn, count, 1_500, work))
    assert len(exported) >= 3
    sizes = {"written": 0, "rows": 0}
    for lines, spans in exported:
        written = price_chunk(lines, spans, work, plan_years)
        expected = price_tables(chunks._read(lines), chunks._read(spans), plan_years)
        for mart in CLAIM_MARTS:
            found = read_output([(written[mart], lines)], mart).read_all().cast(chunks.schema(mart))
            assert found.equals(expected[mart]), mart
        assert expected["claim_cost_share"].num_rows > 0
        sizes["written"] += written["claim_cost_share"].stat().st_size
        sizes["rows"] += expected["claim_cost_share"].nbytes
    assert sizes["written"] < 0.75 * sizes["rows"]
    # Several chunks read as one stream, in chunk order.
    work = tmp_path / "again"
    work.mkdir()
    status = [
        (price_chunk(lines, spans, work, plan_years)["claim_status"], lines) for lines, spans in exported
    ]
    together = read_output(status, "claim_status").read_all().cast(chunks.schema("claim_status"))
    apart = [
        price_tables(chunks._read(ls), chunks._read(ss), plan_years)["claim_status"] for ls, ss in exported
    ]
    assert together.equals(pa.concat_tables(apart))
