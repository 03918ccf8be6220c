"""A hand-made health-plan snapshot of one family with adult dependents, for the member, provider and employer
pages of issue 20 (staging rows by hand, marts built by the real builders, published as the pipeline does).

Plan P2 "Silver PPO", plan year 2026 from 2026-01-01, embedded family deductible. In network: deductible
$1,700.00 individual / $3,400.00 family, out-of-pocket maximum $5,000.00 / $10,000.00, coinsurance 20 %,
copays office visit $30, specialist $60, emergency $300, generic $10, brand $45. Out of network: deductible
$3,000.00 / $6,000.00, no out-of-pocket maximum, coinsurance 40 %.

Employer E3 "Initech". Family F1 (tier FAM from 2026-01-01, open):
    F1  Maria Reyes  self    born 1975-04-12
    F1S Jon Reyes    spouse  born 1974-09-30  (an adult: private from Maria)
    F1A Lia Reyes    child   born 2008-03-15  (17 on 2026-03-14, 18 from 2026-03-15: then private)
    F1K Tom Reyes    child   born 2012-06-01  (a minor: visible to Maria)
F2 Sam Ortiz (self, EMP, 2026-02-01 to 2026-10-15: a term in October), F3 Kim Lee (self, EMP from 2026-10-01:
an add in October).

Claims, all in network, processed at 15:00 UTC (the same day in Chicago), worked out by hand:
    M1  Maria  lab 493.86     svc 02-03 proc 02-10  NPI_A: deductible 493.86 -> owes 493.86, plan 0.00
    K1  Tom    line 1 lab 2000.00  svc 03-02 proc 03-09 NPI_B: deductible min(1700, 3400 - 493.86) = 1700.00
               + 20 % x 300.00 = 60.00 -> owes 1760.00, plan 240.00
               line 2 office visit 150.00: copay 30.00, plan 120.00
    J1  Jon    imaging 800.00  svc 04-06 proc 04-13 NPI_A: family remaining 3400 - 2193.86 = 1206.14, his own
               1700.00 -> deductible 800.00 -> owes 800.00, plan 0.00
    L1  Lia    office visit 150.00 svc 05-04 proc 05-11 NPI_A: copay 30.00, plan 120.00
    M2  Maria  imaging 400.00 DENIED svc 06-01 proc 06-08 NPI_A: nothing paid, nothing owed
    M3  Maria  specialist 200.00 svc 11-16 proc 11-20 NPI_A: copay 60.00, plan 140.00
The data's last day is 2026-11-20 (M3's processing).

Totals at the end of the data (in network):
    Maria  deductible 493.86 of 1700.00 (1206.14 to go); out-of-pocket 493.86 + 60.00 = 553.86 of 5000.00
    Tom    deductible 1700.00 of 1700.00 (met);  out-of-pocket 1760.00 + 30.00 = 1790.00
    Jon    deductible 800.00; out-of-pocket 800.00.   Lia: out-of-pocket 30.00
    Family deductible 493.86 + 1700.00 + 800.00 = 2993.86 of 3400.00 (406.14 to go)
    Family out-of-pocket 553.86 + 1790.00 + 800.00 + 30.00 = 3173.86 of 10000.00
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb

from assets.health_plan.marts import (
    build_employer_enrollment,
    build_plan_members,
    build_plan_providers,
    build_plan_years,
    price_all_families,
)
from domain.settings import Settings
from tests.health_plan.warehouse import NPI_A, NPI_B, PROVIDERS
from tests.support import create_staging_table

D = Decimal
MARIA, JON, LIA, TOM, SAM, KIM = "F1", "F1S", "F1A", "F1K", "F2", "F3"
BIRTH = {
    MARIA: dt.date(1975, 4, 12),
    JON: dt.date(1974, 9, 30),
    LIA: dt.date(2008, 3, 15),
    TOM: dt.date(2012, 6, 1),
}
LIA_TURNS_18 = dt.date(2026, 3, 15)
DATA_LAST_DAY = dt.date(2026, 11, 20)

PLAN = {
    "plan_id": "P2",
    "plan_year": 2026,
    "plan_year_start": "2026-01-01",
    "name": "Silver PPO",
    "family_deductible_type": "embedded",
    "ded_ind_in": "1700",
    "ded_fam_in": "3400",
    "oop_ind_in": "5000",
    "oop_fam_in": "10000",
    "ded_ind_out": "3000",
    "ded_fam_out": "6000",
    "oop_ind_out": None,
    "oop_fam_out": None,
    "coins_in": "0.20",
    "coins_out": "0.40",
    "copay_office_visit": "30",
    "copay_specialist": "60",
    "copay_emergency": "300",
    "copay_rx_generic": "10",
    "copay_rx_brand": "45",
}

MEMBERS = [
    # member_id, subscriber_id, relationship, first, last, birth_date
    (MARIA, MARIA, "self", "Maria", "Reyes", BIRTH[MARIA]),
    (JON, MARIA, "spouse", "Jon", "Reyes", BIRTH[JON]),
    (LIA, MARIA, "child", "Lia", "Reyes", BIRTH[LIA]),
    (TOM, MARIA, "child", "Tom", "Reyes", BIRTH[TOM]),
    (SAM, SAM, "self", "Sam", "Ortiz", dt.date(1990, 1, 20)),
    (KIM, KIM, "self", "Kim", "Lee", dt.date(1988, 7, 7)),
]
SPANS = [
    *[(m, "FAM", "2026-01-01", None) for m in (MARIA, JON, LIA, TOM)],
    (SAM, "EMP", "2026-02-01", "2026-10-15"),
    (KIM, "EMP", "2026-10-01", None),
]


def _line(claim_id, member, cat, allowed, service, processed, *, npi=NPI_A, status="paid", line=1):
    return {
        "claim_id": claim_id,
        "line_number": line,
        "claim_type": "original",
        "original_claim_id": None,
        "member_id": member,
        "provider_npi": npi,
        "service_date": service,
        "received_date": service,
        "processed_at": f"{processed} 15:00:00",
        "status": status,
        "service_category": cat,
        "network": "in",
        "billed_amount": allowed,
        "allowed_amount": allowed,
    }


CLAIMS = [
    _line("M1", MARIA, "lab", "493.86", "2026-02-03", "2026-02-10"),
    _line("K1", TOM, "lab", "2000.00", "2026-03-02", "2026-03-09", npi=NPI_B),
    _line("K1", TOM, "office_visit", "150.00", "2026-03-02", "2026-03-09", npi=NPI_B, line=2),
    _line("J1", JON, "imaging", "800.00", "2026-04-06", "2026-04-13"),
    _line("L1", LIA, "office_visit", "150.00", "2026-05-04", "2026-05-11"),
    _line("M2", MARIA, "imaging", "400.00", "2026-06-01", "2026-06-08", status="denied"),
    _line("M3", MARIA, "specialist", "200.00", "2026-11-16", "2026-11-20"),
]


#: A provider name a spreadsheet would run as a formula (for the download guard's test).
HOSTILE_NAME = '=HYPERLINK("http://evil.example")'


def build(
    conn: duckdb.DuckDBPyConnection, *, hostile_lab: bool = False, aggregate: bool = False
) -> duckdb.DuckDBPyConnection:
    """The scenario's staging rows and marts; ``hostile_lab`` renames Lakeside Lab (NPI_B) to a formula,
    ``aggregate`` makes P2's family deductible aggregate (no individual deductible above tier EMP)."""
    create_staging_table(
        conn, "hp_employers", [{"employer_id": "E3", "name": "Initech", "group_number": "G3"}]
    )
    create_staging_table(
        conn, "hp_plans", [PLAN | {"family_deductible_type": "aggregate"} if aggregate else PLAN]
    )
    create_staging_table(
        conn,
        "hp_members",
        [
            {
                "member_id": m,
                "subscriber_id": s,
                "relationship": r,
                "first_name": f,
                "last_name": la,
                "birth_date": b.isoformat(),
                "employer_id": "E3",
            }
            for m, s, r, f, la, b in MEMBERS
        ],
    )
    create_staging_table(
        conn,
        "hp_enrollment",
        [
            {
                "member_id": m,
                "plan_id": "P2",
                "coverage_tier": t,
                "coverage_start": start,
                "coverage_end": end,
            }
            for m, t, start, end in SPANS
        ],
    )
    providers = [p | {"name": HOSTILE_NAME} if hostile_lab and p["npi"] == NPI_B else p for p in PROVIDERS]
    create_staging_table(conn, "hp_providers", providers)
    create_staging_table(conn, "hp_claims", CLAIMS)
    price_all_families(conn)
    build_employer_enrollment(conn)
    build_plan_years(conn)
    build_plan_members(conn)
    build_plan_providers(conn)
    return conn


def publish_family_snapshot(settings: Settings, *, hostile_lab: bool = False) -> None:
    """Build the marts straight into ``published/snapshot-family.duckdb`` (staging dropped, as publish leaves
    only ``marts``) and point ``current.duckdb`` at it."""
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    target = settings.published_dir / "snapshot-family.duckdb"
    with duckdb.connect(str(target)) as conn:
        build(conn, hostile_lab=hostile_lab)
        conn.execute("DROP SCHEMA staging CASCADE")
    settings.current_snapshot.symlink_to(target.name)


__all__ = ["NPI_A", "NPI_B", "publish_family_snapshot"]
