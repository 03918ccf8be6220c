"""A registry entry: one mart's name, family, description and typed columns."""

from __future__ import annotations

from dataclasses import dataclass

#: The warehouse schema the marts live in, and the only schema the published snapshot holds.
SCHEMA = "marts"

# The DuckDB types marts use, spelled as information_schema shows them.
VARCHAR = "VARCHAR"
VARCHAR_LIST = "VARCHAR[]"
BOOLEAN = "BOOLEAN"
INTEGER = "INTEGER"
BIGINT = "BIGINT"
DOUBLE = "DOUBLE"
DATE = "DATE"
TIMESTAMP = "TIMESTAMP"
MONEY = "DECIMAL(14,2)"
PCT = "DECIMAL(5,1)"


@dataclass(frozen=True)
class MartColumn:
    name: str
    type: str  # the DuckDB type, as information_schema spells it
    description: str = ""


@dataclass(frozen=True)
class Mart:
    name: str
    family: str
    description: str
    columns: tuple[MartColumn, ...]

    @property
    def table(self) -> str:
        """``marts.<name>``."""
        return f"{SCHEMA}.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def column_types(self) -> tuple[tuple[str, str], ...]:
        """(name, DuckDB type) in table order."""
        return tuple((c.name, c.type) for c in self.columns)

    def arrow_schema(self):
        """The mart's columns as a ``pyarrow.Schema`` (for marts written from Arrow tables)."""
        import pyarrow as pa

        return pa.schema([(c.name, arrow_type(c.type)) for c in self.columns])

    def empty_select(self) -> str:
        """A DuckDB SELECT of no rows with exactly the mart's columns and types."""
        casts = ", ".join(f'CAST(NULL AS {c.type}) AS "{c.name}"' for c in self.columns)
        return f"SELECT {casts} LIMIT 0"


def mart(name: str, family: str, description: str, *columns: tuple[str, str] | tuple[str, str, str]) -> Mart:
    """An entry: ``mart("plan_providers", "health_plan", "Providers by NPI...", ("npi", VARCHAR), ...)``; a
    column may carry a third item, its description, where its name does not say enough."""
    return Mart(name, family, description, tuple(MartColumn(*c) for c in columns))


def arrow_type(duckdb_type: str):
    """The Arrow type DuckDB reads back as ``duckdb_type`` (the types marts use)."""
    import pyarrow as pa

    if duckdb_type.endswith("[]"):
        return pa.list_(arrow_type(duckdb_type[:-2]))
    if duckdb_type.startswith("DECIMAL("):
        precision, scale = duckdb_type[8:-1].split(",")
        return pa.decimal128(int(precision), int(scale))
    return {
        "VARCHAR": pa.string(),
        "BOOLEAN": pa.bool_(),
        "INTEGER": pa.int32(),
        "BIGINT": pa.int64(),
        "DOUBLE": pa.float64(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us"),
    }[duckdb_type]
