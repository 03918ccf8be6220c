"""ACCME PARS and CE Broker uploads of the hand-built world in ``tests/ce/uploads/world.py``, field by field.

Expected files are worked out by hand from the world's docstring:

PARS 2026 (credits completed in 2026, PARTICIPATION never reported; ACT1 learners by last name):
    Lee (N2)     ANCC     → error: no birth date
    Nguyen (N1)  ANCC     → row
    Park (N3)    ANCC     → error: no licence and no NPI
    Smith (M1)   ABIM_MOC → error: no board id;  AMA_PRA_1 → row, licence from the merged account M2
    ACT2 Haddad (R1) ACPE → error: licence number without a state and no NPI
    N1's ACT2 and ACT3 credits are PARTICIPATION only; M1's ACT4 credit is in 2025; e9 was rejected.

CE Broker 2026-01-01..2026-12-31 (licensed learners; ACT1 by licence number):
    M1 036.123456 MD (AMA 1.50) · N2 041.000111 RN (ANCC 1.25) · N1 041.654321 RN (ANCC 1.25) → rows
    N3 has no licence (skipped, not an error) · R1 ACT2 → error: no licence state
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import duckdb
import openpyxl
import pytest

from domain.ce.uploads import CeBrokerPolicy, Completion, Learner, Reason, pars_upload
from reports.exports.ce_uploads import (
    ce_broker_csv,
    ce_broker_export,
    ce_broker_xlsx,
    errors_csv,
    pars_export,
    pars_text,
)
from reports.principal import NotPermitted, Principal, Role
from tests.ce.uploads.world import build

CE_TEAM = Principal("ce", Role.CE_TEAM)
YEAR = 2026
START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


@pytest.fixture(scope="module")
def conn():
    c = duckdb.connect()
    build(c)
    yield c
    c.close()


def _tsv(data: bytes) -> list[list[str]]:
    """Rows as a tab-delimited reader (Excel's rules: a field holding a quote is quoted) sees them; one record
    per CRLF line."""
    text = data.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))


def _errors(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_pars_file_is_the_hand_computed_learner_upload(conn):
    upload = pars_export(CE_TEAM, conn, YEAR)
    assert _tsv(pars_text(upload)) == [
        [
            "Activity ID",
            "First Name",
            "Last Name",
            "DOB Month",
            "DOB Day",
            "License State",
            "License Number",
            "NPI",
            "Date Completed",
            "Credit Type",
            "Credits",
        ],
        [
            "ACT1",
            "Linda",
            "Nguyen",
            "09",
            "03",
            "IL",
            "041.654321",
            "",
            "03/04/2026",
            "ANCC Contact Hours",
            "1.25",
        ],
        # the survivor's own name and NPI; the licence typed on the merged account M2
        [
            "ACT1",
            "Robert",
            "Smith",
            "04",
            "12",
            "IL",
            "036.123456",
            "1234567893",
            "03/04/2026",
            "AMA PRA Category 1 Credit",
            "1.50",
        ],
    ]


def test_pars_error_file_names_each_rejected_row_and_why(conn):
    upload = pars_export(CE_TEAM, conn, YEAR)
    assert _errors(errors_csv(upload)) == [
        ["account_id", "activity_id", "credit_type", "completed_on", "reason"],
        ["N2", "ACT1", "ANCC", "2026-03-04", Reason.MISSING_BIRTH_DATE],
        ["N3", "ACT1", "ANCC", "2026-03-04", Reason.MISSING_LICENSE_OR_NPI],
        ["M1", "ACT1", "ABIM_MOC", "2026-03-04", Reason.MISSING_BOARD_ID],
        [
            "R1",
            "ACT2",
            "ACPE",
            "2026-05-12",
            f"{Reason.MISSING_LICENSE_OR_NPI}; {Reason.MISSING_LICENSE_STATE}",
        ],
    ]
    # ids only: no names, birth days or licence numbers in the error list
    text = errors_csv(upload).decode("utf-8-sig")
    assert "Lee" not in text and "PS12345" not in text and "041.000111" not in text


def test_pars_year_is_the_year_the_credit_was_completed(conn):
    upload = pars_export(CE_TEAM, conn, 2025)
    assert [r[0] for r in upload.rows] == ["ACT4"]
    assert upload.rows[0][1:3] == ("Robert", "Smith") and upload.rows[0][8] == "12/10/2025"
    assert upload.errors == ()
    assert pars_export(CE_TEAM, conn, 2024).rows == ()


def test_ce_broker_roster_is_the_hand_computed_upload(conn):
    upload = ce_broker_export(CE_TEAM, conn, START, END, CeBrokerPolicy(provider_number="123456"))
    day = dt.date(2026, 3, 4)
    assert upload.rows == (
        ("123456", "", "ACT1", "", "036.123456", day, "State=IL", "Profession=MD", "", Decimal("1.50")),
        ("123456", "", "ACT1", "", "041.000111", day, "State=IL", "Profession=RN", "", Decimal("1.25")),
        ("123456", "", "ACT1", "", "041.654321", day, "State=IL", "Profession=RN", "", Decimal("1.25")),
    )
    assert [e.row() for e in upload.errors] == [
        ("R1", "ACT2", "ACPE", "2026-05-12", Reason.MISSING_LICENSE_STATE),
    ]
    assert list(csv.reader(io.StringIO(ce_broker_csv(upload).decode()))) == [
        ["123456", "", "ACT1", "", "036.123456", "3/4/2026", "State=IL", "Profession=MD", "", "1.50"],
        ["123456", "", "ACT1", "", "041.000111", "3/4/2026", "State=IL", "Profession=RN", "", "1.25"],
        ["123456", "", "ACT1", "", "041.654321", "3/4/2026", "State=IL", "Profession=RN", "", "1.25"],
    ]


def test_ce_broker_excel_roster_starts_in_row_one_with_a_real_date(conn):
    upload = ce_broker_export(CE_TEAM, conn, START, END, CeBrokerPolicy(provider_number="123456"))
    sheet = openpyxl.load_workbook(io.BytesIO(ce_broker_xlsx(upload))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert rows[0] == (
        "123456",
        None,
        "ACT1",
        None,
        "036.123456",
        dt.datetime(2026, 3, 4),
        "State=IL",
        "Profession=MD",
        None,
        1.5,
    )
    assert sheet["F1"].number_format == "m/d/yyyy"


def test_ce_broker_period_is_inclusive_and_leaves_out_the_rest(conn):
    only_may = ce_broker_export(CE_TEAM, conn, dt.date(2026, 5, 12), dt.date(2026, 5, 12))
    assert only_may.rows == ()
    assert [e.account_id for e in only_may.errors] == ["R1"]
    after = ce_broker_export(CE_TEAM, conn, dt.date(2026, 3, 5), dt.date(2026, 5, 11))
    assert after.rows == () and after.errors == ()


def test_only_the_ce_team_and_admins_may_export(conn):
    for role, scope in ((Role.STAFF, ("P1",)), (Role.EDUCATION_MANAGER, ("ICU",)), (Role.EMPLOYER, ("E1",))):
        with pytest.raises(NotPermitted):
            pars_export(Principal("x", role, scope), conn, YEAR)
        with pytest.raises(NotPermitted):
            ce_broker_export(Principal("x", role, scope), conn, START, END)
    assert len(pars_export(Principal("root", Role.ADMIN), conn, YEAR).rows) == 2


def test_hostile_and_messy_profile_text_cannot_break_a_record_or_run_in_a_spreadsheet():
    completion = Completion("A1", "ACT9", dt.date(2026, 2, 2), "AMA_PRA_1", Decimal("0.25"))
    learner = Learner(
        "A1",
        first_name='=HYPERLINK("x")',
        last_name=" O'Neil\tJr\r\n",
        birth_date=dt.date(1970, 1, 5),
        license_state="il",
        license_number="12 34",
    )
    upload = pars_upload([completion], {"A1": learner}, 2026)
    fields = _tsv(pars_text(upload))[1]
    assert fields[:8] == ["ACT9", '\'=HYPERLINK("x")', "O'Neil Jr", "01", "05", "IL", "12 34", ""]
    assert fields[-1] == "0.25"


def test_a_licence_state_that_is_not_a_state_code_is_rejected_unless_an_npi_identifies_the_learner():
    completion = Completion("A1", "ACT9", dt.date(2026, 2, 2), "AMA_PRA_1", Decimal("1"))
    base = Learner("A1", "Al", "Bo", "MD", dt.date(1970, 1, 5), "Illinois", "123")
    rejected = pars_upload([completion], {"A1": base}, 2026)
    assert rejected.rows == ()
    assert rejected.errors[0].reason == f"{Reason.MISSING_LICENSE_OR_NPI}; {Reason.BAD_LICENSE_STATE}"
    with_npi = pars_upload([completion], {"A1": Learner(**{**base.__dict__, "npi": "1234567893"})}, 2026)
    assert with_npi.errors == ()
    assert with_npi.rows[0][5:8] == ("", "", "1234567893")
