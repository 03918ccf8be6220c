"""``portalytics bench --only ce`` on a hand-made warehouse: what it measures, and when it cannot."""

from __future__ import annotations

from rich.console import Console

from assets.warehouse import open_warehouse
from domain.settings import Settings
from pipelines.bench import BenchContext
from pipelines.bench.ce import bench
from tests.ce.builders import sms, warehouse
from tests.ce.world import ACCOUNTS, ACTIVITIES, CREDITS, PHONE_A1


def context(tmp_path) -> BenchContext:
    return BenchContext(Settings(data_dir=tmp_path), "tiny", Console(quiet=True))


def test_reports_validation_time_against_a_scan_baseline_and_the_rate(tmp_path):
    claims = [sms(f"E{i}", "2026-03-04 14:30", PHONE_A1, "12345") for i in range(20)]
    with open_warehouse(str(tmp_path / "warehouse.duckdb")) as conn:
        warehouse(conn, accounts=ACCOUNTS, activities=ACTIVITIES, credits=CREDITS, attendance=claims)
    time_figure, rate_figure = bench(context(tmp_path))
    assert (time_figure.name, time_figure.unit) == ("attendance validation", "s")
    assert time_figure.baseline is not None and time_figure.baseline > 0
    assert rate_figure.unit == "events/s"
    # the rate is the 20 claims over the validation time
    assert abs(rate_figure.value - 20 / time_figure.value) < 1e-6 * rate_figure.value
    assert "20 claims" in rate_figure.notes


def test_without_a_warehouse_there_is_nothing_to_measure(tmp_path):
    assert bench(context(tmp_path)) == []
