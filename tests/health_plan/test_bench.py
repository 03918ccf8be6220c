"""The cost-share benchmark runs end to end on a small warehouse and reports its three figures."""

from __future__ import annotations

from rich.console import Console

from assets.warehouse import open_warehouse
from domain.settings import Settings
from pipelines.bench import BenchContext
from pipelines.bench.health_plan import bench
from tests.health_plan.synthetic import build_synthetic
from tests.support import create_staging_table


def test_bench_reports_engine_time_throughput_and_memory(tmp_path):
    settings = Settings(data_dir=tmp_path)
    settings.root.mkdir(parents=True, exist_ok=True)
    with open_warehouse(str(settings.warehouse_path)) as conn:
        for name in ("hp_members", "hp_enrollment", "hp_claims"):
            create_staging_table(conn, name)
        lines = build_synthetic(conn, families=30, lines_per_member=8)
    figures = bench(BenchContext(settings, "tiny", Console(quiet=True)))
    by_name = {f.name: f for f in figures}
    engine = by_name["cost share engine (all families)"]
    assert engine.value > 0 and engine.baseline and engine.baseline > 0
    assert f"{lines:,} claim lines" in engine.notes
    assert by_name["cost share lines priced per second"].value > 0
    memory = by_name["cost share peak memory (engine process RSS)"]
    assert memory.ok is True and memory.value > 0
    # The scratch database is removed; the warehouse is untouched.
    assert not list((settings.root / "bench").glob("*.duckdb"))
