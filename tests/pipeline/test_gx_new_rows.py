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
