"""A published snapshot holding only what scope checks read: who exists in the marts, by hand."""

from __future__ import annotations

import duckdb

from domain.settings import Settings


def publish_scope_snapshot(settings: Settings) -> None:
    """Employers E042 and E7 (members M1, M2), people P1 (ICU) and P2 (ER), member M9 and provider 1245319599
    seen only on claims."""
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    target = settings.published_dir / "snapshot-scopes.duckdb"
    with duckdb.connect(str(target)) as conn:
        conn.execute("CREATE SCHEMA marts")
        conn.execute(
            "CREATE TABLE marts.employer_enrollment AS SELECT * FROM (VALUES ('E042', 'M1'), ('E7', 'M2')) "
            "t(employer_id, member_id)"
        )
        conn.execute(
            "CREATE TABLE marts.learning_people AS SELECT * FROM (VALUES ('P1', 'ICU'), ('P2', 'ER')) "
            "t(person_id, department)"
        )
        conn.execute(
            "CREATE TABLE marts.claim_cost_share AS SELECT * FROM (VALUES ('M9', '1245319599')) "
            "t(member_id, provider_npi)"
        )
    settings.current_snapshot.symlink_to(target.name)
