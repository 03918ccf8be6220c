"""``portalytics spark-marts`` (pipelines/spark_marts.py): staging exported from the warehouse as Parquet, the
marts built on Spark; the same rows as the rules give on DuckDB, and the hand-computed ones where we have
them."""

from __future__ import annotations

import datetime as dt

import duckdb
import ibis
import pandas as pd
import pytest

from assets.warehouse import open_warehouse
from domain.ce.duplicates import find_duplicate_accounts
from domain.learning.compliance import CompliancePolicy, compliance_status
from domain.settings import Settings
from pipelines.spark_marts import RunOptions, WarehouseBusy, build_on_spark, export_staging
from tests.ce.builders import warehouse as ce_warehouse
from tests.ce.test_credits import A6, CLAIMS, EXTERNALS, TOTALS_PER_ACCOUNT
from tests.ce.world import ACCOUNTS, ACTIVITIES, CREDITS
from tests.learning.builders import AS_OF
from tests.login_security.helpers import at, failures, utc
from tests.spark.test_compliance_on_spark import _world as learning_world
from tests.support import create_staging_table

LC = ("lc_people", "lc_courses", "lc_requirements", "lc_completions")


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data")
    settings.root.mkdir(parents=True)
    with open_warehouse(str(settings.warehouse_path)) as conn:
        lc = learning_world()  # the hand-made Learning Center rows, copied into the warehouse file
        conn.execute("CREATE SCHEMA staging")
        for name in LC:
            conn.register("rows", lc.sql(f"SELECT * FROM staging.{name}").to_arrow_table())
            conn.execute(f"CREATE TABLE staging.{name} AS SELECT * FROM rows")
            conn.unregister("rows")
        create_staging_table(
            conn,
            "auth_events",
            failures("alice", at("09:00"), at("09:01"), at("09:02"), at("09:03"), at("09:04")),
        )
        ce_warehouse(
            conn,
            accounts=(*ACCOUNTS, A6),
            activities=ACTIVITIES,
            credits=CREDITS,
            attendance=CLAIMS,
            externals=EXTERNALS,
        )
    return settings


def _parquet(path) -> list[dict]:
    return duckdb.sql(f"SELECT * FROM read_parquet('{path}/*.parquet')").to_arrow_table().to_pylist()


def test_the_marts_built_on_spark_match_duckdb_and_the_hand_computed_figures(settings, spark, tmp_path):
    parquet = export_staging(settings, tmp_path / "staging")
    assert {"lc_people", "auth_events", "ce_attendance"} <= set(parquet)
    out = tmp_path / "marts"
    only = ("compliance_status", "login_lockouts", "ce_credit_totals")  # the rest: test_every_mart_on_spark
    counts = build_on_spark(spark, parquet, out, RunOptions(AS_OF, "America/Chicago"), only=only)
    assert counts["compliance_status"] == 6 and counts["login_lockouts"] == 1

    with open_warehouse(str(settings.warehouse_path), read_only=True) as conn:
        t = {n: ibis.duckdb.from_connection(conn).table(n, database="staging") for n in LC}
        on_duckdb = (
            compliance_status(*(t[n] for n in LC), CompliancePolicy(as_of=AS_OF)).to_pyarrow().to_pylist()
        )
        accounts = conn.sql("SELECT * FROM staging.ce_accounts").df()

    def key(r):
        return (r["person_id"], r["requirement_id"], r["due_date"], r["status"])

    assert sorted(map(key, _parquet(out / "compliance_status"))) == sorted(map(key, on_duckdb))
    [lock] = _parquet(out / "login_lockouts")
    assert (lock["username"], lock["locked_at"]) == ("alice", utc(at("09:04")))
    totals = {
        (r["account_id"], r["credit_type"], r["year"]): r["credits"]
        for r in _parquet(out / "ce_credit_totals")
    }
    assert totals == TOTALS_PER_ACCOUNT

    def partition(rows) -> set[frozenset[str]]:
        groups: dict[str, set[str]] = {}
        for r in rows:
            groups.setdefault(str(r["cluster_id"]), set()).add(r["account_id"])
        return {frozenset(g) for g in groups.values() if len(g) > 1}

    duck = find_duplicate_accounts(pd.DataFrame(accounts))
    on_spark = _parquet(out / "duplicate_account_cluster_scores")
    assert partition(on_spark) == partition(duck.clusters.to_pylist())


def test_a_warehouse_held_by_a_writer_is_a_clear_error(settings, tmp_path):
    with (
        duckdb.connect(str(settings.warehouse_path)),  # as a running materialize holds it
        pytest.raises(WarehouseBusy, match="is a materialize running"),
    ):
        export_staging(settings, tmp_path / "staging")


def test_the_as_of_date_reaches_the_spark_marts(settings, spark, tmp_path):
    parquet = export_staging(settings, tmp_path / "staging")
    later = AS_OF + dt.timedelta(days=40)
    out = tmp_path / "later"
    options = RunOptions(later, "America/Chicago")
    build_on_spark(spark, parquet, out, options, duplicates=False, only=("compliance_status",))
    statuses = {
        (r["person_id"], r["requirement_id"]): r["status"] for r in _parquet(out / "compliance_status")
    }
    assert statuses[("P2", "R_YEARLY")] == "overdue"  # expired 10 July; due soon as of 30 June
