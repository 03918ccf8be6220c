"""``portalytics materialize`` end to end on hand-written files: every asset and check, a summary, exit codes."""

import duckdb
from rich.console import Console

from pipelines.materialize import run_materialize
from tests.pipeline.harness import header, land


def _run(settings, as_of="2026-03-01") -> tuple[int, str]:
    console = Console(record=True, width=200)
    code = run_materialize(settings, as_of, console=console)
    return code, console.export_text()


def test_materialize_builds_and_publishes_everything_and_summarises(settings):
    land(
        settings,
        "hp_employers",
        "a.csv",
        f"{header('hp_employers')}\nE1,Acme,G-1\nE2,Zenith,G-2\nE2,Zenith,G-2\n",
    )
    land(settings, "hp_employers", "empty.csv", b"")
    code, out = _run(settings)
    assert code == 0, out
    # 2 files; 3 rows read from a.csv: 2 loaded, the repeated E2 quarantined
    assert "files 2 (1 rejected) · rows loaded 2 · rows quarantined 1" in out
    assert "marts built" in out
    with duckdb.connect(str(settings.current_snapshot), read_only=True) as snap:
        tables = {
            r[0]
            for r in snap.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        }
    assert {"ingest_ledger", "quarantine"} <= tables
    assert (settings.dagster_home / "dagster.yaml").exists()


def test_materialize_exits_non_zero_and_names_a_failed_blocking_check(settings):
    land(settings, "hp_employers", "a.csv", f"{header('hp_employers')}\nE1,Acme,G-1\n")
    account = "CE1,ana@org.example,Ana,Diaz,RN,,,,,,,,,,sso,P1,2025-01-01T00:00:00Z"
    land(settings, "ce_accounts", "accounts.csv", f"{header('ce_accounts')}\n{account}\n")
    assert _run(settings)[0] == 0
    before = settings.current_snapshot.resolve()
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        conn.execute("UPDATE ingest.ledger SET rows_quarantined = 5 WHERE file_name = 'a.csv'")
    code, out = _run(settings)
    assert code == 1
    assert "blocking check failed: staging/hp_employers:reconciliation" in out
    assert settings.current_snapshot.resolve() == before  # nothing published from unreconciled data


def test_a_bad_as_of_date_is_refused(settings):
    code, out = _run(settings, as_of="03/01/2026")
    assert code == 2 and "YYYY-MM-DD" in out


def _snapshot(path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as snap:
        tables = [
            r[0]
            for r in snap.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        ]
        return {t: snap.execute(f"SELECT * FROM marts.{t} ORDER BY ALL").fetchall() for t in sorted(tables)}


def test_materializing_twice_publishes_identical_marts(settings):
    from pipelines.generator.run import generate_all

    generate_all(settings, "tiny", 7)
    assert _run(settings)[0] == 0
    first_path = settings.current_snapshot.resolve()
    first = _snapshot(first_path)
    code, out = _run(settings)
    assert code == 0
    assert "files 0 (0 rejected) · rows loaded 0" in out  # nothing new was read
    assert settings.current_snapshot.resolve() != first_path  # a new snapshot file...
    assert _snapshot(settings.current_snapshot) == first  # ...with the same content
