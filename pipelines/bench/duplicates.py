"""Duplicate CE accounts at the bench scale (medium: ~60k accounts): quality against the planted truth and speed.

Reads ``staging.ce_accounts`` from the warehouse (run ``portalytics generate`` + ``materialize`` first) and
``truth/duplicate_accounts.csv``. Figures: pairwise precision, recall and F1 of the clusters (target F1 ≥ 0.99),
blocking recall and comparisons, wall time of the whole detection against a baseline measured in the same run
(a plain DuckDB self-join counting the pairs the blocking keys generate), and pairs compared per second.
"""

from __future__ import annotations

import csv
import time

import duckdb

from domain.duplicates import DuplicatePolicy, find_duplicate_accounts
from domain.duplicates.blocking import count_blocked_pairs_sql
from domain.duplicates.evaluation import blocking_recall, score_clusters
from domain.duplicates.prepare import INPUT_COLUMNS, prepare_accounts
from pipelines.bench import BenchContext, Figure

TOPIC = "duplicates"
MIN_F1 = 0.99
TRUTH_FILE = "duplicate_accounts.csv"


def bench(ctx: BenchContext) -> list[Figure]:
    path = ctx.settings.warehouse_path
    if not path.exists():
        ctx.console.print(
            f"[yellow]duplicates: no warehouse at {path}; run `portalytics materialize` first[/]"
        )
        return []
    with duckdb.connect(str(path), read_only=True) as conn:
        has = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'staging' AND table_name = 'ce_accounts'"
        ).fetchall()[0][0]
        if not has:
            ctx.console.print("[yellow]duplicates: the warehouse has no staging.ce_accounts yet[/]")
            return []
        accounts = conn.sql(f"SELECT {', '.join(INPUT_COLUMNS)} FROM staging.ce_accounts").to_arrow_table()

    baseline_s, baseline_pairs = _blocking_join(accounts)
    start = time.perf_counter()
    result = find_duplicate_accounts(accounts, DuplicatePolicy(), keep_blocked_pairs=True)
    wall = time.perf_counter() - start

    note = f"{result.n_accounts:,} accounts, {result.comparisons:,} pairs compared, model {result.training.mode}, "
    note += f"{ctx.cores} cores"
    timing = Figure(TOPIC, "detection wall time", wall, "s", baseline=baseline_s, notes=note)
    timing.target = "baseline = DuckDB self-join of the blocking keys"
    rate = Figure(
        TOPIC, "pairs compared per second", result.comparisons / wall if wall else 0.0, "pairs/s", notes=note
    )
    comparisons = Figure(TOPIC, "pairs compared", float(result.comparisons), "pairs", notes=note)
    comparisons.target = f"= the self-join's {baseline_pairs:,}"
    comparisons.ok = result.comparisons == baseline_pairs
    figures = [timing, rate, comparisons]

    truth_path = ctx.settings.truth_dir / TRUTH_FILE
    if not truth_path.exists():
        ctx.console.print(f"[yellow]duplicates: no truth at {truth_path}; quality not measured[/]")
        return figures
    with truth_path.open(encoding="utf-8", newline="") as fh:
        truth = [(r["cluster_id"], r["account_id"]) for r in csv.DictReader(fh)]
    clusters = result.clusters.to_pydict()
    scores = score_clusters(zip(clusters["cluster_id"], clusters["account_id"], strict=True), truth)
    blocked = result.blocked_pairs.to_pydict()
    recall_blocked = blocking_recall(
        zip(blocked["account_id_l"], blocked["account_id_r"], strict=True), truth
    )
    counts = f"tp {scores.true_positives}, fp {scores.false_positives}, fn {scores.false_negatives}"
    f1 = Figure(TOPIC, "F1 (pairwise, clusters vs truth)", scores.f1, "", target=f"≥ {MIN_F1}", notes=counts)
    f1.ok = scores.f1 >= MIN_F1
    figures += [
        f1,
        Figure(TOPIC, "precision", scores.precision, "", notes=counts),
        Figure(TOPIC, "recall", scores.recall, "", notes=counts),
        Figure(TOPIC, "blocking recall (true pairs compared)", recall_blocked, "", notes=counts),
    ]
    return figures


def _blocking_join(accounts) -> tuple[float, int]:
    """Seconds and pair count of the blocking keys as a plain DuckDB self-join (the standardising is not timed)."""
    with duckdb.connect() as conn:
        table = prepare_accounts(conn, accounts)
        start = time.perf_counter()
        pairs = conn.execute(count_blocked_pairs_sql(table)).fetchall()[0][0]
        return time.perf_counter() - start, pairs
