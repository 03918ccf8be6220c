"""A tiny warehouse for the merge tests: the duplicate-detection accounts, two activities, claims and uploads.

Accounts (``tests.ce.duplicates.accounts``, all RN): CE1 is the SSO account of person P1, CE2 its older
personal duplicate; CE3, CE4 and CE5 are one person's three accounts (CE4 on the organisation domain); CE6/CE7
are twins.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.ce.duplicates import ce_duplicate_accounts
from assets.ce.marts import CE_ASSETS
from assets.ce.merges import ce_merge_decisions
from assets.common import RunSettings
from assets.learning.transcripts import lc_transcript_items, transcript_items
from assets.warehouse import open_warehouse
from domain.settings import Settings
from reports.principal import Principal, Role
from tests.ce.builders import activity, claim, credit, evaluation, external
from tests.ce.duplicates.accounts import ACCOUNTS
from tests.learning.builders import completion, person
from tests.support import create_staging_table

CE_LEAD = Principal("ce.lead", Role.CE_TEAM)
AS_OF = "2026-03-20"

# ACT1 14:00-15:00 UTC on 4 March (evaluation required), ACT2 14:00-16:00 UTC on 10 March; both award ANCC to
# RNs.
ACTIVITIES = [
    activity("ACT1", "11111", "2026-03-04 14:00", "2026-03-04 15:00", evaluation=True),
    activity("ACT2", "22222", "2026-03-10 14:00", "2026-03-10 16:00"),
]
CREDITS = [credit("ACT1", "ANCC", "1.25", "RN"), credit("ACT2", "ANCC", "2.00", "RN")]
CLAIMS = [
    claim("E1", "portal", "2026-03-04 14:30", "CE2", "ACT1"),  # CE2 (personal, no person): ANCC 1.25
    claim("E2", "portal", "2026-03-10 15:00", "CE1", "ACT2"),  # CE1 (SSO, P1): ANCC 2.00
    claim("E3", "portal", "2026-03-04 14:40", "CE3", "ACT1"),  # CE3: ANCC 1.25
]
EVALUATIONS = [
    evaluation("V1", "CE2", "ACT1", "2026-03-05 12:00"),
    evaluation("V3", "CE3", "ACT1", "2026-03-05 13:00"),
]
EXTERNALS = [external("X1", "CE2", "ANCC", "0.50", "2026-02-01")]

#: Every CE mart and the transcript union: what a merge changes and an undo must give back row for row.
CE_MARTS = (
    "ce_attendance_outcomes",
    "ce_credits_awarded",
    "ce_credit_items",
    "ce_credit_totals",
    "ce_person_credit_totals",
    "ce_certificates",
    "ce_transcript_items",
    "transcript_items",
)


def build_warehouse(tmp_path: Path) -> str:
    path = str(tmp_path / "warehouse.duckdb")
    with open_warehouse(path) as conn:
        create_staging_table(conn, "ce_accounts", ACCOUNTS)
        create_staging_table(conn, "ce_activities", ACTIVITIES)
        create_staging_table(conn, "ce_activity_credits", CREDITS)
        create_staging_table(conn, "ce_attendance", CLAIMS)
        create_staging_table(conn, "ce_evaluations", EVALUATIONS)
        create_staging_table(conn, "ce_external_credits", EXTERNALS)
        # P1 also has one Learning Center completion (course C1, 1.50 contact hours) on 1 March.
        create_staging_table(conn, "lc_people", [person("P1")])
        create_staging_table(
            conn, "lc_courses", [{"course_id": "C1", "title": "Hand hygiene", "contact_hours": "1.50"}]
        )
        create_staging_table(
            conn, "lc_completions", [completion("L1", course_id="C1", completed_at="2026-03-01 15:00:00")]
        )
    return path


def materialize(
    path: str, settings: Settings, *, duplicates: bool = False, ce: bool = True
) -> dg.ExecuteInProcessResult:
    """Run the decisions asset and the marts downstream of it, as ``portalytics materialize`` would."""
    assets = [ce_merge_decisions]
    if duplicates:
        assets.append(ce_duplicate_accounts)
    if ce:
        assets += [*CE_ASSETS, lc_transcript_items, transcript_items]
    result = dg.materialize(
        assets,
        resources={
            "duckdb": DuckDBResource(database=path),
            "run_settings": RunSettings(as_of=AS_OF, data_dir=str(settings.data_dir)),
        },
    )
    assert result.success
    return result


def fetch(path: str, sql: str) -> list[tuple]:
    with open_warehouse(path) as conn:
        return conn.execute(sql).fetchall()


def snapshot(path: str, marts=CE_MARTS) -> dict[str, list[tuple]]:
    """Every row of each mart, in a fixed order (so two snapshots compare row for row)."""
    with open_warehouse(path) as conn:
        return {m: conn.execute(f"SELECT * FROM marts.{m} ORDER BY ALL").fetchall() for m in marts}
