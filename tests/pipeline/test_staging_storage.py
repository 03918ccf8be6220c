"""The near-unique text columns of the two big staging tables are stored uncompressed (issue 22, session 10):
what DuckDB's own storage report says after a checkpoint, what happens to a table created before, and what
happens on a DuckDB that refuses the clause."""

from __future__ import annotations

import json

import duckdb
import pytest

import assets.ingestion.load as load
from domain.contracts import source

ROWS = 3000


def _claims_csv() -> str:
    head = ",".join(source("hp_claims").column_names)
    line = (
        "CLM{i:07d},1,original,,M{m:06d},1234567893,2026-01-05,2026-01-07,2026-01-08T10:00:00-06:00,paid,"
        "lab,in,100.00,80.00"
    )
    return "\n".join([head, *(line.format(i=i, m=i * 7919 % 100003) for i in range(ROWS))]) + "\n"


def _events_jsonl() -> str:
    def event(i: int) -> str:
        return json.dumps(
            {
                "event_id": f"AE{i:010d}",
                "portal": "ce_portal",
                "occurred_at": "2026-03-04T10:00:00+00:00",
                "event_type": "login_success",
                "username": f"user{i * 31 % 4999}.name@example.org",
                "ip": f"10.{i % 7}.{i // 250}.{i % 250}",
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
                "method": "password",
                "reset_token": None,
                "failure_reason": None,
            }
        )

    return "\n".join(event(i) for i in range(ROWS)) + "\n"


FILES = {"hp_claims": ("claims.csv", _claims_csv), "auth_events": ("events.jsonl", _events_jsonl)}


def _ingest(conn, tmp_path, name: str) -> None:
    folder = tmp_path / "landing" / name
    folder.mkdir(parents=True, exist_ok=True)
    file_name, content = FILES[name]
    (folder / file_name).write_text(content())
    summary = load.ingest_source(conn, source(name), folder, tmp_path)
    assert [(e.status, e.rows_loaded) for e in summary.entries] == [("loaded", ROWS)]


def _compression(conn, name: str) -> dict[str, set[str]]:
    """Text column -> the compression methods of its stored segments (DuckDB's storage report)."""
    rows = conn.execute(
        "SELECT column_name, compression FROM pragma_storage_info(?) WHERE segment_type = 'VARCHAR'",
        [f"staging.{name}"],
    ).fetchall()
    found: dict[str, set[str]] = {}
    for column, method in rows:
        found.setdefault(column, set()).add(method)
    return found


def _plain(found: dict[str, set[str]]) -> set[str]:
    return {column for column, methods in found.items() if methods == {"Uncompressed"}}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("hp_claims", {"claim_id", "member_id"}), ("auth_events", {"event_id", "username", "ip"})],
)
def test_the_chosen_columns_and_only_they_are_stored_uncompressed(tmp_path, name, expected):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        _ingest(conn, tmp_path, name)
        conn.execute("CHECKPOINT")  # compression happens when rows reach the file
        found = _compression(conn, name)
        assert _plain(found) == expected
        # the other text columns are still compressed (dictionary, constant...), whatever DuckDB picks
        assert all(
            "Uncompressed" not in methods for column, methods in found.items() if column not in expected
        )
        # the values are the file's, row for row
        first = conn.execute(
            f"SELECT {', '.join(sorted(expected))} FROM staging.{name} ORDER BY rowid LIMIT 1"
        )
        assert (
            first.fetchone()
            == {
                "hp_claims": ("CLM0000000", "M000000"),
                "auth_events": ("AE0000000000", "10.0.0.0", "user0.name@example.org"),
            }[name]
        )


def test_a_staging_table_created_before_keeps_working_and_keeps_its_compression(tmp_path, monkeypatch):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        with monkeypatch.context() as before:  # the table as a warehouse written before session 10 has it
            before.setattr(load, "UNCOMPRESSED_COLUMNS", {})
            load.ensure_staging_table(conn, source("hp_claims"))
        _ingest(conn, tmp_path, "hp_claims")  # today's code, the old table: no error, no conversion
        conn.execute("CHECKPOINT")
        assert _plain(_compression(conn, "hp_claims")) == set()
        assert conn.execute(
            "SELECT count(*), count(DISTINCT claim_id) FROM staging.hp_claims"
        ).fetchone() == (
            ROWS,
            ROWS,
        )
        (ddl,) = conn.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'hp_claims'").fetchone()
        assert "USING COMPRESSION" not in ddl.upper()


def test_a_duckdb_refusing_the_clause_stops_the_ingest_with_a_clear_error(tmp_path, monkeypatch):
    # DuckDB 2.0 refuses to compress new data with FSST ("deprecated"): the same refusal a later DuckDB could
    # give for "uncompressed".
    monkeypatch.setattr(load, "NO_COMPRESSION", "fsst")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        with pytest.raises(load.StagingStorageRefused, match=r"staging\.hp_claims.*claim_id, member_id"):
            _ingest(conn, tmp_path, "hp_claims")
        tables = conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'staging'"
        ).fetchall()
        assert tables == []  # no compressed table instead: nothing was created quietly
        # a source with no uncompressed columns is untouched by the clause
        load.ensure_staging_table(conn, source("hp_employers"))
