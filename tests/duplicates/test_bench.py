"""The duplicates bench topic on a tiny warehouse: quality figures against truth, comparisons against the join."""

import csv

import duckdb
from rich.console import Console

from domain.settings import Settings
from pipelines.bench import BenchContext
from pipelines.bench.duplicates import bench
from tests.duplicates.synthetic import synthetic_accounts
from tests.support import create_staging_table


def test_bench_reports_f1_and_comparisons(tmp_path):
    settings = Settings(data_dir=tmp_path)
    accounts, truth = synthetic_accounts(n_people=150, seed=2)
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        create_staging_table(conn, "ce_accounts", accounts)
    settings.truth_dir.mkdir(parents=True)
    with (settings.truth_dir / "duplicate_accounts.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, ["cluster_id", "account_id"])
        writer.writeheader()
        writer.writerows(truth)
    figures = {f.name: f for f in bench(BenchContext(settings, "tiny", Console(quiet=True)), febrl_sets=())}
    assert figures["generated tiny F1"].ok
    assert figures["generated tiny F1"].value >= 0.99
    # Splink compared exactly the pairs the plain self-join counts
    assert figures["generated tiny pairs compared = self-join"].ok
    assert figures["generated tiny blocking recall"].value == 1.0
    assert figures["generated tiny blocking recall"].ok
    assert figures["generated tiny detection wall time"].baseline > 0
    assert figures["generated tiny pairs/s"].value > 0


def test_bench_without_a_warehouse_reports_nothing(tmp_path):
    assert bench(BenchContext(Settings(data_dir=tmp_path), "tiny", Console(quiet=True)), febrl_sets=()) == []
