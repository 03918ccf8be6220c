"""Duplicate CE accounts: ``marts.duplicate_account_pairs`` and ``marts.duplicate_account_clusters``.

One scoring run (Splink, in its own in-memory DuckDB) yields both marts, so they are one multi-asset. A merge
the CE team accepts maps ``account_id`` → ``recommended_survivor_account_id`` (or the survivor they chose
instead). Pairs the CE team kept separate (``marts.ce_merge_decisions``, built first) stay in the pairs mart
marked ``decision = 'kept_separate'`` but no longer link a cluster, so they are not proposed again.
"""

from collections import Counter
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.ce.merges import DECISIONS_MART, kept_separate_pairs, merged_pairs
from assets.common import HEAVY_TAG, MARTS, mart_key, replace_table_from_df, staging_key
from domain.ce.duplicates import CLUSTERS_MART, PAIRS_MART, DuplicatePolicy, find_duplicate_accounts
from domain.ce.duplicates.prepare import INPUT_COLUMNS

GROUP = "ce"
POLICY = DuplicatePolicy()


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            mart_key(PAIRS_MART),
            deps=[staging_key("ce_accounts"), mart_key(DECISIONS_MART)],
            group_name=GROUP,
        ),
        dg.AssetSpec(
            mart_key(CLUSTERS_MART),
            deps=[staging_key("ce_accounts"), mart_key(DECISIONS_MART)],
            group_name=GROUP,
        ),
    ],
    # Splink's Python side and its own DuckDB (capped, spilling) come on top of the warehouse's pool
    op_tags={HEAVY_TAG: "true"},
)
def ce_duplicate_accounts(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    with duckdb.get_connection() as conn:
        accounts = conn.sql(f"SELECT {', '.join(INPUT_COLUMNS)} FROM staging.ce_accounts").to_arrow_table()
        kept = kept_separate_pairs(conn)
        merged = merged_pairs(conn)
        # Splink's in-memory database gets the warehouse connection's memory limit, and spills beside its
        # temp files (a folder of its own: two DuckDB instances must not share spill files)
        limit, temp = conn.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
        spill = Path(temp) / "duplicates" if temp else None
        if spill is not None:
            spill.mkdir(mode=0o700, parents=True, exist_ok=True)  # DuckDB creates only the last level
        result = find_duplicate_accounts(
            accounts,
            POLICY,
            kept_separate=kept,
            merged=merged,
            memory_limit=limit,
            temp_directory=str(spill) if spill else None,
        )
        n_pairs = replace_table_from_df(
            conn, f"{MARTS}.{PAIRS_MART}", result.pairs, order_by="account_id_l, account_id_r"
        )
        n_members = replace_table_from_df(
            conn, f"{MARTS}.{CLUSTERS_MART}", result.clusters, order_by="cluster_id, account_id"
        )
    clusters = result.clusters.to_pydict()
    kinds = Counter(
        k for k, s in zip(clusters["classification"], clusters["is_recommended_survivor"], strict=True) if s
    )
    context.log.info(
        f"duplicates: {result.n_accounts} accounts, {result.comparisons} pairs compared, model "
        f"{result.training.mode}"
    )
    # what the model could not use in this export (an empty phone column, a constant placeholder...): names
    # columns and counts, never values
    for line in result.training.skipped:
        context.log.info(f"duplicates: skipped {line}")
    shared = {
        "accounts": result.n_accounts,
        "pairs_compared": result.comparisons,
        "training": result.training.mode,
        "training_sessions": ", ".join(result.training.sessions) or "none",
        "prior": result.training.prior,
        "kept_separate_pairs": len(kept),
        "merged_pairs_learnt_from": result.training.labelled_pairs,
        "skipped": dg.MetadataValue.md("\n".join(f"- {s}" for s in result.training.skipped) or "nothing"),
    }
    yield dg.MaterializeResult(
        asset_key=mart_key(PAIRS_MART),
        metadata=shared
        | {
            "rows": n_pairs,
            "matches": sum(result.pairs.column("is_match").to_pylist()),
            "review_threshold": POLICY.review_threshold,
        },
    )
    yield dg.MaterializeResult(
        asset_key=mart_key(CLUSTERS_MART),
        metadata=shared
        | {
            "rows": n_members,
            "clusters": sum(kinds.values()),
            **{f"clusters_{k}": v for k, v in sorted(kinds.items())},
            "match_threshold": POLICY.match_threshold,
        },
    )
