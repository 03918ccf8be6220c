"""The duplicates multi-asset: staging.ce_accounts in, both marts out, identical on a rerun."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.ce.duplicates import ce_duplicate_accounts
from assets.warehouse import open_warehouse
from domain.ce.duplicates.detect import CLUSTER_COLUMNS, PAIR_COLUMNS
from tests.ce.duplicates.accounts import ACCOUNTS
from tests.ce.duplicates.synthetic import synthetic_accounts
from tests.support import create_staging_table


def _warehouse(tmp_path) -> str:
    path = str(tmp_path / "warehouse.duckdb")
    with open_warehouse(path) as conn:
        create_staging_table(conn, "ce_accounts", ACCOUNTS)
    return path


def _materialize(path: str) -> dg.ExecuteInProcessResult:
    result = dg.materialize([ce_duplicate_accounts], resources={"duckdb": DuckDBResource(database=path)})
    assert result.success
    return result


def test_both_marts_are_written_with_their_columns(tmp_path):
    path = _warehouse(tmp_path)
    _materialize(path)
    with open_warehouse(path) as conn:
        pair_cols = [r[0] for r in conn.execute("DESCRIBE marts.duplicate_account_pairs").fetchall()]
        cluster_cols = [r[0] for r in conn.execute("DESCRIBE marts.duplicate_account_clusters").fetchall()]
        matches = conn.execute(
            "SELECT account_id_l, account_id_r FROM marts.duplicate_account_pairs WHERE is_match ORDER BY 1, "
            "2"
        ).fetchall()
        survivors = conn.execute(
            "SELECT account_id, recommended_survivor_account_id, classification "
            "FROM marts.duplicate_account_clusters ORDER BY account_id"
        ).fetchall()
    assert pair_cols == list(PAIR_COLUMNS) and cluster_cols == list(CLUSTER_COLUMNS)
    assert matches == [("CE1", "CE2"), ("CE3", "CE4"), ("CE3", "CE5"), ("CE4", "CE5")]
    # a merge is the mapping account_id -> survivor: CE2 -> CE1 (SSO), CE3 and CE5 -> CE4 (organisation
    # e-mail)
    assert survivors == [
        ("CE1", "CE1", "personal_plus_organisation"),
        ("CE2", "CE1", "personal_plus_organisation"),
        ("CE3", "CE4", "third_account"),
        ("CE4", "CE4", "third_account"),
        ("CE5", "CE4", "third_account"),
    ]


def test_metadata_counts_clusters_by_kind(tmp_path):
    result = _materialize(_warehouse(tmp_path))
    [clusters] = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key.path[-1] == "duplicate_account_clusters"
    ]
    meta = clusters.materialization.metadata
    assert meta["clusters"].value == 2
    assert (
        meta["clusters_third_account"].value == 1 and meta["clusters_personal_plus_organisation"].value == 1
    )
    assert meta["training"].value == "fixed"
    # nobody's surname carries Jr/Sr: the generation comparison has nothing to compare
    assert "comparison generation: column generation empty" in meta["skipped"].value


def test_a_rerun_gives_identical_marts(tmp_path):
    path = _warehouse(tmp_path)
    snapshots = []
    for _ in range(2):
        _materialize(path)
        with open_warehouse(path) as conn:
            snapshots.append(
                (
                    conn.execute("SELECT * FROM marts.duplicate_account_pairs").fetchall(),
                    conn.execute("SELECT * FROM marts.duplicate_account_clusters").fetchall(),
                )
            )
    assert snapshots[0] == snapshots[1]


def test_no_accounts_gives_empty_marts(tmp_path):
    path = str(tmp_path / "warehouse.duckdb")
    with open_warehouse(path) as conn:
        create_staging_table(conn, "ce_accounts", [])
    _materialize(path)
    with open_warehouse(path) as conn:
        assert conn.execute("SELECT count(*) FROM marts.duplicate_account_pairs").fetchall() == [(0,)]
        assert conn.execute("SELECT count(*) FROM marts.duplicate_account_clusters").fetchall() == [(0,)]


def test_an_export_without_phones_materializes_and_reports_what_it_skipped(tmp_path):
    # issue 16: with no phone at all, the trained model's phone session had no pairs and the run crashed
    accounts, _ = synthetic_accounts(n_people=450, seed=11)
    path = str(tmp_path / "warehouse.duckdb")
    with open_warehouse(path) as conn:
        create_staging_table(conn, "ce_accounts", [a | {"mobile_phone": None} for a in accounts])
    result = _materialize(path)
    [pairs] = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key.path[-1] == "duplicate_account_pairs"
    ]
    meta = pairs.materialization.metadata
    assert meta["training"].value == "trained"
    assert "mobile_phone" not in meta["training_sessions"].value
    skipped = meta["skipped"].value
    assert "- comparison mobile_phone: column mobile_phone empty" in skipped
    assert "- training session mobile_phone: column mobile_phone empty" in skipped
    with open_warehouse(path) as conn:
        assert conn.execute("SELECT count(*) FROM marts.duplicate_account_clusters").fetchall()[0][0] > 0
        levels = conn.execute(
            "SELECT DISTINCT mobile_phone_level FROM marts.duplicate_account_pairs"
        ).fetchall()
    assert levels == [("missing",)]
