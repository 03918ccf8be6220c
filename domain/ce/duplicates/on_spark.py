"""Duplicate detection on Splink's Spark backend: the scale-out path for the ``large`` scale and beyond.

The accounts are standardised as on DuckDB (``prepare``: per-row SQL, cheap at any scale), then the same
Splink model (``model.settings``: comparisons with their fixed m/u values, blocking rules, and
``training.train``) scores and clusters them in Spark. What comes back are Spark DataFrames, so nothing of a
large run has to fit in the driver. Classification, evidence text and kept-separate decisions stay on the
DuckDB path (``detect.find_duplicate_accounts``), which reads these scores' shape.

The Spark session must have Splink's similarity UDFs on its classpath (``spark.jars`` =
``splink.backends.spark.similarity_jar_location()``: Jaro-Winkler and Damerau-Levenshtein come from there) and
a checkpoint directory (``sparkContext.setCheckpointDir``: Splink checkpoints to cut long query plans).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb

from domain.ce.duplicates.model import fixed_prior, settings
from domain.ce.duplicates.plan import plan_model
from domain.ce.duplicates.policy import DuplicatePolicy
from domain.ce.duplicates.prepare import prepare_accounts
from domain.ce.duplicates.training import TrainingReport, train


@dataclass(frozen=True)
class SparkScores:
    #: account_id_l, account_id_r, match_weight, match_probability (above the review threshold)
    pairs: object
    #: cluster_id, account_id (every account; a singleton is its own cluster)
    clusters: object
    training: TrainingReport


def score_on_spark(spark, accounts, policy: DuplicatePolicy | None = None) -> SparkScores:
    """Score and cluster ``accounts`` (rows of staging.ce_accounts, as for ``find_duplicate_accounts``) with
    Splink on the Spark session ``spark``."""
    from splink import Linker, SparkAPI

    policy = policy or DuplicatePolicy()
    with duckdb.connect() as conn:
        table = prepare_accounts(conn, accounts)
        prepared = conn.table(table).to_arrow_table()
        n_accounts = prepared.num_rows
        plan = plan_model(conn, table, n_accounts, policy)
    frame = spark.createDataFrame(prepared)
    db_api = SparkAPI(spark_session=spark)
    linker = Linker(
        db_api.register(frame),
        settings(fixed_prior(n_accounts, policy.prior_duplicate_share), plan),
        log_level=logging.ERROR,
    )
    report = train(linker, n_accounts, policy, plan)
    predictions = linker.inference.predict(
        threshold_match_probability=policy.review_threshold, warning_mode="never"
    )
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=policy.match_threshold
    )
    pairs = predictions.as_spark_dataframe().selectExpr(
        "account_id_l", "account_id_r", "match_weight", "match_probability"
    )
    members = clusters.as_spark_dataframe().select("cluster_id", "account_id")
    return SparkScores(pairs, members, report)
