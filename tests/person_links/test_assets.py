"""The person-link assets build their marts in a DuckDB warehouse holding the hand-built world
(``world.py``)."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets import person_links as assets
from assets.common import RunSettings
from assets.warehouse import open_warehouse
from domain.person_links import ATTACK_COLUMNS, LINK_COLUMNS, MISMATCH_COLUMNS, REVIEW_COLUMNS
from domain.person_links.findings import LEAVING_COLUMNS
from tests.person_links import world


def test_the_assets_build_links_review_and_every_finding(tmp_path):
    path = str(tmp_path / "warehouse.duckdb")
    source = world.build()
    source.execute(f"ATTACH '{path}' AS w")
    for schema, table in source.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'memory'"
    ).fetchall():
        source.execute(f"CREATE SCHEMA IF NOT EXISTS w.{schema}")
        source.execute(f"CREATE TABLE w.{schema}.{table} AS SELECT * FROM memory.{schema}.{table}")
    source.close()
    result = dg.materialize(
        [
            assets.person_links,
            assets.leaving_sso_only,
            assets.plan_hr_mismatches,
            assets.cross_portal_attacks,
        ],
        resources={"duckdb": DuckDBResource(database=path), "run_settings": RunSettings()},
    )
    assert result.success
    conn = open_warehouse(path, read_only=True)
    expected = {
        "person_links": (LINK_COLUMNS, 25),
        "person_link_review": (REVIEW_COLUMNS, 5),
        "leaving_sso_only": (LEAVING_COLUMNS, 2),
        "plan_hr_mismatches": (MISMATCH_COLUMNS, 2),
        "cross_portal_attacks": (ATTACK_COLUMNS, 3),
    }
    for mart, (columns, rows) in expected.items():
        assert tuple(r[0] for r in conn.execute(f"DESCRIBE marts.{mart}").fetchall()) == columns, mart
        assert conn.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0] == rows, mart
    links = result.asset_materializations_for_node("person_links")
    assert {m.asset_key.path[-1]: m.metadata["rows"].value for m in links} == {
        "person_links": 25,
        "person_link_review": 5,
    }
