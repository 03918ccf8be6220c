"""The provider's eligibility-and-benefits check (like an X12 271) and claim status (scenario and hand-worked
figures: tests/health_plan/dashboard/family_snapshot.py; Northside Clinic is NPI_A, Lakeside Lab NPI_B)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from domain.settings import Settings
from reports import audit
from reports.health_plan import eligibility as plan_eligibility
from reports.principal import Principal, Role
from tests.dashboard.fixtures import ADMIN
from tests.dashboard.published_marts import capture_downloads
from tests.health_plan.dashboard import family_snapshot
from tests.health_plan.dashboard.family_snapshot import (
    BIRTH,
    DATA_LAST_DAY,
    NPI_A,
    TOM,
    publish_family_snapshot,
)

NORTHSIDE = ("northside", Role.PROVIDER, (NPI_A,))


@pytest.fixture
def published(settings):
    publish_family_snapshot(settings)


def check(app, member: str, born: dt.date, on: dt.date):
    app.text_input(key="elig_member").input(member)
    app.date_input(key="elig_birth").set_value(born)
    app.date_input(key="elig_on").set_value(on)
    return app.button(key="elig_submit").click().run()


def benefits(app) -> list[tuple[str, str, str]]:
    table = app.dataframe[0].value
    return list(zip(table["Benefit"], table["In network"], table["Out of network"], strict=True))


def test_the_date_of_service_starts_on_the_datas_last_day(published, signed_in_as):
    app = signed_in_as(*NORTHSIDE)  # today (the real date) is past 2026-11-20
    assert app.date_input(key="elig_on").value == DATA_LAST_DAY
    assert "The plan's data runs to 2026-11-20: the date of service starts there." in [
        c.value for c in app.caption
    ]


def test_benefits_of_a_patient_never_billed_here_before_and_after_a_claim(published, signed_in_as):
    # Northside never billed Tom (Lakeside Lab did): he can still be checked, with his birth date.
    app = signed_in_as(*NORTHSIDE)
    check(app, TOM, BIRTH[TOM], dt.date(2026, 3, 5))  # before K1 (processed 2026-03-09)
    assert [s.value for s in app.success] == [
        "Tom Reyes (member F1K) is covered on 2026-03-05: Silver PPO (P2), plan year 2026 (2026-01-01 to "
        "2026-12-31), tier FAM; coverage 2026-01-01 to open-ended."
    ]
    assert benefits(app) == [
        ("Coinsurance (member's share)", "20%", "40%"),
        ("Deductible, individual", "$1,700.00 remaining of $1,700.00", "$3,000.00 remaining of $3,000.00"),
        # only Maria's M1 (493.86) so far: 3400.00 - 493.86 = 2906.14
        ("Deductible, family", "$2,906.14 remaining of $3,400.00", "$6,000.00 remaining of $6,000.00"),
        ("Out-of-pocket maximum, individual", "$5,000.00 remaining of $5,000.00", "no maximum"),
        ("Out-of-pocket maximum, family", "$9,506.14 remaining of $10,000.00", "no maximum"),
        ("Copay, office visit", "$30.00", "deductible and coinsurance apply"),
        ("Copay, specialist visit", "$60.00", "deductible and coinsurance apply"),
        ("Copay, emergency visit", "$300.00", "deductible and coinsurance apply"),
        ("Copay, generic prescription", "$10.00", "deductible and coinsurance apply"),
        ("Copay, brand-name prescription", "$45.00", "deductible and coinsurance apply"),
    ]
    check(app, TOM, BIRTH[TOM], dt.date(2026, 12, 1))  # every claim counted
    assert benefits(app)[1:5] == [
        ("Deductible, individual", "$0.00 remaining of $1,700.00", "$3,000.00 remaining of $3,000.00"),
        # 3400.00 - 2993.86 = 406.14; 5000.00 - 1790.00 = 3210.00; 10000.00 - 3173.86 = 6826.14
        ("Deductible, family", "$406.14 remaining of $3,400.00", "$6,000.00 remaining of $6,000.00"),
        ("Out-of-pocket maximum, individual", "$3,210.00 remaining of $5,000.00", "no maximum"),
        ("Out-of-pocket maximum, family", "$6,826.14 remaining of $10,000.00", "no maximum"),
    ]


def test_a_wrong_birth_date_answers_no_match_like_an_unknown_id(published, signed_in_as, settings):
    app = signed_in_as(*NORTHSIDE)
    for member, born in ((TOM, BIRTH[TOM] + dt.timedelta(days=1)), ("F9", BIRTH[TOM])):
        check(app, member, born, dt.date(2026, 3, 5))
        assert [e.value for e in app.error] == ["No member matches this member ID and birth date."]
        assert app.dataframe == [] or "Benefit" not in app.dataframe[0].value.columns
    check(app, "F2", dt.date(1990, 1, 20), dt.date(2026, 11, 1))  # Sam's coverage ended 2026-10-15
    assert [w.value for w in app.warning] == ["Sam Ortiz (member F2) is not covered on 2026-11-01."]
    assert [(r.target, r.detail) for r in audit.read(settings, ADMIN, actions=["eligibility_check"])] == [
        ("eligibility member F2 on 2026-11-01", "not covered"),
        ("eligibility member F9 on 2026-03-05", "no match"),
        ("eligibility member F1K on 2026-03-05", "no match"),
    ]


def test_claim_status_by_number_and_dates_with_the_denial_reason_and_a_download(
    published, signed_in_as, settings, monkeypatch
):
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as(*NORTHSIDE)
    claims = app.dataframe[0].value
    # Northside's claims, newest processed first; K1 is Lakeside Lab's and never appears.
    assert list(claims["Claim"]) == ["M3", "M2", "L1", "J1", "M1"]
    reasons = dict(zip(claims["Claim"], claims["Reason"], strict=True))
    assert reasons["M2"] == "Denied by the plan: nothing is paid (the claim feed gives no reason code)"
    assert reasons["M3"] == "—"  # no reason: a dash, not an empty cell
    # codes read as words, money as dollars, the processing time in the organisation's zone, named
    statuses = dict(zip(claims["Claim"], claims["Status"], strict=True))
    assert statuses["M2"] == "Denied"
    assert all(str(v).startswith("$") for v in claims["Plan paid"])
    assert all(str(t).endswith((" CST", " CDT")) for t in claims["Processed"])
    app.text_input(key="claims_number").input("M2").run()
    assert list(app.dataframe[0].value["Claim"]) == ["M2"]
    app.text_input(key="claims_number").input("K1").run()  # another provider's claim: as if it did not exist
    assert [i.value for i in app.info] == ["No claim K1 under your NPI."]
    app.text_input(key="claims_number").input("")
    app.date_input(key="claims_service_from").set_value(dt.date(2026, 4, 1))
    app.date_input(key="claims_service_to").set_value(dt.date(2026, 6, 1)).run()
    assert list(app.dataframe[0].value["Claim"]) == ["M2", "L1", "J1"]
    [name] = [n for n in downloads if n.startswith("claims_") and n.endswith(".csv")]
    lines = downloads[name]().decode("utf-8-sig").splitlines()
    # processed at 15:00 UTC in May and June: 10:00 in Chicago (CDT, UTC-5), the zone named in the header as
    # on the page
    assert lines[0].startswith(  # the status in words as on the page, its code after it
        "Claim,Current version,Member,Service date,Processed (CDT),Status,Status code,Reason"
    )
    assert [line.split(",")[:5:4] for line in lines[1:]] == [
        ["M2", "2026-06-08T10:00:00"],
        ["L1", "2026-05-11T10:00:00"],
        ["J1", "2026-04-13T10:00:00"],
    ]
    assert [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["export"])] == [
        (f"claim status NPI {NPI_A} csv", 3)
    ]


def test_an_aggregate_family_deductible_has_no_individual_part(tmp_path):
    # Aggregate P2: M1 493.86 to the deductible; K1's lab 2000.00 goes to it whole (3400.00 - 493.86 = 2906.14
    # left); J1's 800.00 too: 493.86 + 2000.00 + 800.00 = 3293.86, so 106.14 remains for the family.
    conn = family_snapshot.build(duckdb.connect(), aggregate=True)
    answer = plan_eligibility.check_eligibility(
        Principal(*NORTHSIDE),
        conn,
        TOM,
        BIRTH[TOM],
        dt.date(2026, 12, 1),
        settings=Settings(data_dir=tmp_path),
    )
    inn, out = answer.networks
    assert (inn.deductible, out.deductible) == (None, None)
    assert (inn.family_deductible.limit, inn.family_deductible.remaining) == (
        Decimal("3400.00"),
        Decimal("106.14"),
    )
    assert out.family_deductible.remaining == Decimal("6000.00")
