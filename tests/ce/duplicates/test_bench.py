"""The duplicates bench topic on a tiny warehouse: quality figures against truth, comparisons against the
join."""

import csv

from rich.console import Console

from assets.warehouse import open_warehouse
from domain.settings import Settings
from pipelines.bench import BenchContext
from pipelines.bench.duplicates import bench
from tests.ce.duplicates.synthetic import synthetic_accounts
from tests.support import create_staging_table


def test_bench_reports_f1_and_comparisons(tmp_path):
    settings = Settings(data_dir=tmp_path)
    accounts, truth = synthetic_accounts(n_people=150, seed=2)
    with open_warehouse(str(settings.warehouse_path)) as conn:
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
    assert "generated tiny hard negatives merged" not in figures  # no such truth file here


def test_bench_without_a_warehouse_reports_nothing(tmp_path):
    assert bench(BenchContext(Settings(data_dir=tmp_path), "tiny", Console(quiet=True)), febrl_sets=()) == []


def test_bench_counts_planted_relatives_the_clusters_merged(tmp_path):
    settings = Settings(data_dir=tmp_path)
    accounts, truth = synthetic_accounts(n_people=150, seed=2)
    with open_warehouse(str(settings.warehouse_path)) as conn:
        create_staging_table(conn, "ce_accounts", accounts)
    settings.truth_dir.mkdir(parents=True)
    with (settings.truth_dir / "duplicate_accounts.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, ["cluster_id", "account_id"])
        writer.writeheader()
        writer.writerows(truth)
    # one true duplicate pair posing as twins (the model merges it), and two unrelated accounts as spouses
    cluster = [t["account_id"] for t in truth if t["cluster_id"] == truth[0]["cluster_id"]]
    strangers = sorted({a["account_id"] for a in accounts} - {t["account_id"] for t in truth})[:2]
    with (settings.truth_dir / "duplicate_hard_negatives.csv").open("w", newline="") as fh:
        fh.write("kind,account_id_l,account_id_r\n")
        fh.write(f"twins,{min(cluster[:2])},{max(cluster[:2])}\nspouses,{strangers[0]},{strangers[1]}\n")
    figures = {f.name: f for f in bench(BenchContext(settings, "tiny", Console(quiet=True)), febrl_sets=())}
    merged = figures["generated tiny hard negatives merged"]
    assert (merged.value, merged.ok, merged.notes) == (1.0, False, "spouses 0 of 1, twins 1 of 1")
