"""Pricing families in several chunks and worker processes gives exactly the marts of one chunk in this
process: same rows, same order."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from assets.health_plan import marts as marts_module
from assets.health_plan.chunks import CLAIM_MARTS
from assets.health_plan.marts import price_all_families
from assets.health_plan.worker_start import start_worker, without_pandas
from assets.warehouse import open_warehouse
from tests.health_plan.synthetic import build_synthetic
from tests.health_plan.worker_probe import arrow_pool, engine_imports_pandas
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


def test_chunk_files_on_disk_stay_a_few_chunks_worth_and_marts_are_unchanged(tmp_path, monkeypatch):
    """At the large scale every chunk exported at once would be gigabytes of files beside the warehouse: a
    chunk's files go once it is priced, and only a few chunks per worker are exported ahead."""
    on_disk: list[int] = []
    write = marts_module._write_batches

    def counting_write(batches, schema, path):
        if path.name.startswith("lines_"):  # input chunks still there before this one
            on_disk.append(len(list(path.parent.glob("lines_*.arrow"))))
        return write(batches, schema, path)

    monkeypatch.setattr(marts_module, "_write_batches", counting_write)
    with open_warehouse(str(tmp_path / "warehouse.duckdb")) as conn:
        for name in ("hp_members", "hp_enrollment", "hp_claims"):
            create_staging_table(conn, name)
        build_synthetic(conn, families=300, lines_per_member=6)
        serial = price_all_families(conn, target="serial", workers=1, chunk_lines=300)
        assert len(on_disk) > 6 and max(on_disk) == 0  # one chunk at a time, removed once priced
        on_disk.clear()
        parallel = price_all_families(conn, target="parallel", workers=2, chunk_lines=300)
        assert len(on_disk) > 6 and max(on_disk) <= 2 * marts_module.CHUNKS_AHEAD
        assert parallel == serial and _marts(conn, "parallel") == _marts(conn, "serial")
        assert not list(tmp_path.glob("cost_share_chunks_*"))  # outputs loaded and removed too


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
