"""The CE team's duplicate-account decisions, applied: ``marts.ce_merge_decisions`` and
``marts.ce_account_survivors``.

Decisions live in the dashboard's state store (``reports.state``); one read of it per run yields both marts,
so they always agree:

- ``marts.ce_account_survivors(account_id, survivor_account_id, decision_id)``: each merged account and its
  *final* survivor (chains resolved). ``assets.ce.marts`` credits everything a merged account owns to its
  survivor; the raw rows keep their own account_id, so an undo (the row disappears here) restores the previous
  marts exactly.
- ``marts.ce_merge_decisions``: the decision history for the dashboard (who, when, why, which accounts,
  whether it is in force). Duplicate detection reads its kept-separate pairs (:func:`kept_separate_pairs`) so
  they are never clustered again.

A keep-separate decision that names only a cluster is resolved against ``marts.duplicate_account_clusters`` as
it stands before this run (the clusters the CE team saw), and from then on from this mart's previous version:
the cluster itself no longer exists once its pairs stop linking. This asset is therefore built before
duplicate detection, which depends on it.
"""

import dagster as dg
import pyarrow as pa
from dagster_duckdb import DuckDBResource

from assets.ce.marts import SURVIVORS_TABLE
from assets.common import MARTS, RunSettings, mart_key, replace_table_from_df
from domain import marts
from domain.ce.duplicates import CLUSTERS_MART
from domain.ce.merges import (
    KEEP_SEPARATE,
    MERGE,
    Pair,
    decision_rows,
    fold_decisions,
    pairs_among,
    resolve_accounts,
)
from domain.settings import Settings
from reports.state import list_decisions

GROUP = "ce"
DECISIONS_MART = "ce_merge_decisions"
SURVIVORS_MART = SURVIVORS_TABLE

DECISIONS_SCHEMA = marts.get(DECISIONS_MART).arrow_schema()
SURVIVORS_SCHEMA = marts.get(SURVIVORS_MART).arrow_schema()


def _mart_tables(conn) -> set[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [MARTS]
    ).fetchall()
    return {r[0] for r in rows}


def _cluster_members(conn, tables: set[str]) -> dict[str, list[str]]:
    """cluster_id → account ids of the clusters mart as the last run left it (empty before the first run)."""
    if CLUSTERS_MART not in tables:
        return {}
    members: dict[str, list[str]] = {}
    for cluster_id, account_id in conn.execute(
        f"SELECT cluster_id, account_id FROM {MARTS}.{CLUSTERS_MART} ORDER BY cluster_id, account_id"
    ).fetchall():
        members.setdefault(str(cluster_id), []).append(str(account_id))
    return members


def _previous_accounts(conn, tables: set[str]) -> dict[int, list[str]]:
    """decision id → accounts resolved by the previous run (this mart before it is rebuilt)."""
    if DECISIONS_MART not in tables:
        return {}
    rows = conn.execute(f"SELECT decision_id, account_ids FROM {MARTS}.{DECISIONS_MART}").fetchall()
    return {int(d): list(a or []) for d, a in rows}


def kept_separate_pairs(conn) -> set[Pair]:
    """The (smaller, larger) account pairs of the keep-separate decisions in force, from
    ``marts.ce_merge_decisions`` (none when the mart does not exist yet)."""
    if DECISIONS_MART not in _mart_tables(conn):
        return set()
    rows = conn.execute(
        f"SELECT account_ids FROM {MARTS}.{DECISIONS_MART} WHERE in_force AND action = ?", [KEEP_SEPARATE]
    ).fetchall()
    pairs: set[Pair] = set()
    for (accounts,) in rows:
        pairs |= pairs_among(accounts or [])
    return pairs


def merged_pairs(conn) -> set[Pair]:
    """The (smaller, larger) account pairs of the merges in force (survivor and merged accounts), from
    ``marts.ce_merge_decisions``: labels duplicate detection learns from (none when the mart does not
    exist)."""
    if DECISIONS_MART not in _mart_tables(conn):
        return set()
    rows = conn.execute(
        f"SELECT survivor_account_id, merged_account_ids FROM {MARTS}.{DECISIONS_MART} WHERE in_force AND "
        "action = ?",
        [MERGE],
    ).fetchall()
    pairs: set[Pair] = set()
    for survivor, merged in rows:
        pairs |= pairs_among([survivor, *(merged or [])])
    return pairs


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            mart_key(DECISIONS_MART),
            group_name=GROUP,
        ),
        dg.AssetSpec(
            mart_key(SURVIVORS_MART),
            group_name=GROUP,
        ),
    ],
)
def ce_merge_decisions(context: dg.AssetExecutionContext, duckdb: DuckDBResource, run_settings: RunSettings):
    history = list_decisions(Settings(data_dir=run_settings.data_dir))
    with duckdb.get_connection() as conn:
        tables = _mart_tables(conn)
        accounts_of = resolve_accounts(
            history, _cluster_members(conn, tables), _previous_accounts(conn, tables)
        )
        state = fold_decisions(history, accounts_of)
        rows = decision_rows(history, accounts_of, state)
        n_decisions = replace_table_from_df(
            conn,
            f"{MARTS}.{DECISIONS_MART}",
            pa.Table.from_pylist(rows, schema=DECISIONS_SCHEMA),
            order_by="decision_id",
        )
        survivors = [
            {"account_id": a, "survivor_account_id": s, "decision_id": state.merged_by[a]}
            for a, s in state.survivors.items()
        ]
        n_survivors = replace_table_from_df(
            conn,
            f"{MARTS}.{SURVIVORS_MART}",
            pa.Table.from_pylist(survivors, schema=SURVIVORS_SCHEMA),
            order_by="account_id",
        )
    unresolved = sum(
        1 for r in rows if r["in_force"] and r["action"] == KEEP_SEPARATE and len(r["account_ids"]) < 2
    )
    if unresolved:
        context.log.warning(
            f"{unresolved} keep-separate decision(s) name a cluster that is not in the clusters mart"
        )
    if state.superseded_cycles:
        context.log.warning(f"merges {list(state.superseded_cycles)} reversed an earlier merge's direction")
    yield dg.MaterializeResult(
        asset_key=mart_key(DECISIONS_MART),
        metadata={
            "rows": n_decisions,
            "in_force": len(state.in_force),
            "kept_separate_pairs": len(state.kept_separate),
            "unresolved_keep_separate": unresolved,
        },
    )
    yield dg.MaterializeResult(asset_key=mart_key(SURVIVORS_MART), metadata={"rows": n_survivors})
