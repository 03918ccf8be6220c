"""The cost-share engine on Spark (pipelines/spark_cost_share.py) gives the claim marts DuckDB's pipeline
gives, row for row: the hand-made families (with their hand-computed shares, an adjustment, a reversal, a line
after the span ended, an unknown member) plus a few hundred random families spread over several buckets."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from assets.health_plan.chunks import COLUMNS
from assets.health_plan.marts import price_all_families
from assets.warehouse import open_warehouse
from domain.settings import Settings
from pipelines.spark_marts import RunOptions, build_on_spark, export_staging
from tests.health_plan import warehouse
from tests.health_plan.synthetic import _insert
from tests.learning.builders import AS_OF


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("cost-share") / "data")
    settings.root.mkdir(parents=True)
    with open_warehouse(str(settings.warehouse_path)) as conn:
        warehouse.build(conn, marts=False)
        _random_families(conn, families=300)
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")  # the marts file's, opened with the warehouse
        price_all_families(conn, workers=1, chunk_lines=500)  # the pipeline's marts, to compare with
    return settings


def _random_families(conn, families: int) -> None:
    """Families R00000… beside the hand-made ones, in the hand-made plan year (so they are priced)."""
    import random

    rng = random.Random(11)
    members, spans, claims = [], [], []
    for f in range(families):
        sub = f"R{f:05d}"
        size = rng.randint(1, 3)
        for i in range(size):
            member = sub if i == 0 else f"{sub}-{i}"
            members.append((member, sub, "self" if i == 0 else "child", "A", "B", None, None, "E1"))
            spans.append((member, "P1", "EMP" if size == 1 else "FAM", "2025-01-01", None))
            for n in range(rng.randint(0, 4)):  # some members have no claims at all
                amount = Decimal(rng.randint(1_000, 150_000)) / 100
                day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                claims.append(
                    (
                        f"{member}-C{n}",
                        1,
                        "original",
                        None,
                        member,
                        warehouse.NPI_A,
                        day,
                        day,
                        f"{day} 1{n}:00:00",
                        rng.choice(["paid", "paid", "denied"]),
                        rng.choice(["lab", "office_visit", "specialist", "emergency"]),
                        rng.choice(["in", "in", "out"]),
                        amount,
                        amount,
                    )
                )
    _insert(conn, "hp_members", members, "'m.csv', 1")
    _insert(conn, "hp_enrollment", spans, "'e.csv', 1")
    _insert(conn, "hp_claims", claims, "'c.csv', 1")


def _rows(sql: str) -> list[tuple]:
    return sorted(duckdb.sql(sql).fetchall(), key=repr)


@pytest.fixture(scope="module")
def on_spark(settings, spark, tmp_path_factory):
    """The marts ``portalytics spark-marts`` builds from the warehouse, and their row counts."""
    work = tmp_path_factory.mktemp("spark-cost-share")
    parquet = export_staging(settings, work / "staging")
    options = RunOptions(AS_OF, settings.org_timezone)
    counts = build_on_spark(spark, parquet, work / "marts", options, duplicates=False, only=COLUMNS)
    return work / "marts", counts


def test_every_claim_mart_on_spark_equals_the_pipelines(settings, on_spark):
    marts, counts = on_spark
    with open_warehouse(str(settings.warehouse_path), read_only=True) as conn:
        for mart, columns in COLUMNS.items():
            names = ", ".join(name for name, _ in columns)
            expected = sorted(conn.execute(f"SELECT {names} FROM marts.{mart}").fetchall(), key=repr)
            got = _rows(f"SELECT {names} FROM read_parquet('{marts}/{mart}/*.parquet')")
            assert got == expected, mart
            assert counts[mart] == len(expected) > 0


def test_the_hand_computed_shares_come_out_of_spark(settings, spark, tmp_path):
    parquet = export_staging(settings, tmp_path / "staging")
    options = RunOptions(AS_OF, settings.org_timezone)
    build_on_spark(spark, parquet, tmp_path / "marts", options, duplicates=False, only=COLUMNS)
    marts = tmp_path / "marts"
    shares = dict(
        _rows(
            f"SELECT claim_id, member_responsibility FROM read_parquet('{marts}/claim_cost_share/*.parquet') "
            "WHERE claim_id IN ('C1', 'C2', 'C4')"
        )
    )
    # C1 and C2: deductible 500 + 20% of the 100 above it; C4: the office-visit copay.
    assert shares == {"C1": Decimal("520.00"), "C2": Decimal("520.00"), "C4": Decimal("25.00")}
    exceptions = _rows(
        f"SELECT claim_id, reason FROM read_parquet('{marts}/claim_exceptions/*.parquet') "
        "WHERE claim_id IN ('C6', 'C7')"
    )
    assert exceptions == [("C6", "no_enrollment"), ("C7", "unknown_member")]
