"""The CE rules (attendance, credits, totals, certificates) run unchanged on Spark: the hand-computed credits
of tests/ce/test_credits.py, including a credit dated in Chicago, come out the same as on DuckDB."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from domain.ce.attendance import attendance_outcomes
from domain.ce.certificates import certificates
from domain.ce.credits import credit_items, credit_totals, credits_awarded
from domain.ce.tables import CE_STAGING, CeTables
from tests.ce.builders import activity, credit, sms, tables, warehouse
from tests.ce.test_credits import A6, CLAIMS, EXTERNALS, TOTALS_PER_ACCOUNT
from tests.ce.world import ACCOUNTS, ACTIVITIES, CREDITS, PHONE_A1


def _spark_tables(on_spark, conn) -> CeTables:
    return CeTables.from_tables(on_spark(conn, *CE_STAGING))


def _world(claims=CLAIMS, activities=ACTIVITIES, credits=CREDITS):
    return warehouse(
        accounts=(*ACCOUNTS, A6),
        activities=activities,
        credits=credits,
        attendance=claims,
        externals=EXTERNALS,
    )


def _run(t: CeTables):
    outcomes = attendance_outcomes(t)
    awarded = credits_awarded(outcomes, t)
    items = credit_items(awarded, t)
    return outcomes, awarded, items


def _sorted(expr, keys) -> list[dict]:
    return sorted(expr.to_pyarrow().to_pylist(), key=lambda r: tuple(str(r[k]) for k in keys))


def test_credits_and_totals_are_the_same_on_spark(on_spark):
    conn = _world()
    duck, spark = _run(tables(conn)), _run(_spark_tables(on_spark, conn))
    keys = ("event_id", "credit_type")
    assert _sorted(spark[1], keys) == _sorted(duck[1], keys)
    assert [(r["event_id"], r["credit_type"], r["credits"]) for r in _sorted(spark[1], keys)] == [
        ("E1", "AMA_PRA_1", Decimal("1.50")),
        ("E2", "ANCC", Decimal("1.25")),
        ("E3", "PARTICIPATION", Decimal("1.50")),
        ("E4", "ACPE", Decimal("2.00")),
        ("E5", "ANCC", Decimal("1.25")),
    ]
    totals = {
        (r["account_id"], r["credit_type"], r["year"]): r["credits"]
        for r in credit_totals(spark[2]).to_pyarrow().to_pylist()
    }
    assert totals == TOTALS_PER_ACCOUNT
    person_keys = ("person_id", "credit_type", "year")
    assert _sorted(credit_totals(spark[2], "person"), person_keys) == _sorted(
        credit_totals(duck[2], "person"), person_keys
    )


def test_a_credit_is_dated_in_chicago_on_spark_too(on_spark):
    # 00:00-01:00 UTC on 5 March = 18:00-19:00 on 4 March in Chicago (UTC-6).
    activities = [activity("EVE", "24680", "2026-03-05 00:00", "2026-03-05 01:00")]
    credits = [credit("EVE", "PARTICIPATION", "1.00", "*")]
    conn = _world([sms("during", "2026-03-05 00:30", PHONE_A1, "24680")], activities, credits)
    _, awarded, _ = _run(_spark_tables(on_spark, conn))
    assert [(r["event_id"], r["completed_on"]) for r in awarded.to_pyarrow().to_pylist()] == [
        ("during", dt.date(2026, 3, 4))
    ]


def test_certificates_are_the_same_on_spark(on_spark):
    conn = _world()
    keys = ("account_id", "activity_id")

    def certs(t: CeTables) -> list[dict]:
        outcomes, _, _ = _run(t)
        return _sorted(certificates(outcomes, t, dt.date(2026, 3, 20)), keys)

    duck, spark = certs(tables(conn)), certs(_spark_tables(on_spark, conn))
    assert spark == duck and spark  # the accepted claims of March have certificates on both
