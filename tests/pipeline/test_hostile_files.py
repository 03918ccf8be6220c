"""The hostile-file catalogue (``hostile_files.KINDS``) landed beside ordinary files and run through
``materialize``.

Two runs over separate data directories: the good files alone, then the good files with every catalogue kind.
The second must exit 0, publish, name the rejected files in its summary, and for each kind: record the
expected outcome, reconcile (rows read = loaded + quarantined, and the quarantine holds them), and leave the
good files' rows exactly as the first run loaded them. No cell of a rejected file may reach the ledger, the
quarantine's reasons, the console or Dagster's logs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from assets.ingestion.load import ingest_source
from domain.contracts import Column, Kind, Source, source
from domain.settings import Settings
from pipelines.materialize import run_materialize
from tests.pipeline.harness import query, run_ingest
from tests.pipeline.hostile_files import (
    GOOD,
    KINDS,
    SECRET,
    Duplicate,
    Rejected,
    land_catalogue,
    land_good,
)

AS_OF = "2026-03-01"


@dataclass
class Run:
    settings: Settings
    code: int
    console: str


def _materialize(settings: Settings) -> Run:
    console = Console(record=True, width=300)
    code = run_materialize(settings, AS_OF, console=console)
    return Run(settings, code, console.export_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Run, Run]:
    plain = Settings(data_dir=tmp_path_factory.mktemp("plain") / "data")
    land_good(plain)
    hostile = Settings(data_dir=tmp_path_factory.mktemp("hostile") / "data")
    land_good(hostile)
    land_catalogue(hostile)
    assert run_ingest(plain).success  # the baseline needs only its staging rows
    return Run(plain, 0, ""), _materialize(hostile)


@pytest.fixture(scope="module")
def hostile(runs) -> Run:
    return runs[1]


def _good_rows(settings: Settings, source_name: str) -> list[tuple]:
    file_name = GOOD[source_name][0]
    cols = ", ".join(f'"{c}"' for c in source(source_name).column_names)
    return query(
        settings,
        f"SELECT {cols}, _row_number FROM staging.{source_name} WHERE _file_name = ? ORDER BY _row_number",
        [file_name],
    )


def _ledger_row(settings: Settings, source_name: str, file_name: str) -> dict:
    rows = query(
        settings,
        "SELECT status, reason, detail, encoding, rows_read, rows_loaded, rows_quarantined FROM "
        "ingest.ledger "
        "WHERE source = ? AND file_name = ?",
        [source_name, file_name],
    )
    assert len(rows) == 1, f"{file_name}: {rows}"
    keys = ("status", "reason", "detail", "encoding", "read", "loaded", "quarantined")
    return dict(zip(keys, rows[0], strict=True))


def test_the_catalogue_is_at_least_forty_kinds_over_csv_xlsx_and_jsonl():
    assert len(KINDS) >= 40
    assert len({k.name for k in KINDS}) == len(KINDS)
    extensions = {Path(k.file_name).suffix.lower() for k in KINDS}
    assert {".csv", ".xlsx", ".jsonl"} <= extensions


def test_a_run_with_the_catalogue_exits_0_publishes_and_names_the_rejected_files(hostile):
    assert hostile.code == 0, hostile.console
    assert hostile.settings.current_snapshot.exists()
    rejected = [k for k in KINDS if isinstance(k.expect, Rejected)]
    # the console lists 20 by name; the ledger has every one
    assert f"({len(rejected)} rejected)" in hostile.console
    assert "rejected file: hp_employers/k01_empty.csv (empty_file)" in hostile.console
    with duckdb.connect(str(hostile.settings.current_snapshot), read_only=True) as snap:
        published = snap.execute(
            "SELECT count(*) FROM marts.ingest_ledger WHERE status = 'rejected'"
        ).fetchone()[0]
    assert published == len(rejected)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_each_kind_has_its_outcome_reconciles_and_leaves_the_good_rows_unchanged(runs, kind):
    plain, hostile = runs
    s = hostile.settings
    row = _ledger_row(s, kind.source, kind.file_name)
    expect = kind.expect
    in_staging = query(
        s,
        f"SELECT {source(kind.source).key[0]} FROM staging.{kind.source} WHERE _file_name = ? ORDER BY 1",
        [kind.file_name],
    )
    in_quarantine = query(
        s,
        'SELECT row_number, "column", reason, raw FROM ingest.quarantine WHERE source = ? AND file_name = ? '
        "ORDER BY row_number",
        [kind.source, kind.file_name],
    )
    if isinstance(expect, Rejected):
        assert (row["status"], row["reason"]) == ("rejected", expect.reason), row
        assert kind.file_name in row["detail"]
        assert (row["read"], row["loaded"], row["quarantined"]) == (0, 0, 0)
        assert in_staging == [] and in_quarantine == []
    elif isinstance(expect, Duplicate):
        assert (row["status"], row["reason"]) == ("duplicate", "same_content")
        assert expect.same_as in row["detail"]
        assert in_staging == []
    else:
        assert (row["status"], row["reason"]) == ("loaded", None), row
        assert [r[0] for r in in_staging] == list(expect.keys)
        assert [tuple(r[:3]) for r in in_quarantine] == list(expect.quarantined)
        assert row["read"] == row["loaded"] + row["quarantined"]  # reconciles
        assert (row["loaded"], row["quarantined"]) == (len(expect.keys), len(expect.quarantined))
        if expect.encoding:
            assert row["encoding"] == expect.encoding
        if expect.raw_keys:
            assert set(expect.raw_keys) <= set(json.loads(in_quarantine[0][3]))
        key = source(kind.source).key[0]
        for key_value, column, text in expect.values:
            got = query(
                s,
                f'SELECT "{column}" FROM staging.{kind.source} WHERE {key} = ? AND _file_name = ?',
                [key_value, kind.file_name],
            )
            assert got == [(text,)]
    assert _good_rows(s, kind.source) == _good_rows(plain.settings, kind.source)
    assert _good_rows(s, kind.source), "the good file loaded rows"


def test_no_cell_of_a_rejected_file_reaches_the_ledger_reasons_console_or_logs(hostile):
    s = hostile.settings
    details = [r[0] for r in query(s, "SELECT coalesce(detail, '') FROM marts.ingest_ledger")]
    assert details and not [d for d in details if SECRET in d or "root:" in d]
    messages = query(s, "SELECT message, coalesce(\"column\", ''), reason FROM marts.quarantine")
    assert not [m for m in messages if any(SECRET in part for part in m)]
    assert SECRET not in hostile.console and "root:" not in hostile.console
    for path in s.dagster_home.rglob("*"):  # run and event-log storage: every log line of the run
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data and b"root:x:" not in data, path
    # the one place a quarantined row's content lives: its raw original (shown to admins only)
    raws = [r[0] for r in query(s, "SELECT raw FROM marts.quarantine WHERE file_name = 'k82_types.jsonl'")]
    assert any(SECRET in r for r in raws)


def test_decoded_copies_are_gone_after_the_run(hostile):
    scratch = hostile.settings.root / "duckdb_tmp"
    assert not scratch.exists() or not [p for p in scratch.iterdir() if p.is_file()]


def test_the_data_directory_is_0700_and_warehouse_snapshots_and_state_store_0600(hostile):
    s = hostile.settings
    assert s.root.stat().st_mode & 0o777 == 0o700
    assert s.warehouse_path.stat().st_mode & 0o777 == 0o600
    snapshots = list(s.published_dir.glob("snapshot-*.duckdb"))
    assert snapshots and all(p.stat().st_mode & 0o777 == 0o600 for p in snapshots)
    from reports.state.db import dispose_engines, get_engine

    get_engine(s)
    try:
        assert (s.root / "state.sqlite").stat().st_mode & 0o777 == 0o600
    finally:
        dispose_engines()


NUMBERS = Source(
    name="numbers",
    family="test",
    formats=("jsonl",),
    columns=(
        Column("id", Kind.STR),
        Column("count", Kind.INT, required=False),
        Column("amount", Kind.DECIMAL),
        Column("ok", Kind.BOOL),
    ),
    key=("id",),
)


def test_text_where_a_json_number_or_boolean_is_expected_is_a_wrong_type(tmp_path):
    """No landing source has JSON numbers yet; a made-up one shows the rule holds the other way round too."""
    folder = tmp_path / "numbers"
    folder.mkdir()
    lines = [
        {"id": "n1", "count": 3, "amount": 1.25, "ok": True},
        {"id": "n2", "count": "3", "amount": 1.25, "ok": True},
        {"id": "n3", "count": 3, "amount": "1.25", "ok": True},
        {"id": "n4", "count": 3, "amount": 1.25, "ok": "true"},
        {"id": "n5", "count": [3], "amount": 1.25, "ok": False},
        {"id": "n6", "count": None, "amount": 2, "ok": False},
    ]
    (folder / "n.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    with duckdb.connect() as conn:
        ingest_source(conn, NUMBERS, folder, tmp_path / "scratch")
        loaded = conn.execute(
            "SELECT id, count, amount::VARCHAR, ok FROM staging.numbers ORDER BY id"
        ).fetchall()
        bad = conn.execute('SELECT row_number, "column", reason FROM ingest.quarantine ORDER BY 1').fetchall()
    assert loaded == [("n1", 3, "1.25", True), ("n6", None, "2.00", False)]
    assert bad == [
        (2, "count", "wrong_json_type"),
        (3, "amount", "wrong_json_type"),
        (4, "ok", "wrong_json_type"),
        (5, "count", "wrong_json_type"),
    ]
