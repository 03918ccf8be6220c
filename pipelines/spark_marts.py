"""``portalytics spark-marts``: the set-based marts and duplicate detection on Apache Spark, the scale-out
path.

Ingest stays on DuckDB (per-file validation, ledger and quarantine); the warehouse's checked staging tables
are exported as Parquet, and Spark builds the set-based marts from them with the same domain rules the
pipeline binds to DuckDB (``docs/architecture.md``, "Scale-out"), writing one Parquet folder per mart. The
cost-share engine, sequential within a family, runs per group of families by the same pure function
(``pipelines/spark_cost_share.py``).

The warehouse is opened read-only, so this cannot run while a materialize holds it; the error says so.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from domain.ce.attendance import AttendancePolicy, attendance_outcomes
from domain.ce.credits import CreditPolicy, credit_items, credit_totals, credits_awarded
from domain.ce.tables import CE_STAGING, CeTables
from domain.health_plan.cost_share import PlanYear
from domain.learning.compliance import CompliancePolicy, compliance_status
from domain.login_security import (
    LoginSecurityPolicy,
    Scratch,
    credential_stuffing,
    login_daily_summary,
    login_lockouts,
    reset_loops,
    reset_outcomes,
)
from domain.settings import Settings
from domain.sql_text import quote_ident
from pipelines.spark_cost_share import COST_SHARE_STAGING, SPAN_ORDER, price_on_spark

STAGING_TABLES = (
    "lc_people",
    "lc_courses",
    "lc_requirements",
    "lc_completions",
    "auth_events",
    *CE_STAGING,
    *COST_SHARE_STAGING,
)
#: Tables exported with a column more than staging has: enrollment keeps its table order (ties between spans).
EXPORT_SELECT = {"hp_enrollment": f"SELECT *, rowid AS {SPAN_ORDER} FROM staging.hp_enrollment"}
#: Applied CE merges, exported when the warehouse has them, so credits land on the surviving account.
SURVIVORS = "ce_account_survivors"


class WarehouseBusy(RuntimeError):
    """The warehouse cannot be opened read-only (a materialize holds it)."""


def export_staging(settings: Settings, into: Path) -> dict[str, Path]:
    """Each staging table (and the applied merges) of the warehouse as ``into/<table>.parquet``."""
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(
            f"{settings.warehouse_path} does not exist: run `portalytics materialize` first"
        )
    into.mkdir(parents=True, exist_ok=True)
    try:
        conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseBusy(
            f"cannot read {settings.warehouse_path}: {str(exc).splitlines()[0]} (is a materialize running?)"
        ) from exc
    written: dict[str, Path] = {}
    with conn:
        present = {
            (schema, table)
            for schema, table in conn.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
            ).fetchall()
        }
        wanted = [("staging", t) for t in STAGING_TABLES] + [("marts", SURVIVORS)]
        for schema, table in wanted:
            if (schema, table) not in present:
                continue
            path = into / f"{table}.parquet"
            rows = EXPORT_SELECT.get(table, f"SELECT * FROM {schema}.{quote_ident(table)}")
            conn.execute(f"COPY ({rows}) TO ? (FORMAT parquet)", [str(path)])
            written[table] = path
    return written


@dataclass(frozen=True)
class RunOptions:
    as_of: dt.date
    org_timezone: str


Tables = dict  # staging table or already built mart name → Ibis table on Spark
MartBuilder = Callable[[Tables, RunOptions, object], object]


def _ce(t: Tables) -> CeTables:
    return CeTables.from_tables(t, survivors=t.get(SURVIVORS))


#: mart name → (the tables it needs, how it is built), in build order: a mart may read one built before it (as
#: the pipeline's assets do), so no rule runs twice. Same rules, same names as the pipeline's marts.
MARTS: dict[str, tuple[tuple[str, ...], MartBuilder]] = {
    "compliance_status": (
        ("lc_people", "lc_courses", "lc_requirements", "lc_completions"),
        lambda t, o, _s: compliance_status(
            t["lc_people"],
            t["lc_courses"],
            t["lc_requirements"],
            t["lc_completions"],
            CompliancePolicy(as_of=o.as_of, org_timezone=o.org_timezone),
        ),
    ),
    "login_lockouts": (
        ("auth_events",),
        lambda t, _o, scratch: login_lockouts(t["auth_events"], scratch, LoginSecurityPolicy()),
    ),
    "reset_outcomes": (("auth_events",), lambda t, _o, _s: reset_outcomes(t["auth_events"])),
    "reset_loops": (("auth_events",), lambda t, _o, _s: reset_loops(t["auth_events"])),
    "credential_stuffing": (("auth_events",), lambda t, _o, _s: credential_stuffing(t["auth_events"])),
    "login_daily_summary": (
        ("auth_events", "login_lockouts"),
        lambda t, _o, _s: login_daily_summary(t["auth_events"], t["login_lockouts"]),
    ),
    "ce_attendance_outcomes": (CE_STAGING, lambda t, _o, _s: attendance_outcomes(_ce(t), AttendancePolicy())),
    "ce_credit_items": (
        (*CE_STAGING, "ce_attendance_outcomes"),
        lambda t, o, _s: credit_items(
            credits_awarded(t["ce_attendance_outcomes"], _ce(t), CreditPolicy(org_timezone=o.org_timezone)),
            _ce(t),
        ),
    ),
    "ce_credit_totals": (
        ("ce_credit_items",),
        lambda t, _o, _s: credit_totals(t["ce_credit_items"], by="account"),
    ),
}


def build_on_spark(
    spark, parquet: dict[str, Path], out_dir: Path, options: RunOptions, *, duplicates: bool = True
) -> dict[str, int]:
    """Build every mart whose staging tables were exported, each into ``out_dir/<mart>/`` (Parquet written by
    Spark); returns each mart's row count. ``duplicates`` also scores and clusters the CE accounts with Splink
    on Spark (``duplicate_account_pairs`` and ``duplicate_account_clusters``, scores only)."""
    import ibis

    backend = ibis.pyspark.connect(spark)
    tables: Tables = {}
    for name, path in parquet.items():
        spark.read.parquet(str(path)).createOrReplaceTempView(f"portalytics_{name}")
        tables[name] = backend.table(f"portalytics_{name}")
    counts: dict[str, int] = {}
    with Scratch(backend) as scratch:
        for mart, (needs, build) in MARTS.items():
            if not all(n in tables for n in needs):
                continue
            frame = spark.sql(ibis.to_sql(build(tables, options, scratch), dialect="pyspark"))
            frame.write.mode("overwrite").parquet(str(out_dir / mart))
            written = spark.read.parquet(str(out_dir / mart))
            written.createOrReplaceTempView(f"portalytics_mart_{mart}")
            tables[mart] = backend.table(f"portalytics_mart_{mart}")  # what later marts read
            counts[mart] = written.count()
    if all(t in parquet for t in COST_SHARE_STAGING):
        counts |= price_on_spark(spark, _plan_years(parquet["hp_plans"]), out_dir)
    if duplicates and "ce_accounts" in parquet:
        from domain.ce.duplicates.on_spark import score_on_spark

        accounts = duckdb.execute("SELECT * FROM read_parquet(?)", [str(parquet["ce_accounts"])]).df()
        scores = score_on_spark(spark, accounts)
        for mart, frame in (
            ("duplicate_account_pairs", scores.pairs),
            ("duplicate_account_clusters", scores.clusters),
        ):
            frame.write.mode("overwrite").parquet(str(out_dir / mart))
            counts[mart] = spark.read.parquet(str(out_dir / mart)).count()
    return counts


def _plan_years(path: Path) -> list[PlanYear]:
    cols = ", ".join(PlanYear.__dataclass_fields__)
    return [
        PlanYear(*r) for r in duckdb.execute(f"SELECT {cols} FROM read_parquet(?)", [str(path)]).fetchall()
    ]


def spark_session(master: str, work_dir: Path):
    """A Spark session as the rules need it: UTC session time, Splink's similarity jar, a checkpoint
    folder."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    # Python workers (the cost-share engine) must run in this interpreter, which has pyarrow and the project:
    # Spark's local mode reads only the variable, not the spark.pyspark.python setting.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(master)
        .appName("portalytics")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(work_dir / "spark-warehouse"))
        .config("spark.jars", similarity_jar_location())
        .getOrCreate()
    )
    session.sparkContext.setCheckpointDir(str(work_dir / "checkpoints"))
    return session
