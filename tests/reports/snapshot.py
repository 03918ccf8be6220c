"""A small published snapshot for the read side: built by the real assets, plus CE rows standing in for the CE
mart."""

from __future__ import annotations

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from assets.ce.marts import CE_ASSETS
from assets.common import RunSettings
from assets.learning import marts as learning
from assets.learning import transcripts
from tests.learning.builders import completion, course, person, requirement, staging
from tests.support import create_all_staging_tables

AS_OF = "2026-06-30"
HOSTILE_NAME = '=HYPERLINK("x")'
NON_LATIN_NAME = "Zoë Ñúñez Łukasz"
FULL_NAME = f"{HOSTILE_NAME} {NON_LATIN_NAME}"


def build_snapshot(db: str) -> None:
    conn = duckdb.connect(db)
    create_all_staging_tables(conn)
    staging(
        conn=conn,
        people=[
            # P1's name is one a spreadsheet would run, followed by letters outside Latin-1.
            person(
                "P1",
                "031519801234",
                first_name=HOSTILE_NAME,
                last_name=NON_LATIN_NAME,
                department="ICU",
                manager_person_id="M1",
                hire_date="2020-01-01",
            ),
            person(
                "P2",
                "042019755678",
                first_name="Omar",
                last_name="Haddad",
                department="ER",
                manager_person_id="M1",
                hire_date="2026-01-01",
            ),
            person(
                "M1", "121219909999", first_name="Mia", last_name="Stone", department="ICU", job_role="MGR"
            ),
        ],
        courses=[
            course("C1", title="Hand hygiene", contact_hours="1.50"),
            course("C2", title="-Fire safety", contact_hours="0.75"),
        ],
        requirements=[requirement("R1", "C1", recurrence_months=12, due_days_after_hire=30)],
        completions=[
            completion("X1", "031519801234", "C1", "2025-07-10 15:00:00"),  # 1.50 h, expires 10 July 2026
            completion("X2", "031519801234", "C2", "2026-02-01 15:00:00", hours="1.25"),
            completion("X3", "031519801234", "C1", "2024-03-05 15:00:00", status="waived"),  # 1.50 h
            completion("X4", "121219909999", "C1", "2026-01-05 15:00:00"),
        ],
    )
    conn.close()
    resources = {"duckdb": DuckDBResource(database=db), "run_settings": RunSettings(as_of=AS_OF)}
    assets = [
        learning.learning_people,
        learning.compliance_status_mart,
        *learning.compliance_rollups,
        transcripts.lc_transcript_items,
        transcripts.transcript_items,
        *CE_ASSETS,
    ]
    assert dg.materialize(assets, resources=resources).success
    with duckdb.connect(db) as conn:
        # Rows as the CE mart contributes them (built empty above: no CE staging rows): one activity with two
        # credit types (its hours count once) and an uploaded external certificate.
        conn.execute(
            """INSERT INTO marts.transcript_items VALUES
            ('P1', 'ce', 'E1', 'Grand rounds', DATE '2026-05-20', 'AMA_PRA_1', 1.50, 1.50),
            ('P1', 'ce', 'E1', 'Grand rounds', DATE '2026-05-20', 'ANCC', 1.25, 1.50),
            ('P1', 'external', 'Z1', '@Outside course', DATE '2025-11-11', 'AMA_PRA_1', 0.75, NULL),
            ('P2', 'ce', 'E2', 'Other person', DATE '2026-05-21', 'ANCC', 9.00, 9.00)"""
        )
