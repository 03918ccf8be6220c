"""The Learning Center marts built by Dagster from hand-made staging tables, as of a fixed date."""

import datetime as dt
from decimal import Decimal

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from assets.ce.marts import CE_ASSETS
from assets.common import RunSettings
from assets.learning import marts as learning
from assets.learning import transcripts
from tests.learning.builders import completion, course, person, requirement, staging
from tests.support import create_all_staging_tables

ASSETS = [
    learning.learning_people,
    learning.compliance_status_mart,
    learning.compliance_history_mart,
    learning.compliance_trend_mart,
    *learning.compliance_rollups,
    transcripts.lc_transcript_items,
    transcripts.transcript_items,
    *CE_ASSETS,  # transcript_items unions the CE part too (empty here: no CE staging rows)
]


def _build(db: str, as_of: str | None) -> None:
    resources = {"duckdb": DuckDBResource(database=db), "run_settings": RunSettings(as_of=as_of)}
    assert dg.materialize(ASSETS, resources=resources).success


@pytest.fixture
def warehouse(tmp_path):
    db = str(tmp_path / "w.duckdb")
    conn = duckdb.connect(db)
    create_all_staging_tables(conn)
    staging(
        conn=conn,
        people=[
            person("P1", "031519801234", manager_person_id="M", hire_date="2026-01-01"),
            person("P2", "042019755678", manager_person_id="M", department="ER", hire_date="2026-01-01"),
            person("M", "121219909999", job_role="MGR"),
        ],
        courses=[course("C1", title="Hand hygiene", contact_hours="1.50")],
        requirements=[requirement("R1", "C1", recurrence_months=12, due_days_after_hire=30)],
        completions=[
            completion("X1", "031519801234", completed_at="2026-03-10 15:00:00"),
            completion("X2", "121219909999", completed_at="2025-07-20 15:00:00", hours="2.00"),
        ],
    )
    conn.close()
    return db


def _rows(db, sql):
    with duckdb.connect(db, read_only=True) as conn:
        cur = conn.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_compliance_status_mart_as_of_the_run_date(warehouse):
    _build(warehouse, "2026-06-30")
    got = {r["person_id"]: r for r in _rows(warehouse, "SELECT * FROM marts.compliance_status")}
    # P1 completed 10 March 2026 -> expires 10 March 2027: compliant.
    # P2 hired 1 Jan, nothing done -> due 31 Jan: overdue.  M done 20 July 2025 -> 20 July 2026: due soon.
    assert {p: (r["status"], r["due_date"]) for p, r in got.items()} == {
        "P1": ("compliant", dt.date(2027, 3, 10)),
        "P2": ("overdue", dt.date(2026, 1, 31)),
        "M": ("due_soon", dt.date(2026, 7, 20)),
    }
    p1 = got["P1"]
    assert (p1["manager_person_id"], p1["department"], p1["job_role"], p1["course_id"]) == (
        "M",
        "ICU",
        "RN",
        "C1",
    )
    assert (p1["last_completion"], p1["expires_on"], p1["as_of"]) == (
        dt.date(2026, 3, 10),
        dt.date(2027, 3, 10),
        dt.date(2026, 6, 30),
    )


def test_rollup_marts(warehouse):
    _build(warehouse, "2026-06-30")
    dept = {r["department"]: r for r in _rows(warehouse, "SELECT * FROM marts.compliance_by_department")}
    # ICU: P1 compliant, M due soon -> 1 of 2 = 50.0 %; ER: P2 overdue -> 0.0 %
    assert (dept["ICU"]["pct_compliant"], dept["ER"]["pct_compliant"]) == (Decimal("50.0"), Decimal("0.0"))
    mgr = _rows(warehouse, "SELECT * FROM marts.compliance_by_manager")
    # M's direct reports P1 (compliant) and P2 (overdue): 1 of 2
    assert [(r["manager_person_id"], r["people"], r["n_compliant"], r["n_overdue"]) for r in mgr] == [
        ("M", 2, 1, 1)
    ]
    roles = {
        r["job_role"]: r["pct_compliant"]
        for r in _rows(warehouse, "SELECT * FROM marts.compliance_by_job_role")
    }
    assert roles == {"MGR": Decimal("0.0"), "RN": Decimal("50.0")}  # M due soon; RN: P1 yes, P2 no


def test_an_earlier_as_of_rebuilds_that_dates_snapshot(warehouse):
    _build(warehouse, "2026-06-30")
    _build(warehouse, "2026-02-28")
    got = {r["person_id"]: r["status"] for r in _rows(warehouse, "SELECT * FROM marts.compliance_status")}
    # On 28 Feb P1's 10 March completion has not happened: due 31 Jan, overdue. M's expiry 20 July 2026 is far
    # off.
    assert got == {"P1": "overdue", "P2": "overdue", "M": "compliant"}
    items = _rows(warehouse, "SELECT item_id FROM marts.transcript_items")
    assert [r["item_id"] for r in items] == ["X2"]  # X1 (10 March) is after 28 Feb


def test_history_mart_holds_every_month_end_the_completions_cover(warehouse):
    _build(warehouse, "2026-06-30")
    rows = _rows(
        warehouse,
        "SELECT month_end, person_id, status FROM marts.compliance_history ORDER BY month_end, person_id",
    )
    # Completions span 20 July 2025 .. 10 March 2026: month-ends 31 July 2025 .. 28 Feb 2026 (31 March is
    # later than the last completion). P1 and P2 are hired 1 Jan 2026 (due 31 Jan), M completed 20 July 2025.
    month_ends = sorted({r["month_end"] for r in rows})
    assert month_ends[0] == dt.date(2025, 7, 31) and month_ends[-1] == dt.date(2026, 2, 28)
    assert len(month_ends) == 8
    by_day = {(r["month_end"], r["person_id"]): r["status"] for r in rows}
    assert by_day[(dt.date(2025, 12, 31), "M")] == "compliant"
    assert (dt.date(2025, 12, 31), "P1") not in by_day  # not hired yet
    assert by_day[(dt.date(2026, 1, 31), "P1")] == "due_soon"  # due that very day
    assert by_day[(dt.date(2026, 2, 28), "P1")] == "overdue"  # the 10 March completion is not visible yet


def test_without_an_as_of_the_run_uses_the_datas_last_day_when_today_is_past_it(warehouse):
    _build(warehouse, None)  # today (2026 or later) is past the last completion, 10 March 2026
    [row] = _rows(warehouse, "SELECT DISTINCT as_of FROM marts.compliance_status")
    assert row["as_of"] == dt.date(2026, 3, 10)


def test_rebuilding_gives_identical_marts(warehouse):
    _build(warehouse, "2026-06-30")
    first = _rows(warehouse, "SELECT * FROM marts.compliance_status")
    _build(warehouse, "2026-06-30")
    assert _rows(warehouse, "SELECT * FROM marts.compliance_status") == first


def test_transcript_items_mart(warehouse):
    _build(warehouse, "2026-06-30")
    rows = _rows(warehouse, "SELECT * FROM marts.transcript_items")
    assert list(rows[0]) == [
        "person_id",
        "source",
        "item_id",
        "title",
        "completed_on",
        "credit_type",
        "credits",
        "hours",
    ]
    got = {
        r["item_id"]: (r["person_id"], r["source"], r["title"], r["completed_on"], r["hours"]) for r in rows
    }
    assert got == {
        "X1": (
            "P1",
            "learning_center",
            "Hand hygiene",
            dt.date(2026, 3, 10),
            Decimal("1.50"),
        ),  # course hours
        "X2": (
            "M",
            "learning_center",
            "Hand hygiene",
            dt.date(2025, 7, 20),
            Decimal("2.00"),
        ),  # its own hours
    }


def test_people_directory_never_holds_the_whole_lc_user_id(warehouse):
    _build(warehouse, "2026-06-30")
    rows = _rows(warehouse, "SELECT * FROM marts.learning_people ORDER BY person_id")
    assert [r["lc_user_id_masked"] for r in rows] == ["••••••••9999", "••••••••1234", "••••••••5678"]
    assert not any("03151980" in str(v) for r in rows for v in r.values())
    assert "lc_user_id" not in rows[0]


def test_transcript_items_is_the_union_of_every_item_source_mart(tmp_path):
    db = str(tmp_path / "w.duckdb")
    with duckdb.connect(db) as conn:
        conn.execute("CREATE SCHEMA marts")
        conn.execute(
            "CREATE TABLE marts.lc_transcript_items AS SELECT 'P1' person_id, 'learning_center' source, 'X1' "
            "item_id,"
            " 'Hand hygiene' title, DATE '2026-03-10' completed_on, NULL::VARCHAR credit_type,"
            ' NULL::DECIMAL(14,2) credits, 1.50::DECIMAL(14,2) AS "hours"'
        )
        # The CE mart with wider decimals and its columns in another order: cast and aligned by name.
        conn.execute(
            "CREATE TABLE marts.ce_transcript_items AS SELECT 'P1' person_id, 'ce' source, 'E1' item_id,"
            " 'Grand rounds' title, DATE '2026-05-20' completed_on, 'AMA_PRA_1' credit_type,"
            ' NULL::DECIMAL(18,3) AS "hours", 1.25::DECIMAL(18,3) credits'
        )
    resources = {"duckdb": DuckDBResource(database=db), "run_settings": RunSettings(as_of="2026-06-30")}
    assert dg.materialize([transcripts.transcript_items], resources=resources).success
    rows = _rows(db, "SELECT source, item_id, credit_type, credits, hours FROM marts.transcript_items")
    assert [tuple(r.values()) for r in rows] == [
        ("ce", "E1", "AMA_PRA_1", Decimal("1.25"), None),  # newest first
        ("learning_center", "X1", None, None, Decimal("1.50")),
    ]
    types = _rows(
        db,
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'transcript_items'"
        " AND column_name IN ('credits', 'hours')",
    )
    assert [t["data_type"] for t in types] == ["DECIMAL(14,2)", "DECIMAL(14,2)"]


def test_the_mart_holds_counts_per_month_end_and_department(warehouse):
    _build(warehouse, "2026-06-30")
    rows = _rows(warehouse, "SELECT * FROM marts.compliance_trend")
    got = {
        (r["month_end"], r["department"]): (r["n_overdue"], r["n_due_soon"], r["n_compliant"]) for r in rows
    }
    # (the warehouse fixture above) M (ICU) completed 20 July 2025, yearly: compliant through the
    # history; P1 (ICU) and P2 (ER) hired 1 Jan 2026, due 31 Jan: due soon on 31 Jan, overdue on 28 Feb (P1's
    # 10 March completion is later).
    assert got[(dt.date(2025, 12, 31), "ICU")] == (0, 0, 1)
    assert (dt.date(2025, 12, 31), "ER") not in got  # nobody of ER employed yet
    assert got[(dt.date(2026, 1, 31), "ICU")] == (0, 1, 1)
    assert got[(dt.date(2026, 1, 31), "ER")] == (0, 1, 0)
    assert got[(dt.date(2026, 2, 28), "ICU")] == (1, 0, 1)
    assert got[(dt.date(2026, 2, 28), "ER")] == (1, 0, 0)
    assert [c["column_name"] for c in _rows(warehouse, "DESCRIBE marts.compliance_trend")] == [
        "month_end",
        "department",
        "n_overdue",
        "n_due_soon",
        "n_compliant",
        "n_not_due_yet",
    ]
