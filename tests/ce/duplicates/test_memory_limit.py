"""Splink's own DuckDB takes the memory limit and spill folder it is given (the pipeline passes the
warehouse's): at the large scale it spills instead of taking 80 % of the machine, with the same results."""

import duckdb
import pandas as pd
import pytest

from domain.ce.duplicates import find_duplicate_accounts
from tests.ce.duplicates.synthetic import synthetic_accounts


def test_a_tight_memory_limit_and_a_spill_folder_give_the_same_pairs_and_clusters(tmp_path):
    accounts, _ = synthetic_accounts(300, seed=5)
    frame = pd.DataFrame(accounts)
    free = find_duplicate_accounts(frame)
    (tmp_path / "spill").mkdir()
    # a limit it must work within; 64 MB was below what DuckDB's non-spilling operators need on a clean clone
    # ("failed to pin block")
    capped = find_duplicate_accounts(frame, memory_limit="160MB", temp_directory=str(tmp_path / "spill"))
    assert free.pairs.num_rows > 0
    assert capped.pairs.equals(free.pairs) and capped.clusters.equals(free.clusters)


def test_the_limit_reaches_duckdb(tmp_path):
    with pytest.raises(duckdb.Error):  # a limit DuckDB cannot read is refused, so a valid one is applied
        find_duplicate_accounts(pd.DataFrame(synthetic_accounts(20, seed=5)[0]), memory_limit="lots")
