"""``portalytics materialize`` end to end on hand-written files: every asset and check, a summary, exit
codes."""

import datetime as dt
import gc
import json
import re

import duckdb
from rich.console import Console
from typer.testing import CliRunner

from assets.warehouse import open_warehouse
from pipelines.cli import app
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
    with open_warehouse(str(settings.warehouse_path)) as conn:
        conn.execute("UPDATE ingest.ledger SET rows_quarantined = 5 WHERE file_name = 'a.csv'")
    land(settings, "hp_employers", "b.csv", f"{header('hp_employers')}\nE2,Zenith,G-2\n")  # a reason to run
    code, out = _run(settings)
    assert code == 1
    assert "blocking check failed: staging/hp_employers:reconciliation" in out
    assert settings.current_snapshot.resolve() == before  # nothing published from unreconciled data

    # The failed run's selection stays pending: with the ledger repaired and no new file, the next run redoes
    # it.
    with open_warehouse(str(settings.warehouse_path)) as conn:
        conn.execute("UPDATE ingest.ledger SET rows_quarantined = 0 WHERE file_name = 'a.csv'")
    code, out = _run(settings)
    assert code == 0, out
    assert "left pending by an unfinished run" in out
    with duckdb.connect(str(settings.current_snapshot), read_only=True) as snap:
        assert snap.execute("SELECT file_name FROM marts.ingest_ledger ORDER BY 1").fetchall() == [
            ("a.csv",),
            ("accounts.csv",),
            ("b.csv",),
        ]


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


def test_a_run_with_nothing_new_runs_and_publishes_nothing(settings):
    land(settings, "hp_employers", "a.csv", f"{header('hp_employers')}\nE1,Acme,G-1\n")
    assert _run(settings)[0] == 0
    first = settings.current_snapshot.resolve()
    code, out = _run(settings)
    assert code == 0
    assert "nothing new since the last run" in out and "nothing published" in out
    assert settings.current_snapshot.resolve() == first
    assert sorted(p.name for p in settings.published_dir.iterdir()) == ["current.duckdb", first.name]
    # a run pauses the garbage collector for its start-up and freezes the start-up's objects: a caller gets
    # the collector back as it was, after a run and after a run that stopped early
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_cli_full_flag_rebuilds_and_republishes_when_nothing_is_new(settings, monkeypatch):
    land(settings, "hp_employers", "a.csv", f"{header('hp_employers')}\nE1,Acme,G-1\n")
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(settings.root))
    runner = CliRunner()
    assert runner.invoke(app, ["materialize", "--as-of", "2026-03-01"]).exit_code == 0
    first = settings.current_snapshot.resolve()
    plain = runner.invoke(app, ["materialize", "--as-of", "2026-03-01"])
    assert plain.exit_code == 0 and "nothing new since the last run" in plain.output
    full = runner.invoke(app, ["materialize", "--as-of", "2026-03-01", "--full"])
    assert full.exit_code == 0, full.output
    assert "nothing new" not in full.output
    assert settings.current_snapshot.resolve() != first  # a new snapshot was published
    # the CLI pauses the garbage collector for the start-up and freezes its objects for the run: whatever the
    # run did (here a full run, a run with nothing new), a caller in the same process gets it back as it was
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_incremental_runs_publish_the_same_marts_as_a_full_rebuild(settings):
    from pipelines.bench.ingest import _land_new_day
    from pipelines.generator.run import generate_all

    generate_all(settings, "tiny", 7)
    assert _run(settings)[0] == 0
    before = _snapshot(settings.current_snapshot)

    events = _land_new_day(
        settings.landing_dir
    )  # a day of auth events: only the login marts and the ledger move
    code, out = _run(settings)
    assert code == 0, out
    # staging/auth_events, 5 login marts, ledger, quarantine, publish, the reminders after publish;
    # person_links (new user names) and the 4 marts built on it
    assert "incremental run: 15 of" in out
    loaded, quarantined = (
        int(n.replace(",", "")) for n in re.findall(r"rows (?:loaded|quarantined) ([\d,]+)", out)
    )
    assert loaded + quarantined == events and "files 1 (0 rejected)" in out and "marts built 12" in out
    after_day = _snapshot(settings.current_snapshot)
    assert after_day["login_daily_summary"] != before["login_daily_summary"]
    assert after_day["claim_status"] == before["claim_status"]  # kept from the previous snapshot

    code, out = _run(settings, as_of="2026-03-02")  # the calendar moves: only the as-of marts are rebuilt
    assert code == 0, out
    assert "as-of 2026-03-01 → 2026-03-02" in out and "marts built 7" in out
    incremental = _snapshot(settings.current_snapshot)

    code, out = (
        run_materialize(settings, "2026-03-02", console=Console(record=True, width=200), full=True),
        "",
    )
    assert code == 0
    assert _snapshot(settings.current_snapshot) == incremental  # a full rebuild of the same inputs agrees


def _auth_events(*events: tuple[str, str, str]) -> str:
    """A JSON-lines auth_events file: (event_id, occurred_at, method) successful logins on the CE portal."""
    return "".join(
        json.dumps(
            {
                "event_id": event_id,
                "portal": "ce_portal",
                "occurred_at": at,
                "event_type": "login_success",
                "username": "ana",
                "ip": "10.0.0.1",
                "method": method,
            }
        )
        + "\n"
        for event_id, at, method in events
    )


def _daily_summary(settings) -> list[tuple]:
    with duckdb.connect(str(settings.current_snapshot), read_only=True) as snap:
        return snap.execute(
            "SELECT day, logins, sso_logins FROM marts.login_daily_summary ORDER BY day"
        ).fetchall()


def test_a_new_days_file_adds_its_late_evening_events_to_the_org_day_already_summarised(settings):
    land(settings, "auth_events", "auth_0304.jsonl", _auth_events(("e1", "2026-03-04T15:00:00Z", "password")))
    assert _run(settings)[0] == 0
    assert _daily_summary(settings) == [(dt.date(2026, 3, 4), 1, 0)]

    # The next UTC day's file: 02:00 UTC on the 5th is 20:00 CST on the 4th (Chicago, the org zone), a day
    # summarised by the last run; 07:00 UTC is 01:00 CST on the 5th.
    land(
        settings,
        "auth_events",
        "auth_0305.jsonl",
        _auth_events(("e2", "2026-03-05T02:00:00Z", "sso"), ("e3", "2026-03-05T07:00:00Z", "password")),
    )
    code, out = _run(settings)
    assert code == 0, out
    assert "incremental run" in out
    assert _daily_summary(settings) == [(dt.date(2026, 3, 4), 2, 1), (dt.date(2026, 3, 5), 1, 0)]
