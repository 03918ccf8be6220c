"""Every kind of bad input of quality-bars.md, landed together and ingested by one ``dg.materialize`` run.

Each test asserts the reason recorded and that the good rows of the same file (or, for a rejected file, the
other files of the same source) still load.
"""

import io
import json

import openpyxl
import pytest

from domain.contracts import SOURCES
from domain.settings import Settings
from tests.pipeline.harness import header, land, ledger, quarantined, query, run_ingest

LONG = "x" * 501  # contracts.MAX_TEXT is 500


def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _account(account_id: str, npi: str = "") -> list:
    return [
        account_id,
        f"{account_id}@example.org",
        "Zoë",
        "Åberg",
        "RN",
        "(312) 555-0142",
        "1980-04-01",
        "IL",
        "L1",
        npi,
        "1 Main St",
        "Chicago",
        "IL",
        "60601",
        "password",
        "",
        "2025-01-01T08:00:00-06:00",
    ]


@pytest.fixture(scope="module")
def landed(tmp_path_factory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("bad") / "data")
    emp = header("hp_employers")
    land(settings, "hp_employers", "01_good.csv", f"{emp}\nE1,Acme Health,G-100\n")
    land(settings, "hp_employers", "02_empty.csv", b"")
    land(
        settings,
        "hp_employers",
        "03_semicolon.csv",
        "employer_id;name;group_number\nE9;Semi Colon Ltd;G-900\n",
    )
    land(settings, "hp_employers", "04_latin1.csv", f"{emp}\nE2,Société Générale,G-200\n", encoding="latin-1")
    land(settings, "hp_employers", "05_bom.csv", "\ufeff" + f"{emp}\nE3,Bom Corp,G-300\n")
    formulas = [
        'E4,"=HYPERLINK(""http://evil.example"",""click"")",G-400',
        'E5,"Robert\'); DROP TABLE staging.hp_employers;--",G-500',
        "E6,@SUM(A1),+1-2",
        "E7,-2+3,G-700",
    ]
    land(settings, "hp_employers", "06_formulas.csv", "\n".join([emp, *formulas]) + "\n")

    courses = header("lc_courses")
    land(settings, "lc_courses", "01_header_only.csv", courses + "\n")
    land(
        settings,
        "lc_courses",
        "02_missing_column.csv",
        "course_id,title,contact_hours,active\nC8,Orphan,1.0,true\n",
    )
    land(
        settings,
        "lc_courses",
        "03_extra_column.csv",
        f"{courses},notes\nC1,Hand hygiene,Safety,1.50,true,annual\nC2,Fire safety,Safety,abc,true,kept in "
        "raw\n",
    )
    land(
        settings,
        "lc_courses",
        "04_duplicate_key.csv",
        f"{courses}\nC3,HIPAA,Privacy,1,yes\nC3,HIPAA again,Privacy,2,no\n",
    )
    land(
        settings,
        "lc_courses",
        "05_long_string.csv",
        f"{courses}\nC4,{LONG},Misc,1,true\nC5,{'y' * 500},Misc,1,true\n",
    )

    members = header("hp_members")
    land(
        settings,
        "hp_members",
        "members.csv",
        f"{members}\nM1,M1,self,Zoë,Nguyễn,1980-04-01,F,E1\nM2,M1,spouse,小龙,李,1979-11-30,,E1\n"
        "M3,M1,child,Ana,Diaz,1990-02-30,,E1\n",
    )
    land(
        settings,
        "lc_requirements",
        "requirements.csv",
        f"{header('lc_requirements')}\nR1,C1,*,*,12,30,\nR2,C1,RN,ICU,,ten,\n",
    )
    claim = (
        "{cid},1,{kind},{orig},M1,1234567893,2026-01-05,2026-01-07,2026-01-08T10:00:00-06:00,paid,"
        "lab,in,{amt},{amt}"
    )
    land(
        settings,
        "hp_claims",
        "claims.csv",
        "\n".join(
            [
                header("hp_claims"),
                claim.format(cid="CL1", kind="original", orig="", amt="100.00"),
                claim.format(cid="CL2", kind="original", orig="", amt="-5.00"),
                claim.format(cid="CL3", kind="reversal", orig="CL1", amt="-100.00"),
            ]
        )
        + "\n",
    )
    event = {
        "event_id": "A1",
        "portal": "ce_portal",
        "occurred_at": "2026-01-01T12:00:00Z",
        "event_type": "logout",
        "username": "zoe",
        "ip": "10.0.0.1",
        "method": "sso",
    }
    lines = [
        json.dumps(event),
        json.dumps(event | {"event_id": "A2"})[:40],
        json.dumps(event | {"event_id": "A3"}),
    ]
    land(settings, "auth_events", "events.jsonl", "\n".join(lines) + "\n")

    acc_header = list(header("ce_accounts").split(","))
    land(
        settings,
        "ce_accounts",
        "accounts.xlsx",
        _xlsx([acc_header, _account("CE1", "1234567893"), _account("CE2", "1234567890")]),
    )
    land(settings, "ce_accounts", "broken.xlsx", b"PK\x03\x04 this is not a workbook")

    result = run_ingest(settings)
    assert result.success
    reconciliations = [e for e in result.get_asset_check_evaluations() if e.check_name == "reconciliation"]
    assert len(reconciliations) == len(SOURCES) and all(e.passed for e in reconciliations)  # one per source
    return settings


def _staging(settings: Settings, source_name: str, column: str) -> list:
    return [r[0] for r in query(settings, f"SELECT {column} FROM staging.{source_name} ORDER BY 1")]


def test_empty_file_is_rejected_and_other_files_of_the_source_load(landed):
    assert ("02_empty.csv", "rejected", "empty_file", 0, 0, 0) in ledger(landed, "hp_employers")
    assert "E1" in _staging(landed, "hp_employers", "employer_id")


def test_header_only_file_loads_with_zero_rows(landed):
    assert ("01_header_only.csv", "loaded", None, 0, 0, 0) in ledger(landed, "lc_courses")


def test_wrong_delimiter_is_rejected_as_missing_columns(landed):
    rows = query(
        landed, "SELECT status, reason, detail FROM marts.ingest_ledger WHERE file_name = '03_semicolon.csv'"
    )
    status, reason, detail = rows[0]
    assert (status, reason) == ("rejected", "missing_columns")
    assert "comma-delimited" in detail and "03_semicolon.csv" in detail
    assert "E9" not in _staging(landed, "hp_employers", "employer_id")


def test_latin1_file_is_decoded(landed):
    assert query(landed, "SELECT name FROM staging.hp_employers WHERE employer_id = 'E2'") == [
        ("Société Générale",)
    ]
    assert query(landed, "SELECT encoding FROM marts.ingest_ledger WHERE file_name = '04_latin1.csv'") == [
        ("latin-1",)
    ]


def test_utf8_bom_does_not_hide_the_first_column(landed):
    assert query(landed, "SELECT name FROM staging.hp_employers WHERE employer_id = 'E3'") == [("Bom Corp",)]


def test_missing_column_rejects_the_whole_file(landed):
    rows = query(
        landed,
        "SELECT status, reason, detail FROM marts.ingest_ledger WHERE file_name = '02_missing_column.csv'",
    )
    assert rows[0][:2] == ("rejected", "missing_columns")
    assert "category" in rows[0][2]
    assert "C8" not in _staging(landed, "lc_courses", "course_id")  # nothing of it half-loaded


def test_extra_column_is_ignored_but_kept_in_the_raw_row(landed):
    assert "C1" in _staging(landed, "lc_courses", "course_id")
    raw = query(landed, "SELECT raw FROM marts.quarantine WHERE file_name = '03_extra_column.csv'")[0][0]
    assert json.loads(raw)["notes"] == "kept in raw"


def test_bad_numbers_and_dates_are_quarantined_with_their_column(landed):
    assert ("03_extra_column.csv", 2, "contact_hours", "bad_decimal") in quarantined(landed, "lc_courses")
    assert quarantined(landed, "lc_requirements") == [
        ("requirements.csv", 2, "due_days_after_hire", "bad_int")
    ]
    assert quarantined(landed, "hp_members") == [("members.csv", 3, "birth_date", "bad_date")]
    assert _staging(landed, "lc_requirements", "requirement_id") == ["R1"]


def test_negative_money_is_quarantined_except_on_a_reversal(landed):
    assert quarantined(landed, "hp_claims") == [("claims.csv", 2, "billed_amount", "negative_money")]
    assert _staging(landed, "hp_claims", "claim_id") == ["CL1", "CL3"]


def test_a_key_repeated_within_a_file_quarantines_the_later_row(landed):
    assert ("04_duplicate_key.csv", 2, "course_id", "duplicate_key") in quarantined(landed, "lc_courses")
    assert query(landed, "SELECT title FROM staging.lc_courses WHERE course_id = 'C3'") == [("HIPAA",)]


def test_truncated_json_line_is_quarantined_with_its_line_number(landed):
    assert quarantined(landed, "auth_events") == [("events.jsonl", 2, None, "malformed_json")]
    assert _staging(landed, "auth_events", "event_id") == ["A1", "A3"]


def test_corrupt_xlsx_is_rejected_and_a_good_workbook_loads(landed):
    assert ("broken.xlsx", "rejected", "unreadable", 0, 0, 0) in ledger(landed, "ce_accounts")
    assert quarantined(landed, "ce_accounts") == [("accounts.xlsx", 2, "npi", "bad_npi")]
    rows = query(
        landed, "SELECT account_id, first_name, mobile_phone, birth_date::VARCHAR FROM staging.ce_accounts"
    )
    assert rows == [("CE1", "Zoë", "+13125550142", "1980-04-01")]


def test_very_long_string_is_quarantined_and_the_longest_allowed_loads(landed):
    assert ("05_long_string.csv", 1, "title", "too_long") in quarantined(landed, "lc_courses")
    assert query(landed, "SELECT length(title) FROM staging.lc_courses WHERE course_id = 'C5'") == [(500,)]


def test_non_ascii_names_load_unchanged(landed):
    names = query(landed, "SELECT first_name, last_name FROM staging.hp_members ORDER BY member_id")
    assert names == [("Zoë", "Nguyễn"), ("小龙", "李")]


def test_formula_and_sql_looking_strings_load_verbatim(landed):
    rows = dict(query(landed, "SELECT employer_id, name FROM staging.hp_employers"))
    assert rows["E4"] == '=HYPERLINK("http://evil.example","click")'
    assert rows["E5"] == "Robert'); DROP TABLE staging.hp_employers;--"
    assert rows["E6"] == "@SUM(A1)"
    assert rows["E7"] == "-2+3"
    assert query(landed, "SELECT group_number FROM staging.hp_employers WHERE employer_id = 'E6'") == [
        ("+1-2",)
    ]


def test_every_loaded_file_reconciles(landed):
    files = query(
        landed,
        "SELECT rows_read, rows_loaded, rows_quarantined FROM marts.ingest_ledger WHERE status = 'loaded'",
    )
    # 17 files landed; 4 rejected (empty, semicolon, missing column, corrupt xlsx) leaves 13 loaded
    assert len(files) == 13
    assert all(read == loaded + quarantined for read, loaded, quarantined in files)
