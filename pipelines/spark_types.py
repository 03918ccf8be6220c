"""The marts' DuckDB types (as ``domain.marts`` spells them) as Spark SQL types, so what Spark writes reads
back in DuckDB with exactly the registry's types."""

from __future__ import annotations

from domain.marts import Mart

_SCALARS = {
    "VARCHAR": "string",
    "BOOLEAN": "boolean",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "DOUBLE": "double",
    "DATE": "date",
    # naive UTC, like every warehouse timestamp (the session's time zone is UTC)
    "TIMESTAMP": "timestamp_ntz",
}


def spark_type(duckdb_type: str) -> str:
    if duckdb_type.endswith("[]"):
        return f"array<{spark_type(duckdb_type[:-2])}>"
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.lower()
    return _SCALARS[duckdb_type]


def spark_ddl(mart: Mart) -> str:
    """The mart's columns as a Spark DDL schema (``mapInArrow``'s output schema)."""
    return ", ".join(f"`{c.name}` {spark_type(c.type)}" for c in mart.columns)


def cast_to_mart(frame, mart: Mart):
    """``frame`` with exactly the mart's columns, in its order, cast to its types."""
    return frame.selectExpr(
        *(f"CAST(`{c.name}` AS {spark_type(c.type)}) AS `{c.name}`" for c in mart.columns)
    )
