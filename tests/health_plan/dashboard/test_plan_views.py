"""Employer, member and provider pages on a hand-built snapshot (scenario in
tests/health_plan/dashboard/plan_snapshot.py).

Each page shows its principal's rows only; the reads behind them refuse or return nothing for another scope;
record views and downloads land in the audit log with their row counts.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.components import csv_file, excel_file
from reports import audit
from reports.health_plan import reads as health_plan
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import open_snapshot
from tests.dashboard.fixtures import ADMIN, titles
from tests.dashboard.published_marts import capture_downloads
from tests.health_plan.dashboard.plan_snapshot import NPI_A, NPI_B, publish_snapshot

FEB1, MAR1 = dt.date(2025, 2, 1), dt.date(2025, 3, 1)
ACME = ("hr.acme", Role.EMPLOYER, ("E1",))
GLOBEX = ("hr.globex", Role.EMPLOYER, ("E2",))
ANA = ("ana", Role.MEMBER, ("S1",))  # subscriber of family S1
BEN = ("ben", Role.MEMBER, ("S1D",))  # Ana's spouse, a dependent
CLINIC_B = ("clinic.b", Role.PROVIDER, (NPI_B,))


@pytest.fixture
def published(settings):
    return publish_snapshot(settings)


def audit_rows(settings, action: str) -> list[tuple]:
    return [(r.actor, r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=[action])]


def progress_texts(app) -> list[tuple[str, int]]:
    return [(p.text, p.value) for p in app.progress]


# ------------------------------------------------------------------------------------------------ employer
def test_employer_roster_shows_only_their_own_members_on_a_date(published, signed_in_as, settings):
    app = signed_in_as(*ACME)
    assert titles(app) == ["Enrollment roster"]
    app.date_input(key="roster_on").set_value(FEB1).run()
    assert not app.exception
    roster = app.dataframe[0].value
    # On Feb 1 Acme has Ana (subscriber) and Ben (her spouse); Di starts March 1; Globex's Cy never appears.
    assert list(zip(roster["Member ID"], roster["Relationship"], roster["Tier"], strict=True)) == [
        ("S1", "Subscriber", "Family"),  # the relationship (self) and the tier code (FAM) in words
        ("S1D", "Spouse", "Family"),
    ]
    assert [m.value for m in app.metric] == ["2", "1", "1"]  # members, subscribers, dependents
    assert "Employer Acme (E1)" in [c.value for c in app.caption]

    app.date_input(key="roster_on").set_value(MAR1).run()
    assert list(app.dataframe[0].value["Member ID"]) == ["S1", "S1D", "S3"]
    assert ("hr.acme", "enrollment roster E1 as of 2025-02-01", 2) in audit_rows(settings, "view")
    assert ("hr.acme", "enrollment roster E1 as of 2025-03-01", 3) in audit_rows(settings, "view")


def test_employer_sees_adds_and_terms_of_their_group_only(published, signed_in_as):
    app = signed_in_as(*ACME)
    app.date_input(key="roster_on").set_value(FEB1)
    app.date_input(key="changes_from").set_value(FEB1)
    app.date_input(key="changes_to").set_value(dt.date(2025, 12, 31)).run()
    changes = app.dataframe[1].value
    # Acme: Di (S3) added on March 1. Globex's term of Cy on June 30 is not Acme's business.
    assert list(zip(changes["Change"], changes["Member ID"], strict=True)) == [("Added", "S3")]
    assert "1 added, 0 ended between 2025-02-01 and 2025-12-31." in [c.value for c in app.caption]


def test_globex_sees_the_term_of_its_member_and_never_acmes_roster(published, signed_in_as):
    app = signed_in_as(*GLOBEX)
    app.date_input(key="roster_on").set_value(FEB1)
    app.date_input(key="changes_from").set_value(FEB1)
    app.date_input(key="changes_to").set_value(dt.date(2025, 12, 31)).run()
    assert list(app.dataframe[0].value["Member ID"]) == ["S2"]
    changes = app.dataframe[1].value
    assert list(zip(changes["Change"], changes["Member ID"], changes["Date"].astype(str), strict=True)) == [
        ("Ended", "S2", "2025-06-30")
    ]


def test_a_period_ending_before_it_starts_is_said_next_to_the_field(published, signed_in_as):
    app = signed_in_as(*ACME)
    app.date_input(key="changes_from").set_value(MAR1)
    app.date_input(key="changes_to").set_value(FEB1).run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "To: 2025-02-01 is outside the allowed dates (from 2025-03-01); showing 2025-03-01 instead."
    ]
    # Di (S3) starts on March 1: the one day shown holds her add
    assert "1 added, 0 ended between 2025-03-01 and 2025-03-01." in [c.value for c in app.caption]


def test_roster_downloads_are_built_and_audited_only_when_pressed(
    published, signed_in_as, settings, monkeypatch
):
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as(*ACME)
    app.date_input(key="roster_on").set_value(MAR1).run()
    assert audit_rows(settings, "export") == []  # shown, not yet downloaded
    csv_text = downloads["roster_E1_20250301.csv"]().decode("utf-8-sig")  # pressing "Download CSV"
    assert [line.split(",")[0] for line in csv_text.splitlines()] == ["Member ID", "S1", "S1D", "S3"]
    sheet = load_workbook(io.BytesIO(downloads["roster_E1_20250301.xlsx"]())).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["Member ID", "S1", "S1D", "S3"]
    assert audit_rows(settings, "export") == [  # newest first; 3 members on March 1
        ("hr.acme", "enrollment roster E1 as of 2025-03-01 xlsx", 3),
        ("hr.acme", "enrollment roster E1 as of 2025-03-01 csv", 3),
    ]
    [row] = [r for r in audit.read(settings, ADMIN, actions=["export"]) if r.target.endswith("csv")]
    assert (row.actor_role, row.scope) == ("employer", "E1")


def test_exported_files_match_the_table_and_neutralise_formulas():
    table = pd.DataFrame(
        {
            "Member ID": ["S1", "S9"],
            "Last name": ["Lopez", '=HYPERLINK("http://x")'],
            "Coverage start": [dt.date(2025, 1, 1), dt.date(2025, 3, 1)],
            "Owed": [Decimal("520.00"), None],
        }
    )
    text = csv_file(table).decode("utf-8-sig")
    assert text.splitlines() == [
        "Member ID,Last name,Coverage start,Owed",
        "S1,Lopez,2025-01-01,520.00",
        'S9,"\'=HYPERLINK(""http://x"")",2025-03-01,',
    ]
    sheet = load_workbook(io.BytesIO(excel_file(table, "roster"))).active
    assert [c.value for c in sheet[3]][:2] == ["S9", '\'=HYPERLINK("http://x")']
    assert sheet["D2"].value == 520  # a number in Excel, not text


def test_employer_reads_never_return_another_employers_rows(published, settings):
    acme, globex = Principal(*ACME), Principal(*GLOBEX)
    with open_snapshot(settings) as conn:
        assert set(health_plan.roster_as_of(acme, conn, MAR1).employer_id) == {"E1"}
        assert set(health_plan.roster_as_of(globex, conn, MAR1).employer_id) == {"E2"}
        assert "S2" not in set(health_plan.adds_and_terms(acme, conn, FEB1, dt.date(2025, 12, 31)).member_id)
        with pytest.raises(NotPermitted):
            health_plan.eligibility(acme, conn, "S2", FEB1)  # Globex's member
        for read in (health_plan.claim_status, health_plan.claim_cost_share, health_plan.member_accumulators):
            with pytest.raises(NotPermitted):
                read(acme, conn)  # an employer gets no health information at all


# ------------------------------------------------------------------------------------------------ member
def test_subscriber_sees_family_totals_but_not_her_adult_spouses_claims(published, signed_in_as, settings):
    app = signed_in_as(*ANA)
    assert titles(app) == ["My deductible"]
    assert not app.exception
    # Plan P1 2025 (embedded FAM): in-network deductible 500 individual / 1000 family, OOP 2000 / 4000;
    # out-of-network deductible 1000 / 2000, no OOP maximum (said in words, no bar).
    # C1 (Ana, lab 600): 500 deductible + 20% of 100 = 520; C2 (Ben, lab 600): the same 520. C3 was reversed.
    # Family: deductible 500 + 500 = 1000 of 1000 (met); OOP 520 + 520 = 1040 of 4000 (26 %).
    # Ben (born 1980) is an adult: his claim and his own totals are private; the family totals include him.
    assert progress_texts(app) == [
        (
            "Your family has paid $1,040.00 of its $4,000.00 in-network out-of-pocket maximum — $2,960.00 to "
            "go",
            26,
        ),
        ("Your family has met $0.00 of its $2,000.00 out-of-network deductible — $2,000.00 to go", 0),
        ("You've paid $520.00 of your $2,000.00 in-network out-of-pocket maximum — $1,480.00 to go", 26),
        ("You've met $0.00 of your $1,000.00 out-of-network deductible — $1,000.00 to go", 0),
    ]
    assert [s.value for s in app.success] == [
        "Your family has met its $1,000.00 in-network deductible",
        "You've met your $500.00 in-network deductible",
    ]
    assert [s.value for s in app.subheader][:2] == ["Your family", "You: Ana Lopez"]
    assert [i.value for i in app.info][0].startswith("Ben Lopez: 18 or older, so their claims")
    claims = app.dataframe[0].value
    assert list(zip(claims["Claim"], claims["Patient"], claims["You owe"], strict=True)) == [
        ("C1", "Ana Lopez", "$520.00")
    ]
    lines = app.dataframe[1].value  # the EOB of C1
    assert lines["Why"][0].startswith("$500.00 toward the in-network individual deductible")
    assert ("ana", "deductible and claims member S1 plan year 2025", 1) in audit_rows(settings, "view")


def test_dependent_sees_only_themselves(published, signed_in_as):
    app = signed_in_as(*BEN)
    assert not app.exception
    # Ben's own figures only: no family totals, nothing of Ana's.
    assert progress_texts(app) == [
        ("You've paid $520.00 of your $2,000.00 in-network out-of-pocket maximum — $1,480.00 to go", 26),
        ("You've met $0.00 of your $1,000.00 out-of-network deductible — $1,000.00 to go", 0),
    ]
    assert [s.value for s in app.success] == ["You've met your $500.00 in-network deductible"]
    assert "Your family" not in [s.value for s in app.subheader]
    assert "You: Ben Lopez" in [s.value for s in app.subheader]  # his own name, nobody else's
    assert not any("Ana" in s.value for s in app.subheader)
    claims = app.dataframe[0].value  # C1 is Ana's; C3 was taken back by a reversal (nothing owed)
    assert list(zip(claims["Claim"], claims["Status"], claims["You owe"], strict=True)) == [
        ("C2", "Paid", "$520.00"),
        ("C3", "Reversed", "$0.00"),
    ]
    assert "member_claims_of" not in [s.key for s in app.selectbox]  # no "family member" filter


def test_member_reads_never_return_anyone_outside_the_family(published, settings):
    ana, ben = Principal(*ANA), Principal(*BEN)
    with open_snapshot(settings) as conn:
        assert set(health_plan.claim_cost_share(ben, conn).member_id) == {"S1D"}
        assert health_plan.claim_cost_share(ben, conn, member_id="S1").empty
        assert health_plan.member_accumulators(ben, conn, member_id="S1").empty
        assert health_plan.family_accumulators(ben, conn).empty
        assert health_plan.claim_status(ana, conn, member_id="S2").empty  # another family's member
        with pytest.raises(NotPermitted):
            health_plan.eligibility(ben, conn, "S1", FEB1)
        with pytest.raises(NotPermitted):
            health_plan.roster_as_of(ana, conn, FEB1)
        assert health_plan.member_names(ana, conn) == {"S1": "Ana Lopez", "S1D": "Ben Lopez"}
        assert set(health_plan.claim_cost_share(ana, conn).member_id) == {"S1"}  # Ben is an adult
        assert health_plan.member_names(ben, conn) == {"S1D": "Ben Lopez"}
        with pytest.raises(NotPermitted):  # a provider gets claims, not names by family
            health_plan.member_names(Principal(*CLINIC_B), conn)


# ------------------------------------------------------------------------------------------------ provider
def test_provider_sees_only_their_own_claims(published, signed_in_as, settings):
    app = signed_in_as(*CLINIC_B)
    assert titles(app) == ["Eligibility & claims"]
    assert not app.exception
    claims = app.dataframe[0].value
    # NPI_B billed C2 (Ben, processed 2025-03-02) and C4 (Cy, 2025-03-01): newest processed first.
    assert list(zip(claims["Claim"], claims["Member"], claims["Status"], strict=True)) == [
        ("C2", "S1D", "Paid"),
        ("C4", "S2", "Paid"),
    ]
    assert ("clinic.b", f"claim status NPI {NPI_B}", 2) in audit_rows(settings, "view")

    app.selectbox(key="claim_lines_of").select("C4").run()
    lines = app.dataframe[1].value
    # Cy's office visit, allowed 120: the $25 copay; the plan pays 95.
    assert list(zip(lines["Member owes"], lines["Plan paid"], strict=True)) == [("$25.00", "$95.00")]

    app.selectbox(key="claims_status").select("denied").run()
    assert [i.value for i in app.info] == ["No claims under your NPI match these filters."]


BORN = dt.date(1980, 5, 5)  # every member of this scenario


def check(app, member: str, born: dt.date, on: dt.date):
    app.text_input(key="elig_member").input(member)
    app.date_input(key="elig_birth").set_value(born)
    app.date_input(key="elig_on").set_value(on)
    return app.button(key="elig_submit").click().run()


def test_provider_checks_eligibility_and_the_check_is_audited(published, signed_in_as, settings):
    app = signed_in_as(*CLINIC_B)
    check(app, "S1D", BORN, FEB1)
    assert [s.value for s in app.success] == [
        "Ben Lopez (member S1D) is covered on 2025-02-01: Gold PPO (P1), plan year 2025 (2025-01-01 to "
        "2025-12-31), tier FAM; coverage 2025-01-01 to open-ended."
    ]
    # Cy's span ended 2025-06-30.
    check(app, "S2", BORN, dt.date(2025, 7, 1))
    assert [w.value for w in app.warning] == ["Cy Lopez (member S2) is not covered on 2025-07-01."]
    assert [
        (r.actor, r.target, r.detail) for r in audit.read(settings, ADMIN, actions=["eligibility_check"])
    ] == [
        ("clinic.b", "eligibility member S2 on 2025-07-01", "not covered"),
        ("clinic.b", "eligibility member S1D on 2025-02-01", "covered"),
    ]


def test_any_provider_may_check_any_member_but_only_with_the_right_birth_date(
    published, signed_in_as, settings
):
    app = signed_in_as(*CLINIC_B)
    check(app, "S1", BORN, FEB1)  # S1 was billed only by NPI_A: a new patient can be checked
    assert [s.value for s in app.success][0].startswith("Ana Lopez (member S1) is covered on 2025-02-01")
    for member, born in (("S1", dt.date(1980, 5, 6)), ("NOSUCH", BORN)):  # a wrong birth date, an unknown id
        check(app, member, born, FEB1)
        assert [e.value for e in app.error] == ["No member matches this member ID and birth date."]
        assert app.success == [] and app.warning == []
    rows = audit.read(settings, ADMIN, actions=["eligibility_check"])
    assert [(r.target, r.row_count, r.detail) for r in rows] == [
        ("eligibility member NOSUCH on 2025-02-01", 0, "no match"),
        ("eligibility member S1 on 2025-02-01", 0, "no match"),
        ("eligibility member S1 on 2025-02-01", 1, "covered"),
    ]


def test_provider_reads_never_return_another_providers_claims(published, settings):
    clinic_b = Principal(*CLINIC_B)
    clinic_a = Principal("clinic.a", Role.PROVIDER, (NPI_A,))
    with open_snapshot(settings) as conn:
        assert set(health_plan.claim_status(clinic_b, conn).provider_npi) == {NPI_B}
        assert health_plan.claim_status(clinic_b, conn, claim_id="C1").empty  # NPI_A's claim
        assert health_plan.claim_cost_share(clinic_b, conn, claim_id="C1").empty
        assert "C2" not in set(health_plan.claim_status(clinic_a, conn).root_claim_id)
        with pytest.raises(NotPermitted):
            health_plan.member_accumulators(clinic_b, conn)
        with pytest.raises(NotPermitted):
            health_plan.roster_as_of(clinic_b, conn, FEB1)


# ------------------------------------------------------------------------------------------------ all
@pytest.mark.parametrize("user", [ACME, ANA, CLINIC_B], ids=lambda u: u[1].value)
def test_plan_roles_cannot_reach_the_security_or_pipeline_pages(published, signed_in_as, user):
    app = signed_in_as(*user)
    for view in ("admin/security.py", "admin/pipeline.py", "admin/audit_log.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"views/{view}")


def test_pages_say_plainly_when_nothing_is_published(signed_in_as):
    app = signed_in_as(*ACME)
    assert titles(app) == ["Enrollment roster"]
    assert [i.value for i in app.info][0].startswith("No data has been published yet")
