"""The member's page as a payer portal reads (scenario and hand-worked figures:
tests/health_plan/dashboard/family_snapshot.py).

Maria (subscriber) views on the real today (after 2026-11-20): Jon (spouse) and Lia (18 since 2026-03-15) are
private; Tom (14) is visible.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from reports import audit, auth, user_admin
from reports.health_plan import eob as plan_eob
from reports.health_plan import reads as health_plan
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import open_snapshot
from tests.dashboard.fixtures import ADMIN, APP, PASSWORD, titles
from tests.dashboard.published_marts import capture_downloads
from tests.health_plan.dashboard.family_snapshot import HOSTILE_NAME, LIA, MARIA, publish_family_snapshot

MARIA_U = ("maria", Role.MEMBER, (MARIA,))
LIA_U = ("lia", Role.MEMBER, (LIA,))


@pytest.fixture
def published(settings):
    publish_family_snapshot(settings)


def progress_texts(app) -> list[tuple[str, int]]:
    return [(p.text, p.value) for p in app.progress]


def claims_shown(app) -> list[tuple]:
    table = app.dataframe[0].value
    return list(zip(table["Claim"], table["Patient"], table["Status"], table["You owe"], strict=True))


def test_progress_reads_in_words_with_a_distinct_met_state(published, signed_in_as):
    app = signed_in_as(*MARIA_U)
    assert titles(app) == ["My deductible"] and not app.exception
    assert progress_texts(app) == [
        # family: 493.86 + 1700.00 + 800.00 = 2993.86 of 3400.00 (88 %); OOP 3173.86 of 10000.00 (31 %)
        ("Your family has met $2,993.86 of its $3,400.00 in-network deductible — $406.14 to go", 88),
        (
            "Your family has paid $3,173.86 of its $10,000.00 in-network out-of-pocket maximum — $6,826.14 "
            "to go",
            31,
        ),
        ("Your family has met $0.00 of its $6,000.00 out-of-network deductible — $6,000.00 to go", 0),
        # Maria: 493.86 of 1700.00 = 29 %; OOP 493.86 + 60.00 = 553.86 of 5000.00 = 11 %
        ("You've met $493.86 of your $1,700.00 in-network deductible — $1,206.14 to go", 29),
        ("You've paid $553.86 of your $5,000.00 in-network out-of-pocket maximum — $4,446.14 to go", 11),
        ("You've met $0.00 of your $3,000.00 out-of-network deductible — $3,000.00 to go", 0),
        # Tom's deductible is met (a success message, not a bar); OOP 1760.00 + 30.00 = 1790.00 = 35 %
        (
            "Tom Reyes has paid $1,790.00 of their $5,000.00 in-network out-of-pocket maximum — $3,210.00 to "
            "go",
            35,
        ),
        ("Tom Reyes has met $0.00 of their $3,000.00 out-of-network deductible — $3,000.00 to go", 0),
    ]
    assert [s.value for s in app.success] == ["Tom Reyes has met their $1,700.00 in-network deductible"]
    assert [s.value for s in app.subheader][:3] == ["Your family", "You: Maria Reyes", "Tom Reyes"]
    assert "You've paid $0.00 out-of-network; the plan has no out-of-network out-of-pocket maximum" in [
        c.value for c in app.caption
    ]
    # Names, never member ids, and the private adults said plainly.
    assert not any("F1" in s.value for s in app.subheader)
    [private] = [i.value for i in app.info]
    assert private.startswith(
        "Lia Reyes and Jon Reyes: 18 or older, so their claims and own totals are private"
    )


def test_claims_newest_service_first_with_money_formatted_and_filters(published, signed_in_as, settings):
    app = signed_in_as(*MARIA_U)
    # Jon's J1 and Lia's L1 are private; M2 was denied.
    assert claims_shown(app) == [
        ("M3", "Maria Reyes", "Paid", "$60.00"),
        ("M2", "Maria Reyes", "Denied", "$0.00"),
        ("K1", "Tom Reyes", "Paid", "$1,790.00"),
        ("M1", "Maria Reyes", "Paid", "$493.86"),
    ]
    assert list(app.dataframe[0].value["Provider"]) == ["Northside Clinic"] * 2 + [
        "Lakeside Lab",
        "Northside Clinic",
    ]
    # 60.00 + 0.00 + 1790.00 + 493.86 = 2343.86
    assert (
        "4 claims with a service date from 2026-01-01 to 2026-12-31, newest first; you owe $2,343.86 for "
        "them." in [c.value for c in app.caption]
    )
    app.selectbox(key="member_claims_status").select("denied").run()
    assert [c[0] for c in claims_shown(app)] == ["M2"]
    app.selectbox(key="member_claims_status").select("All")
    app.selectbox(key="member_claims_of").select("F1K").run()
    assert [c[0] for c in claims_shown(app)] == ["K1"]
    app.selectbox(key="member_claims_of").select("All")
    app.selectbox(key="member_claims_provider").select("Lakeside Lab").run()
    assert [c[0] for c in claims_shown(app)] == ["K1"]
    app.selectbox(key="member_claims_provider").select("All")
    app.date_input(key="member_claims_from").set_value(dt.date(2026, 2, 1))
    app.date_input(key="member_claims_to").set_value(dt.date(2026, 3, 1)).run()
    assert [c[0] for c in claims_shown(app)] == ["M1"]  # K1's service date is 2026-03-02
    app.date_input(key="member_claims_from").set_value(dt.date(2026, 7, 1))
    app.date_input(key="member_claims_to").set_value(dt.date(2026, 8, 1)).run()
    assert [i.value for i in app.info][-1] == (
        "No claims with a service date from 2026-07-01 to 2026-08-01 match these filters."
    )
    assert ("maria", "deductible and claims member F1 plan year 2026", 4) in [
        (r.actor, r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["view"])
    ]


def test_claims_download_carries_numbers_and_is_audited(published, signed_in_as, settings, monkeypatch):
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as(*MARIA_U)
    assert not app.exception
    text = downloads["claims_F1_20260101_20261231.csv"]().decode("utf-8-sig")
    assert text.splitlines()[:2] == [
        "Service date,Claim,Patient,Provider,Status,Billed,Allowed,Plan paid,You owe",
        "2026-11-16,M3,Maria Reyes,Northside Clinic,Paid,200.00,200.00,140.00,60.00",
    ]
    sheet = load_workbook(io.BytesIO(downloads["claims_F1_20260101_20261231.xlsx"]())).active
    assert sheet["I4"].value == 1790  # K1: a number in Excel
    assert [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["export"])] == [
        ("claims member F1 2026-01-01 to 2026-12-31 xlsx", 4),
        ("claims member F1 2026-01-01 to 2026-12-31 csv", 4),
    ]


def test_a_provider_name_that_is_a_formula_arrives_as_text_in_both_downloads(
    settings, signed_in_as, monkeypatch
):
    publish_family_snapshot(settings, hostile_lab=True)
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as(*MARIA_U)
    assert app.dataframe[0].value["Provider"][2] == HOSTILE_NAME  # shown as it is on screen
    rows = list(csv.reader(io.StringIO(downloads["claims_F1_20260101_20261231.csv"]().decode("utf-8-sig"))))
    assert rows[3][:4] == ["2026-03-02", "K1", "Tom Reyes", "'" + HOSTILE_NAME]
    sheet = load_workbook(io.BytesIO(downloads["claims_F1_20260101_20261231.xlsx"]())).active
    assert (sheet["D4"].value, sheet["D4"].data_type) == ("'" + HOSTILE_NAME, "s")


def test_eob_of_a_two_line_claim_as_pdf(published, signed_in_as, settings, monkeypatch):
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as(*MARIA_U)
    app.selectbox(key="member_eob_claim").select("K1").run()
    lines = app.dataframe[1].value
    assert list(
        zip(
            lines["Service"],
            lines["Deductible"],
            lines["Coinsurance"],
            lines["Copay"],
            lines["You owe"],
            strict=True,
        )
    ) == [
        ("lab", "$1,700.00", "$60.00", "$0.00", "$1,760.00"),
        ("office visit", "$0.00", "$0.00", "$30.00", "$30.00"),
    ]
    pdf = pypdf.PdfReader(io.BytesIO(downloads["eob_K1.pdf"]()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    for expected in (
        "Explanation of benefits",
        "Member: Tom Reyes (member ID F1K)",
        "Plan: Silver PPO (P2), plan year 2026",
        "Provider: Lakeside Lab (NPI 1245319599)",
        "Service date: 2026-03-02",
        "1 lab in $2,000.00 $2,000.00 $1,700.00 $60.00 $0.00 $240.00 $1,760.00",
        "2 office visit in $150.00 $150.00 $0.00 $0.00 $30.00 $120.00 $30.00",
        "Total $2,150.00 $2,150.00 $1,700.00 $60.00 $30.00 $360.00 $1,790.00",
        "What you owe: $1,790.00",
        "Line 2 (office visit): $30.00 copay for an in-network office visit. You owe $30.00.",
    ):
        assert expected in text
    assert [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["export"])] == [
        ("EOB claim K1 pdf", 2)
    ]


def test_a_denied_claims_eob_says_why(published, settings):
    with open_snapshot(settings) as conn:
        eob = plan_eob.claim_eob(Principal(*MARIA_U), conn, "M2", view=health_plan.viewing(settings=settings))
    assert (eob.status, eob.total("you_owe"), eob.total("plan_paid")) == (
        "denied",
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert eob.reason == "Denied by the plan: nothing is paid (the claim feed gives no reason code)"
    assert eob.lines[0].why == "Denied: the plan pays nothing and nothing counts toward your deductible."


def test_no_eob_of_a_private_dependents_claim_for_the_subscriber(published, settings):
    with open_snapshot(settings) as conn:
        with pytest.raises(NotPermitted):
            plan_eob.claim_eob(Principal(*MARIA_U), conn, "L1", view=health_plan.viewing(settings=settings))
        assert plan_eob.claim_eob(Principal(*LIA_U), conn, "L1").total("you_owe") == Decimal("30.00")


def test_the_dependent_grants_and_revokes_on_her_page(published, signed_in_as, settings):
    lia = signed_in_as(*LIA_U)
    assert [s.value for s in lia.subheader][0] == "Who can see your claims"
    lia.button(key="member_grant").click().run()
    assert lia.button(key="member_revoke").label == "Stop sharing my claims with Maria Reyes"
    user_admin.create_user(
        settings, ADMIN, "maria", Role.MEMBER, (MARIA,), password=PASSWORD, must_change_password=False
    )
    maria = AppTest.from_file(APP, default_timeout=30)
    maria.session_state["portalytics_session_token"] = auth.sign_in(settings, "maria", PASSWORD).token
    maria.run()
    assert "L1" in [c[0] for c in claims_shown(maria)]  # Lia's office visit, shared with her
    lia.button(key="member_revoke").click().run()
    assert lia.button(key="member_grant").label == "Let Maria Reyes see my claims"
    maria.run()
    assert "L1" not in [c[0] for c in claims_shown(maria)]
    assert [
        (r.actor, r.action)
        for r in audit.read(settings, ADMIN, actions=["plan_access_grant", "plan_access_revoke"])
    ] == [
        ("lia", "plan_access_revoke"),
        ("lia", "plan_access_grant"),
    ]


def test_eob_lines_download_as_numbers_while_the_page_shows_dollars(
    published, signed_in_as, settings, monkeypatch
):
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as(*MARIA_U)
    app.selectbox(key="member_eob_claim").select("K1").run()
    assert list(app.dataframe[1].value["You owe"]) == ["$1,760.00", "$30.00"]
    import csv

    rows = list(csv.DictReader(io.StringIO(downloads["eob_K1_lines.csv"]().decode("utf-8-sig"))))
    # lab: $1,700.00 deductible + $60.00 coinsurance = $1,760.00 owed; in the file plain numbers a sheet can
    # sum
    assert [r["You owe"] for r in rows] == ["1760.00", "30.00"]
    assert [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["export"])] == [
        ("EOB claim K1 lines csv", 2)
    ]


def test_the_day_access_was_given_is_the_organisations_day(published, signed_in_as, settings):
    from zoneinfo import ZoneInfo

    from reports.clock import utc_now

    lia = signed_in_as(*LIA_U)
    lia.button(key="member_grant").click().run()
    today = utc_now().astimezone(ZoneInfo(settings.org_timezone)).date()  # the grant is stamped now
    assert f"you gave access on {today:%Y-%m-%d}." in " ".join(m.value for m in lia.markdown)


def test_service_dates_ending_before_they_start_say_so_next_to_the_field_and_which_dates_are_shown(
    published, signed_in_as
):
    app = signed_in_as(*MARIA_U)
    app.date_input(key="member_claims_from").set_value(dt.date(2026, 2, 3))
    app.date_input(key="member_claims_to").set_value(dt.date(2026, 1, 15)).run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "Service to: 2026-01-15 is outside the allowed dates (from 2026-02-03); showing 2026-02-03 instead."
    ]
    # the one day 2026-02-03: Maria's lab claim M1, 493.86, all of it toward her deductible
    assert [c[0] for c in claims_shown(app)] == ["M1"]
    assert (
        "1 claim with a service date from 2026-02-03 to 2026-02-03, newest first; you owe $493.86 for them."
        in [c.value for c in app.caption]
    )
    # a service date long ago is taken as typed (Streamlit's own bounds would have refused it silently)
    app.date_input(key="member_claims_from").set_value(dt.date(2010, 1, 1))
    app.date_input(key="member_claims_to").set_value(dt.date(2026, 3, 1)).run()
    assert [e.value for e in app.error] == []
    assert [c[0] for c in claims_shown(app)] == ["M1"]  # K1 (Tom, 2026-03-02) is a day after the range
