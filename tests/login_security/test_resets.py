"""Reset outcomes per token, and reset loops."""

from __future__ import annotations

from domain.login_security import reset_loops, reset_outcomes
from tests.login_security.helpers import at, event, rows_of, staged, utc


def _outcomes(rows):
    _, events = staged(rows)
    return {r["reset_token"]: r for r in rows_of(reset_outcomes(events))}


def test_reset_outcomes_at_the_thirty_minute_boundary():
    rows = [
        event(at("09:00"), "password_reset_requested", token="in-time"),
        event(at("09:30"), "password_reset_completed", token="in-time"),  # exactly 30 min: still valid
        event(at("10:00"), "password_reset_requested", token="late"),
        event("2026-03-04T10:30:01+00:00", "password_reset_completed", token="late"),  # 30 min 1 s: expired
        event(at("11:00"), "password_reset_requested", token="never"),
    ]
    got = _outcomes(rows)
    assert {token: r["outcome"] for token, r in got.items()} == {
        "in-time": "completed_in_time",
        "late": "completed_after_expiry",
        "never": "abandoned",
    }
    assert got["in-time"]["minutes_to_complete"] == 30.0
    assert got["late"]["minutes_to_complete"] == 30.02  # 1801 s / 60 = 30.0166.. rounded to 2 places
    assert got["never"]["completed_at"] is None and got["never"]["minutes_to_complete"] is None


def test_reset_outcome_uses_utc_instants_across_offsets():
    # Requested 08:50 in Chicago (-06:00) = 14:50Z; completed 10:15 in New York (-05:00) = 15:15Z: 25 minutes.
    rows = [
        event("2026-03-04T08:50:00-06:00", "password_reset_requested", token="t"),
        event("2026-03-04T10:15:00-05:00", "password_reset_completed", token="t"),
    ]
    got = _outcomes(rows)["t"]
    assert (got["requested_at"], got["completed_at"]) == (
        utc("2026-03-04T14:50:00Z"),
        utc("2026-03-04T15:15:00Z"),
    )
    assert (got["outcome"], got["minutes_to_complete"]) == ("completed_in_time", 25.0)


def test_a_reused_token_and_a_completion_nobody_requested_show_up():
    rows = [
        event(at("09:00"), "password_reset_requested", token="twice"),
        event(at("09:05"), "password_reset_completed", token="twice"),
        event(at("09:06"), "password_reset_completed", token="twice"),
        event(at("09:10"), "password_reset_completed", token="forged"),
    ]
    got = _outcomes(rows)
    assert (got["twice"]["outcome"], got["twice"]["completions"], got["twice"]["minutes_to_complete"]) == (
        "completed_in_time",
        2,
        5.0,  # the first completion decides
    )
    assert (got["forged"]["outcome"], got["forged"]["requested_at"]) == ("completed_without_request", None)


def _loops(rows):
    _, events = staged(rows)
    return [
        (r["username"], r["first_request_at"], r["requests"], r["last_request_at"])
        for r in rows_of(reset_loops(events))
    ]


def _requests(username, *ats):
    return [event(a, "password_reset_requested", username, token=f"{username}-{a}") for a in ats]


def test_three_requests_within_24_hours_are_a_loop():
    rows = _requests(
        "dana", at("09:00"), at("15:00"), at("09:00", day="2026-03-05")
    )  # third exactly 24 h later
    assert _loops(rows) == [("dana", utc(at("09:00")), 3, utc(at("09:00", day="2026-03-05")))]


def test_three_requests_spread_over_more_than_24_hours_are_not_a_loop():
    rows = _requests(
        "dana", at("09:00"), at("15:00"), "2026-03-05T09:00:01+00:00"
    )  # 24 h 1 s after the first
    assert _loops(rows) == []


def test_two_requests_are_not_a_loop():
    assert _loops(_requests("dana", at("09:00"), at("09:10"))) == []


def test_a_successful_login_after_the_first_request_breaks_the_loop():
    rows = [
        *_requests("erin", at("09:00"), at("09:10")),
        event(at("09:20"), "login_success", "erin"),
        *_requests("erin", at("09:30")),
    ]
    assert _loops(rows) == []
    # A success on another portal is another account: it does not break erin's loop on ce_portal.
    rows[2] = event(at("09:20"), "login_success", "erin", portal="health_plans")
    assert _loops(rows) == [("erin", utc(at("09:00")), 3, utc(at("09:30")))]


def test_overlapping_windows_are_one_loop_and_separate_days_are_two():
    rows = _requests(
        "finn",
        # 00:00, 20:00, 23:00 qualify from 00:00 (3 within 24 h); from 20:00 the window runs to 20:00 next day
        # and holds 20:00, 23:00 and 10:00 next day: the same loop goes on. 4 requests, 00:00 .. 10:00 (+1
        # day).
        at("00:00"),
        at("20:00"),
        at("23:00"),
        at("10:00", day="2026-03-05"),
        # Four days later, a separate loop of three.
        at("08:00", day="2026-03-09"),
        at("08:30", day="2026-03-09"),
        at("09:00", day="2026-03-09"),
    )
    assert _loops(rows) == [
        ("finn", utc(at("00:00")), 4, utc(at("10:00", day="2026-03-05"))),
        ("finn", utc(at("08:00", day="2026-03-09")), 3, utc(at("09:00", day="2026-03-09"))),
    ]


def test_a_success_after_the_loop_does_not_undo_it():
    rows = [
        *_requests("gail", at("09:00"), at("09:05"), at("09:10")),
        event(at("09:15"), "login_success", "gail"),
    ]
    assert _loops(rows) == [("gail", utc(at("09:00")), 3, utc(at("09:10")))]
