"""The health-plan marts built from hand-made staging tables (scenario in tests/health_plan/warehouse.py)."""

from __future__ import annotations

from decimal import Decimal

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.health_plan.marts import (
    CHECK_CLAIM_EXCEPTIONS,
    employer_enrollment,
    health_plan_claims,
    plan_years,
)
from assets.warehouse import open_warehouse
from tests.health_plan import warehouse

D = Decimal


def _table(conn, name: str, columns: str, order: str) -> list[tuple]:
    return conn.execute(f"SELECT {columns} FROM marts.{name} ORDER BY {order}").fetchall()


def test_cost_share_per_effective_line():
    conn = warehouse.build()
    rows = _table(
        conn,
        "claim_cost_share",
        "claim_id, member_id, deductible_applied, coinsurance, copay, member_responsibility, plan_paid, "
        "status",
        "claim_id",
    )
    assert rows == [
        # A5 replaces C5 (lab 200 -> 100) in C5's place: S2's individual deductible takes 100.
        ("A5", "S2", D("100.00"), D("0.00"), D("0.00"), D("100.00"), D("0.00"), "paid"),
        # S1 lab 600: deductible 500, coinsurance 0.2 x 100 = 20.
        ("C1", "S1", D("500.00"), D("20.00"), D("0.00"), D("520.00"), D("80.00"), "paid"),
        # S1D lab 600: own 500 (family 1000 - 500 = 500 left), coinsurance 20.
        ("C2", "S1D", D("500.00"), D("20.00"), D("0.00"), D("520.00"), D("80.00"), "paid"),
        # S2 office visit 120: copay 25, plan 95. (C3 was reversed by R3: no row.)
        ("C4", "S2", D("0.00"), D("0.00"), D("25.00"), D("25.00"), D("95.00"), "paid"),
        ("C8", "S3", D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), "denied"),
    ]
    (explanation,) = conn.execute(
        "SELECT explanation FROM marts.claim_cost_share WHERE claim_id = 'C4'"
    ).fetchone()
    assert explanation == "$25.00 copay for an in-network office visit. You owe $25.00."


def test_unpriceable_lines_are_reported_not_dropped():
    conn = warehouse.build()
    # C6: S2 served 2025-07-15 after the span ended 2025-06-30; C7: member U9 is not in hp_members.
    assert _table(conn, "claim_exceptions", "claim_id, line_number, member_id, reason", "claim_id") == [
        ("C6", 1, "S2", "no_enrollment"),
        ("C7", 1, "U9", "unknown_member"),
    ]
    priced = conn.execute(
        "SELECT count(*) FROM marts.claim_cost_share WHERE claim_id IN ('C6', 'C7')"
    ).fetchone()
    assert priced == (0,)


def test_accumulators_at_end_of_data():
    conn = warehouse.build()
    # Family S1 in network: deductible 500 + 500 = 1000 of 1000; OOP 520 + 520 = 1040 of 4000 = 26.0%.
    fam = conn.execute(
        "SELECT network, deductible_met, deductible_limit, deductible_remaining, deductible_pct_met, "
        "oop_met, "
        "oop_limit, oop_remaining, oop_pct_met FROM marts.family_accumulators WHERE subscriber_id = 'S1' "
        "ORDER BY network"
    ).fetchall()
    assert fam == [
        (
            "in",
            D("1000.00"),
            D("1000.00"),
            D("0.00"),
            D("100.0"),
            D("1040.00"),
            D("4000.00"),
            D("2960.00"),
            D("26.0"),
        ),
        # Out of network: nothing met; the plan has no OON OOP limit, so no remaining and no percentage.
        ("out", D("0.00"), D("2000.00"), D("2000.00"), D("0.0"), D("0.00"), None, None, None),
    ]
    # S2 (EMP) in network: deductible 100 of 500 = 20.0%; OOP 25 + 100 = 125 of 2000 = 6.25% -> 6.3 (half up).
    s2 = conn.execute(
        "SELECT deductible_met, deductible_pct_met, oop_met, oop_pct_met FROM marts.member_accumulators "
        "WHERE member_id = 'S2' AND network = 'in'"
    ).fetchall()
    assert s2 == [(D("100.00"), D("20.0"), D("125.00"), D("6.3"))]


def test_claim_status_shows_the_effective_version():
    conn = warehouse.build()
    rows = _table(
        conn, "claim_status", "root_claim_id, claim_id, claim_type, status, processed_at", "root_claim_id"
    )
    by_root = {r[0]: r[1:4] for r in rows}
    assert by_root["C3"] == ("R3", "reversal", "reversed")
    assert by_root["C5"] == ("A5", "adjustment", "paid")
    assert by_root["C8"] == ("C8", "original", "denied")
    assert str(rows[4][4]) == "2025-03-05 15:00:00"  # A5's own processed date


def test_roster_and_plan_years():
    conn = warehouse.build()
    roster = _table(
        conn, "employer_enrollment", "employer_id, member_id, relationship, coverage_end", "member_id"
    )
    assert [r[:3] for r in roster] == [
        ("E1", "S1", "self"),
        ("E1", "S1D", "spouse"),
        ("E2", "S2", "self"),
        ("E1", "S3", "self"),
    ]
    assert str(roster[2][3]) == "2025-06-30"
    assert _table(conn, "plan_years", "plan_id, plan_year, plan_year_end::VARCHAR", "plan_id") == [
        ("P1", 2025, "2025-12-31")
    ]


def test_rerun_gives_identical_marts():
    conn = warehouse.build()
    first = {
        t: conn.execute(f"SELECT * FROM marts.{t}").fetchall()
        for t in ("claim_cost_share", "member_accumulators")
    }
    warehouse.build(conn)
    again = {
        t: conn.execute(f"SELECT * FROM marts.{t}").fetchall()
        for t in ("claim_cost_share", "member_accumulators")
    }
    assert first == again


def test_dagster_assets_and_the_non_blocking_exception_check(tmp_path):
    path = str(tmp_path / "warehouse.duckdb")
    with open_warehouse(path) as conn:
        warehouse.build(conn, marts=False)
    result = dg.materialize(
        [health_plan_claims, employer_enrollment, plan_years],
        resources={"duckdb": DuckDBResource(database=path)},
    )
    assert result.success
    (check,) = result.get_asset_check_evaluations()
    # Two lines (C6, C7) could not be priced: the check warns and does not block.
    assert (check.check_name, check.passed, check.severity) == (
        CHECK_CLAIM_EXCEPTIONS,
        False,
        dg.AssetCheckSeverity.WARN,
    )
    assert check.metadata["unpriced_lines"].value == 2
    with open_warehouse(path, read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM marts.claim_cost_share").fetchone() == (5,)
