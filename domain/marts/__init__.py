"""The mart registry: every table of schema ``marts`` (what the published snapshot holds), with its
columns, their DuckDB types and a description.

One entry per mart, grouped by portal family (``domain/marts/<family>.py``). Everything else reads it: the
assets type their output by it and show its description and column schema in Dagster's UI
(``assets.common.with_registry_entry``), the reports name the schema through it, ``docs/data-contracts.md``
lists it, and a test publishes a small run and compares every mart's columns and types with it.

A new mart is one ``mart(...)`` entry in its family's module, beside its asset; a mart asset without an entry
fails when the code location loads.

Types are spelled as DuckDB's ``information_schema.columns.data_type`` shows them (``DECIMAL(14,2)``,
``VARCHAR[]``), so a published table compares with its entry as text.
"""

from __future__ import annotations

from domain.marts import ce, health_plan, ingest, learning, login_security, people
from domain.marts.entry import SCHEMA, Mart, MartColumn, arrow_type, mart

#: Every mart by name, family by family.
MARTS: dict[str, Mart] = {
    m.name: m for family in (ingest, learning, ce, health_plan, login_security, people) for m in family.MARTS
}


def get(name: str) -> Mart:
    """The registry entry of ``marts.<name>``; a KeyError names the mart when it has none."""
    try:
        return MARTS[name]
    except KeyError:
        raise KeyError(
            f"marts.{name} has no entry in domain.marts (add one to its family's module)"
        ) from None


__all__ = ["MARTS", "SCHEMA", "Mart", "MartColumn", "arrow_type", "get", "mart"]
