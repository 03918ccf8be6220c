"""``find_duplicate_accounts(..., kept_separate=...)``: kept pairs stay published but link no cluster."""

from __future__ import annotations

import pandas as pd

from domain.ce.duplicates import find_duplicate_accounts
from tests.ce.duplicates.accounts import ACCOUNTS


def test_a_kept_separate_pair_is_scored_but_not_clustered():
    # given either way round; Splink's pairs are (smaller, larger)
    result = find_duplicate_accounts(pd.DataFrame(ACCOUNTS), kept_separate={("CE2", "CE1")})
    clusters = result.clusters.to_pydict()
    assert sorted(zip(clusters["cluster_id"], clusters["account_id"], strict=True)) == [
        ("CE3", "CE3"),
        ("CE3", "CE4"),
        ("CE3", "CE5"),
    ]
    pairs = result.pairs.to_pylist()
    kept = [
        (p["account_id_l"], p["account_id_r"], p["is_match"], p["cluster_id"]) for p in pairs if p["decision"]
    ]
    # still a match by its score (the model is unchanged), but in no cluster
    assert kept == [("CE1", "CE2", True, None)]
    assert {p["decision"] for p in pairs if p["account_id_l"] != "CE1"} == {None}
