"""Scoped health-plan reads: each role gets exactly its rows (scenario in tests/health_plan/warehouse.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from domain.settings import Settings
from reports.health_plan.reads import (
    adds_and_terms,
    claim_cost_share,
    claim_exceptions,
    claim_status,
    eligibility,
    end_of_day_utc,
    family_accumulators,
    member_accumulators,
    roster_as_of,
    viewing,
)
from reports.principal import NotPermitted, Principal, Role
from tests.health_plan import warehouse

ADMIN = Principal("admin", Role.ADMIN)
ACME = Principal("hr@acme", Role.EMPLOYER, ("E1",))
GLOBEX = Principal("hr@globex", Role.EMPLOYER, ("E2",))
ANA = Principal("ana", Role.MEMBER, ("S1",))  # subscriber of S1's family
BEN = Principal("ben", Role.MEMBER, ("S1D",))  # Ana's spouse, a dependent
PROV_B = Principal("clinic-b", Role.PROVIDER, (warehouse.NPI_B,))
STAFF = Principal("nurse", Role.STAFF, ("P9",))
FEB1 = dt.date(2025, 2, 1)


@pytest.fixture(scope="module")
def conn():
    return warehouse.build()


def test_roster_as_of_is_the_employers_own_open_spans(conn):
    # On Feb 1 Acme (E1) has Ana and Ben; Di (S3) starts only on March 1; Globex's Cy is never shown to Acme.
    assert list(roster_as_of(ACME, conn, FEB1).member_id) == ["S1", "S1D"]
    assert list(roster_as_of(ACME, conn, dt.date(2025, 3, 1)).member_id) == ["S1", "S1D", "S3"]
    assert list(roster_as_of(GLOBEX, conn, FEB1).member_id) == ["S2"]
    # Cy's span ends 2025-06-30 (inclusive): on the roster that day, gone the next.
    assert list(roster_as_of(GLOBEX, conn, dt.date(2025, 7, 1)).member_id) == []
    assert len(roster_as_of(ADMIN, conn, FEB1)) == 3


def test_adds_and_terms_in_a_period(conn):
    acme = adds_and_terms(ACME, conn, dt.date(2025, 2, 1), dt.date(2025, 12, 31))
    assert [(r.change, r.member_id, str(r.change_date)) for r in acme.itertuples()] == [
        ("add", "S3", "2025-03-01")
    ]
    globex = adds_and_terms(GLOBEX, conn, dt.date(2025, 2, 1), dt.date(2025, 12, 31))
    assert [(r.change, r.member_id, str(r.change_date)) for r in globex.itertuples()] == [
        ("term", "S2", "2025-06-30")
    ]
    with pytest.raises(ValueError, match="ends"):
        adds_and_terms(ACME, conn, dt.date(2025, 3, 1), dt.date(2025, 2, 1))


def test_roles_without_roster_access_are_refused(conn):
    for who in (ANA, PROV_B, STAFF):
        with pytest.raises(NotPermitted):
            roster_as_of(who, conn, FEB1)
    with pytest.raises(NotPermitted):
        roster_as_of(Principal("nobody", Role.EMPLOYER, ()), conn, FEB1)


def test_eligibility_answers_plan_and_tier_or_not_covered(conn):
    ben = eligibility(ACME, conn, "S1D", FEB1)
    assert (ben.covered, ben.plan_id, ben.plan_name, ben.plan_year, ben.coverage_tier) == (
        True, "P1", "Gold PPO", 2025, "FAM",
    )  # fmt: skip
    assert eligibility(GLOBEX, conn, "S2", dt.date(2025, 7, 1)).covered is False
    # Another employer's member, a dependent asking about the subscriber: refused exactly like a member that
    # does not exist. A provider asks only with the birth date too (plan_eligibility), even about a patient.
    for who, member in ((GLOBEX, "S1"), (BEN, "S1"), (PROV_B, "S1D"), (ACME, "NOSUCH")):
        with pytest.raises(NotPermitted):
            eligibility(who, conn, member, FEB1)
    assert eligibility(ANA, conn, "S1D", FEB1).covered  # a subscriber checks the family


def test_provider_sees_only_claims_under_their_npi(conn):
    # NPI_B billed C2 (Ben) and C4 (Cy); everything else was billed by NPI_A.
    assert sorted(claim_status(PROV_B, conn).root_claim_id) == ["C2", "C4"]
    assert sorted(claim_cost_share(PROV_B, conn).claim_id) == ["C2", "C4"]
    assert claim_status(PROV_B, conn, claim_id="C1").empty
    npi_a = Principal("clinic-a", Role.PROVIDER, (warehouse.NPI_A,))
    adjusted = claim_status(npi_a, conn, claim_id="C5")
    assert list(zip(adjusted.claim_id, adjusted.status, strict=True)) == [("A5", "paid")]
    reversed_ = claim_status(npi_a, conn, status="reversed")
    assert list(reversed_.root_claim_id) == ["C3"]


def test_processed_days_are_days_of_the_organisations_zone(conn):
    # C4 and C2 were processed at 15:00 UTC on March 1 and 2: 09:00 CST those days in Chicago (the default
    # zone), 04:00 NZDT (UTC+13) the day after in Auckland.
    march_2 = {"processed_from": dt.date(2025, 3, 2), "processed_to": dt.date(2025, 3, 2)}
    assert list(claim_status(PROV_B, conn, **march_2).root_claim_id) == ["C2"]
    assert list(claim_status(PROV_B, conn, **march_2, org_timezone="Pacific/Auckland").root_claim_id) == [
        "C4"
    ]


def test_member_sees_self_and_a_subscriber_the_family(conn, tmp_path):
    # Ben, Ana's spouse, was born in 1980: an adult, so his claims and own totals are private from Ana (he has
    # granted nothing; the grants live in the state store of tmp_path), while the family totals include him.
    view = viewing(dt.date(2025, 3, 1), Settings(data_dir=tmp_path))
    assert sorted(claim_cost_share(ANA, conn, view=view).claim_id) == ["C1"]
    assert sorted(claim_cost_share(BEN, conn, view=view).claim_id) == ["C2"]
    assert sorted(claim_status(BEN, conn, view=view).root_claim_id) == ["C2", "C3"]
    assert sorted(set(member_accumulators(ANA, conn, view=view).member_id)) == ["S1"]
    assert sorted(set(member_accumulators(BEN, conn, view=view).member_id)) == ["S1D"]
    assert list(family_accumulators(ANA, conn).subscriber_id) == ["S1", "S1"]
    assert family_accumulators(BEN, conn).empty


def test_employers_and_staff_never_get_claims_or_accumulators(conn):
    for read in (claim_status, claim_cost_share, member_accumulators, family_accumulators):
        for who in (ACME, STAFF):
            with pytest.raises(NotPermitted):
                read(who, conn)
    with pytest.raises(NotPermitted):
        member_accumulators(PROV_B, conn)
    with pytest.raises(NotPermitted):
        claim_exceptions(ANA, conn)
    assert sorted(claim_exceptions(ADMIN, conn).claim_id) == ["C6", "C7"]


def test_accumulators_as_of_a_date(conn):
    # C1 (Ana, processed 2025-03-01 15:00 UTC) counts by the end of March 1 in Chicago (06:00 UTC March 2);
    # C2 (Ben, processed March 2 15:00 UTC) does not: the family has met 500 of 1000, 50.0%.
    fam = family_accumulators(ANA, conn, as_of=dt.date(2025, 3, 1))
    inn = fam[fam.network == "in"].iloc[0]
    assert (inn.deductible_met, inn.deductible_remaining, inn.deductible_pct_met) == (
        Decimal("500.00"), Decimal("500.00"), Decimal("50.0"),
    )  # fmt: skip
    assert inn.oop_met == Decimal("520.00")
    # End of the data: both claims, 1000 met.
    assert family_accumulators(ANA, conn).query("network == 'in'").deductible_met.iloc[0] == Decimal(
        "1000.00"
    )
    # Before the plan year began there is nothing to show.
    assert member_accumulators(ADMIN, conn, as_of=dt.date(2024, 12, 31)).empty
    # The adjustment A5 (processed March 5) sits in C5's place (March 2), so as of March 2 Cy has met 100.
    cy = member_accumulators(ADMIN, conn, member_id="S2", as_of=dt.date(2025, 3, 2))
    assert cy[cy.network == "in"].deductible_met.iloc[0] == Decimal("100.00")


def test_end_of_day_is_taken_in_the_org_time_zone():
    # Chicago is UTC-6 in winter: the end of 2025-03-01 there is 2025-03-02 06:00 UTC.
    assert end_of_day_utc(dt.date(2025, 3, 1)) == dt.datetime(2025, 3, 2, 6, 0)
