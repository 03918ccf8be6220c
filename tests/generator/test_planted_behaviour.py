"""The planted behaviours are really in the data, in the numbers planted.json states."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest

from .landing_reader import read_rows, read_truth


def good_rows(settings, source):
    bad = {(r["file_name"], int(r["row_number"])) for r in read_truth(settings.truth_dir, "bad_rows.csv")}
    skip = {
        r["file_name"]
        for name in ("rejected_files.csv", "relanded_files.csv")
        for r in read_truth(settings.truth_dir, name)
        if r["source"] == source
    }
    for path in sorted((settings.landing_dir / source).iterdir()):
        if path.name in skip:
            continue
        _, rows = read_rows(path)
        for n, row in enumerate(rows, start=1):
            if (path.name, n) not in bad:
                yield path.name, row


def planted(settings):
    return json.loads((settings.truth_dir / "planted.json").read_text())


def test_duplicate_clusters_name_existing_accounts_with_shared_evidence(tiny):
    accounts = {row["account_id"]: row for _, row in good_rows(tiny, "ce_accounts")}
    clusters = defaultdict(list)
    for r in read_truth(tiny.truth_dir, "duplicate_accounts.csv"):
        clusters[r["cluster_id"]].append(accounts[r["account_id"]])
    sizes = Counter(len(c) for c in clusters.values())
    # tiny: max(6 kinds, 2.5% of 40) = 6 clusters, one per kind; the third-account kind makes one cluster of 3
    assert sizes == {2: 5, 3: 1}
    assert planted(tiny)["duplicates"]["clusters_of_three"] == 1
    for members in clusters.values():
        methods = Counter(a["login_method"] for a in members)
        assert methods["password"] >= 1  # every duplicate includes a self-registered account
        # same person: at least one of birth date, licence number or NPI is shared by the first two accounts
        a, b = members[0], members[1]
        assert any(a[k] and a[k] == b[k] for k in ("birth_date", "license_number", "npi", "street")), (a, b)


def test_personal_vs_org_pair_is_an_sso_account_and_a_personal_email_password_account(tiny):
    accounts = {row["account_id"]: row for _, row in good_rows(tiny, "ce_accounts")}
    clusters = defaultdict(list)
    for r in read_truth(tiny.truth_dir, "duplicate_accounts.csv"):
        clusters[r["cluster_id"]].append(accounts[r["account_id"]])
    classic = [c for c in clusters.values() if {a["login_method"] for a in c} == {"sso", "password"}]
    assert classic
    for c in classic:
        sso = next(a for a in c if a["login_method"] == "sso")
        personal = [a for a in c if a["login_method"] == "password"]
        assert sso["email"].endswith("@lakeshorehealth.org") and sso["person_id"]
        assert all(
            a["email"].split("@")[1]
            in ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "hotmail.com")
            and not a["person_id"]
            for a in personal
        )


def test_every_attendance_claim_has_an_expected_outcome_of_every_kind(tiny):
    outcomes = dict(
        (r["event_id"], r["outcome"]) for r in read_truth(tiny.truth_dir, "attendance_outcomes.csv")
    )
    events = [row["event_id"] for _, row in good_rows(tiny, "ce_attendance")]
    assert sorted(events) == sorted(outcomes)
    assert set(outcomes.values()) == {
        "accepted",
        "unknown_phone",
        "ambiguous_phone",
        "unknown_code",
        "outside_window",
        "duplicate",
        "not_eligible",
    }


def test_late_texts_arrive_after_the_window_closes(tiny):
    activities = {row["activity_id"]: row for _, row in good_rows(tiny, "ce_activities")}
    by_code = {a["attendance_code"]: a for a in activities.values()}
    outcomes = dict(
        (r["event_id"], r["outcome"]) for r in read_truth(tiny.truth_dir, "attendance_outcomes.csv")
    )
    late = 0
    for _, ev in good_rows(tiny, "ce_attendance"):
        if ev["channel"] == "sms" and outcomes[ev["event_id"]] == "outside_window" and ev["code"] in by_code:
            act = by_code[ev["code"]]
            start = datetime.fromisoformat(act["starts_at"])
            close = datetime.fromisoformat(act["ends_at"]) + timedelta(
                hours=int(act["texting_window_hours"] or 24)
            )
            received = datetime.fromisoformat(ev["received_at"])
            assert received < start or received > close
            late += 1
    assert (
        late
        == planted(tiny)["ce_attendance"]["by_kind"]["late_sms"]
        + planted(tiny)["ce_attendance"]["by_kind"]["early_sms"]
    )


# scale -> (lockouts, resets completed after expiry, reset loops): tiny max(4, 1000/2500)=4 lockouts + one
# account locked twice = 6, max(2, 1000/5000)=2 expired, max(2, 1000/10000)=2 loops; small 100000/2500=40+2,
# 20, 10
AUTH_EXPECTED = {"tiny": (6, 2, 2), "small": (42, 20, 10)}


@pytest.mark.parametrize("scale", ["tiny", "small"])
def test_lockouts_resets_and_stuffing_match_the_login_security_rules(scale, request):
    tiny = request.getfixturevalue(scale)
    want_lockouts, want_expired, want_loops = AUTH_EXPECTED[scale]
    events = sorted(
        (datetime.fromisoformat(e["occurred_at"]), e["event_id"], e)
        for _, e in good_rows(tiny, "auth_events")
    )
    # lockouts: five consecutive failures lock for 30 minutes; attempts while locked do not count
    lockouts, state = 0, {}
    for at, _, e in events:
        key = (e["portal"], e["username"])
        fails, locked_until = state.get(key, (0, None))
        if locked_until and at < locked_until:
            continue
        if e["event_type"] == "login_success":
            fails = 0
        elif e["event_type"] == "login_failure":
            fails += 1
            if fails == 5:
                lockouts, fails, locked_until = lockouts + 1, 0, at + timedelta(minutes=30)
        state[key] = (fails, locked_until)
    assert lockouts == planted(tiny)["auth_events"]["lockouts"] == want_lockouts

    requested, completed = {}, {}
    for at, _, e in events:
        if e["event_type"] == "password_reset_requested":
            requested[e["reset_token"]] = at
        elif e["event_type"] == "password_reset_completed":
            completed[e["reset_token"]] = at
    late = sum(1 for t, at in completed.items() if at - requested[t] > timedelta(minutes=30))
    abandoned = sum(1 for t in requested if t not in completed)
    assert late == planted(tiny)["auth_events"]["resets_completed_after_expiry"] == want_expired
    # as many abandoned resets as expired ones, plus reset loops of 3-4 unanswered requests each
    assert abandoned == planted(tiny)["auth_events"]["resets_abandoned"]
    assert want_expired + want_loops * 3 <= abandoned <= want_expired + want_loops * 4
    assert planted(tiny)["auth_events"]["reset_loops"] == want_loops

    # reset loop: 3+ requests for one account within 24 hours and no successful login after the first
    by_user = defaultdict(list)
    for at, _, e in events:
        by_user[(e["portal"], e["username"])].append((at, e["event_type"]))
    loops = 0
    for evs in by_user.values():
        requests = [at for at, t in evs if t == "password_reset_requested"]
        for i, first in enumerate(requests):
            burst = [r for r in requests[i:] if r - first <= timedelta(hours=24)]
            signed_in = any(t == "login_success" and at > first for at, t in evs)
            if len(burst) >= 3 and not signed_in:
                loops += 1
                break
    assert loops == want_loops

    failures_by_ip = defaultdict(list)
    for at, _, e in events:
        if e["event_type"] == "login_failure":
            failures_by_ip[e["ip"]].append((at, e["username"]))
    stuffing = set()
    for ip, fails in failures_by_ip.items():
        for i, (start, _) in enumerate(fails):
            window = {u for at, u in fails[i:] if at - start <= timedelta(minutes=10)}
            if len(window) >= 20:
                stuffing.add(ip)
    assert stuffing == {planted(tiny)["auth_events"]["credential_stuffing_ip"]}


def test_timestamps_use_several_offsets(tiny):
    offsets = {e["occurred_at"][19:] for _, e in good_rows(tiny, "auth_events")}
    assert offsets == {"Z", "-05:00", "-06:00", "-07:00"}


def test_claims_adjustments_and_reversals_point_at_earlier_originals(tiny):
    lines = [row for _, row in good_rows(tiny, "hp_claims")]
    processed = {
        r["claim_id"]: datetime.fromisoformat(r["processed_at"])
        for r in lines
        if r["claim_type"] == "original"
    }
    follow_ups = [r for r in lines if r["claim_type"] != "original"]
    assert follow_ups
    for r in follow_ups:
        assert processed[r["original_claim_id"]] < datetime.fromisoformat(r["processed_at"])
    counts = planted(tiny)["hp_claims"]
    assert len({r["claim_id"] for r in follow_ups if r["claim_type"] == "reversal"}) == counts.get(
        "reversals", 0
    )
    assert any(r["billed_amount"].startswith("-") for r in follow_ups) == bool(
        counts.get("reversals_negated")
    )


def test_people_use_all_three_lc_user_id_forms_and_sso_accounts_belong_to_people(tiny):
    people = {row["person_id"]: row for _, row in good_rows(tiny, "lc_people")}
    forms = Counter(
        "slashed" if "/" in p["lc_user_id"] else "spaced" if " " in p["lc_user_id"] else "compact"
        for p in people.values()
    )
    assert set(forms) == {"slashed", "spaced", "compact"}
    for _, a in good_rows(tiny, "ce_accounts"):
        if a["login_method"] == "sso":
            assert a["person_id"] in people and a["email"].endswith("@lakeshorehealth.org")


def test_awkward_but_valid_values_are_loaded_rows_not_bad_rows(tiny):
    tricky = read_truth(tiny.truth_dir, "tricky_values.csv")
    kinds = Counter(r["kind"] for r in tricky)
    assert {"formula", "sql", "non_ascii"} <= set(kinds)
    bad = {(r["source"], r["file_name"], r["row_number"]) for r in read_truth(tiny.truth_dir, "bad_rows.csv")}
    assert not any((r["source"], r["file_name"], r["row_number"]) in bad for r in tricky)
