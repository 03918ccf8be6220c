"""A run that loads new files validates those files' rows with the great-expectations suite, not the whole
table again; a run that loads nothing new (a rebuild, a re-check) validates the whole table."""

import duckdb

from assets.warehouse import open_warehouse
from checks.expectations import suite_for
from checks.staging_suites import _frame
from domain.contracts import source
from tests.pipeline.harness import header, land, run_ingest
from tests.support import create_staging_table


def _suite(result, name: str):
    [evaluation] = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key.path[-1] == name and e.check_name == "expectations"
    ]
    return evaluation


def test_the_frame_of_named_files_holds_only_their_rows():
    conn = duckdb.connect()
    create_staging_table(conn, "hp_employers")
    conn.execute(
        "INSERT INTO staging.hp_employers (employer_id, name, group_number, _file_name, _row_number) "
        "VALUES ('E1', 'Acme', 'G-1', 'a.csv', 2), ('E2', 'Bolt', 'G-2', 'a.csv', 3), "
        "('E3', 'Cask', 'G-3', 'b.csv', 2)"
    )
    employers = source("hp_employers")
    specs = suite_for(employers)
    assert _frame(conn, employers, specs, ["b.csv"])["employer_id"].tolist() == ["E3"]
    # a name given twice counts once, a file whose rows are all gone (replaced by later files) counts none
    assert _frame(conn, employers, specs, ["b.csv", "gone.csv", "b.csv"])["employer_id"].tolist() == ["E3"]
    assert sorted(_frame(conn, employers, specs, ["a.csv", "b.csv"])["employer_id"]) == ["E1", "E2", "E3"]
    assert sorted(_frame(conn, employers, specs)["employer_id"]) == ["E1", "E2", "E3"]


def test_a_second_file_is_validated_alone_and_a_run_without_new_files_checks_everything(settings):
    land(settings, "hp_employers", "e1.csv", f"{header('hp_employers')}\nE1,Acme,G-1\nE2,Bolt,G-2\n")
    first = _suite(run_ingest(settings, with_suites=True), "hp_employers")
    assert first.passed and first.metadata["rows"].value == 2

    land(settings, "hp_employers", "e2.csv", f"{header('hp_employers')}\nE3,Cask,G-3\n")
    second = _suite(run_ingest(settings, with_suites=True), "hp_employers")
    assert second.passed and second.metadata["rows"].value == 1  # e2.csv's one row

    with open_warehouse(str(settings.warehouse_path)) as conn:  # break the key invariant behind ingest's back
        conn.execute(
            "INSERT INTO staging.hp_employers SELECT * FROM staging.hp_employers WHERE employer_id = 'E1'"
        )
    third = _suite(run_ingest(settings, with_suites=True), "hp_employers")
    assert not third.passed and third.metadata["rows"].value == 4  # nothing new: the whole table
    assert "ExpectColumnValuesToBeUnique(employer_id): 2 unexpected" in third.description


def test_the_frame_of_named_files_brings_every_row_of_a_key_repeated_anywhere():
    conn = duckdb.connect()
    create_staging_table(conn, "hp_plans")
    conn.execute(  # (P1, 2026) twice in a.csv; (P1, 2027) once in a.csv, once in b.csv
        "INSERT INTO staging.hp_plans (plan_id, plan_year, _file_name, _row_number) VALUES "
        "('P1', 2026, 'a.csv', 2), ('P1', 2026, 'a.csv', 3), ('P1', 2027, 'a.csv', 4), "
        "('P2', 2026, 'a.csv', 5), ('P1', 2027, 'b.csv', 2), ('P3', 2026, 'b.csv', 3)"
    )
    plans = source("hp_plans")
    frame = _frame(conn, plans, suite_for(plans), ["b.csv"])
    assert sorted(zip(frame["plan_id"], frame["plan_year"], strict=True)) == [
        ("P1", 2026),
        ("P1", 2026),
        ("P1", 2027),  # b.csv's row
        ("P1", 2027),  # a.csv's row of the same key
        ("P3", 2026),
    ]


def test_an_incremental_run_with_a_clean_new_file_still_finds_a_key_repeated_in_earlier_files(settings):
    land(settings, "hp_employers", "e1.csv", f"{header('hp_employers')}\nE1,Acme,G-1\nE2,Bolt,G-2\n")
    assert _suite(run_ingest(settings, with_suites=True), "hp_employers").passed
    with duckdb.connect(str(settings.warehouse_path)) as conn:  # break the key invariant behind ingest's back
        conn.execute(
            "INSERT INTO staging.hp_employers SELECT * FROM staging.hp_employers WHERE employer_id = 'E1'"
        )

    land(settings, "hp_employers", "e2.csv", f"{header('hp_employers')}\nE3,Cask,G-3\n")
    second = _suite(run_ingest(settings, with_suites=True), "hp_employers")
    assert not second.passed
    assert second.metadata["rows"].value == 3  # e2.csv's row and both rows of E1, not E2's
    assert second.description == "ExpectColumnValuesToBeUnique(employer_id): 2 unexpected"
