"""The chunk files the workers price: whole families in family order, chunk by chunk, from one query per band
of chunks, and a chunk's files written only when the pipeline asks for that chunk."""

from __future__ import annotations

import pyarrow as pa

from assets.health_plan import marts as marts_module
from assets.health_plan.chunks import EXPORT_COLUMNS, SPAN_COLUMNS, with_engine_numbers
from assets.warehouse import open_warehouse
from domain.sql_files import search_path
from tests.support import create_staging_table


def _claim(claim_id: str, line: int, member: str) -> dict:
    return {
        "claim_id": claim_id,
        "line_number": line,
        "claim_type": "original",
        "member_id": member,
        "service_date": "2025-03-01",
        "processed_at": "2025-03-05 10:00:00",
        "status": "paid",
        "service_category": "office_visit",
        "network": "in",
        "billed_amount": "10.00",
        "allowed_amount": "8.00",
    }


def _warehouse(conn) -> None:
    # Families S1 (S1 with three lines, S1-b with none: 4 rows), S2 (5 rows), S3 (1 row). At 2 lines a chunk:
    # S1 is chunk 0, S2 chunk 4 // 2 = 2, S3 chunk 9 // 2 = 4; chunks 1 and 3 hold no family.
    create_staging_table(
        conn,
        "hp_members",
        [
            {"member_id": m, "subscriber_id": s, "employer_id": "E1"}
            for m, s in [("S3", "S3"), ("S1-b", "S1"), ("S2", "S2"), ("S1", "S1")]
        ],
    )
    create_staging_table(
        conn,
        "hp_claims",
        [
            _claim("C7", 1, "S2"),
            _claim("C2", 1, "S1"),
            _claim("C9", 1, "S3"),
            _claim("C1", 2, "S1"),
            _claim("C5", 1, "S2"),
            _claim("C1", 1, "S1"),
            _claim("C6", 2, "S2"),
            _claim("C6", 1, "S2"),
            _claim("C8", 1, "S2"),
            _claim("C4", 1, "X0"),  # a member unknown to hp_members: in no chunk
        ],
    )
    create_staging_table(
        conn,
        "hp_enrollment",
        [
            {"member_id": m, "plan_id": p, "coverage_tier": "FAM", "coverage_start": start}
            for m, p, start in [
                ("S2", "P2", "2025-01-01"),
                ("S1", "P9", "2025-06-01"),  # later in time, earlier in the table: table order stays
                ("X0", "P1", "2025-01-01"),
                ("S1-b", "P1", "2025-01-01"),
                ("S1", "P1", "2025-01-01"),
            ]
        ],
    )


def _read(path) -> pa.Table:
    return pa.ipc.open_file(str(path)).read_all()


def test_each_chunk_gets_its_whole_families_in_order_from_one_query_per_band(tmp_path, monkeypatch):
    # Bands of 2 chunks: chunks 0-1, 2-3 and 4, the empty ones inside and at the end of a band.
    monkeypatch.setattr(marts_module, "EXPORT_BAND_LINES", 4)
    with open_warehouse(str(tmp_path / "warehouse.duckdb")) as conn:
        _warehouse(conn)
        with search_path(conn, "staging"):
            chunks = marts_module._assign_chunks(conn, 2)
            assert chunks == 5
            exports = marts_module._export_chunks(conn, chunks, 2, tmp_path)
            first = next(exports)
            # Only what the caller asked for is on disk: the next chunk is not written yet.
            assert sorted(p.name for p in tmp_path.glob("*.arrow")) == ["lines_0.arrow", "spans_0.arrow"]
            files = [first, *exports]
        conn.execute("SELECT 1").fetchall()  # the streamed query is closed: the connection is free

    assert [(lines.name, spans.name) for lines, spans in files] == [
        (f"lines_{c}.arrow", f"spans_{c}.arrow") for c in range(5)
    ]
    lines = [_read(p) for p, _ in files]
    spans = [_read(p) for _, p in files]
    assert all(t.column_names == list(EXPORT_COLUMNS) for t in lines)
    assert all(t.column_names == list(SPAN_COLUMNS) for t in spans)
    key = ("subscriber_id", "family_member", "claim_id", "line_number")
    keys = [[tuple(row[c] for c in key) for row in t.select(list(key)).to_pylist()] for t in lines]
    assert keys == [
        [("S1", "S1", "C1", 1), ("S1", "S1", "C1", 2), ("S1", "S1", "C2", 1), ("S1", "S1-b", None, None)],
        [],
        [
            ("S2", "S2", "C5", 1),
            ("S2", "S2", "C6", 1),
            ("S2", "S2", "C6", 2),
            ("S2", "S2", "C7", 1),
            ("S2", "S2", "C8", 1),
        ],  # fmt: skip
        [],
        [("S3", "S3", "C9", 1)],
    ]
    # The engine's numbers are read off the exported columns (a member without claims has none).
    numbers = with_engine_numbers(lines[0])
    assert numbers.column("billed_cents").to_pylist() == [1000, 1000, 1000, None]
    assert numbers.column("allowed_cents").to_pylist() == [800, 800, 800, None]
    assert numbers.column("service_day").to_pylist() == [20148, 20148, 20148, None]  # 2025-03-01
    assert numbers.column("processed_us").to_pylist()[0] == 1741168800 * 10**6  # 2025-03-05 10:00:00
    assert [t.select(["member_id", "plan_id"]).to_pylist() for t in spans] == [
        [
            {"member_id": "S1", "plan_id": "P9"},
            {"member_id": "S1-b", "plan_id": "P1"},
            {"member_id": "S1", "plan_id": "P1"},
        ],
        [],
        [{"member_id": "S2", "plan_id": "P2"}],
        [],
        [],
    ]


def test_stopping_early_frees_the_connection(tmp_path, monkeypatch):
    """A worker's failure stops the export mid-band: the streamed query must not keep the connection busy,
    or the clean-up (dropping the temp tables) fails in turn."""
    with open_warehouse(str(tmp_path / "warehouse.duckdb")) as conn:
        _warehouse(conn)
        with search_path(conn, "staging"):
            exports = marts_module._export_chunks(conn, marts_module._assign_chunks(conn, 2), 2, tmp_path)
            next(exports)
            exports.close()
        assert conn.execute("SELECT count(*) FROM _hp_chunk_members").fetchall() == [(4,)]
