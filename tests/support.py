"""Test helpers shared by every test package: build staging tables by hand from the contracts."""

from __future__ import annotations

from domain.contracts import source


def create_staging_table(conn, source_name: str, rows: list[dict] | None = None) -> None:
    """Create ``staging.<source>`` with the contract's typed columns and insert ``rows`` (missing keys =
    NULL)."""
    src = source(source_name)
    cols = [(c.name, c.duckdb_type) for c in src.columns] + [
        ("_file_name", "VARCHAR"),
        ("_row_number", "INTEGER"),
    ]
    conn.execute("CREATE SCHEMA IF NOT EXISTS staging")
    ddl = ", ".join(f"{n} {t}" for n, t in cols)
    conn.execute(f"CREATE OR REPLACE TABLE staging.{source_name} ({ddl})")
    for i, row in enumerate(rows or [], start=1):
        values = [row.get(n) for n, _ in cols[:-2]] + [
            row.get("_file_name", "test.csv"),
            row.get("_row_number", i),
        ]
        placeholders = ", ".join(f"CAST(? AS {t})" for _, t in cols)
        conn.execute(f"INSERT INTO staging.{source_name} VALUES ({placeholders})", values)


def create_all_staging_tables(conn) -> None:
    from domain.contracts import SOURCES

    for s in SOURCES:
        create_staging_table(conn, s.name)
