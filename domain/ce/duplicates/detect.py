"""Find duplicate CE accounts: prepare → Splink (block, train, score, cluster) → pairs and clusters marts.

Splink works in a private in-memory DuckDB, so its work tables never land in the warehouse; the two marts come
back as Arrow tables (typed even when empty) sorted by their keys, so reruns are identical.

Pairs the CE team kept separate (``kept_separate``, see ``domain.ce.merges``) still appear in the pairs mart,
with ``decision = 'kept_separate'``, but never link a cluster, so they are not proposed again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pyarrow as pa

from domain import marts
from domain.ce.duplicates.classification import classified_clusters, organisation_domains
from domain.ce.duplicates.comparisons import FIELDS
from domain.ce.duplicates.evidence import evidence_text
from domain.ce.duplicates.model import fixed_prior, make_linker
from domain.ce.duplicates.plan import plan_model
from domain.ce.duplicates.policy import DuplicatePolicy
from domain.ce.duplicates.prepare import prepare_accounts
from domain.ce.duplicates.training import FIXED, TrainingReport, train
from domain.sql_files import load

PAIRS_MART = "duplicate_account_pairs"
CLUSTERS_MART = "duplicate_account_clusters"

LEVEL_COLUMNS = tuple(f"{f.name}_level" for f in FIELDS)
#: The match weight's waterfall: the prior's weight and each field's log2(m/u) at its level (0 when missing or
#: not compared); they add up to ``match_weight``, so the queue can chart where the evidence came from.
WEIGHT_COLUMNS = ("prior_weight", *(f"{f.name}_weight" for f in FIELDS))
#: The marts' columns in table order, from the registry (``domain.marts``); the level and weight columns there
#: follow ``FIELDS``.
PAIR_COLUMNS = marts.get(PAIRS_MART).column_names
CLUSTER_COLUMNS = marts.get(CLUSTERS_MART).column_names


@dataclass(frozen=True)
class DuplicateResult:
    pairs: pa.Table  # the duplicate_account_pairs mart
    clusters: pa.Table  # the duplicate_account_clusters mart
    n_accounts: int
    comparisons: int  # pairs blocking generated, i.e. pairs Splink scored
    training: TrainingReport
    organisation_domains: tuple[str, ...]
    blocked_pairs: pa.Table | None = (
        None  # (account_id_l, account_id_r) when asked for, to measure blocking recall
    )


def level_weights(linker) -> tuple[float, dict[str, dict[int, float]]]:
    """The trained (or fixed) model as weights: the prior's log-odds and, per field, gamma → log2(m/u)."""
    model = linker.misc.save_model_to_json()
    prior = model["probability_two_random_records_match"]
    fields = {}
    for comparison in model["comparisons"]:
        non_null = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        gammas = {}
        for i, level in enumerate(non_null):
            m, u = level.get("m_probability"), level.get("u_probability")
            gammas[len(non_null) - 1 - i] = math.log2(m / u) if m and u else 0.0
        fields[comparison["output_column_name"]] = gammas | {-1: 0.0}
    return math.log2(prior / (1 - prior)), fields


def _rounded(value: float, decimals: int) -> float:
    """``value`` rounded half away from zero to ``decimals`` places as its shortest decimal text, as DuckDB
    rounds a decimal literal (the weights are a handful of numbers per model, so Python rounds them)."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _scored_pairs(conn, policy: DuplicatePolicy, compared: set[str], linker):
    """The scored pairs (``dup_predictions``) with each field's level and weight and the evidence text."""
    prior_weight, weights = level_weights(linker)
    frame = conn.execute(load(__package__, "scored_pairs"), {"decimals": policy.decimals}).df()
    for field in FIELDS:
        if field.name in compared:
            gamma = frame[f"gamma_{field.name}"]
            frame[f"{field.name}_level"] = gamma.map(field.key_for_gamma())
        else:  # the comparison was dropped: its column is empty
            frame[f"{field.name}_level"] = field.levels[0].key
    frame["prior_weight"] = _rounded(prior_weight, policy.decimals)
    for field in FIELDS:
        gammas = weights.get(field.name)
        if gammas is None:  # not compared
            frame[f"{field.name}_weight"] = 0.0
        else:
            rounded = {g: _rounded(w, policy.decimals) for g, w in gammas.items()}
            frame[f"{field.name}_weight"] = frame[f"gamma_{field.name}"].map(rounded)
    level_names = [f.name for f in FIELDS]
    frame["evidence"] = [
        evidence_text(
            {name: getattr(row, f"{name}_level") for name in level_names},
            row.first_name_l,
            row.last_name_l,
            row.first_name_r,
            row.last_name_r,
        )
        for row in frame.itertuples(index=False)
    ]
    gammas = [c for c in frame.columns if c.startswith("gamma_")]
    return frame.drop(columns=["first_name_l", "last_name_l", "first_name_r", "last_name_r", *gammas])


def _empty(n_accounts: int, report: TrainingReport | None = None) -> DuplicateResult:
    """Typed, empty marts: nothing to compare (0 or 1 account, or no column to block on)."""
    pairs = marts.get(PAIRS_MART).arrow_schema().empty_table()
    clusters = marts.get(CLUSTERS_MART).arrow_schema().empty_table()
    report = report or TrainingReport(FIXED, n_accounts, 0.0)
    return DuplicateResult(pairs, clusters, n_accounts, 0, report, (), pairs.select([0, 1]))


def _store_kept_separate(conn, kept_separate: Iterable[tuple[str, str]]) -> int:
    """``dup_kept_separate(account_id_l, account_id_r)``, each pair as (smaller, larger) like Splink's
    pairs."""
    pairs = sorted({(min(a, b), max(a, b)) for a, b in kept_separate})
    left, right = [p[0] for p in pairs], [p[1] for p in pairs]
    conn.register(
        "dup_kept_separate",
        pa.table({"account_id_l": pa.array(left, pa.string()), "account_id_r": pa.array(right, pa.string())}),
    )
    return len(pairs)


def _cluster_edges(conn, linker, predictions, n_kept: int):
    """The scored pairs clustering may link: all of them but those kept separate."""
    if not n_kept:
        return predictions
    edges = conn.sql(load(__package__, "cluster_edges")).to_arrow_table()
    return linker.table_management.register_table(edges, "dup_cluster_edges", overwrite=True)


def find_duplicate_accounts(
    accounts,
    policy: DuplicatePolicy | None = None,
    *,
    keep_blocked_pairs: bool = False,
    kept_separate: Iterable[tuple[str, str]] = (),
    merged: Iterable[tuple[str, str]] = (),
    memory_limit: str | None = None,
    temp_directory: str | None = None,
) -> DuplicateResult:
    """Score, cluster and classify duplicate accounts among ``accounts`` (rows of staging.ce_accounts).

    ``kept_separate``: account pairs the CE team decided are different people; they never link a cluster.
    ``merged``: account pairs the CE team merged; the model learns m from them (``training``).
    ``memory_limit``/``temp_directory``: DuckDB settings of Splink's own in-memory database. Without them it
    may take 80 % of the machine's memory: at the large scale (600k accounts, tens of millions of blocked
    pairs) it should spill to disk instead.
    """
    policy = policy or DuplicatePolicy()
    config = {"memory_limit": memory_limit, "temp_directory": temp_directory}
    conn = duckdb.connect(config={k: v for k, v in config.items() if v})
    try:
        # Splink's work tables have generated names: each is registered under a fixed name (a temporary
        # view) so the statements that read it are files, not text built around a name
        table = prepare_accounts(conn, accounts)
        n_accounts, n_distinct = conn.execute(
            "SELECT count(*), count(DISTINCT account_id) FROM dup_accounts"
        ).fetchall()[0]
        if n_distinct != n_accounts:
            raise ValueError("staging.ce_accounts: account_id is not unique")
        if n_accounts < 2:
            return _empty(n_accounts)
        plan = plan_model(conn, table, n_accounts, policy)
        if not plan.blocking.keys or not plan.fields:
            # Splink without blocking rules would compare every pair: with nothing to block on, nothing is
            # found
            return _empty(n_accounts, TrainingReport(FIXED, n_accounts, 0.0, skipped=plan.skipped))
        linker = make_linker(conn, table, fixed_prior(n_accounts, policy.prior_duplicate_share), plan)
        ids = {r[0] for r in conn.table(table).select("account_id").fetchall()}
        labels = {(min(a, b), max(a, b)) for a, b in merged if a != b and a in ids and b in ids}
        report = train(linker, n_accounts, policy, plan, sorted(labels))

        blocked = conn.table(linker.inference.compute_blocked_pairs_for_predict().physical_name)
        comparisons = blocked.count("*").fetchall()[0][0]
        blocked_pairs = None
        if keep_blocked_pairs:
            blocked_pairs = (
                blocked.select("join_key_l", "join_key_r")
                .to_arrow_table()
                .rename_columns(["account_id_l", "account_id_r"])
            )

        predictions = linker.inference.predict(
            threshold_match_probability=policy.review_threshold, warning_mode="never"
        )
        conn.register("dup_predictions", conn.table(predictions.physical_name))
        n_kept = _store_kept_separate(conn, kept_separate)
        components = linker.clustering.cluster_pairwise_predictions_at_threshold(
            _cluster_edges(conn, linker, predictions, n_kept),
            threshold_match_probability=policy.match_threshold,
        )
        conn.register("dup_components", conn.table(components.physical_name))
        conn.execute(load(__package__, "component_members"))
        domains = organisation_domains(conn, conn.table(table), policy.organisation_domains)
        conn.register("dup_org_domains", pa.table({"email_domain": pa.array(domains, pa.string())}))
        classified_clusters(conn).create("dup_clusters")
        clusters = conn.table("dup_clusters").order("cluster_id, account_id").to_arrow_table()
        clusters = clusters.select(CLUSTER_COLUMNS)

        compared = {f.name for f in plan.fields}
        conn.register("dup_scored", _scored_pairs(conn, policy, compared, linker))
        pairs = (
            conn.sql(load(__package__, "pairs"), params={"match_threshold": policy.match_threshold})
            .to_arrow_table()
            .select(PAIR_COLUMNS)
        )
        return DuplicateResult(
            pairs, clusters, n_accounts, comparisons, report, tuple(domains), blocked_pairs
        )
    finally:
        conn.close()
