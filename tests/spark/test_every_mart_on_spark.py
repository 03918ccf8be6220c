"""``portalytics spark-marts`` against the pipeline: the generator's tiny data materialized on DuckDB, its
staging exported, every mart Spark builds compared with the published one (same rows in any order, the
registry's types); and every registry mart is either built on Spark or excluded with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest
from rich.console import Console

from assets.health_plan.cost_share_differences import build_cost_share_differences
from assets.warehouse import open_warehouse
from domain import marts as registry
from domain.settings import Settings
from pipelines.generator.run import generate_all
from pipelines.materialize import run_materialize
from pipelines.spark_marts import (
    BUILT_ON_SPARK,
    EXCLUDED,
    RunOptions,
    build_on_spark,
    export_staging,
    not_built,
)

AS_OF = "2026-03-01"
#: EOB lines whose payer member liability is $10 above the engine's member responsibility.
OFF_BY_TEN = 3


@pytest.fixture(scope="module")
def runs(tmp_path_factory, spark):
    """(the warehouse, the Spark marts' folder, their row counts) for one tiny generated run."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("every-mart") / "data")
    generate_all(settings, "tiny", 7)
    assert run_materialize(settings, AS_OF, console=Console(record=True, width=200)) == 0
    with open_warehouse(str(settings.warehouse_path)) as conn:
        # The tiny data lands no EOBs: the payer's shares of a few lines, so cost_share_differences has rows.
        conn.execute(
            """
            INSERT INTO staging.hp_claim_adjudication BY NAME
            SELECT claim_id, line_number, deductible_applied AS deductible, coinsurance, copay,
                   member_responsibility + 10 AS member_liability
            FROM marts.claim_cost_share ORDER BY claim_id, line_number LIMIT ?
            """,
            [OFF_BY_TEN],
        )
        conn.execute(
            """
            INSERT INTO staging.hp_claim_adjudication BY NAME
            SELECT claim_id, line_number, member_responsibility AS member_liability
            FROM marts.claim_cost_share ORDER BY claim_id DESC, line_number LIMIT 2
            """
        )
        build_cost_share_differences(conn)
    work = tmp_path_factory.mktemp("every-mart-spark")
    parquet = export_staging(settings, work / "staging")
    options = RunOptions(dt.date.fromisoformat(AS_OF), settings.org_timezone)
    counts = build_on_spark(spark, parquet, work / "marts", options, duplicates=False)
    return settings.warehouse_path, work / "marts", counts


def _rows(conn, columns: str, source: str) -> list[tuple]:
    return sorted(conn.execute(f"SELECT {columns} FROM {source}").fetchall(), key=repr)


def test_every_mart_built_on_spark_equals_the_published_one(runs):
    warehouse, out, counts = runs
    assert set(BUILT_ON_SPARK) <= set(counts)  # every mart it can build was built from the tiny data
    differ: dict[str, str] = {}
    with open_warehouse(str(warehouse), read_only=True) as conn:
        for name in BUILT_ON_SPARK:
            mart = registry.get(name)
            parquet = f"read_parquet('{out / name}/*.parquet')"
            types = conn.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {parquet})")
            if tuple(types.fetchall()) != mart.column_types:
                differ[name] = "columns or types differ from the registry"
                continue
            columns = ", ".join(f'"{c}"' for c in mart.column_names)
            expected = _rows(conn, columns, mart.table)
            if not expected:
                differ[name] = "empty on DuckDB: the comparison would prove nothing"
            elif _rows(conn, columns, parquet) != expected:
                differ[name] = "rows differ"
            elif counts[name] != len(expected):
                differ[name] = f"counted {counts[name]} rows, wrote {len(expected)}"
    assert differ == {}


def test_the_payers_differences_come_out_of_spark(runs):
    _, out, _ = runs
    differences = duckdb.sql(
        f"SELECT difference FROM read_parquet('{out}/cost_share_differences/*.parquet')"
    ).fetchall()
    assert differences == [(Decimal("10.00"),)] * OFF_BY_TEN  # the agreeing lines are not reported


def test_every_registry_mart_is_built_on_spark_or_excluded_with_a_reason():
    built, excluded = set(BUILT_ON_SPARK), set(EXCLUDED)
    assert not built & excluded
    assert built | excluded == set(registry.MARTS)
    assert all(why.strip() for why in EXCLUDED.values())
    # what the CLI prints after a run: the exclusions with their reasons, and a mart whose input was missing
    told = not_built({m: 1 for m in built - {"plan_providers"}})
    assert told == EXCLUDED | {"plan_providers": "an input it needs is not in the warehouse"}
