"""A tiny hand-made health-plan warehouse: staging tables typed by the contracts, marts built by the assets.

Families: S1 (employer E1, plan P1 FAM embedded: S1 self, S1D spouse), S2 (employer E2, EMP, span ends
2025-06-30), S3 (employer E1, EMP, enrolled from 2025-03-01 — an "add" in March). Providers: NPI_A, NPI_B.
"""

from __future__ import annotations

import duckdb

from assets.health_plan.marts import (
    build_employer_enrollment,
    build_plan_members,
    build_plan_providers,
    build_plan_years,
    price_all_families,
)
from tests.support import create_staging_table

NPI_A, NPI_B = "1234567893", "1245319599"
PROVIDERS = [
    {
        "npi": NPI_A,
        "name": "Northside Clinic",
        "specialty": "family medicine",
        "network_status": "in",
        "network_start": "2020-01-01",
    },
    {
        "npi": NPI_B,
        "name": "Lakeside Lab",
        "specialty": "laboratory",
        "network_status": "in",
        "network_start": "2020-01-01",
    },
]

PLAN = {
    "plan_id": "P1",
    "plan_year": 2025,
    "plan_year_start": "2025-01-01",
    "name": "Gold PPO",
    "family_deductible_type": "embedded",
    "ded_ind_in": "500",
    "ded_fam_in": "1000",
    "oop_ind_in": "2000",
    "oop_fam_in": "4000",
    "ded_ind_out": "1000",
    "ded_fam_out": "2000",
    "oop_ind_out": None,
    "oop_fam_out": None,
    "coins_in": "0.20",
    "coins_out": "0.40",
    "copay_office_visit": "25",
    "copay_specialist": "50",
    "copay_emergency": "250",
    "copay_rx_generic": "10",
    "copay_rx_brand": "40",
}


def _member(member_id, subscriber_id, relationship, first, employer):
    return {
        "member_id": member_id,
        "subscriber_id": subscriber_id,
        "relationship": relationship,
        "first_name": first,
        "last_name": "Lopez",
        "birth_date": "1980-05-05",
        "employer_id": employer,
    }


def _claim(
    claim_id,
    member,
    allowed,
    *,
    at,
    cat="lab",
    npi=NPI_A,
    status="paid",
    service="2025-02-10",
    claim_type="original",
    original=None,
    line_number=1,
    network="in",
    processed=None,
):
    return {
        "claim_id": claim_id,
        "line_number": line_number,
        "claim_type": claim_type,
        "original_claim_id": original,
        "member_id": member,
        "provider_npi": npi,
        "service_date": service,
        "received_date": service,
        "processed_at": processed or f"2025-03-{at:02d} 15:00:00",
        "status": status,
        "service_category": cat,
        "network": network,
        "billed_amount": allowed,
        "allowed_amount": allowed,
    }


CLAIMS = [
    # S1 family: S1 lab 600 -> deductible 500 + 0.2 x 100 = 520; S1D lab 600 -> 500 + 20 = 520 (family 1000
    # met).
    _claim("C1", "S1", "600", at=1),
    _claim("C2", "S1D", "600", at=2, npi=NPI_B),
    # S1D lab 300 after the family deductible is met: coins 0.2 x 300 = 60; then reversed -> not effective.
    _claim("C3", "S1D", "300", at=3),
    _claim("R3", "S1D", "-300", at=4, claim_type="reversal", original="C3"),
    # S2 (EMP): office visit 120 -> copay 25; lab 200 adjusted to 100 -> deductible 100 in C5's place.
    _claim("C4", "S2", "120", at=1, cat="office_visit", npi=NPI_B),
    _claim("C5", "S2", "200", at=2),
    _claim("A5", "S2", "100", at=5, claim_type="adjustment", original="C5"),
    # S2 after the span ended (2025-06-30): no_enrollment. Unknown member U9: unknown_member.
    _claim("C6", "S2", "80", at=6, service="2025-07-15", processed="2025-08-01 15:00:00"),
    _claim("C7", "U9", "50", at=7),
    # S3 denied line.
    _claim("C8", "S3", "90", at=8, status="denied", service="2025-03-05"),
]


def build(conn: duckdb.DuckDBPyConnection | None = None, *, marts: bool = True) -> duckdb.DuckDBPyConnection:
    """Staging tables of the scenario above, and (``marts``) the health-plan marts built from them."""
    conn = conn or duckdb.connect()
    create_staging_table(
        conn,
        "hp_employers",
        [
            {"employer_id": "E1", "name": "Acme", "group_number": "G1"},
            {"employer_id": "E2", "name": "Globex", "group_number": "G2"},
        ],
    )
    create_staging_table(conn, "hp_plans", [PLAN])
    create_staging_table(
        conn,
        "hp_members",
        [
            _member("S1", "S1", "self", "Ana", "E1"),
            _member("S1D", "S1", "spouse", "Ben", "E1"),
            _member("S2", "S2", "self", "Cy", "E2"),
            _member("S3", "S3", "self", "Di", "E1"),
        ],
    )
    create_staging_table(
        conn,
        "hp_enrollment",
        [
            {"member_id": "S1", "plan_id": "P1", "coverage_tier": "FAM", "coverage_start": "2025-01-01"},
            {"member_id": "S1D", "plan_id": "P1", "coverage_tier": "FAM", "coverage_start": "2025-01-01"},
            {
                "member_id": "S2",
                "plan_id": "P1",
                "coverage_tier": "EMP",
                "coverage_start": "2025-01-01",
                "coverage_end": "2025-06-30",
            },
            {"member_id": "S3", "plan_id": "P1", "coverage_tier": "EMP", "coverage_start": "2025-03-01"},
        ],
    )
    create_staging_table(conn, "hp_claims", CLAIMS)
    create_staging_table(conn, "hp_providers", PROVIDERS)
    if not marts:
        return conn
    price_all_families(conn)
    build_employer_enrollment(conn)
    build_plan_years(conn)
    build_plan_members(conn)
    build_plan_providers(conn)
    return conn
