"""compliance_history is written in parts of consecutive month-ends: the same table, row for row, as all
months at once, and it still builds when DuckDB's memory is too small for all months at once (the large scale
ran out of its 4 GB on 36 month-ends of 250k people)."""

import dagster as dg
import duckdb
import ibis
import pytest
from dagster_duckdb import DuckDBResource

from assets.common import MARTS, RunSettings, write_ibis_mart
from assets.learning import marts as learning
from tests.support import create_all_staging_tables

REQUIREMENTS = 4


def _roster(db: str, people: int) -> None:
    """``people`` people hired 2023-01-01, four yearly requirements, each completed once on a different day
    over 2023-2025: every person has a status per requirement at every month-end the completions cover."""
    with duckdb.connect(db) as conn:
        create_all_staging_tables(conn)
        conn.execute(
            """INSERT INTO staging.lc_people (person_id, lc_user_id, first_name, last_name, email, department,
                   job_role, manager_person_id, hire_date, is_student)
               SELECT 'P' || i, lpad(i::VARCHAR, 12, '0'), 'Ann', 'Lee', 'p' || i || '@example.org',
                      'D' || (i % 7), 'RN', NULL, DATE '2023-01-01', false
               FROM range(?) t(i)""",
            [people],
        )
        conn.execute(
            """INSERT INTO staging.lc_courses (course_id, title, category, contact_hours, active)
               SELECT 'C' || k, 'Course ' || k, 'safety', 1.50, true FROM range(?) t(k)""",
            [REQUIREMENTS],
        )
        conn.execute(
            """INSERT INTO staging.lc_requirements (requirement_id, course_id, job_role, department,
                   recurrence_months, due_days_after_hire)
               SELECT 'R' || k, 'C' || k, '*', '*', 12, 30 FROM range(?) t(k)""",
            [REQUIREMENTS],
        )
        conn.execute(
            """INSERT INTO staging.lc_completions (completion_id, lc_user_id, course_id, completed_at, status)
               SELECT 'X' || i || '_' || k, lpad(i::VARCHAR, 12, '0'), 'C' || k,
                      TIMESTAMP '2023-01-05 15:00:00' + to_days(((i * 7 + k * 97) % 1000)::INTEGER),
                      'completed'
               FROM range(?) p(i), range(?) r(k)""",
            [people, REQUIREMENTS],
        )


def _build(db: str, **connection_config) -> dg.ExecuteInProcessResult:
    resources = {
        "duckdb": DuckDBResource(database=db, connection_config=connection_config),
        "run_settings": RunSettings(as_of="2026-06-30"),
    }
    return dg.materialize([learning.compliance_history_mart], resources=resources, raise_on_error=False)


def _months_at_once(conn, name: str) -> None:
    """The whole history as one statement, the way it was written before: every month-end unioned, sorted."""
    _, parts = learning.compliance_history_parts(conn, RunSettings(as_of="2026-06-30"))
    write_ibis_mart(conn, name, ibis.union(*parts, distinct=False), learning.HISTORY_ORDER)


def _months_per_part(monkeypatch, people: int, months: int) -> None:
    """Parts of ``months`` month-ends for ``people`` people (the bound is people x requirements a month)."""
    monkeypatch.setattr(learning, "HISTORY_PART_ROWS", people * REQUIREMENTS * months)


@pytest.mark.parametrize("months", [1, 5, 36])  # 33 month-ends: 33 parts, 7 (the last of 3), 1
def test_written_in_parts_the_history_is_the_months_at_once_row_for_row(tmp_path, monkeypatch, months):
    db = str(tmp_path / "w.duckdb")
    _roster(db, people=120)
    _months_per_part(monkeypatch, 120, months)
    assert _build(db).success
    with duckdb.connect(db) as conn:
        _months_at_once(conn, "history_at_once")
        in_parts = conn.execute(f"SELECT * FROM {MARTS}.compliance_history ORDER BY rowid").fetchall()
        at_once = conn.execute(f"SELECT * FROM {MARTS}.history_at_once ORDER BY rowid").fetchall()
        months = conn.execute(f"SELECT count(DISTINCT month_end) FROM {MARTS}.compliance_history").fetchone()[
            0
        ]
    # 2023-01-31 .. 2025-10-31 (the last completion is on day 999 after 2023-01-05): 33 month-ends
    assert months == 33
    assert len(in_parts) == 120 * REQUIREMENTS * 33
    assert in_parts == at_once  # same rows, same stored order


def test_the_history_builds_in_a_memory_too_small_for_all_months_at_once(tmp_path, monkeypatch):
    db = str(tmp_path / "w.duckdb")
    _roster(db, people=3000)
    _months_per_part(monkeypatch, 3000, 1)
    limit = {"memory_limit": "24MB", "threads": 2}
    result = _build(db, **limit)
    assert result.success
    with duckdb.connect(db, read_only=True) as conn:
        assert conn.execute(f"SELECT count(*) FROM {MARTS}.compliance_history").fetchone()[0] == (
            3000 * REQUIREMENTS * 33
        )
    # the limit is one all months at once do not fit in
    with duckdb.connect(db, config=limit) as conn, pytest.raises(duckdb.OutOfMemoryException):
        _months_at_once(conn, "history_at_once")
