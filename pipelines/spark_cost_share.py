"""The cost-share engine on Apache Spark: the same pure function the pipeline's chunk workers run, fed by
Spark.

A family's claims are priced in order against its own accumulators, so families are the unit of work, as on
DuckDB (``assets/health_plan/marts.py``). Here every family is put in one of ``buckets`` groups by a hash of
its subscriber id; Spark cogroups each bucket's claim lines with its members' enrollment spans and hands both
to
:func:`assets.health_plan.chunks.price_tables` as Arrow tables (``applyInArrow``), sorted as the DuckDB export
sorts them. A group's result is five tables (one per claim mart), so it leaves the Python worker as one row
per mart holding an Arrow IPC stream; a second pass (``mapInArrow``) unpacks each mart's rows into its own
Parquet folder with the mart's exact columns and types. No row of the engine is ever collected on the driver.
"""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow as pa

from assets.health_plan.chunks import COLUMNS, INPUT_COLUMNS, INPUT_TYPES, SPAN_COLUMNS, price_tables
from domain.health_plan.cost_share import UNKNOWN_MEMBER, PlanYear
from domain.sql_files import load
from pipelines.spark_types import spark_type

#: The tables the engine needs, as ``export_staging`` writes them (hp_enrollment with its table order).
COST_SHARE_STAGING = ("hp_members", "hp_claims", "hp_enrollment", "hp_plans")
#: hp_enrollment's row order breaks ties between overlapping spans; Parquet keeps it in this column.
SPAN_ORDER = "_span_order"  # named as it is in spark_family_spans.sql
#: About this many claim lines per bucket: big enough to amortise a Python worker's start, small enough for
#: one bucket's Arrow tables to stay well inside a worker's memory.
LINES_PER_BUCKET = 200_000

_SPAN_TYPES = {"start_day": pa.int64(), "end_day": pa.int64()}
_LINE_ORDER = [(c, "ascending") for c in ("subscriber_id", "family_member", "claim_id", "line_number")]


def _typed(table: pa.Table, names: tuple[str, ...], types: dict[str, pa.DataType]) -> pa.Table:
    return pa.table({n: table.column(n).cast(types.get(n, pa.string())) for n in names})


def spark_schema(mart: str) -> str:
    """The mart's columns as a Spark DDL schema."""
    return ", ".join(f"{name} {spark_type(kind)}" for name, kind in COLUMNS[mart])


def _pricer(plan_years: list[PlanYear]):
    def price_bucket(_key, lines: pa.Table, spans: pa.Table) -> pa.Table:
        # Nulls last, as DuckDB's ORDER BY puts a member without claims after the family's claim rows.
        lines = _typed(lines, INPUT_COLUMNS, INPUT_TYPES).sort_by(_LINE_ORDER)
        spans = _typed(spans.sort_by(SPAN_ORDER), SPAN_COLUMNS, _SPAN_TYPES)
        marts, payloads = [], []
        for mart, rows in price_tables(lines, spans, plan_years).items():
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, rows.schema) as writer:
                writer.write_table(rows)
            marts.append(mart)
            payloads.append(sink.getvalue().to_pybytes())
        return pa.table({"mart": pa.array(marts, pa.string()), "payload": pa.array(payloads, pa.binary())})

    return price_bucket


def _unpack(batches):
    for batch in batches:
        for payload in batch.column("payload").to_pylist():
            yield from pa.ipc.open_stream(payload).read_all().to_batches()


def price_on_spark(
    spark, plan_years: list[PlanYear], out_dir: Path, *, buckets: int | None = None
) -> dict[str, int]:
    """Build every claim mart (``claim_cost_share``, ``claim_exceptions``, ``claim_status`` and the member and
    family accumulators) into ``out_dir/<mart>/`` from the temp views ``portalytics_hp_members``,
    ``portalytics_hp_claims`` and ``portalytics_hp_enrollment``; returns each mart's row count."""
    from pyspark.sql.functions import col  # the spark extra: imported only when Spark runs

    if buckets is None:
        (lines,) = spark.sql("SELECT count(*) FROM portalytics_hp_claims").first()
        buckets = max(spark.sparkContext.defaultParallelism, math.ceil(lines / LINES_PER_BUCKET))
    family_lines = spark.sql(load(__package__, "spark_family_lines"), args={"buckets": int(buckets)})
    family_spans = spark.sql(load(__package__, "spark_family_spans"), args={"buckets": int(buckets)})
    priced = (
        family_lines.groupBy("bucket")
        .cogroup(family_spans.groupBy("bucket"))
        .applyInArrow(_pricer(plan_years), "mart string, payload binary")
    )
    packed = out_dir / "_cost_share_packed"
    priced.write.mode("overwrite").parquet(str(packed))  # the engine runs once; each mart unpacks its share
    counts: dict[str, int] = {}
    for mart in COLUMNS:
        rows = (
            spark.read.parquet(str(packed)).where(col("mart") == mart).mapInArrow(_unpack, spark_schema(mart))
        )
        if mart == "claim_exceptions":
            rows = rows.unionByName(_unknown_members(spark))  # lines of no family: reported, never priced
        rows.write.mode("overwrite").parquet(str(out_dir / mart))
        counts[mart] = spark.read.parquet(str(out_dir / mart)).count()
    return counts


def _unknown_members(spark):
    """Claim lines whose member is not in hp_members, as ``claim_exceptions`` rows (as on DuckDB)."""
    columns = ", ".join(
        f"CAST({expr} AS {spark_type(kind)}) AS {name}"
        for (name, kind), expr in zip(
            COLUMNS["claim_exceptions"],
            (
                "c.claim_id",
                "c.line_number",
                "c.member_id",
                f"'{UNKNOWN_MEMBER}'",
                "NULL",
                "c.claim_type",
                "c.service_date",
                "c.processed_at",
                "c.provider_npi",
                "c.allowed_amount",
            ),
            strict=True,
        )
    )
    return spark.sql(
        f"""
        SELECT {columns}
        FROM portalytics_hp_claims c LEFT ANTI JOIN portalytics_hp_members m ON c.member_id = m.member_id
        """
    )
