"""Credits awarded per credit type, external credits, totals per account/person per year and range."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from domain.ce.attendance import attendance_outcomes
from domain.ce.credits import (
    credit_items,
    credit_totals,
    credit_totals_between,
    credits_awarded,
    transcript_items,
)
from tests.ce.builders import account, activity, claim, credit, external, rows, sms, tables, warehouse
from tests.ce.world import ACCOUNTS, ACTIVITIES, CREDITS, PHONE_A1, PHONE_A2

A6 = account("A6", "RN", person_id="P1")  # P1's second account (also SSO)

CLAIMS = [
    sms(
        "E1", "2026-03-04 14:30", PHONE_A1, "12345"
    ),  # A1, MD: AMA 1.50 (no PARTICIPATION: AMA is open to MD)
    sms("E2", "2026-03-04 14:31", PHONE_A2, "12345"),  # A2, RN: ANCC 1.25
    claim("E3", "portal", "2026-03-04 14:32", "A5", "ACT1"),  # A5, PharmD: only PARTICIPATION 1.50
    claim("E4", "portal", "2026-03-10 15:00", "A5", "ACT2"),  # A5: ACPE 2.00
    claim("E5", "portal", "2026-03-04 14:33", "A6", "ACT1"),  # A6, RN: ANCC 1.25
    claim("R1", "portal", "2026-03-10 15:00", "A1", "ACT2"),  # rejected (not_eligible): awards nothing
]
EXTERNALS = [
    external("X1", "A1", "AMA_PRA_1", "0.25", "2026-05-01"),
    external("X2", "A1", "AMA_PRA_1", "3.00", "2025-12-31"),
    external("X3", "A6", "ANCC", "0.50", "2026-02-01"),
]

#: Credits per account, credit type and year of CLAIMS and EXTERNALS, by hand.
TOTALS_PER_ACCOUNT = {
    ("A1", "AMA_PRA_1", 2026): Decimal("1.75"),  # E1 1.50 + X1 0.25
    ("A1", "AMA_PRA_1", 2025): Decimal("3.00"),  # X2 on 31 Dec 2025
    ("A2", "ANCC", 2026): Decimal("1.25"),
    ("A5", "PARTICIPATION", 2026): Decimal("1.50"),
    ("A5", "ACPE", 2026): Decimal("2.00"),
    ("A6", "ANCC", 2026): Decimal("1.75"),  # E5 1.25 + X3 0.50
}


def build(
    claims=CLAIMS,
    externals=EXTERNALS,
    *,
    accounts=(*ACCOUNTS, A6),
    activities=ACTIVITIES,
    credits=CREDITS,
    survivors=None,
):
    conn = warehouse(
        accounts=accounts,
        activities=activities,
        credits=credits,
        attendance=claims,
        externals=externals,
        survivors=survivors,
    )
    t = tables(conn)
    awarded = credits_awarded(attendance_outcomes(t), t)
    return conn, awarded, credit_items(awarded, t)


def test_each_accepted_claim_earns_the_credit_types_its_degree_opens():
    conn, awarded, _ = build()
    got = sorted((r["event_id"], r["credit_type"], r["credits"]) for r in rows(conn, awarded))
    assert got == [
        ("E1", "AMA_PRA_1", Decimal("1.50")),
        ("E2", "ANCC", Decimal("1.25")),
        ("E3", "PARTICIPATION", Decimal("1.50")),
        ("E4", "ACPE", Decimal("2.00")),
        ("E5", "ANCC", Decimal("1.25")),
    ]


def test_an_activity_open_to_a_degree_twice_awards_once():
    credits = [credit("ACT1", "AMA_PRA_1", "1.00", "MD;*;MD")]
    conn, awarded, _ = build([CLAIMS[0]], [], credits=credits)
    assert [(r["credit_type"], r["credits"]) for r in rows(conn, awarded)] == [("AMA_PRA_1", Decimal("1.00"))]


def test_several_credit_types_for_one_degree():
    credits = [*CREDITS, credit("ACT1", "ABIM_MOC", "1.00", "MD")]
    conn, awarded, _ = build([CLAIMS[0]], [], credits=credits)
    assert sorted(r["credit_type"] for r in rows(conn, awarded)) == ["ABIM_MOC", "AMA_PRA_1"]


def test_totals_per_account_per_year_include_external_credits():
    conn, _, items = build()
    got = {
        (r["account_id"], r["credit_type"], r["year"]): r["credits"] for r in rows(conn, credit_totals(items))
    }
    assert got == TOTALS_PER_ACCOUNT


def test_totals_per_person_add_up_all_their_accounts():
    conn, _, items = build()
    got = {
        (r["person_id"], r["credit_type"], r["year"]): r["credits"]
        for r in rows(conn, credit_totals(items, "person"))
    }
    # P1 = A1 + A6; A2 and A5 reach no person
    assert got == {
        ("P1", "AMA_PRA_1", 2026): Decimal("1.75"),
        ("P1", "AMA_PRA_1", 2025): Decimal("3.00"),
        ("P1", "ANCC", 2026): Decimal("1.75"),
    }


def test_totals_for_a_date_range_are_inclusive():
    conn, _, items = build()
    expr = credit_totals_between(items, dt.date(2026, 2, 1), dt.date(2026, 3, 4), by="person")
    got = {(r["person_id"], r["credit_type"]): r["credits"] for r in rows(conn, expr)}
    # E1 (4 Mar) in, X1 (1 May) and X2 (2025) out; X3 on 1 Feb and E5 on 4 Mar are on the edges: in
    assert got == {("P1", "AMA_PRA_1"): Decimal("1.50"), ("P1", "ANCC"): Decimal("1.75")}
    complete = credit_totals_between(items, None, None, by="person")
    got = {(r["person_id"], r["credit_type"]): r["credits"] for r in rows(conn, complete)}
    assert got == {
        ("P1", "AMA_PRA_1"): Decimal("4.75"),
        ("P1", "ANCC"): Decimal("1.75"),
    }  # 1.50 + 0.25 + 3.00


def test_a_credit_is_dated_in_chicago_and_no_later_than_the_activity_end():
    # 00:00-01:00 UTC on 5 March = 18:00-19:00 on 4 March in Chicago (UTC-6).
    activities = [activity("EVE", "24680", "2026-03-05 00:00", "2026-03-05 01:00")]
    credits = [credit("EVE", "PARTICIPATION", "1.00", "*")]
    claims = [
        sms("during", "2026-03-05 00:30", PHONE_A1, "24680"),
        sms("next_morning", "2026-03-05 14:00", PHONE_A2, "24680"),  # 08:00 on 5 March, within 24 h
    ]
    conn, awarded, _ = build(claims, [], activities=activities, credits=credits)
    got = {r["event_id"]: r["completed_on"] for r in rows(conn, awarded)}
    assert got == {"during": dt.date(2026, 3, 4), "next_morning": dt.date(2026, 3, 4)}


def test_transcript_items_are_the_credits_of_accounts_that_reach_a_person():
    conn, _, items = build()
    got = sorted(
        (r["person_id"], r["source"], r["item_id"], r["credit_type"], r["credits"], r["hours"])
        for r in rows(conn, transcript_items(items))
    )
    assert got == [
        ("P1", "ce", "E1", "AMA_PRA_1", Decimal("1.50"), None),
        ("P1", "ce", "E5", "ANCC", Decimal("1.25"), None),
        ("P1", "external", "X1", "AMA_PRA_1", Decimal("0.25"), None),
        ("P1", "external", "X2", "AMA_PRA_1", Decimal("3.00"), None),
        ("P1", "external", "X3", "ANCC", Decimal("0.50"), None),
    ]


def test_a_merge_moves_claims_and_external_credits_to_the_survivor():
    # A2 (RN, no person) merged into A6 (RN, P1): E2 and A2's upload now count for A6 and reach P1.
    externals = [*EXTERNALS, external("X4", "A2", "ANCC", "1.00", "2026-04-01")]
    conn, _, items = build(externals=externals, survivors={"A2": "A6"})
    got = {
        (r["account_id"], r["credit_type"], r["year"]): r["credits"] for r in rows(conn, credit_totals(items))
    }
    # E2 (14:31) and E5 (14:33) are now both claims of (A6, ACT1): E2 is accepted, E5 is a duplicate, so
    # ACT1's ANCC counts once. A6 ANCC 2026 = E2 1.25 + X3 0.50 + X4 1.00 = 2.75
    assert got[("A6", "ANCC", 2026)] == Decimal("2.75")
    assert ("A2", "ANCC", 2026) not in got
