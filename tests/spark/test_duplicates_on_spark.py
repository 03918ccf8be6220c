"""Duplicate detection on Splink's Spark backend (domain/ce/duplicates/on_spark.py): the hand-made accounts
get the same pairs, weights and clusters as on DuckDB, and the classic pair its hand-computed weight."""

from __future__ import annotations

import pandas as pd

from domain.ce.duplicates import DuplicatePolicy, find_duplicate_accounts
from domain.ce.duplicates.on_spark import score_on_spark
from tests.ce.duplicates.accounts import ACCOUNTS, classic_pair_weight


def _partition(rows) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for r in rows:
        groups.setdefault(str(r["cluster_id"]), set()).add(str(r["account_id"]))
    return {frozenset(g) for g in groups.values() if len(g) > 1}


def test_the_same_pairs_and_clusters_as_on_duckdb(spark):
    accounts = pd.DataFrame(ACCOUNTS)
    duck = find_duplicate_accounts(accounts, DuplicatePolicy())
    on_spark = score_on_spark(spark, accounts, DuplicatePolicy())
    assert on_spark.training.mode == duck.training.mode == "fixed"  # 7 accounts: the fixed m/u values

    spark_pairs = {(r["account_id_l"], r["account_id_r"]): r for r in on_spark.pairs.collect()}
    duck_pairs = {(r["account_id_l"], r["account_id_r"]): r for r in duck.pairs.to_pylist()}
    assert set(spark_pairs) == set(duck_pairs)
    for key, row in duck_pairs.items():
        assert abs(spark_pairs[key]["match_weight"] - row["match_weight"]) < 1e-6, key

    assert abs(spark_pairs[("CE1", "CE2")]["match_weight"] - classic_pair_weight()) < 1e-5  # by hand

    assert _partition(r.asDict() for r in on_spark.clusters.collect()) == {
        frozenset({"CE1", "CE2"}),  # personal + organisation
        frozenset({"CE3", "CE4", "CE5"}),  # the third account
    }  # the twins CE6 and CE7 stay apart
    assert _partition(duck.clusters.to_pylist()) == _partition(
        r.asDict() for r in on_spark.clusters.collect()
    )
