"""Attendance validation: every reason, the order when several apply, and which claim is the accepted one."""

from __future__ import annotations

from domain.ce.attendance import REASON_ORDER, AttendancePolicy, attendance_outcomes
from tests.ce.builders import account, activity, by_event, claim, credit, qr, rows, sms, tables, warehouse
from tests.ce.world import (
    ACCOUNTS,
    ACTIVITIES,
    CREDITS,
    PHONE_A1,
    PHONE_A2,
    PHONE_NOBODY,
    PHONE_SHARED,
)


def outcomes(
    attendance, *, accounts=ACCOUNTS, activities=ACTIVITIES, credits=CREDITS, survivors=None, policy=None
):
    conn = warehouse(
        accounts=accounts, activities=activities, credits=credits, attendance=attendance, survivors=survivors
    )
    return by_event(rows(conn, attendance_outcomes(tables(conn), policy)))


def reasons(result: dict[str, dict]) -> dict[str, str | None]:
    return {event_id: r["reason"] for event_id, r in result.items()}


def test_reasons_are_checked_in_the_spec_order():
    assert [r.value for r in REASON_ORDER] == [
        "unknown_phone",
        "ambiguous_phone",
        "unknown_account",
        "unknown_code",
        "outside_window",
        "duplicate",
        "not_eligible",
    ]


def test_a_text_from_a_profile_phone_with_the_right_code_in_time_is_accepted():
    result = outcomes([sms("E1", "2026-03-04 14:30", PHONE_A1, "12345")])
    row = result["E1"]
    assert (row["outcome"], row["reason"]) == ("accepted", None)
    assert (row["account_id"], row["activity_id"], row["person_id"]) == ("A1", "ACT1", "P1")


def test_each_single_reason():
    result = outcomes(
        [
            sms("phone", "2026-03-04 14:30", PHONE_NOBODY, "12345"),
            sms("nophone", "2026-03-04 14:30", None, "12345"),
            sms("shared", "2026-03-04 14:30", PHONE_SHARED, "12345"),
            claim("ghost", "portal", "2026-03-04 14:30", "NOPE", "ACT1"),
            sms("code", "2026-03-04 14:30", PHONE_A1, "99999"),
            claim("act", "portal", "2026-03-04 14:30", "A2", "ACT9"),
            sms("early", "2026-03-04 13:59:59", PHONE_A2, "12345"),
            # ends 15:00 + 24 h = 5 March 15:00: one second later is late
            sms("late", "2026-03-05 15:00:01", PHONE_A2, "12345"),
            claim(
                "degree", "portal", "2026-03-10 15:00", "A1", "ACT2"
            ),  # ACT2 only credits PharmD; A1 is an MD
        ]
    )
    assert reasons(result) == {
        "phone": "unknown_phone",
        "nophone": "unknown_phone",
        "shared": "ambiguous_phone",
        "ghost": "unknown_account",
        "code": "unknown_code",
        "act": "unknown_code",
        "early": "outside_window",
        "late": "outside_window",
        "degree": "not_eligible",
    }
    assert {r["outcome"] for r in result.values()} == {"rejected"}
    # The CE team sees who tried: an unknown_phone row has no account but keeps the number; an unknown
    # activity_id is shown as given.
    assert result["phone"]["account_id"] is None and result["phone"]["from_phone"] == PHONE_NOBODY
    assert result["act"]["activity_id"] == "ACT9"


def test_window_edges_are_in_time_and_the_window_is_per_activity():
    result = outcomes(
        [
            sms("at_start", "2026-03-04 14:00", PHONE_A1, "12345"),
            sms("at_end", "2026-03-05 15:00", PHONE_A2, "12345"),  # exactly ends_at + 24 h
            claim("act2_in", "portal", "2026-03-10 18:00", "A5", "ACT2"),  # ACT2: 16:00 + 2 h
            claim("act2_late", "portal", "2026-03-10 18:00:01", "A5", "ACT2"),
        ]
    )
    # act2_late would also be a duplicate of act2_in, but the window is checked first
    assert reasons(result) == {
        "at_start": None,
        "at_end": None,
        "act2_in": None,
        "act2_late": "outside_window",
    }


def test_the_window_default_is_a_policy_setting():
    # With a 1 h default, ACT1 (no window of its own) closes at 16:00.
    result = outcomes([sms("E1", "2026-03-04 16:00:01", PHONE_A1, "12345")], policy=AttendancePolicy(1))
    assert result["E1"]["reason"] == "outside_window"


def test_admin_entries_are_exempt_from_the_window_but_not_from_other_rules():
    result = outcomes(
        [
            claim("months_later", "admin", "2026-06-01 12:00", "A1", "ACT1"),
            claim("portal_late", "portal", "2026-06-01 12:00", "A2", "ACT1"),
            claim("admin_no_act", "admin", "2026-06-01 12:00", "A2", "ACT9"),
        ]
    )
    assert reasons(result) == {
        "months_later": None,
        "portal_late": "outside_window",
        "admin_no_act": "unknown_code",
    }


def test_qr_names_the_account_and_the_code():
    result = outcomes(
        [qr("Q1", "2026-03-04 14:30", "A2", "12345"), qr("Q2", "2026-03-04 14:30", "A2", "11111")]
    )
    assert reasons(result) == {"Q1": None, "Q2": "unknown_code"}
    assert result["Q1"]["activity_id"] == "ACT1"


def test_an_sms_without_a_code_field_is_read_from_its_text():
    texts = [
        sms("E1", "2026-03-04 14:30", PHONE_A1, None) | {"body": "Code 12345 thanks!"},
        sms("E2", "2026-03-04 14:30", PHONE_A2, None)
        | {"body": "call me at 3125550002"},  # 10 digits: no code
    ]
    result = outcomes(texts)
    assert (result["E1"]["reason"], result["E1"]["activity_id"]) == (None, "ACT1")
    assert result["E2"]["reason"] == "unknown_code"


def test_phones_are_compared_in_e164():
    # A hand-typed number in a profile and in a text both normalise to +13125550002.
    accounts = [account("A2", "RN", "(312) 555-0002")]
    result = outcomes([sms("E1", "2026-03-04 14:30", "312.555.0002", "12345")], accounts=accounts)
    assert (result["E1"]["reason"], result["E1"]["account_id"]) == (None, "A2")


def test_order_when_several_reasons_apply():
    result = outcomes(
        [
            # unknown phone AND unknown code AND late -> the phone is checked first
            sms("phone_code_late", "2026-04-01 00:00", PHONE_NOBODY, "99999"),
            # shared phone AND late -> ambiguous_phone
            sms("shared_late", "2026-04-01 00:00", PHONE_SHARED, "12345"),
            # unknown account AND unknown activity -> unknown_account
            claim("ghost_act", "portal", "2026-04-01 00:00", "NOPE", "ACT9"),
            # late AND unknown code -> unknown_code (there is no activity to be late for)
            sms("late_code", "2026-04-01 00:00", PHONE_A1, "99999"),
            # late AND not eligible (MD on a PharmD activity) -> outside_window
            claim("late_degree", "portal", "2026-04-01 00:00", "A1", "ACT2"),
        ]
    )
    assert reasons(result) == {
        "phone_code_late": "unknown_phone",
        "shared_late": "ambiguous_phone",
        "ghost_act": "unknown_account",
        "late_code": "unknown_code",
        "late_degree": "outside_window",
    }


def test_the_earliest_valid_claim_is_accepted_and_later_ones_are_duplicates():
    result = outcomes(
        [
            sms(
                "too_early", "2026-03-04 13:00", PHONE_A1, "12345"
            ),  # rejected, so it does not count as first
            sms("second", "2026-03-04 14:40", PHONE_A1, "12345"),
            sms("first", "2026-03-04 14:20", PHONE_A1, "12345"),
            claim("portal_again", "portal", "2026-03-04 16:00", "A1", "ACT1"),  # another channel, same pair
            # same instant for A2: event_id decides ("B" < "C")
            sms("C", "2026-03-04 14:30", PHONE_A2, "12345"),
            sms("B", "2026-03-04 14:30", PHONE_A2, "12345"),
        ]
    )
    assert reasons(result) == {
        "too_early": "outside_window",
        "first": None,
        "second": "duplicate",
        "portal_again": "duplicate",
        "B": None,
        "C": "duplicate",
    }


def test_a_repeated_claim_of_an_ineligible_account_is_not_eligible_not_duplicate():
    # No claim of (A1, ACT2) is ever accepted, so there is nothing for the second one to duplicate.
    result = outcomes(
        [
            claim("one", "portal", "2026-03-10 15:00", "A1", "ACT2"),
            claim("two", "portal", "2026-03-10 15:10", "A1", "ACT2"),
        ]
    )
    assert reasons(result) == {"one": "not_eligible", "two": "not_eligible"}


def test_participation_makes_every_degree_eligible_and_an_activity_without_credits_none():
    activities = [*ACTIVITIES, activity("ACT3", "77777", "2026-03-04 14:00", "2026-03-04 15:00")]
    result = outcomes(
        [
            claim(
                "pharmd_act1", "portal", "2026-03-04 14:30", "A5", "ACT1"
            ),  # only PARTICIPATION (*) is open
            claim("no_credits", "portal", "2026-03-04 14:30", "A1", "ACT3"),
        ],
        activities=activities,
    )
    assert reasons(result) == {"pharmd_act1": None, "no_credits": "not_eligible"}


def test_degree_lists_are_matched_trimmed_and_case_insensitively():
    credits = [credit("ACT1", "ACPE", "1.00", " pharmd ;RN")]
    result = outcomes([claim("E1", "portal", "2026-03-04 14:30", "A5", "ACT1")], credits=credits)
    assert result["E1"]["reason"] is None


def test_a_reused_code_goes_to_the_activity_whose_window_holds_the_claim():
    activities = [
        *ACTIVITIES,
        # ACT1's code used again a month later
        activity("ACT1B", "12345", "2026-04-04 14:00", "2026-04-04 15:00"),
    ]
    credits = [*CREDITS, credit("ACT1B", "PARTICIPATION", "1.00", "*")]
    result = outcomes(
        [
            sms("april", "2026-04-04 14:30", PHONE_A1, "12345"),
            # in neither window: nearest start is ACT1 (4 March 14:00, 6 days before), so late for ACT1
            sms("between", "2026-03-10 14:00", PHONE_A2, "12345"),
        ],
        activities=activities,
        credits=credits,
    )
    assert (result["april"]["reason"], result["april"]["activity_id"]) == (None, "ACT1B")
    assert (result["between"]["reason"], result["between"]["activity_id"]) == ("outside_window", "ACT1")


def test_merged_accounts_are_credited_once_to_the_survivor():
    # A2 (personal) merged into A1 (SSO, person P1). A2's phone still identifies the claim, but the pair is
    # (A1, ACT1).
    result = outcomes(
        [
            sms("personal", "2026-03-04 14:20", PHONE_A2, "12345"),
            sms("sso", "2026-03-04 14:40", PHONE_A1, "12345"),
        ],
        survivors={"A2": "A1"},
    )
    assert reasons(result) == {"personal": None, "sso": "duplicate"}
    assert (result["personal"]["account_id"], result["personal"]["claimed_account_id"]) == ("A1", "A2")
    assert result["personal"]["person_id"] == "P1"


def test_without_the_merge_both_accounts_are_accepted():
    # The undo case: same claims, no mapping row -> each account keeps its own accepted claim.
    result = outcomes(
        [
            sms("personal", "2026-03-04 14:20", PHONE_A2, "12345"),
            sms("sso", "2026-03-04 14:40", PHONE_A1, "12345"),
        ],
        survivors={},
    )
    assert reasons(result) == {"personal": None, "sso": None}
    assert result["personal"]["account_id"] == "A2"
