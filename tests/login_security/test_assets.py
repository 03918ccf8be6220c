"""The auth_events assets build every login-security mart from staging.auth_events in a DuckDB warehouse."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from assets.common import RunSettings
from assets.login_security.marts import AUTH_EVENTS_ASSETS
from assets.warehouse import open_warehouse
from domain.login_security import MARTS
from tests.login_security.helpers import at, event, failures, utc
from tests.support import create_staging_table

ROWS = [
    *failures("alice", at("09:00"), at("09:01"), at("09:02"), at("09:03"), at("09:04")),  # lock at 09:04
    event(at("09:10"), "login_failure", "alice", failure_reason="locked"),  # while locked
    event(at("09:20"), "password_reset_requested", "alice", token="tok1"),
    event(at("09:45"), "password_reset_completed", "alice", token="tok1"),  # 25 min: in time
    event(at("09:50"), "login_success", "alice", method="password"),
    event(at("10:00"), "login_success", "bob", method="sso"),
    *[
        event(at("03:00"), "login_failure", f"u{i:02d}", ip="203.0.113.5", portal="patient_portal")
        for i in range(20)
    ],
    *[event(at(f"1{h}:00"), "password_reset_requested", "carol", token=f"c{h}") for h in range(3)],  # a loop
]


def _build(tmp_path, run_settings: RunSettings | None = None) -> duckdb.DuckDBPyConnection:
    path = str(tmp_path / "warehouse.duckdb")
    with open_warehouse(path) as conn:
        create_staging_table(conn, "auth_events", ROWS)
    result = dg.materialize(
        AUTH_EVENTS_ASSETS,
        resources={"duckdb": DuckDBResource(database=path), "run_settings": run_settings or RunSettings()},
    )
    assert result.success
    return open_warehouse(path)


def test_every_mart_is_built_with_its_columns_and_rows(tmp_path):
    conn = _build(tmp_path)
    for mart, columns in MARTS.items():
        assert [r[0] for r in conn.execute(f"DESCRIBE marts.{mart}").fetchall()] == list(columns), mart

    assert conn.execute("SELECT * FROM marts.login_lockouts").fetchall() == [
        ("ce_portal", "alice", utc(at("09:04")), 5, utc(at("09:34")), 1)
    ]
    assert conn.execute("SELECT reset_token, outcome FROM marts.reset_outcomes ORDER BY 1").fetchall() == [
        ("c0", "abandoned"),
        ("c1", "abandoned"),
        ("c2", "abandoned"),
        ("tok1", "completed_in_time"),
    ]
    assert conn.execute("SELECT username, requests FROM marts.reset_loops").fetchall() == [("carol", 3)]
    assert conn.execute(
        "SELECT ip, portal, distinct_usernames FROM marts.credential_stuffing"
    ).fetchall() == [("203.0.113.5", "patient_portal", 20)]
    # ce_portal on 2026-03-04: logins alice + bob = 2 (1 by SSO: 0.5), failures 5 + 1 locked = 6, 1 lockout,
    # resets tok1 + c0..c2 = 4.
    assert conn.execute("SELECT * FROM marts.login_daily_summary WHERE portal = 'ce_portal'").fetchall() == [
        ("ce_portal", dt.date(2026, 3, 4), 2, 6, 1, 4, 0.5, 1)
    ]
    # The stuffing failures at 03:00 UTC on the 4th were at 21:00 CST on the 3rd: the org day (Chicago).
    assert conn.execute(
        "SELECT day, failures FROM marts.login_daily_summary WHERE portal = 'patient_portal'"
    ).fetchall() == [(dt.date(2026, 3, 3), 20)]


def test_the_daily_summary_counts_the_days_of_the_run_settings_zone(tmp_path):
    # 03:00 UTC on March 4 is 12:00 on the 4th in Tokyo (UTC+9): the zone comes from the run's settings.
    conn = _build(tmp_path, RunSettings(org_timezone="Asia/Tokyo"))
    assert conn.execute(
        "SELECT day, failures FROM marts.login_daily_summary WHERE portal = 'patient_portal'"
    ).fetchall() == [(dt.date(2026, 3, 4), 20)]


def test_rebuilding_gives_identical_marts(tmp_path):
    conn = _build(tmp_path)
    first = {m: conn.execute(f"SELECT * FROM marts.{m}").fetchall() for m in MARTS}
    conn.close()
    conn = _build(tmp_path)
    assert {m: conn.execute(f"SELECT * FROM marts.{m}").fetchall() for m in MARTS} == first


def test_an_empty_staging_table_gives_empty_marts(tmp_path):
    path = str(tmp_path / "warehouse.duckdb")
    with open_warehouse(path) as conn:
        create_staging_table(conn, "auth_events", [])
    resources = {"duckdb": DuckDBResource(database=path), "run_settings": RunSettings()}
    assert dg.materialize(AUTH_EVENTS_ASSETS, resources=resources).success
    with open_warehouse(path) as conn:
        assert [conn.execute(f"SELECT count(*) FROM marts.{m}").fetchone()[0] for m in MARTS] == [0] * len(
            MARTS
        )
