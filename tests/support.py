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


def publish_marts(conn, settings, name: str) -> str:
    """Copy ``conn``'s ``marts`` schema into the snapshot file ``<published dir>/<name>`` and point
    ``current.duckdb`` at it, as publish does; closes ``conn``. Returns the snapshot's file name."""
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    target = settings.published_dir / name
    tables = [
        r[0]
        for r in conn.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'").fetchall()
    ]
    conn.execute("ATTACH ? AS snap", [str(target)])
    conn.execute("CREATE SCHEMA snap.marts")
    for t in tables:
        conn.execute(f"CREATE TABLE snap.marts.{t} AS SELECT * FROM memory.marts.{t}")
    conn.execute("DETACH snap")
    conn.close()
    settings.current_snapshot.symlink_to(target.name)
    return target.name
