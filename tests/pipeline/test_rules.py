"""Each validation rule of the landing contracts, checked on hand-written CSV rows (DuckDB in memory, no
Dagster)."""

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from assets.ingestion.load import ingest_source
from domain.contracts import source

PEOPLE_HEADER = (
    "person_id,lc_user_id,first_name,last_name,email,department,job_role,manager_person_id,hire_date,"
    "termination_date,is_student,street,city,state,postal_code"
)
ACTIVITY_HEADER = (
    "activity_id,title,activity_type,starts_at,ends_at,attendance_code,texting_window_hours,"
    "evaluation_required,certificate_days"
)


def _ingest(tmp_path, source_name: str, text: str, file_name: str = "f.csv"):
    folder = tmp_path / source_name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file_name).write_text(text, encoding="utf-8")
    conn = duckdb.connect()
    ingest_source(conn, source(source_name), folder)
    return conn


def _person(
    person_id: str, lc_user_id: str = "03151990 1234", is_student: str = "no", hire: str = "2020-01-06"
) -> str:
    return f"{person_id},{lc_user_id},Ana,Diaz,ana@example.org,ICU,RN,,{hire},,{is_student},,,,"


def _reasons(conn, source_name: str) -> dict[int, tuple[str, str]]:
    rows = conn.execute(
        'SELECT row_number, "column", reason FROM ingest.quarantine WHERE source = ?', [source_name]
    )
    return {r: (c, why) for r, c, why in rows.fetchall()}


def test_lc_user_id_accepts_three_forms_normalises_and_rejects_unreal_dates(tmp_path):
    rows = [
        _person("P1", "03151990 1234"),
        _person("P2", "031519901234"),
        _person("P3", "03/15/1990 1234"),
        _person("P4", "02301990 1234"),  # February 30th is no birth date
        _person("P5", "0315199 1234"),  # seven digits
    ]
    conn = _ingest(tmp_path, "lc_people", "\n".join([PEOPLE_HEADER, *rows]) + "\n")
    ids = conn.execute("SELECT person_id, lc_user_id FROM staging.lc_people ORDER BY 1").fetchall()
    assert ids == [("P1", "031519901234"), ("P2", "031519901234"), ("P3", "031519901234")]
    assert _reasons(conn, "lc_people") == {
        4: ("lc_user_id", "bad_lc_user_id"),
        5: ("lc_user_id", "bad_lc_user_id"),
    }


def test_bool_words_and_first_failing_column_in_contract_order(tmp_path):
    rows = [
        _person("P1", is_student="yes"),
        _person("P2", is_student="0"),
        _person("P3", is_student="TRUE"),
        _person("P4", is_student="maybe"),
        # hire_date and is_student both bad: hire_date comes first in the contract, so it is the reason
        _person("P5", is_student="maybe", hire="2020-13-01"),
    ]
    conn = _ingest(tmp_path, "lc_people", "\n".join([PEOPLE_HEADER, *rows]) + "\n")
    flags = conn.execute("SELECT person_id, is_student FROM staging.lc_people ORDER BY 1").fetchall()
    assert flags == [("P1", True), ("P2", False), ("P3", True)]
    assert _reasons(conn, "lc_people") == {4: ("is_student", "bad_bool"), 5: ("hire_date", "bad_date")}


def test_timestamps_need_an_offset_and_are_stored_as_utc(tmp_path):
    def activity(aid: str, starts: str, code: str = "12345") -> str:
        return f"{aid},Grand rounds,live,{starts},2026-03-04T15:00:00Z,{code},,true,"

    rows = [
        activity("A1", "2026-03-04T13:05:00-06:00"),  # 13:05 at UTC-6 is 19:05 UTC
        activity("A2", "2026-03-04T13:05:00Z"),
        activity("A3", "2026-03-04T13:05:00+05:30"),  # 13:05 at UTC+5:30 is 07:35 UTC
        activity("A4", "2026-03-04 13:05:00"),  # no offset: ambiguous
        activity("A5", "2026-03-04T13:05:00Z", code="1234"),
        activity("A6", "2026-03-04T13:05:00Z", code="12a45"),
    ]
    conn = _ingest(tmp_path, "ce_activities", "\n".join([ACTIVITY_HEADER, *rows]) + "\n")
    starts = conn.execute("SELECT activity_id, starts_at FROM staging.ce_activities ORDER BY 1").fetchall()
    assert starts == [
        ("A1", dt.datetime(2026, 3, 4, 19, 5)),
        ("A2", dt.datetime(2026, 3, 4, 13, 5)),
        ("A3", dt.datetime(2026, 3, 4, 7, 35)),
    ]
    assert _reasons(conn, "ce_activities") == {
        4: ("starts_at", "bad_timestamp"),
        5: ("attendance_code", "bad_code"),
        6: ("attendance_code", "bad_code"),
    }


ACCOUNT_HEADER = (
    "account_id,email,first_name,last_name,degree,mobile_phone,birth_date,license_state,"
    "license_number,npi,street,city,state,postal_code,login_method,person_id,created_at"
)


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("(312) 555-0142", "+13125550142"),
        ("312.555.0142", "+13125550142"),
        ("+1 312 555 0142", "+13125550142"),
        ("1-312-555-0142", "+13125550142"),
        ("3125550142", "+13125550142"),
        ("12345", None),
        ("(312) 55-012", None),
        ("+44 20 7946 0958", None),  # not a US number
        ("012-555-0142", None),  # area codes never start with 0
    ],
)
def test_phones_normalise_to_e164_or_are_quarantined(tmp_path, phone, expected):
    row = f"CE1,a@b.org,Ana,Diaz,RN,{phone},,,,,,,,,password,,2025-01-01T00:00:00Z"
    conn = _ingest(tmp_path, "ce_accounts", f"{ACCOUNT_HEADER}\n{row}\n")
    loaded = conn.execute("SELECT mobile_phone FROM staging.ce_accounts").fetchall()
    if expected:
        assert loaded == [(expected,)]
    else:
        assert loaded == []
        assert _reasons(conn, "ce_accounts") == {1: ("mobile_phone", "bad_phone")}


@pytest.mark.parametrize(
    ("npi", "ok"),
    [
        ("1234567893", True),  # the CMS example: 24 + 2+2+6+4+1+6+5+8+9 + 3 = 70, a multiple of 10
        ("1234567890", False),  # same digits, wrong check digit
        ("123456789", False),  # nine digits
        ("12345678a3", False),
    ],
)
def test_npi_must_be_luhn_valid_with_the_80840_prefix(tmp_path, npi, ok):
    row = f"CE1,a@b.org,Ana,Diaz,MD,,,,,{npi},,,,,sso,P1,2025-01-01T00:00:00Z"
    conn = _ingest(tmp_path, "ce_accounts", f"{ACCOUNT_HEADER}\n{row}\n")
    assert conn.execute("SELECT count(*) FROM staging.ce_accounts").fetchone()[0] == (1 if ok else 0)
    assert _reasons(conn, "ce_accounts") == ({} if ok else {1: ("npi", "bad_npi")})


PLAN_HEADER = (
    "plan_id,plan_year,plan_year_start,name,family_deductible_type,ded_ind_in,ded_fam_in,oop_ind_in,"
    "oop_fam_in,ded_ind_out,ded_fam_out,oop_ind_out,oop_fam_out,coins_in,coins_out,"
    "copay_office_visit,copay_specialist,copay_emergency,copay_rx_generic,copay_rx_brand"
)


def test_rates_money_and_enums(tmp_path):
    def plan(
        pid: str, coins_in: str = "0.20", ded: str = "1500.00", kind: str = "embedded", oop_out: str = ""
    ) -> str:
        return (
            f"{pid},2026,2026-01-01,Gold,{kind},{ded},3000,4000,8000,3000,6000,{oop_out},,{coins_in},"
            "0.40,25,50,250,10,40"
        )

    rows = [
        plan("G1"),
        plan("G2", coins_in="1.50"),
        plan("G3", ded="-1.00"),
        plan("G4", kind="stacked"),
        plan("G5", ded='"1,500"'),  # quoted: one field holding a thousands separator
        plan("G6", oop_out="12000.00"),
    ]
    conn = _ingest(tmp_path, "hp_plans", "\n".join([PLAN_HEADER, *rows]) + "\n")
    loaded = conn.execute(
        "SELECT plan_id, ded_ind_in, coins_in, oop_ind_out FROM staging.hp_plans ORDER BY 1"
    ).fetchall()
    assert loaded == [
        ("G1", Decimal("1500.00"), Decimal("0.2000"), None),  # empty optional money: no limit
        ("G6", Decimal("1500.00"), Decimal("0.2000"), Decimal("12000.00")),
    ]
    assert _reasons(conn, "hp_plans") == {
        2: ("coins_in", "out_of_range"),
        3: ("ded_ind_in", "negative_money"),
        4: ("family_deductible_type", "bad_enum"),
        5: ("ded_ind_in", "bad_decimal"),
    }


def test_score_range_and_missing_required(tmp_path):
    header = "completion_id,lc_user_id,course_id,completed_at,status,score,hours"
    rows = [
        "K1,031519901234,C1,2026-01-10T09:00:00-06:00,completed,100,1.5",
        "K2,031519901234,C1,2026-01-10T09:00:00-06:00,completed,101.50,1.5",
        "K3,031519901234,,2026-01-10T09:00:00-06:00,completed,,",
        "K4,031519901234,C1,2026-01-10T09:00:00-06:00,completed,,",
    ]
    conn = _ingest(tmp_path, "lc_completions", "\n".join([header, *rows]) + "\n")
    assert conn.execute("SELECT completion_id FROM staging.lc_completions ORDER BY 1").fetchall() == [
        ("K1",),
        ("K4",),
    ]
    assert _reasons(conn, "lc_completions") == {
        2: ("score", "out_of_range"),
        3: ("course_id", "missing_required"),
    }


def test_a_row_with_surplus_fields_is_quarantined_not_loaded_shifted(tmp_path):
    rows = [
        "E1,Acme Health,G-100",
        "E2,Acme, Inc.,G-200",  # unquoted comma: four fields under a three-column header
        "E3,Zenith,G-300",
    ]
    conn = _ingest(tmp_path, "hp_employers", "\n".join(["employer_id,name,group_number", *rows]) + "\n")
    assert conn.execute("SELECT employer_id FROM staging.hp_employers ORDER BY 1").fetchall() == [
        ("E1",),
        ("E3",),
    ]
    (row_number, column, reason, raw) = conn.execute(
        'SELECT row_number, "column", reason, raw FROM ingest.quarantine'
    ).fetchone()
    assert (row_number, column) == (2, None)
    assert reason == "malformed_row"
    assert '"_extra_1":"G-200"' in raw  # the surplus field is kept in the raw row
