"""A small CE world built by hand for the PARS and CE Broker uploads; the marts come from the real CE rules.

Times are UTC; Chicago is UTC-6 before 8 March 2026 and UTC-5 after, so every claim below falls on the same
calendar day in org time.

Activities (credit types offered, eligible degrees):
    ACT1 4 Mar 2026  AMA_PRA_1 1.50 MD;DO · ABIM_MOC 1.00 MD · ANCC 1.25 RN;NP · PARTICIPATION 1.50 *
    ACT2 12 May 2026 ACPE 2.00 PharmD · PARTICIPATION 1.00 *
    ACT3 1 Jun 2026  PARTICIPATION 1.00 * only (not accredited)
    ACT4 10 Dec 2025 AMA_PRA_1 1.00 MD (last year)

Accounts:
    M1 MD Robert Smith, born 1980-04-12, NPI 1234567893, no licence, SSO (person P1)
    M2 MD Bob Smith, born 1980-04-12, IL licence 036.123456: merged into M1 (survivor M1)
    N1 RN Linda Nguyen, born 1975-09-03, IL 041.654321
    N2 RN Ann Lee, no birth date, IL 041.000111
    N3 NP Kim Park, born 1988-01-20, no licence, no NPI
    R1 PharmD Omar Haddad, born 1979-11-05, licence PS12345 with no state

Claims (all portal unless said): e1 M2→ACT1 (credited to M1), e2 N1→ACT1, e3 N2→ACT1, e4 N3→ACT1,
e5 R1→ACT2, e6 N1→ACT2 (participation only), e7 N1→ACT3 (participation only), e8 M1→ACT4 (2025),
e9 an sms from a number on no account (rejected).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import ibis

from domain.ce.attendance import AttendancePolicy, attendance_outcomes
from domain.ce.credits import CreditPolicy, credit_items, credit_totals, credits_awarded
from tests.ce.builders import activity, claim, credit, sms, tables, ts, warehouse


def _account(account_id, degree, first, last, born, state=None, number=None, npi=None, person=None) -> dict:
    return {
        "account_id": account_id,
        "email": f"{account_id.lower()}@example.org",
        "first_name": first,
        "last_name": last,
        "degree": degree,
        "birth_date": dt.date.fromisoformat(born) if born else None,
        "license_state": state,
        "license_number": number,
        "npi": npi,
        "login_method": "sso" if person else "password",
        "person_id": person,
        "created_at": ts("2024-01-01 00:00"),
    }


ACCOUNTS = [
    _account("M1", "MD", "Robert", "Smith", "1980-04-12", npi="1234567893", person="P1"),
    _account("M2", "MD", "Bob", "Smith", "1980-04-12", "IL", "036.123456"),
    _account("N1", "RN", "Linda", "Nguyen", "1975-09-03", "IL", "041.654321"),
    _account("N2", "RN", "Ann", "Lee", None, "IL", "041.000111"),
    _account("N3", "NP", "Kim", "Park", "1988-01-20"),
    _account("R1", "PharmD", "Omar", "Haddad", "1979-11-05", None, "PS12345"),
]
ACTIVITIES = [
    activity("ACT1", "11111", "2026-03-04 14:00", "2026-03-04 15:00", title="Sepsis grand rounds"),
    activity("ACT2", "22222", "2026-05-12 14:00", "2026-05-12 16:00", title="Anticoagulation update"),
    activity("ACT3", "33333", "2026-06-01 14:00", "2026-06-01 15:00", title="Town hall"),
    activity("ACT4", "44444", "2025-12-10 14:00", "2025-12-10 15:00", title="Winter rounds"),
]
CREDITS = [
    credit("ACT1", "AMA_PRA_1", "1.50", "MD;DO"),
    credit("ACT1", "ABIM_MOC", "1.00", "MD"),
    credit("ACT1", "ANCC", "1.25", "RN;NP"),
    credit("ACT1", "PARTICIPATION", "1.50", "*"),
    credit("ACT2", "ACPE", "2.00", "PharmD"),
    credit("ACT2", "PARTICIPATION", "1.00", "*"),
    credit("ACT3", "PARTICIPATION", "1.00", "*"),
    credit("ACT4", "AMA_PRA_1", "1.00", "MD"),
]
ATTENDANCE = [
    claim("e1", "portal", "2026-03-04 14:30", "M2", "ACT1"),
    claim("e2", "portal", "2026-03-04 14:40", "N1", "ACT1"),
    claim("e3", "portal", "2026-03-04 14:45", "N2", "ACT1"),
    claim("e4", "portal", "2026-03-04 14:50", "N3", "ACT1"),
    claim("e5", "portal", "2026-05-12 15:00", "R1", "ACT2"),
    claim("e6", "portal", "2026-05-12 15:10", "N1", "ACT2"),
    claim("e7", "portal", "2026-06-01 14:30", "N1", "ACT3"),
    claim("e8", "portal", "2025-12-10 15:00", "M1", "ACT4"),
    sms("e9", "2026-03-04 14:35", "+13125559999", "11111"),
]
SURVIVORS = {"M2": "M1"}
ACCOUNT_COLUMNS = (
    "account_id, first_name, last_name, email, degree, birth_date, license_state, license_number, npi, "
    "login_method, person_id, created_at"
)


def build(conn: duckdb.DuckDBPyConnection) -> None:
    """Staging, then the marts the uploads read, built by the same rules the pipeline runs."""
    warehouse(conn, accounts=ACCOUNTS, activities=ACTIVITIES, credits=CREDITS, attendance=ATTENDANCE,
              survivors=SURVIVORS)  # fmt: skip
    ce = tables(conn)
    conn.execute(
        "CREATE TABLE marts.ce_attendance_outcomes AS "
        + ibis.to_sql(attendance_outcomes(ce, AttendancePolicy()), dialect="duckdb")
    )
    outcomes = ibis.duckdb.from_connection(conn).table("ce_attendance_outcomes", database="marts")
    conn.execute(
        "CREATE TABLE marts.ce_credits_awarded AS "
        + ibis.to_sql(credits_awarded(outcomes, ce, CreditPolicy()), dialect="duckdb")
    )
    conn.execute(f"CREATE TABLE marts.ce_accounts AS SELECT {ACCOUNT_COLUMNS} FROM staging.ce_accounts")
    # what the CE team's Credit totals page reads around the uploads
    backend = ibis.duckdb.from_connection(conn)
    awarded = backend.table("ce_credits_awarded", database="marts")
    conn.execute(
        "CREATE TABLE marts.ce_credit_items AS " + ibis.to_sql(credit_items(awarded, ce), dialect="duckdb")
    )
    items = backend.table("ce_credit_items", database="marts")
    conn.execute(
        "CREATE TABLE marts.ce_credit_totals AS " + ibis.to_sql(credit_totals(items), dialect="duckdb")
    )


def publish(data_dir: Path) -> Path:
    """The world as the published snapshot of ``data_dir`` (``published/current.duckdb``)."""
    path = data_dir / "published" / "current.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as conn:
        build(conn)
    return path
