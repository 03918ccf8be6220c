"""A big staging table is validated by great-expectations on a Bernoulli sample of about MAX_FRAME_ROWS rows,
and a defect spread through the table still fails the suite."""

import duckdb

from checks import expectations
from checks.gx_runner import validate_frame
from checks.staging_suites import _frame
from domain.contracts import source
from tests.support import create_staging_table


def test_a_sampled_frame_keeps_about_the_limit_and_still_finds_a_spread_defect(monkeypatch):
    monkeypatch.setattr(expectations, "MAX_FRAME_ROWS", 2_000)
    conn = duckdb.connect()
    create_staging_table(conn, "hp_employers")
    # 20,000 employers; every 200th has no name (a required column): 100 bad rows, about 10 in a 10 % sample.
    conn.execute(
        "INSERT INTO staging.hp_employers (employer_id, name, group_number) "
        "SELECT 'E' || i, CASE WHEN i % 200 = 0 THEN NULL ELSE 'Employer ' || i END, 'G-' || i "
        "FROM range(20000) t(i)"
    )
    employers = source("hp_employers")
    specs = expectations.suite_for(employers)
    frame = _frame(conn, employers, specs)
    assert 1_700 <= len(frame) <= 2_300
    outcomes = {o.spec.label(): o for o in validate_frame(frame, specs, "hp_employers")}
    name = outcomes["ExpectColumnValuesToNotBeNull(name)"]
    assert not name.success and name.unexpected_count >= 1
    assert outcomes["ExpectColumnValuesToBeUnique(employer_id)"].success


def test_a_table_under_the_limit_is_validated_whole(monkeypatch):
    monkeypatch.setattr(expectations, "MAX_FRAME_ROWS", 2_000)
    conn = duckdb.connect()
    create_staging_table(conn, "hp_employers")
    conn.execute(
        "INSERT INTO staging.hp_employers (employer_id, name, group_number) "
        "SELECT 'E' || i, 'Employer ' || i, 'G-' || i FROM range(1999) t(i)"
    )
    employers = source("hp_employers")
    assert len(_frame(conn, employers, expectations.suite_for(employers))) == 1_999


def test_a_first_run_whose_files_are_the_whole_table_checks_the_same_sample_as_a_run_that_loaded_nothing(
    monkeypatch,
):
    monkeypatch.setattr(expectations, "MAX_FRAME_ROWS", 2_000)
    conn = duckdb.connect()
    create_staging_table(conn, "hp_employers")
    conn.execute(
        "INSERT INTO staging.hp_employers (employer_id, name, group_number, _file_name) "
        "SELECT 'E' || i, 'Employer ' || i, 'G-' || i, 'part-' || (i % 3) || '.csv' FROM range(20000) t(i)"
    )
    employers = source("hp_employers")
    specs = expectations.suite_for(employers)
    every_file = ["part-0.csv", "part-1.csv", "part-2.csv"]
    first_run = sorted(_frame(conn, employers, specs, every_file)["employer_id"])
    assert 1_700 <= len(first_run) <= 2_300
    assert first_run == sorted(_frame(conn, employers, specs)["employer_id"])
    # two of the three files: their rows only (13,334 of them, sampled at 2,000 / 13,334)
    two_files = _frame(conn, employers, specs, every_file[:2])
    assert {int(e[1:]) % 3 for e in two_files["employer_id"]} == {0, 1}
