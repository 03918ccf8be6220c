"""Duplicate CE accounts (domain-rules.md "Duplicate CE accounts"): Splink on DuckDB, no labels needed.

``find_duplicate_accounts(accounts, policy)`` → the ``duplicate_account_pairs`` and
``duplicate_account_clusters`` marts. Modules: ``prepare`` (standardise), ``nicknames`` (+ ``nicknames.csv``),
``comparisons`` (levels with fixed m/u), ``blocking``, ``model`` (Splink settings/linker), ``training``,
``classification`` (cluster kind and survivor), ``evidence`` (readable text), ``evaluation`` (pairwise F1
against truth), ``detect`` (the pipeline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.ce.duplicates.policy import DuplicatePolicy

if TYPE_CHECKING:
    from domain.ce.duplicates.detect import (
        CLUSTERS_MART,
        PAIRS_MART,
        DuplicateResult,
        find_duplicate_accounts,
    )

__all__ = ["CLUSTERS_MART", "PAIRS_MART", "DuplicatePolicy", "DuplicateResult", "find_duplicate_accounts"]


def __getattr__(name: str):
    # Splink loads only when detection is used: the dashboard reads ``evaluation`` without it.
    if name in ("CLUSTERS_MART", "PAIRS_MART", "DuplicateResult", "find_duplicate_accounts"):
        from domain.ce.duplicates import detect

        return getattr(detect, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
