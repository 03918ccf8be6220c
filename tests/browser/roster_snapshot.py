"""The health-plan snapshot of ``tests/health_plan/warehouse.py`` plus two members, for the employer's roster.

Added to the hand-made staging rows before the real mart builders run:
- S4 (employer E1 "Acme", EMP from 2025-04-01) whose last name is a spreadsheet formula;
- S5 (employer E2 "Globex", EMP from 2025-01-01, no end): a member covered today who is not Acme's.
So on any date from 2025-04-01 on, Acme's roster is S1, S1D, S3 and S4; Globex's is S5 (S2 ended 2025-06-30).
"""

from __future__ import annotations

import duckdb

from assets.health_plan.marts import build_employer_enrollment, build_plan_years, price_all_families
from domain.settings import Settings
from tests.health_plan import warehouse

HOSTILE_LAST_NAME = '=HYPERLINK("http://evil.example")'
EXTRA_MEMBERS = [
    # member_id, employer_id, first name, last name, coverage_start
    ("S4", "E1", "Eve", HOSTILE_LAST_NAME, "2025-04-01"),
    ("S5", "E2", "Flo", "Marsh", "2025-01-01"),
]


def _add_members(conn) -> None:
    for member_id, employer, first, last, start in EXTRA_MEMBERS:
        conn.execute(
            "INSERT INTO staging.hp_members BY NAME SELECT ? AS member_id, ? AS subscriber_id, 'self' AS "
            "relationship,"
            " ? AS first_name, ? AS last_name, DATE '1985-01-01' AS birth_date, ? AS employer_id",
            [member_id, member_id, first, last, employer],
        )
        conn.execute(
            "INSERT INTO staging.hp_enrollment BY NAME SELECT ? AS member_id, 'P1' AS plan_id,"
            " 'EMP' AS coverage_tier, CAST(? AS DATE) AS coverage_start",
            [member_id, start],
        )


def publish_roster_snapshot(settings: Settings) -> None:
    """Build the marts straight into ``published/snapshot-roster.duckdb`` (staging dropped, as publish leaves
    only ``marts``) and point ``current.duckdb`` at it."""
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    target = settings.published_dir / "snapshot-roster.duckdb"
    with duckdb.connect(str(target)) as conn:
        warehouse.build(conn, marts=False)
        _add_members(conn)
        price_all_families(conn)
        build_employer_enrollment(conn)
        build_plan_years(conn)
        conn.execute("DROP SCHEMA staging CASCADE")
    settings.current_snapshot.symlink_to(target.name)
