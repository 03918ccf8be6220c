"""A deterministic synthetic ``staging.auth_events`` of any size, made set-based in DuckDB (for the bench
test).

Mostly ordinary traffic over ~n/25 accounts, plus what the marts look for: one account hammered with failures
(a lock chain), reset requests that are completed late or never, and one IP failing on 30 usernames in 5
minutes.
"""

from __future__ import annotations

from tests.support import create_staging_table

PORTALS_SQL = "['patient_portal', 'learning_center', 'ce_portal', 'health_plans']"


def synthetic_auth_events(conn, n: int) -> None:
    create_staging_table(conn, "auth_events")
    accounts = max(n // 25, 10)
    conn.execute(
        f"""
        INSERT INTO staging.auth_events
        WITH base AS (
            SELECT i, hash(i) AS h, hash(i * 7 + 1) AS k FROM range({n}) t(i)
        ), typed AS (
            SELECT i, h, k,
                   CASE WHEN k % 100 < 55 THEN 'login_success'
                        WHEN k % 100 < 85 THEN 'login_failure'
                        WHEN k % 100 < 92 THEN 'password_reset_requested'
                        WHEN k % 100 < 97 THEN 'password_reset_completed'
                        ELSE 'logout' END AS event_type
            FROM base
        )
        SELECT 'ev' || lpad(i::VARCHAR, 9, '0'),
               {PORTALS_SQL}[1 + (h % 4)::INT],
               TIMESTAMP '2026-01-01' + to_seconds((i * 31536000 // {n})::BIGINT),
               event_type,
               CASE WHEN k % 50 = 0 THEN 'target' ELSE 'user' || (h % {accounts}) END,
               '10.' || (h % 200) || '.' || (k % 250) || '.1',
               NULL,
               CASE WHEN k % 3 = 0 THEN 'sso' ELSE 'password' END,
               CASE WHEN event_type LIKE 'password_reset%' THEN 'tok' || (h % {accounts}) || '-' || (i // 500)
               END,
               CASE WHEN event_type = 'login_failure' THEN 'bad_password' END,
               'synthetic.jsonl', i::INT
        FROM typed
        """
    )
    # A stuffing burst: 30 usernames from one IP, 10 s apart.
    conn.execute(
        f"""
        INSERT INTO staging.auth_events
        SELECT 'burst' || i, 'patient_portal', TIMESTAMP '2026-06-01 03:00' + to_seconds(i * 10),
        'login_failure',
               'victim' || i, '203.0.113.66', NULL, 'password', NULL, 'unknown_user', 'synthetic.jsonl', {n} +
               i
        FROM range(30) t(i)
        """
    )
