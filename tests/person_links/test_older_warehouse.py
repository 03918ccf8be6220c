"""A warehouse built before the HR address and member contact columns existed still ingests new files: the
staging table gains the contract's new columns (empty for the rows it already had)."""

from __future__ import annotations

import duckdb

from assets.ingestion.load import ingest_source
from domain.contracts import source

OLD_PEOPLE = (
    "person_id VARCHAR, lc_user_id VARCHAR, first_name VARCHAR, last_name VARCHAR, email VARCHAR, "
    "department VARCHAR, job_role VARCHAR, manager_person_id VARCHAR, hire_date DATE, termination_date DATE, "
    "is_student BOOLEAN, _file_name VARCHAR, _row_number INTEGER"
)


def test_new_contract_columns_are_added_to_an_older_staging_table(tmp_path):
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA staging")
    conn.execute(f"CREATE TABLE staging.lc_people ({OLD_PEOPLE})")
    conn.execute(
        "INSERT INTO staging.lc_people VALUES ('P0', '031519901234', 'Old', 'Row', 'old@example.org', 'ICU', "
        "'RN', "
        "NULL, '2020-01-06', NULL, FALSE, 'old.csv', 1)"
    )
    folder = tmp_path / "lc_people"
    folder.mkdir()
    header = ",".join(source("lc_people").column_names)
    (folder / "new.csv").write_text(
        f"{header}\nP1,03151990 1234,Ana,Diaz,ana@example.org,ICU,RN,,2020-01-06,,no,5 Elm "
        "Ave,Chicago,IL,60602\n",
        encoding="utf-8",
    )
    summary = ingest_source(conn, source("lc_people"), folder)
    assert summary.rows_loaded == 1
    assert conn.execute(
        "SELECT person_id, street, postal_code FROM staging.lc_people ORDER BY person_id"
    ).fetchall() == [("P0", None, None), ("P1", "5 Elm Ave", "60602")]
