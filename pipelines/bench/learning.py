"""Learning Center figures: transcript PDF render time, the overdue-list Excel export, and the compliance
marts.

- A 500-item transcript to PDF (target < 1 s), against the same transcript to Excel as the baseline.
- A 100k-row overdue list to Excel (target < 10 s), against the same rows to CSV.
- The compliance marts (status + three rollups) over the warehouse's staging tables, against DuckDB reading
  the same four staging tables into Arrow. The warehouse is attached read-only; the marts are written to
  memory.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import ibis
import pandas as pd

from assets.common import write_ibis_mart
from assets.learning.marts import LC_SOURCES, ROLLUPS
from domain.learning.compliance import CompliancePolicy, compliance_rollup, compliance_status
from pipelines.bench import BenchContext, Figure
from reports.learning.compliance import LIST_COLUMNS, attention_list_csv, attention_list_excel
from reports.learning.transcripts import Transcript, TranscriptItem, transcript_excel, transcript_pdf

TOPIC = "learning"
TRANSCRIPT_ITEMS = 500
EXPORT_ROWS = 100_000
AS_OF = dt.date(2026, 6, 30)
CREDIT_TYPES = ("AMA_PRA_1", "ANCC", None)


def _best_of(fn, repeat: int = 3) -> float:
    """Shortest of a few runs: the machine is shared, the minimum is the least disturbed."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def synthetic_transcript(n: int = TRANSCRIPT_ITEMS) -> Transcript:
    items = tuple(
        TranscriptItem(
            completed_on=AS_OF - dt.timedelta(days=i),
            source="ce" if i % 3 else "learning_center",
            item_id=f"E{i:06d}",
            title=f"Grand rounds {i}: management of sepsis in the emergency department — ñandú édition",
            credit_type=CREDIT_TYPES[i % 3],
            credits=Decimal("1.25") if CREDIT_TYPES[i % 3] else None,
            hours=Decimal("1.50"),
        )
        for i in range(n)
    )
    generated = dt.datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("America/Chicago"))
    return Transcript("P000001", "Zoë Ñúñez", (("Person ID", "P000001"),), None, None, generated, items)


def synthetic_attention_list(n: int | None = None) -> pd.DataFrame:
    n = n or EXPORT_ROWS
    rows = {
        col: [f"{col}-{i}" for i in range(n)]
        for col, _ in LIST_COLUMNS
        if col not in ("due_date", "last_completion", "expires_on")
    }
    for col in ("due_date", "last_completion", "expires_on"):
        rows[col] = [AS_OF - dt.timedelta(days=i % 400) for i in range(n)]
    return pd.DataFrame(rows)


def transcript_figures() -> list[Figure]:
    t = synthetic_transcript()
    pdf_s = _best_of(lambda: transcript_pdf(t))
    excel_s = _best_of(lambda: transcript_excel(t))
    frame = synthetic_attention_list()
    xlsx_s = _best_of(lambda: attention_list_excel(frame), repeat=1)
    csv_s = _best_of(lambda: attention_list_csv(frame), repeat=1)
    return [
        Figure(
            TOPIC,
            f"transcript PDF, {TRANSCRIPT_ITEMS} items",
            pdf_s,
            "s",
            excel_s,
            "< 1 s",
            pdf_s < 1.0,
            "baseline: the same transcript to Excel",
        ),
        Figure(
            TOPIC,
            f"overdue list to Excel, {EXPORT_ROWS:,} rows",
            xlsx_s,
            "s",
            csv_s,
            "< 10 s",
            xlsx_s < 10.0,
            "baseline: the same rows to CSV",
        ),
    ]


def compliance_figures(ctx: BenchContext) -> list[Figure]:
    path = ctx.settings.warehouse_path
    if not path.exists():
        ctx.console.print(f"[yellow]{TOPIC}: no warehouse at {path}; run materialize first[/]")
        return []
    conn = duckdb.connect()
    try:
        conn.execute(f"ATTACH '{path}' AS wh (READ_ONLY)")
        people = conn.execute("SELECT count(*) FROM wh.staging.lc_people").fetchall()[0][0]

        def scan() -> None:
            for name in LC_SOURCES:
                conn.sql(f"SELECT * FROM wh.staging.{name}").to_arrow_table()

        def marts() -> None:
            # Ibis on its own cursor, so its schema look-ups never meet a result still open on ``conn``.
            con = ibis.duckdb.from_connection(conn.cursor())
            t = {n: con.table(n, database=("wh", "staging")) for n in LC_SOURCES}
            policy = CompliancePolicy(as_of=AS_OF)
            status = compliance_status(
                t["lc_people"], t["lc_courses"], t["lc_requirements"], t["lc_completions"], policy
            )
            write_ibis_mart(conn, "compliance_status", status, "person_id, requirement_id")
            built = con.table("compliance_status", database=("memory", "marts"))
            for name, by in ROLLUPS.items():
                write_ibis_mart(conn, name, compliance_rollup(built, by), by)

        scan_s = _best_of(scan)
        marts_s = _best_of(marts)
        rows = conn.execute("SELECT count(*) FROM memory.marts.compliance_status").fetchall()[0][0]
    finally:
        conn.close()
    return [
        Figure(
            TOPIC,
            f"compliance marts ({people:,} people, {rows:,} rows)",
            marts_s,
            "s",
            scan_s,
            notes="status + 3 rollups; baseline: DuckDB reading the 4 staging tables into Arrow",
        ),
    ]


def bench(ctx: BenchContext) -> list[Figure]:
    return transcript_figures() + compliance_figures(ctx)
