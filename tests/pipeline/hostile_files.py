"""A catalogue of hostile landing files, hand-built byte by byte: one entry per kind, with the outcome it must
have.

``KINDS`` is data: a name, the source and file name it lands as, how the file is written, and what the ledger
must then say (rejected with a reason, or loaded with these keys, these quarantined rows and this encoding).
The cells of files that must be rejected (and of the symlinks' targets) carry ``SECRET``, so a test can prove
none of it leaks into the ledger, the quarantine's reasons, the console or Dagster's logs. ``GOOD`` are
ordinary files landed in the same run; their rows must come out exactly as in a run without the catalogue.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from domain.contracts import source
from domain.settings import Settings

SECRET = "S3cr3t-4711"  # a cell value no rejected file may leak
EMP = "employer_id,name,group_number"
COURSES = ",".join(source("lc_courses").column_names)
ACCOUNTS = list(source("ce_accounts").column_names)
CLAIMS = ",".join(source("hp_claims").column_names)
REQS = ",".join(source("lc_requirements").column_names)


def account(account_id: str | int, **changes) -> list:
    row = dict(
        account_id=account_id,
        email=f"{str(account_id).lower()}@example.org",
        first_name="Zoë",
        last_name="Åberg",
        degree="RN",
        mobile_phone="(312) 555-0142",
        birth_date="1980-04-01",
        license_state="IL",
        license_number="L1",
        npi="",
        street="1 Main St",
        city="Chicago",
        state="IL",
        postal_code="60601",
        login_method="password",
        person_id="",
        created_at="2025-01-01T08:00:00-06:00",
    )
    row.update(changes)
    return [row[c] for c in ACCOUNTS]


def event(event_id: str, **changes) -> dict:
    return {
        "event_id": event_id,
        "portal": "ce_portal",
        "occurred_at": "2026-01-01T12:00:00Z",
        "event_type": "logout",
        "username": "zoe",
        "ip": "10.0.0.1",
        "method": "sso",
    } | changes


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def jsonl(*objects) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in objects)


def emp_rows(*ids: str) -> str:
    return "".join(f"{i},Employer {i},G-{i}\n" for i in ids)


@dataclass(frozen=True)
class Rejected:
    reason: str


@dataclass(frozen=True)
class Duplicate:
    same_as: str


@dataclass(frozen=True)
class Loaded:
    keys: tuple[str, ...]  # the key values this file puts in staging, sorted
    quarantined: tuple[tuple[int, str | None, str], ...] = ()  # (row, column, reason)
    encoding: str | None = None
    raw_keys: tuple[str, ...] = ()  # keys the first quarantined row's raw JSON must hold
    values: tuple[tuple[str, str, str], ...] = ()  # (key, column, exact text in staging)


@dataclass(frozen=True)
class Kind:
    name: str
    source: str
    file_name: str
    content: str | bytes | Callable[[Settings, Path], None]  # text is written as UTF-8
    expect: Rejected | Loaded | Duplicate
    tags: tuple[str, ...] = field(default=())


def _symlink_to(target: str | Callable[[Settings], Path]):
    def write(settings: Settings, path: Path) -> None:
        path.symlink_to(target(settings) if callable(target) else target)

    return write


def _outside(settings: Settings) -> Path:
    """A CSV outside landing/ (still inside the data directory): a symlink to it must not load it."""
    out = settings.root / "outside" / "elsewhere.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"{EMP}\n{SECRET},Outside,G-1\n")
    return out


def _outside_dir(settings: Settings) -> Path:
    folder = settings.root / "outside" / "folder"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inner.csv").write_text(f"{EMP}\n{SECRET},Inner,G-1\n")
    return folder


def _fifo(settings: Settings, path: Path) -> None:
    os.mkfifo(path)


def _in_subfolder(settings: Settings, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{EMP}\n{emp_rows('SUB1')}")


def _utf16_lone_surrogate() -> bytes:
    return codecs.BOM_UTF16_LE + f"{EMP}\nU9,".encode("utf-16-le") + b"\x00\xd8" + ",G\n".encode("utf-16-le")


HEADERLESS = f"{SECRET},Headless Employer,G-1\nE77,Other,G-2\n"

KINDS: tuple[Kind, ...] = (
    # -- empty and header-only files
    Kind("empty_file", "hp_employers", "k01_empty.csv", b"", Rejected("empty_file")),
    Kind("blank_lines_only", "hp_employers", "k02_blank.csv", "\n \r\n\t\n", Rejected("empty_file")),
    Kind("bom_only", "hp_employers", "k03_bom.csv", codecs.BOM_UTF8, Rejected("empty_file")),
    Kind("header_only", "lc_courses", "k04_header_only.csv", COURSES + "\n", Loaded(())),
    Kind("empty_jsonl", "auth_events", "k05_empty.jsonl", b"", Rejected("empty_file")),
    Kind("empty_xlsx_file", "ce_accounts", "k06_zero.xlsx", b"", Rejected("empty_file")),
    Kind("empty_sheet", "ce_accounts", "k07_empty_sheet.xlsx", xlsx([]), Rejected("empty_file")),
    Kind("xlsx_header_only", "ce_accounts", "k08_header_only.xlsx", xlsx([ACCOUNTS]), Loaded(())),
    # -- headers: delimiters, missing, extra, repeated and hostile column names
    Kind(
        "wrong_delimiter",
        "hp_employers",
        "k10_semicolon.csv",
        f"employer_id;name;group_number\n{SECRET};Semi;G-9\n",
        Rejected("missing_columns"),
    ),
    Kind(
        "tab_delimited",
        "hp_employers",
        "k11_tabs.csv",
        f"employer_id\tname\tgroup_number\n{SECRET}\tTab\tG-9\n",
        Rejected("missing_columns"),
    ),
    Kind(
        "missing_column",
        "lc_courses",
        "k12_missing.csv",
        f"course_id,title,contact_hours,active\n{SECRET},Orphan,1.0,true\n",
        Rejected("missing_columns"),
    ),
    Kind(
        "column_names_in_another_case",
        "hp_employers",
        "k13_case.csv",
        f"Employer_ID,Name,Group_Number\n{SECRET},Cased,G-9\n",
        Rejected("missing_columns"),
    ),
    Kind("no_header_row", "hp_employers", "k14_headerless.csv", HEADERLESS, Rejected("missing_columns")),
    Kind(
        "contract_column_twice",
        "hp_employers",
        "k15_twice.csv",
        f"employer_id,name,group_number,name\nE15,{SECRET},G-15,{SECRET}\n",
        Rejected("duplicate_columns"),
    ),
    Kind(
        "extra_column",
        "lc_courses",
        "k16_extra.csv",
        f"{COURSES},notes\nK16A,Hand hygiene,Safety,1.50,true,annual\nK16B,Fire,Safety,abc,true,kept\n",
        Loaded(("K16A",), ((2, "contact_hours", "bad_decimal"),), raw_keys=("notes",)),
    ),
    Kind(
        "engine_words_as_column_names",  # rowid, *, quotes and an empty cell: data, never SQL
        "hp_employers",
        "k17_rowid.csv",
        f'{EMP},rowid,*,"""",\',,select\nE17,Engine Words,G-17,1,2,3,4,5,6\nE17,Again,G-17,1,2,3,4,5,6\n',
        Loaded(
            ("E17",), ((2, "employer_id", "duplicate_key"),), raw_keys=("rowid", "*", '"', "'", "column8")
        ),
    ),
    Kind(
        "repeated_extra_column_names",
        "hp_employers",
        "k18_repeated.csv",
        f"{EMP},note,note,note_1\nE18,Repeated,G-18,a,b,c\nE18,Again,G-18,a,b,c\n",
        Loaded(("E18",), ((2, "employer_id", "duplicate_key"),), raw_keys=("note", "note_1", "note_1_1")),
    ),
    Kind(
        "column_name_of_1000_characters",
        "hp_employers",
        "k19_long_name.csv",
        f"{EMP},{'x' * 1000}\nE19,Long Header,G-19,v\nE19,Again,G-19,v\n",
        Loaded(("E19",), ((2, "employer_id", "duplicate_key"),), raw_keys=("x" * 1000,)),
    ),
    Kind(
        "unicode_column_names",
        "hp_employers",
        "k20_unicode_header.csv",
        f"{EMP},名前,Ünïcødé 🙂\nE20,Unicode Header,G-20,a,b\nE20,Again,G-20,a,b\n",
        Loaded(("E20",), ((2, "employer_id", "duplicate_key"),), raw_keys=("名前", "Ünïcødé 🙂")),
    ),
    Kind(
        "header_cell_with_a_line_break",
        "hp_employers",
        "k21_quoted_header.csv",
        f'{EMP},"two\nlines"\nE21,Quoted Header,G-21,a\n',
        Loaded(("E21",)),
    ),
    Kind(
        "no_line_break_in_the_first_mib",
        "hp_employers",
        "k22_one_line.csv",
        SECRET * 200_000,
        Rejected("unreadable"),
    ),
    # -- encodings and line endings
    Kind(
        "latin1",
        "hp_employers",
        "k30_latin1.csv",
        f"{EMP}\nE30,Société Générale,G-30\n".encode("latin-1"),
        Loaded(("E30",), encoding="latin-1", values=(("E30", "name", "Société Générale"),)),
    ),
    Kind(
        "cp1252_bytes",
        "hp_employers",
        "k31_cp1252.csv",
        f"{EMP}\nE31,“Smart” Café – €5,G-31\n".encode("cp1252"),
        Loaded(("E31",), encoding="cp1252", values=(("E31", "name", "“Smart” Café – €5"),)),
    ),
    Kind(
        "byte_cp1252_leaves_undefined",
        "hp_employers",
        "k32_undefined.csv",
        f"{EMP}\nE32,Caf".encode() + b"\xe9\x81,G-32\n",
        Loaded(("E32",), encoding="latin-1", values=(("E32", "name", "Café\x81"),)),
    ),
    Kind(
        "utf8_bom",
        "hp_employers",
        "k33_bom.csv",
        codecs.BOM_UTF8 + f"{EMP}\nE33,Bom Corp,G-33\n".encode(),
        Loaded(("E33",), encoding="utf-8-sig"),
    ),
    Kind(
        "utf16_le_with_bom",
        "hp_employers",
        "k34_utf16le.csv",
        codecs.BOM_UTF16_LE + f"{EMP}\nE34,Ünïcode Sixteen,G-34\n".encode("utf-16-le"),
        Loaded(("E34",), encoding="utf-16", values=(("E34", "name", "Ünïcode Sixteen"),)),
    ),
    Kind(
        "utf16_be_with_bom",
        "hp_employers",
        "k35_utf16be.csv",
        codecs.BOM_UTF16_BE + f"{EMP}\nE35,Big End,G-35\n".encode("utf-16-be"),
        Loaded(("E35",), encoding="utf-16"),
    ),
    Kind(
        "utf16_bom_but_broken",
        "hp_employers",
        "k36_bad16.csv",
        _utf16_lone_surrogate(),
        Rejected("bad_encoding"),
    ),
    Kind(
        "utf16_without_bom",
        "hp_employers",
        "k37_utf16_nobom.csv",
        f"{EMP}\n{SECRET},No Bom,G-37\n".encode("utf-16-le"),
        Rejected("not_text"),
    ),
    Kind(
        "binary_junk_named_csv",
        "hp_employers",
        "k38_junk.csv",
        bytes(range(256)) * 8 + SECRET.encode() + b"\r\x00\xff",
        Rejected("not_text"),
    ),
    Kind(
        "gzip_named_csv",
        "hp_employers",
        "k39_gzip.csv",
        gzip.compress(f"{EMP}\n{SECRET},Zipped,G-39\n".encode(), mtime=0),
        Rejected("not_text"),
    ),
    Kind(
        "bare_cr_line_endings",
        "hp_employers",
        "k40_cr.csv",
        f"{EMP}\rE40A,Mac,G-40\rE40B,Classic,G-40\r",
        Loaded(("E40A", "E40B")),
    ),
    Kind(
        "crlf_line_endings",
        "hp_employers",
        "k41_crlf.csv",
        f"{EMP}\r\nE41A,Win,G-41\r\nE41B,Dows,G-41\r\n",
        Loaded(("E41A", "E41B")),
    ),
    Kind(
        "no_final_line_break",
        "hp_employers",
        "k42_no_eol.csv",
        f"{EMP}\nE42,Last Line,G-42",
        Loaded(("E42",)),
    ),
    # -- rows
    Kind(
        "unbalanced_quote",
        "hp_employers",
        "k43_quote.csv",
        f'{EMP}\nE43,"{SECRET},G-43\nE44,Fine,G-44\n',
        Loaded((), ((1, "group_number", "missing_required"),)),  # an open quote runs to the end: one row
    ),
    Kind(
        "short_and_long_rows",
        "hp_employers",
        "k44_ragged.csv",
        f"{EMP}\nE44A,Short\nE44B,Long,G-44,stray\nE44C,Fine,G-44\n",
        Loaded(("E44C",), ((1, "group_number", "missing_required"), (2, None, "malformed_row"))),
    ),
    Kind(
        "bad_numbers_and_bools",
        "lc_courses",
        "k45_bad_values.csv",
        f"{COURSES}\nK45A,Fire,Safety,1.5.0,true\nK45B,Hygiene,Safety,1,maybe\nK45C,Fine,Safety,2,no\n",
        Loaded(("K45C",), ((1, "contact_hours", "bad_decimal"), (2, "active", "bad_bool"))),
    ),
    Kind(
        "duplicate_key_within_a_file",
        "lc_courses",
        "k46_dup.csv",
        f"{COURSES}\nK46,HIPAA,Privacy,1,yes\nK46,HIPAA again,Privacy,2,no\n",
        Loaded(("K46",), ((2, "course_id", "duplicate_key"),), values=(("K46", "title", "HIPAA"),)),
    ),
    Kind(
        "very_long_string",
        "lc_courses",
        "k47_long.csv",
        f"{COURSES}\nK47A,{'x' * 501},Misc,1,true\nK47B,{'y' * 500},Misc,1,true\n",
        Loaded(("K47B",), ((1, "title", "too_long"),)),
    ),
    Kind(
        "formulas_and_sql_text",
        "hp_employers",
        "k48_formulas.csv",
        f'{EMP}\nE48A,"=HYPERLINK(""http://evil.example"",""x"")",+1-2\nE48B,"x\'); DROP TABLE '
        'staging.hp_employers;--",@SUM(A1)\n',
        Loaded(
            ("E48A", "E48B"),
            values=(
                ("E48A", "name", '=HYPERLINK("http://evil.example","x")'),
                ("E48B", "name", "x'); DROP TABLE staging.hp_employers;--"),
                ("E48B", "group_number", "@SUM(A1)"),
            ),
        ),
    ),
    Kind(
        "non_ascii_names",
        "hp_employers",
        "k49_names.csv",
        f"{EMP}\nE49,Nguyễn & 李 Ærø,G-49\n",
        Loaded(("E49",), values=(("E49", "name", "Nguyễn & 李 Ærø"),)),
    ),
    Kind(
        "negative_money",
        "hp_claims",
        "k50_claims.csv",
        f"{CLAIMS}\n"
        "K50A,1,original,,M1,1234567893,2026-01-05,2026-01-07,2026-01-08T10:00:00-06:00,paid,lab,in,-5.00,-5.00\n"
        "K50B,1,original,,M1,1234567893,2026-01-05,2026-01-07,2026-01-08T10:00:00-06:00,paid,lab,in,9.00,9.00\n",
        Loaded(("K50B",), ((1, "billed_amount", "negative_money"),)),
    ),
    Kind(
        # a warning of the reference check, not a quarantine: a later file may complete it
        "unknown_reference",
        "lc_requirements",
        "k51_requirements.csv",
        f"{REQS}\nK51,NO-SUCH-COURSE,*,*,12,30,\n",
        Loaded(("K51",)),
    ),
    # -- names and kinds of landed files
    Kind(
        "unsupported_extension",
        "hp_employers",
        "k52_notes.txt",
        f"{EMP}\n{SECRET},Txt,G-1\n",
        Rejected("unsupported_format"),
    ),
    Kind(
        "upper_case_extension", "hp_employers", "k53_upper.CSV", f"{EMP}\n{emp_rows('E53')}", Loaded(("E53",))
    ),
    Kind("name_with_star", "hp_employers", "k54_roster_*.csv", f"{EMP}\n{emp_rows('E54')}", Loaded(("E54",))),
    Kind(
        "name_with_question_mark",
        "hp_employers",
        "k54_roster_?.csv",
        f"{EMP}\n{emp_rows('E55')}",
        Loaded(("E55",)),
    ),
    Kind(
        "name_a_bracket_glob_would_match",
        "hp_employers",
        "k56 glob f.csv",
        f"{EMP}\n{emp_rows('E56')}",
        Loaded(("E56",)),
    ),
    Kind(
        "name_with_brackets",
        "hp_employers",
        "k56 glob [final].csv",
        f"{EMP}\n{emp_rows('E57')}",
        Loaded(("E57",)),
    ),
    Kind("name_with_braces", "hp_employers", "k58_{a,b}.csv", f"{EMP}\n{emp_rows('E58')}", Loaded(("E58",))),
    Kind(
        "name_with_spaces_and_quotes",
        "hp_employers",
        'k59 it\'s "q" $(x);.csv',
        f"{EMP}\n{emp_rows('E59')}",
        Loaded(("E59",)),
    ),
    Kind("unicode_name", "hp_employers", "k60_名簿_Zoë.csv", f"{EMP}\n{emp_rows('E60')}", Loaded(("E60",))),
    Kind(
        "name_with_a_line_break",
        "hp_employers",
        "k61_new\nline.csv",
        f"{EMP}\n{emp_rows('E61')}",
        Loaded(("E61",)),
    ),
    Kind("file_in_a_subfolder", "hp_employers", "k62_sub/inner.csv", _in_subfolder, Loaded(("SUB1",))),
    Kind(
        "same_content_under_another_name",
        "hp_employers",
        "k63_copy.csv",
        f"{EMP}\n{emp_rows('E53')}",
        Duplicate("k53_upper.CSV"),
    ),
    Kind(
        "symlink_out_of_landing", "hp_employers", "k64_link.csv", _symlink_to(_outside), Rejected("symlink")
    ),
    Kind(
        "symlink_to_etc_passwd",
        "hp_employers",
        "k65_passwd.csv",
        _symlink_to("/etc/passwd"),
        Rejected("symlink"),
    ),
    Kind(
        "symlink_within_landing",
        "hp_employers",
        "k66_inside.csv",
        _symlink_to(lambda s: s.landing_dir / "hp_employers" / "00_good.csv"),
        Rejected("symlink"),
    ),
    Kind("symlinked_folder", "hp_employers", "k67_folder", _symlink_to(_outside_dir), Rejected("symlink")),
    Kind("fifo", "hp_employers", "k68_pipe.csv", _fifo, Rejected("not_a_regular_file")),
    # -- xlsx
    Kind(
        "corrupt_xlsx",
        "ce_accounts",
        "k70_corrupt.xlsx",
        b"PK\x03\x04" + SECRET.encode(),
        Rejected("unreadable"),
    ),
    Kind(
        "csv_named_xlsx",
        "ce_accounts",
        "k71_csv.xlsx",
        ",".join(ACCOUNTS) + f"\n{SECRET}\n",
        Rejected("unreadable"),
    ),
    Kind(
        "xlsx_missing_column",
        "ce_accounts",
        "k72_missing.xlsx",
        xlsx([ACCOUNTS[1:], account(SECRET)[1:]]),
        Rejected("missing_columns"),
    ),
    Kind(
        "xlsx_engine_words_as_column_names",
        "ce_accounts",
        "k73_rowid.xlsx",
        xlsx(
            [
                [*ACCOUNTS, "rowid", "*", '"', None],
                account("K73", npi="1234567890") + [1, 2, 3, 4],
                account("K73B") + [1, 2, 3, 4],
            ]
        ),
        Loaded(("K73B",), ((1, "npi", "bad_npi"),), raw_keys=("rowid", "*", '"', "column21")),
    ),
    Kind(
        "xlsx_numbers_where_text_is_expected",
        "ce_accounts",
        "k74_numbers.xlsx",
        xlsx([ACCOUNTS, account(74, postal_code=60601, license_number=12345)]),
        Loaded(("74",), values=(("74", "postal_code", "60601"), ("74", "license_number", "12345"))),
    ),
    Kind(
        "xlsx_bad_date",
        "ce_accounts",
        "k75_dates.xlsx",
        xlsx([ACCOUNTS, account("K75A", birth_date="1980-02-30"), account("K75B")]),
        Loaded(("K75B",), ((1, "birth_date", "bad_date"),)),
    ),
    # -- JSON lines
    Kind(
        "truncated_json_line",
        "auth_events",
        "k80_truncated.jsonl",
        jsonl(event("K80A"), json.dumps(event("K80B"))[:30], event("K80C")),
        Loaded(("K80A", "K80C"), ((2, None, "malformed_json"),)),
    ),
    Kind(
        "json_array_line",
        "auth_events",
        "k81_array.jsonl",
        jsonl(event("K81A"), "[1, 2, 3]", '"just text"', "42"),
        Loaded(
            ("K81A",), ((2, None, "malformed_json"), (3, None, "malformed_json"), (4, None, "malformed_json"))
        ),
    ),
    Kind(
        "json_object_array_number_and_bool_where_text_is_expected",
        "auth_events",
        "k82_types.jsonl",
        jsonl(
            event("K82A", username={"name": SECRET}),
            event("K82B", user_agent=["a", SECRET]),
            event("K82C", ip=10),
            event("K82D", username=True),
            event(12345),
            event("K82F"),
        ),
        Loaded(
            ("K82F",),
            (
                (1, "username", "wrong_json_type"),
                (2, "user_agent", "wrong_json_type"),
                (3, "ip", "wrong_json_type"),
                (4, "username", "wrong_json_type"),
                (5, "event_id", "wrong_json_type"),
            ),
        ),
    ),
    Kind(
        # The wrong-type test runs only on lines with a key's quote, ':' and a non-string value: spaces around
        # the colon still count, while colons inside text (clock times, an escaped quote) do not mislead it.
        "json_number_after_a_spaced_colon_beside_clock_times",
        "auth_events",
        "k82b_spaced_colon.jsonl",
        jsonl(
            '{"event_id":"K82G","portal":"ce_portal","occurred_at":"2026-01-01T12:00:00Z",'
            '"event_type":"logout","username":"zoe","ip" :\t10,"method":"sso"}',
            '{"event_id":"K82H","portal":"ce_portal","occurred_at":"2026-01-01T12:00:00Z",'
            '"event_type":"logout","username":"zoe","ip":"10.0.0.1","method":"sso","user_agent":"a\\": 5"}',
            event("K82I", user_agent="at 12:05: 7 tries"),
        ),
        Loaded(("K82H", "K82I"), ((1, "ip", "wrong_json_type"),)),
    ),
    Kind(
        "json_null_values",
        "auth_events",
        "k83_nulls.jsonl",
        jsonl(event("K83A", user_agent=None), event("K83B", username=None)),
        Loaded(("K83A",), ((2, "username", "missing_required"),)),
    ),
    Kind(
        "blank_lines_crlf_and_bom_in_jsonl",
        "auth_events",
        "k84_crlf.jsonl",
        codecs.BOM_UTF8
        + (json.dumps(event("K84A")) + "\r\n\r\n" + json.dumps(event("K84B")) + "\r\n").encode(),
        Loaded(("K84A", "K84B")),
    ),
    Kind(
        "bare_cr_jsonl",
        "auth_events",
        "k85_cr.jsonl",
        json.dumps(event("K85A")) + "\r" + json.dumps(event("K85B")) + "\r",
        Loaded(("K85A", "K85B")),
    ),
    Kind(
        "latin1_jsonl",
        "auth_events",
        "k86_latin1.jsonl",
        jsonl(event("K86", username="zoë")).encode("latin-1"),
        Loaded(("K86",), encoding="latin-1", values=(("K86", "username", "zoë"),)),
    ),
    Kind(
        "binary_junk_named_jsonl",
        "auth_events",
        "k87_junk.jsonl",
        b"\x00\x01" + SECRET.encode() * 3,
        Rejected("not_text"),
    ),
    Kind("ndjson_extension", "auth_events", "k88_events.ndjson", jsonl(event("K88")), Loaded(("K88",))),
    Kind(
        "very_long_json_value_and_sql_text",
        "auth_events",
        "k89_long.jsonl",
        jsonl(event("K89A", username="u" * 501), event("K89B", username="'); DROP TABLE x;--")),
        Loaded(
            ("K89B",), ((1, "username", "too_long"),), values=(("K89B", "username", "'); DROP TABLE x;--"),)
        ),
    ),
)

GOOD: dict[str, tuple[str, str | bytes]] = {
    "hp_employers": ("00_good.csv", f"{EMP}\nE1,Acme Health,G-100\nE2,Zenith Care,G-200\n"),
    "lc_courses": (
        "00_good.csv",
        f"{COURSES}\nC1,Hand hygiene,Safety,1.50,true\nC2,Fire safety,Safety,0.75,no\n",
    ),
    "ce_accounts": ("00_good.xlsx", xlsx([ACCOUNTS, account("CE1"), account("CE2", degree="MD")])),
    "auth_events": ("00_good.jsonl", jsonl(event("A1"), event("A2", event_type="login_success"))),
    "hp_claims": (
        "00_good.csv",
        f"{CLAIMS}\nCL1,1,original,,M1,1234567893,2026-01-05,2026-01-07,2026-01-08T10:00:00-06:00,paid,lab,in,100.00,80.00\n",
    ),
    "lc_requirements": ("00_good.csv", f"{REQS}\nR1,C1,*,*,12,30,\n"),
}


def land_good(settings: Settings) -> None:
    for source_name, (name, content) in GOOD.items():
        _write(settings.landing_dir / source_name / name, content)


def land_catalogue(settings: Settings) -> None:
    for kind in KINDS:
        path = settings.landing_dir / kind.source / kind.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(kind.content):
            kind.content(settings, path)
        else:
            _write(path, kind.content)


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
