"""``portalytics spark-marts``: every mart that can leave DuckDB, built on Apache Spark: the scale-out path.

Ingest stays on DuckDB (per-file validation, ledger and quarantine); the warehouse's checked staging tables
are exported as Parquet, and Spark builds the marts from them with the same domain rules the pipeline binds to
DuckDB (``docs/architecture.md``, "Scale-out"), writing one Parquet folder per mart with exactly the
registry's columns and types (``domain.marts``). A rule's home decides how it runs:

- Ibis expressions (compliance, transcripts, CE credits and certificates, login security, cost-share
  reconciliation) are bound to an Ibis PySpark backend;
- ``.sql`` files in plain SQL (the plan roster, members, providers, plan years) run as they are in Spark SQL,
  over the staging tables registered as ``staging.<table>``;
- row-by-row DuckDB statements (``ce_accounts``, ``ce_account_phones``) run per Arrow batch
  (``pipelines/spark_batches.py``);
- the cost-share engine, sequential within a family, runs per group of families by the same pure function
  (``pipelines/spark_cost_share.py``).

What stays on DuckDB is listed in :data:`EXCLUDED` with the reason; the CLI prints it.

The warehouse is opened read-only, so this cannot run while a materialize holds it; the error says so.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from assets.ce.accounts_mart import CE_ACCOUNTS_MART, KIND_PARAMS, organisation_domains_of
from assets.ce.lookup import PHONES_MART, PHONES_SQL
from assets.common import RunSettings
from assets.health_plan.chunks import COLUMNS as CLAIM_MART_COLUMNS
from assets.health_plan.marts import load_plan_book
from assets.ingestion.standard.payer_adjudication import PAYER_ADJUDICATION
from assets.warehouse import open_warehouse
from domain import marts as registry
from domain.ce.attendance import AttendancePolicy, attendance_outcomes
from domain.ce.certificates import CertificatePolicy, certificates
from domain.ce.credits import CreditPolicy, credit_items, credit_totals, credits_awarded, transcript_items
from domain.ce.duplicates.classification import define_email_domain
from domain.ce.tables import CE_STAGING, CeTables, local_date
from domain.health_plan.cost_share import PlanYear
from domain.health_plan.cost_share_reconciliation import differing_lines
from domain.learning.compliance import (
    CompliancePolicy,
    completion_days,
    compliance_history,
    compliance_rollup,
    compliance_status,
    compliance_trend_counts,
    history_month_ends,
)
from domain.learning.identity import masked_lc_user_id
from domain.learning.transcripts import ITEM_SOURCE_MARTS, learning_center_items, union_items
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
from domain.sql_files import load
from domain.sql_text import quote_ident, quote_str
from pipelines.spark_batches import duckdb_over_batches
from pipelines.spark_cost_share import COST_SHARE_STAGING, SPAN_ORDER, price_on_spark
from pipelines.spark_types import cast_to_mart

log = logging.getLogger(__name__)

LC_SOURCES = ("lc_people", "lc_courses", "lc_requirements", "lc_completions")
STAGING_TABLES = (
    *LC_SOURCES,
    "auth_events",
    *CE_STAGING,
    *COST_SHARE_STAGING,
    "hp_employers",
    "hp_providers",
    PAYER_ADJUDICATION.name,
)
#: Tables exported with a column more than staging has: enrollment keeps its table order (ties between spans).
EXPORT_SELECT = {"hp_enrollment": f"SELECT *, rowid AS {SPAN_ORDER} FROM staging.hp_enrollment"}
#: Applied CE merges, exported when the warehouse has them, so credits land on the surviving account.
SURVIVORS = "ce_account_survivors"

_INGEST = (
    "ingest stays on DuckDB (per-file validation, the ledger and quarantine); Spark starts from its checked "
    "staging tables"
)
_STATE_STORE = (
    "the CE team's merge decisions live in the dashboard's state store (SQLite) and are applied by the "
    "DuckDB pipeline; Spark reads the applied merges (ce_account_survivors) from the warehouse as an input"
)
_DUPLICATES = (
    "Splink scores and clusters the accounts on Spark (written as duplicate_account_pair_scores and "
    "duplicate_account_cluster_scores), but the mart's classification, evidence and the CE team's "
    "kept-separate decisions (state store) stay on the DuckDB path"
)
_PEOPLE = (
    "one person across all four portals is one match over every source at once, written in DuckDB's SQL "
    "(strip_accents, try_strptime, MATERIALIZED), and it reads the duplicate marts with the CE team's "
    "decisions, which stay on DuckDB (above)"
)
#: Registry marts spark-marts does not build, and why (printed by the CLI; a test keeps this list complete).
EXCLUDED: dict[str, str] = {
    "ingest_ledger": _INGEST,
    "quarantine": _INGEST,
    "ce_merge_decisions": _STATE_STORE,
    "ce_account_survivors": _STATE_STORE,
    "duplicate_account_pairs": _DUPLICATES,
    "duplicate_account_clusters": _DUPLICATES,
    **{
        m: _PEOPLE
        for m in (
            "person_links",
            "person_link_review",
            "leaving_sso_only",
            "plan_hr_mismatches",
            "cross_portal_attacks",
        )
    },
}
#: Splink's scores on Spark (not marts: see ``duplicate_account_pairs`` in :data:`EXCLUDED`).
SCORE_OUTPUTS = ("duplicate_account_pair_scores", "duplicate_account_cluster_scores")


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
        conn = open_warehouse(settings.warehouse_path, read_only=True)
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
    """What the pipeline's ``run_settings`` resource gives its assets: ``as_of`` None means today (or the
    data's last day where the pipeline's mart uses it so), exactly as ``materialize`` without ``--as-of``."""

    as_of: dt.date | None
    org_timezone: str
    history_months: int = RunSettings.model_fields["history_months"].default

    @property
    def run_settings(self) -> RunSettings:
        return RunSettings(
            as_of=self.as_of.isoformat() if self.as_of else None,
            org_timezone=self.org_timezone,
            history_months=self.history_months,
        )


@dataclass
class Build:
    """What a mart's builder reads: the Spark session, the staging tables and marts built so far (Ibis tables
    on Spark, by name), the run's options and the login-security scratch."""

    spark: object
    tables: dict[str, object]
    options: RunOptions
    scratch: object
    parquet: dict[str, Path] = field(default_factory=dict)

    @property
    def ce(self) -> CeTables:
        return CeTables.from_tables(self.tables, survivors=self.tables.get(SURVIVORS))

    def lc(self) -> list:
        return [self.tables[n] for n in LC_SOURCES]

    def staging_frame(self, name: str):
        return self.spark.table(f"staging.{name}")


#: A builder returns an Ibis expression (compiled to Spark SQL) or a Spark DataFrame.
MartBuilder = Callable[[Build], object]


@dataclass(frozen=True)
class SparkMart:
    needs: tuple[str, ...]
    build: MartBuilder


def _completion_span(b: Build) -> tuple[dt.date | None, dt.date | None]:
    row = completion_days(b.tables["lc_completions"], b.options.org_timezone).to_pyarrow().to_pylist()[0]
    return row["first_day"], row["last_day"]


def _compliance_status(b: Build):
    _, last_day = _completion_span(b)
    as_of = b.options.run_settings.as_of_within(last_day)
    return compliance_status(*b.lc(), CompliancePolicy(as_of=as_of, org_timezone=b.options.org_timezone))


def _compliance_history(b: Build):
    import ibis

    first, last = _completion_span(b)
    days = history_month_ends(first, last, b.options.history_months)
    policy = CompliancePolicy(last or dt.date.min, org_timezone=b.options.org_timezone)
    expr = compliance_history(*b.lc(), days, policy)
    if expr is None:  # no completions yet: an empty mart (as the pipeline's)
        expr = compliance_status(*b.lc(), policy).mutate(month_end=ibis.literal(dt.date.min))
        expr = expr.filter(ibis.literal(False))
    return expr


def _learning_people(b: Build):
    people = b.tables["lc_people"]
    return people.select(
        *registry.get("learning_people").column_names[:-1],
        lc_user_id_masked=masked_lc_user_id(people.lc_user_id),
    )


def _ce_certificates(b: Build):
    policy = CertificatePolicy(org_timezone=b.options.org_timezone)
    outcomes = b.tables["ce_attendance_outcomes"]
    last_claim = local_date(outcomes.received_at, policy.org_timezone).max().to_pyarrow().as_py()
    return certificates(outcomes, b.ce, b.options.run_settings.as_of_within(last_claim), policy)


def _staging_on_duckdb(b: Build, name: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB on the driver with ``staging.<name>`` over its exported Parquet, for the few
    driver-side figures a rule takes (a handful of rows)."""
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA staging")
    path = quote_str(str(b.parquet[name]))
    # a view cannot hold a bound parameter: the path goes in quoted (docs/architecture.md, "SQL convention")
    conn.execute(f"CREATE VIEW staging.{quote_ident(name)} AS SELECT * FROM read_parquet({path})")
    return conn


def _ce_accounts(b: Build):
    with _staging_on_duckdb(b, "ce_accounts") as conn:  # the organisation domains: one small aggregate
        domains = organisation_domains_of(conn)
    lookup = pa.table({"email_domain": pa.array(domains, pa.string())})
    return duckdb_over_batches(
        b.staging_frame("ce_accounts"),
        load("assets.ce", "ce_accounts"),
        "ce_accounts",
        registry.get(CE_ACCOUNTS_MART),
        {"ce_org_domains": lookup},
        params=KIND_PARAMS,
        setup=define_email_domain,
    )


def _plan_years(b: Build):
    with _staging_on_duckdb(b, "hp_plans") as conn:  # the plan book: a few rows
        book = load_plan_book(conn)
    ends = [(py.plan_id, py.plan_year, book.end_of(py) - dt.timedelta(days=1)) for py in book.plan_years()]
    b.spark.createDataFrame(
        ends, "plan_id string, plan_year int, plan_year_end date"
    ).createOrReplaceTempView("_hp_plan_year_ends")
    return b.spark.sql(load("assets.health_plan", "plan_years"))


def _sql_file(name: str) -> MartBuilder:
    return lambda b: b.spark.sql(load("assets.health_plan", name))


def _rollup(by: str) -> SparkMart:
    return SparkMart(("compliance_status",), lambda b: compliance_rollup(b.tables["compliance_status"], by))


_AWARDED = ("ce_attendance_outcomes", *CE_STAGING)

#: mart name → (the tables it needs, how it is built), in build order: a mart may read one built before it (as
#: the pipeline's assets do), so no rule runs twice. Same rules, same names as the pipeline's marts. The claim
#: marts (the cost-share engine) are built before these, when their staging tables were exported.
MARTS: dict[str, SparkMart] = {
    "learning_people": SparkMart(("lc_people",), _learning_people),
    "compliance_status": SparkMart(LC_SOURCES, _compliance_status),
    "compliance_by_department": _rollup("department"),
    "compliance_by_manager": _rollup("manager_person_id"),
    "compliance_by_job_role": _rollup("job_role"),
    "compliance_history": SparkMart(LC_SOURCES, _compliance_history),
    "compliance_trend": SparkMart(
        ("compliance_history",), lambda b: compliance_trend_counts(b.tables["compliance_history"])
    ),
    "lc_transcript_items": SparkMart(
        ("lc_people", "lc_courses", "lc_completions"),
        lambda b: learning_center_items(
            b.tables["lc_people"],
            b.tables["lc_courses"],
            b.tables["lc_completions"],
            org_timezone=b.options.org_timezone,
            as_of=b.options.run_settings.as_of_date(),
        ),
    ),
    "login_lockouts": SparkMart(
        ("auth_events",), lambda b: login_lockouts(b.tables["auth_events"], b.scratch, LoginSecurityPolicy())
    ),
    "reset_outcomes": SparkMart(("auth_events",), lambda b: reset_outcomes(b.tables["auth_events"])),
    "reset_loops": SparkMart(("auth_events",), lambda b: reset_loops(b.tables["auth_events"])),
    "credential_stuffing": SparkMart(
        ("auth_events",), lambda b: credential_stuffing(b.tables["auth_events"])
    ),
    "login_daily_summary": SparkMart(
        ("auth_events", "login_lockouts"),
        lambda b: login_daily_summary(
            b.tables["auth_events"], b.tables["login_lockouts"], org_timezone=b.options.org_timezone
        ),
    ),
    CE_ACCOUNTS_MART: SparkMart(("ce_accounts",), _ce_accounts),
    PHONES_MART: SparkMart(
        ("ce_accounts",),
        lambda b: duckdb_over_batches(
            b.staging_frame("ce_accounts"), PHONES_SQL, "ce_accounts", registry.get(PHONES_MART)
        ),
    ),
    "ce_attendance_outcomes": SparkMart(CE_STAGING, lambda b: attendance_outcomes(b.ce, AttendancePolicy())),
    "ce_credits_awarded": SparkMart(
        _AWARDED,
        lambda b: credits_awarded(
            b.tables["ce_attendance_outcomes"], b.ce, CreditPolicy(org_timezone=b.options.org_timezone)
        ),
    ),
    "ce_credit_items": SparkMart(
        ("ce_credits_awarded", *CE_STAGING), lambda b: credit_items(b.tables["ce_credits_awarded"], b.ce)
    ),
    "ce_credit_totals": SparkMart(
        ("ce_credit_items",), lambda b: credit_totals(b.tables["ce_credit_items"], by="account")
    ),
    "ce_person_credit_totals": SparkMart(
        ("ce_credit_items",), lambda b: credit_totals(b.tables["ce_credit_items"], by="person")
    ),
    "ce_certificates": SparkMart(_AWARDED, _ce_certificates),
    "ce_transcript_items": SparkMart(
        ("ce_credit_items",), lambda b: transcript_items(b.tables["ce_credit_items"])
    ),
    "transcript_items": SparkMart(
        ITEM_SOURCE_MARTS, lambda b: union_items(b.tables[m] for m in ITEM_SOURCE_MARTS)
    ),
    "employer_enrollment": SparkMart(
        ("hp_enrollment", "hp_members", "hp_employers"), _sql_file("employer_enrollment")
    ),
    "plan_members": SparkMart(("hp_members",), _sql_file("plan_members")),
    "plan_providers": SparkMart(("hp_providers",), _sql_file("plan_providers")),
    "plan_years": SparkMart(("hp_plans",), _plan_years),
    "cost_share_differences": SparkMart(
        ("claim_cost_share", PAYER_ADJUDICATION.name),
        lambda b: differing_lines(b.tables["claim_cost_share"], b.tables[PAYER_ADJUDICATION.name]),
    ),
}
#: Every registry mart spark-marts builds: the claim marts of the cost-share engine and :data:`MARTS`.
BUILT_ON_SPARK: tuple[str, ...] = (*CLAIM_MART_COLUMNS, *MARTS)


def with_inputs(marts: Iterable[str]) -> set[str]:
    """``marts`` and every mart they read, transitively."""
    wanted, todo = set(), list(marts)
    while todo:
        mart = todo.pop()
        if mart not in wanted:
            wanted.add(mart)
            todo.extend(n for n in (MARTS[mart].needs if mart in MARTS else ()) if n in registry.MARTS)
    return wanted


def build_on_spark(
    spark,
    parquet: dict[str, Path],
    out_dir: Path,
    options: RunOptions,
    *,
    duplicates: bool = True,
    only: Iterable[str] | None = None,
) -> dict[str, int]:
    """Build every mart whose inputs were exported (or ``only`` these and what they read), each into
    ``out_dir/<mart>/`` (Parquet written by Spark, the registry's columns and types); returns each mart's row
    count. ``duplicates`` also scores and clusters the CE accounts with Splink on Spark
    (:data:`SCORE_OUTPUTS`, scores only)."""
    import ibis

    backend = ibis.pyspark.connect(spark)
    spark.sql("CREATE DATABASE IF NOT EXISTS staging")  # the .sql files name their tables staging.<table>
    tables: dict[str, object] = {}
    for name, path in parquet.items():
        spark.read.parquet(str(path)).createOrReplaceTempView(f"portalytics_{name}")
        tables[name] = backend.table(f"portalytics_{name}")
        spark.sql(f"DROP TABLE IF EXISTS staging.{name}")
        spark.sql(f"CREATE TABLE staging.{name} USING parquet LOCATION {quote_str(str(path))}")
    counts: dict[str, int] = {}

    def register(mart: str, started: float) -> None:
        written = spark.read.parquet(str(out_dir / mart))
        written.createOrReplaceTempView(f"portalytics_mart_{mart}")
        if mart not in parquet:  # what later marts read; the rules read staging.ce_accounts, not the mart
            tables[mart] = backend.table(f"portalytics_mart_{mart}")
        counts[mart] = written.count()
        log.info("spark-marts: %s, %d rows in %.1fs", mart, counts[mart], time.perf_counter() - started)

    wanted = set(BUILT_ON_SPARK) if only is None else with_inputs(only)
    if wanted & set(CLAIM_MART_COLUMNS) and all(t in parquet for t in COST_SHARE_STAGING):
        started = time.perf_counter()
        price_on_spark(spark, _plan_year_rows(parquet["hp_plans"]), out_dir)  # writes the marts' own types
        for mart in CLAIM_MART_COLUMNS:
            register(mart, started)
    with Scratch(backend) as scratch:
        build = Build(spark, tables, options, scratch, parquet)
        for mart, rule in MARTS.items():
            if mart not in wanted or not all(n in tables for n in rule.needs):
                continue
            started = time.perf_counter()
            made = rule.build(build)
            frame = made if hasattr(made, "rdd") else spark.sql(ibis.to_sql(made, dialect="pyspark"))
            cast_to_mart(frame, registry.get(mart)).write.mode("overwrite").parquet(str(out_dir / mart))
            register(mart, started)
    if duplicates and "ce_accounts" in parquet:
        from domain.ce.duplicates.on_spark import score_on_spark

        accounts = duckdb.execute("SELECT * FROM read_parquet(?)", [str(parquet["ce_accounts"])]).df()
        scores = score_on_spark(spark, accounts)
        for name, frame in zip(SCORE_OUTPUTS, (scores.pairs, scores.clusters), strict=True):
            frame.write.mode("overwrite").parquet(str(out_dir / name))
            counts[name] = spark.read.parquet(str(out_dir / name)).count()
    return counts


def not_built(counts: dict[str, int]) -> dict[str, str]:
    """Registry marts a run did not build, and why: excluded (:data:`EXCLUDED`) or an input missing."""
    missing = {m: "an input it needs is not in the warehouse" for m in registry.MARTS if m not in counts}
    return missing | {m: why for m, why in EXCLUDED.items()}


def _plan_year_rows(path: Path) -> list[PlanYear]:
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
