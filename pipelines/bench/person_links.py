"""One person across the portals: precision and recall of ``marts.person_links`` against the planted truth,
and
the rule's time against a baseline measured in the same run.

Reads the warehouse (run ``portalytics generate`` + ``materialize`` first) and ``truth/person_links.csv``.
Figures per source (hr, ce_account, plan_member, each
portal's users) and overall; plus the share of true links
that are neither linked nor in the review list (lost: should be 0). The time is the whole link rule (a count
over
its SELECT) against DuckDB scanning the same inputs (a count of each).
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from assets.warehouse import open_warehouse
from domain.person_links import LinkInputs, person_link_rows_sql
from domain.person_links.evaluation import ALL, score_links
from pipelines.bench import BenchContext, Figure

TOPIC = "person_links"
TRUTH_FILE = "person_links.csv"
#: The bar the generated data must clear (the planted links are unambiguous by construction).
MIN_PRECISION = 0.99
MIN_RECALL = 0.95


def read_truth(truth_dir: Path) -> list[tuple[str, str, str]]:
    with (truth_dir / TRUTH_FILE).open(encoding="utf-8", newline="") as fh:
        return [(r["person_key"], r["source"], r["source_id"]) for r in csv.DictReader(fh)]


def link_figures(conn, truth: list[tuple[str, str, str]]) -> list[Figure]:
    """Precision and recall per source and overall, from ``marts.person_links`` / ``person_link_review``."""
    found = conn.execute("SELECT person_key, source, source_id FROM marts.person_links").fetchall()
    review = set(
        conn.execute("SELECT person_key, source, source_id FROM marts.person_link_review").fetchall()
    )
    figures = []
    for source, s in score_links(found, truth).items():
        counts = f"tp {s.true_positives}, fp {s.false_positives}, fn {s.false_negatives}"
        precision = Figure(TOPIC, f"precision {source}", s.precision, "", notes=counts)
        recall = Figure(TOPIC, f"recall {source}", s.recall, "", notes=counts)
        if source == ALL:
            precision.target, precision.ok = f"≥ {MIN_PRECISION}", s.precision >= MIN_PRECISION
            recall.target, recall.ok = f"≥ {MIN_RECALL}", s.recall >= MIN_RECALL
        figures += [precision, recall]
    lost = set(truth) - set(found) - review
    lost_figure = Figure(
        TOPIC, "true links neither linked nor for review", float(len(lost)), "links", target="0"
    )
    lost_figure.ok = not lost
    return [*figures, lost_figure]


def bench(ctx: BenchContext) -> list[Figure]:
    path = ctx.settings.warehouse_path
    truth_path = ctx.settings.truth_dir / TRUTH_FILE
    if not path.exists() or not truth_path.exists():
        ctx.console.print(
            f"[yellow]{TOPIC}: needs {path} and {truth_path}; run generate and materialize first[/]"
        )
        return []
    with open_warehouse(path, read_only=True) as conn:
        has = conn.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'person_links'"
        ).fetchall()[0][0]
        if not has:
            ctx.console.print(f"[yellow]{TOPIC}: the warehouse has no marts.person_links yet[/]")
            return []
        inputs = LinkInputs()
        start = time.perf_counter()
        for table in vars(inputs).values():
            conn.execute(f"SELECT count(*) FROM {table}").fetchall()
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        rows = person_link_rows_sql()
        n = conn.execute(f"SELECT count(*) FROM ({rows.sql})", rows.params).fetchall()[0][0]
        wall = time.perf_counter() - start
        timing = Figure(TOPIC, "link rule wall time", wall, "s", baseline=baseline)
        timing.target = "baseline = DuckDB counting the rule's inputs"
        timing.notes = f"{n:,} links and review rows, {ctx.cores} cores"
        return [timing, *link_figures(conn, read_truth(ctx.settings.truth_dir))]
