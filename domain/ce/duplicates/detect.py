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

import duckdb
import pyarrow as pa

from domain import marts
from domain.ce.duplicates.classification import classified_clusters_sql, organisation_domains
from domain.ce.duplicates.comparisons import FIELDS
from domain.ce.duplicates.evidence import evidence_text
from domain.ce.duplicates.model import fixed_prior, make_linker
from domain.ce.duplicates.plan import plan_model
from domain.ce.duplicates.policy import DuplicatePolicy
from domain.ce.duplicates.prepare import prepare_accounts
from domain.ce.duplicates.training import FIXED, TrainingReport, train

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


def _level_case(field, compared: bool) -> str:
    if not compared:  # the comparison was dropped: its column is empty
        return f"'{field.levels[0].key}' AS {field.name}_level"
    whens = " ".join(f"WHEN {g} THEN '{key}'" for g, key in sorted(field.key_for_gamma().items()))
    return f"CASE gamma_{field.name} {whens} END AS {field.name}_level"


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


def _weight_case(field, weights: dict[str, dict[int, float]], decimals: int) -> str:
    gammas = weights.get(field.name)
    if gammas is None:  # not compared
        return f"CAST(0 AS DOUBLE) AS {field.name}_weight"
    whens = " ".join(f"WHEN {g} THEN {w!r}" for g, w in sorted(gammas.items()))
    return f"round(CASE gamma_{field.name} {whens} END, {decimals}) AS {field.name}_weight"


def _scored_pairs(conn, predictions: str, policy: DuplicatePolicy, compared: set[str], linker):
    levels = ", ".join(_level_case(f, f.name in compared) for f in FIELDS)
    prior_weight, weights = level_weights(linker)
    levels += f", round({prior_weight!r}, {policy.decimals}) AS prior_weight, "
    levels += ", ".join(_weight_case(f, weights, policy.decimals) for f in FIELDS)
    frame = conn.execute(
        f"""
        SELECT account_id_l, account_id_r,
               round(match_probability, {policy.decimals}) AS match_probability,
               round(match_weight, {policy.decimals}) AS match_weight,
               {levels},
               first_name_l, last_name_l, first_name_r, last_name_r
        FROM {predictions}
        """
    ).df()
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
    return frame.drop(columns=["first_name_l", "last_name_l", "first_name_r", "last_name_r"])


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
    conn.execute("CREATE OR REPLACE TABLE dup_kept_separate (account_id_l VARCHAR, account_id_r VARCHAR)")
    if pairs:
        conn.executemany("INSERT INTO dup_kept_separate VALUES (?, ?)", [list(p) for p in pairs])
    return len(pairs)


def _is_kept(pair: str) -> str:
    """Join condition: the pair ``pair`` (a table alias) is in ``dup_kept_separate k``, either way round."""
    return (
        f"k.account_id_l = least({pair}.account_id_l, {pair}.account_id_r) "
        f"AND k.account_id_r = greatest({pair}.account_id_l, {pair}.account_id_r)"
    )


def _cluster_edges(conn, linker, predictions, n_kept: int):
    """The scored pairs clustering may link: all of them but those kept separate."""
    if not n_kept:
        return predictions
    edges = conn.sql(
        f"SELECT p.* FROM {predictions.physical_name} p ANTI JOIN dup_kept_separate k ON {_is_kept('p')}"
    ).to_arrow_table()
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
        table = prepare_accounts(conn, accounts)
        n_accounts, n_distinct = conn.execute(
            f"SELECT count(*), count(DISTINCT account_id) FROM {table}"
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
        ids = set(conn.execute(f"SELECT list(account_id) FROM {table}").fetchall()[0][0])
        labels = {(min(a, b), max(a, b)) for a, b in merged if a != b and a in ids and b in ids}
        report = train(linker, n_accounts, policy, plan, sorted(labels))

        blocked = linker.inference.compute_blocked_pairs_for_predict()
        comparisons = conn.execute(f"SELECT count(*) FROM {blocked.physical_name}").fetchall()[0][0]
        blocked_pairs = None
        if keep_blocked_pairs:
            blocked_pairs = conn.sql(
                f"SELECT join_key_l AS account_id_l, join_key_r AS account_id_r FROM {blocked.physical_name}"
            ).to_arrow_table()

        predictions = linker.inference.predict(
            threshold_match_probability=policy.review_threshold, warning_mode="never"
        )
        n_kept = _store_kept_separate(conn, kept_separate)
        components = linker.clustering.cluster_pairwise_predictions_at_threshold(
            _cluster_edges(conn, linker, predictions, n_kept),
            threshold_match_probability=policy.match_threshold,
        )
        conn.execute(
            f"CREATE OR REPLACE TABLE dup_members AS "
            f"SELECT cluster_id AS component_id, account_id FROM {components.physical_name}"
        )
        domains = organisation_domains(conn, table, policy.organisation_domains)
        conn.execute("CREATE OR REPLACE TABLE dup_org_domains (email_domain VARCHAR)")
        if domains:  # none when no account signs in by SSO; DuckDB refuses an empty executemany
            conn.executemany("INSERT INTO dup_org_domains VALUES (?)", [[d] for d in domains])
        conn.execute(
            f"CREATE OR REPLACE TABLE dup_clusters AS {classified_clusters_sql('dup_members', table)}"
        )
        clusters = conn.sql(
            f"SELECT {', '.join(CLUSTER_COLUMNS)} FROM dup_clusters ORDER BY cluster_id, account_id"
        ).to_arrow_table()

        compared = {f.name for f in plan.fields}
        conn.register("dup_scored", _scored_pairs(conn, predictions.physical_name, policy, compared, linker))
        pairs = conn.sql(
            f"""
            SELECT s.account_id_l, s.account_id_r, s.match_probability, s.match_weight,
                   s.match_probability >= {policy.match_threshold} AS is_match,
                   CASE WHEN cl.cluster_id = cr.cluster_id THEN cl.cluster_id END AS cluster_id,
                   s.evidence, {", ".join(f"s.{c}" for c in LEVEL_COLUMNS)},
                   CASE WHEN k.account_id_l IS NOT NULL THEN 'kept_separate' END AS decision,
                   {", ".join(f"s.{c}" for c in WEIGHT_COLUMNS)}
            FROM dup_scored s
            LEFT JOIN dup_clusters cl ON cl.account_id = s.account_id_l
            LEFT JOIN dup_clusters cr ON cr.account_id = s.account_id_r
            LEFT JOIN dup_kept_separate k ON {_is_kept("s")}
            ORDER BY s.account_id_l, s.account_id_r
            """
        ).to_arrow_table()
        return DuplicateResult(
            pairs, clusters, n_accounts, comparisons, report, tuple(domains), blocked_pairs
        )
    finally:
        conn.close()
