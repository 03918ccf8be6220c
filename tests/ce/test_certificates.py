"""Certificates as of a date: awaiting evaluation / issued / expired, last download day, 7-day flag."""

from __future__ import annotations

import datetime as dt

from domain.ce.attendance import attendance_outcomes
from domain.ce.certificates import CertificatePolicy, certificates
from tests.ce.builders import account, by_event, claim, evaluation, rows, sms, tables, warehouse
from tests.ce.world import ACCOUNTS, ACTIVITIES, CREDITS, PHONE_A1, PHONE_A2

# ACT1 ends 4 Mar 15:00 UTC (09:00 in Chicago): available until 4 Mar + 30 days = 3 Apr; evaluation required.
# ACT2 ends 10 Mar 16:00 UTC (11:00 CDT): available until 10 Mar + 10 days = 20 Mar; no evaluation needed.
CLAIMS = [
    sms("E1", "2026-03-04 14:30", PHONE_A1, "12345"),
    sms("E2", "2026-03-04 14:31", PHONE_A2, "12345"),
    claim("E4", "portal", "2026-03-10 15:00", "A5", "ACT2"),
    claim("R1", "portal", "2026-03-10 15:00", "A1", "ACT2"),  # rejected: no certificate
]
EVALUATIONS = [evaluation("V1", "A1", "ACT1", "2026-03-05 12:00")]


def certs(as_of: dt.date, *, evaluations=EVALUATIONS, accounts=ACCOUNTS, survivors=None, policy=None):
    conn = warehouse(
        accounts=accounts,
        activities=ACTIVITIES,
        credits=CREDITS,
        attendance=CLAIMS,
        evaluations=evaluations,
        survivors=survivors,
    )
    t = tables(conn)
    return by_event(rows(conn, certificates(attendance_outcomes(t), t, as_of, policy)))


def view(result: dict[str, dict]) -> dict[str, tuple]:
    return {
        e: (r["status"], r["available_until"], r["days_left"], r["expiring_soon"]) for e, r in result.items()
    }


def test_statuses_and_the_last_download_day():
    assert view(certs(dt.date(2026, 3, 20))) == {
        # 3 Apr - 20 Mar = 11 days left in March + 3 = 14
        "E1": ("issued", dt.date(2026, 4, 3), 14, False),
        "E2": ("awaiting_evaluation", dt.date(2026, 4, 3), 14, False),
        # the last day it can be downloaded: expiring, not expired
        "E4": ("issued", dt.date(2026, 3, 20), 0, True),
    }


def test_expired_the_day_after_the_last_download_day_even_without_an_evaluation():
    got = view(certs(dt.date(2026, 4, 4)))
    assert got["E1"] == ("expired", dt.date(2026, 4, 3), -1, False)
    assert got["E2"][0] == "expired"
    assert got["E4"] == ("expired", dt.date(2026, 3, 20), -15, False)


def test_expiring_soon_means_within_seven_days():
    assert certs(dt.date(2026, 3, 27))["E1"]["expiring_soon"] is True  # 7 days left
    assert certs(dt.date(2026, 3, 26))["E1"]["expiring_soon"] is False  # 8 days left
    longer = CertificatePolicy(expiring_within_days=8)
    assert certs(dt.date(2026, 3, 26), policy=longer)["E1"]["expiring_soon"] is True


def test_a_past_snapshot_ignores_later_claims_and_evaluations():
    got = certs(dt.date(2026, 3, 4))
    # V1 came on 5 March, E4 on 10 March
    assert set(got) == {"E1", "E2"}
    assert got["E1"]["status"] == "awaiting_evaluation"


def test_an_evaluation_counts_on_its_chicago_date():
    # 21 Mar 03:00 UTC is 20 Mar 22:00 in Chicago (CDT, UTC-5): submitted by the end of 20 March.
    evaluations = [evaluation("V2", "A2", "ACT1", "2026-03-21 03:00")]
    assert certs(dt.date(2026, 3, 20), evaluations=evaluations)["E2"]["status"] == "issued"
    assert certs(dt.date(2026, 3, 19), evaluations=evaluations)["E2"]["status"] == "awaiting_evaluation"


def test_a_merged_accounts_evaluation_issues_the_survivors_certificate():
    # A2 merged into A6: E2 belongs to A6 now, and the evaluation A2 submitted counts for it.
    accounts = [*ACCOUNTS, account("A6", "RN", person_id="P6")]
    evaluations = [evaluation("V2", "A2", "ACT1", "2026-03-06 12:00")]
    got = certs(dt.date(2026, 3, 20), evaluations=evaluations, accounts=accounts, survivors={"A2": "A6"})
    assert (got["E2"]["account_id"], got["E2"]["person_id"], got["E2"]["status"]) == ("A6", "P6", "issued")
