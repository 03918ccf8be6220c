"""Standard-format ingest rate: X12 834 members, FHIR ExplanationOfBenefit claims and xAPI statements per
second.

The scale's CSV landing is converted (``generate --formats standard``'s converter) for a sample: every member
and span, the first claim months up to about ``CLAIM_LINE_SAMPLE`` lines and the first completions file. Each
folder is then ingested into a fresh DuckDB (ledger, parsing and validation by pyx12 / fhir.resources / ralph,
the contract rules, upserts), against the baseline of the CSV path loading the SAME rows from their CSV files,
timed in the same run. The figure is units per second (member loops, EOBs, statements); the ratio compares
rows per second of both paths, so it reads "the standard path loads claim lines at 0.2× the CSV path's rate".
"""

from __future__ import annotations

import csv
import shutil
import time
from pathlib import Path

import duckdb

from assets.ingestion.load import ingest_source
from assets.ingestion.standard.load import ingest_standard
from assets.ingestion.standard.sources import STANDARD_BY_NAME
from domain.contracts import source
from pipelines.bench import BenchContext, Figure
from pipelines.generator.standard_formats import write_standard

TOPIC = "standard_formats"
CLAIM_LINE_SAMPLE = 200_000
FOLDERS = {
    "x12_834": ("hp_members", "hp_enrollment"),
    "fhir_eob": ("hp_claims",),
    "xapi": ("lc_completions",),
}


def _truth(truth_dir: Path, name: str) -> list[dict]:
    path = truth_dir / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _sample(landing: Path) -> dict[str, set[str]]:
    claims, lines = set(), 0
    for path in sorted((landing / "hp_claims").glob("*.csv")):
        if lines >= CLAIM_LINE_SAMPLE:
            break
        claims.add(path.name)
        with path.open("rb") as fh:
            lines += sum(1 for _ in fh) - 1
    completions = sorted((landing / "lc_completions").glob("*.csv"))
    return {"hp_claims": claims, "lc_completions": {completions[0].name} if completions else set()}


def _ingest(db: Path, work) -> tuple[float, int, int]:
    """(seconds, units or rows loaded + quarantined, rows written to staging) of ``work(conn)``."""
    db.unlink(missing_ok=True)
    with duckdb.connect(str(db)) as conn:
        start = time.perf_counter()
        summaries = work(conn)
        seconds = time.perf_counter() - start
        staged = sum(
            conn.execute(f"SELECT count(*) FROM staging.{t}").fetchone()[0]
            for t in {t for s in summaries for t in s[1]}
        )
    read = sum(e.rows_loaded + e.rows_quarantined for s, _ in summaries for e in s.entries)
    return seconds, read, staged


def bench(ctx: BenchContext) -> list[Figure]:
    settings = ctx.settings
    if not (settings.landing_dir / "hp_claims").is_dir():
        from pipelines.generator.run import generate_all

        ctx.console.print(f"no CSV landing: generating scale {ctx.scale}")
        generate_all(settings, ctx.scale, 42, console=ctx.console)
    work = settings.root / "bench" / TOPIC
    shutil.rmtree(work, ignore_errors=True)
    sample = _sample(settings.landing_dir)

    def keep(src: str, name: str) -> bool:
        return name in sample[src] if src in sample else True

    skip_rows = {
        (r["source"], r["file_name"], int(r["row_number"]))
        for r in _truth(settings.truth_dir, "bad_rows.csv")
    }
    skip_files = {(r["source"], r["file_name"]) for r in _truth(settings.truth_dir, "rejected_files.csv")} | {
        (r["source"], r["file_name"]) for r in _truth(settings.truth_dir, "relanded_files.csv")
    }
    with ctx.timer() as converted:
        write_standard(settings.landing_dir, work / "landing", skip_rows, skip_files, keep)
    ctx.console.print(f"sample converted in {converted():.1f} s")
    csv_landing = work / "csv"
    for srcs in FOLDERS.values():
        for src in srcs:
            (csv_landing / src).mkdir(parents=True, exist_ok=True)
            for path in sorted((settings.landing_dir / src).glob("*.csv")):
                if keep(src, path.name):
                    (csv_landing / src / path.name).symlink_to(path.resolve())

    figures = []
    for folder, targets in FOLDERS.items():
        std = STANDARD_BY_NAME[folder]
        ctx.console.print(f"{folder}: standard path, then the CSV path over the same rows")
        seconds, units, staged = _ingest(
            work / f"{folder}.duckdb",
            lambda conn, std=std, folder=folder: [
                (ingest_standard(conn, std, work / "landing" / folder), std.targets)
            ],
        )
        base_seconds, base_rows, base_staged = _ingest(
            work / f"{folder}-csv.duckdb",
            lambda conn, targets=targets: [
                (ingest_source(conn, source(t), csv_landing / t), (t,)) for t in targets
            ],
        )
        figures.append(
            Figure(
                TOPIC,
                f"{folder} ingest rate",
                units / seconds if seconds else 0.0,
                "units/s",
                notes=f"{units:,} units → {staged:,} staging rows in {seconds:.1f} s; the CSV path: "
                f"{base_rows:,} rows → {base_staged:,} in {base_seconds:.1f} s",
            )
        )
        figures.append(
            Figure(
                TOPIC,
                f"{folder} staging rows/s vs CSV",
                staged / seconds if seconds else 0.0,
                "rows/s",
                baseline=base_staged / base_seconds if base_seconds else None,
                notes="ratio = standard path ÷ CSV path, same rows, same run",
            )
        )
    shutil.rmtree(work, ignore_errors=True)
    return figures
