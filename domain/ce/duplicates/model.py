"""The Splink model: settings (comparisons + blocking rules of the plan) and a Linker over the prepared
accounts."""

from __future__ import annotations

import logging

from splink import DuckDBAPI, Linker, SettingsCreator

from domain.ce.duplicates.comparisons import comparisons
from domain.ce.duplicates.plan import ModelPlan

#: Raw columns carried into the scored pairs so the evidence text can quote them.
EVIDENCE_COLUMNS = ("first_name", "last_name")


def fixed_prior(n_accounts: int, prior_duplicate_share: float) -> float:
    """Probability that two random accounts are the same person when nothing is trained.

    If a share s of accounts has one duplicate there are about s·n/2 duplicate pairs among n·(n−1)/2 pairs,
    so lambda = s / (n − 1). E.g. 5% of 401 accounts → 0.05 / 400 = 1.25e-4.
    """
    return min(0.5, prior_duplicate_share / max(n_accounts - 1, 1))


def settings(prior: float, plan: ModelPlan) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="account_id",
        probability_two_random_records_match=prior,
        comparisons=comparisons(plan.fields),
        blocking_rules_to_generate_predictions=plan.blocking.splink_rules(),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=list(EVIDENCE_COLUMNS),
    )


def make_linker(conn, table: str, prior: float, plan: ModelPlan) -> Linker:
    """A Linker over ``table`` in the DuckDB connection ``conn`` (Splink writes its work tables there)."""
    db_api = DuckDBAPI(connection=conn)
    frame = db_api.register(table)
    # Splink logs progress at INFO and untrained levels at WARNING (those keep their fixed values by design).
    # Its settings check only logs warnings, which that level silences: it would parse every level's SQL
    # for nothing.
    return Linker(frame, settings(prior, plan), log_level=logging.ERROR, validate_settings=False)
