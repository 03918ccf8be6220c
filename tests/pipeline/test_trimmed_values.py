"""Values padded with Unicode spaces, and the shortcuts that spare ``trim`` its work: the same verdicts.

The checks read each value trimmed of the 17 Unicode space separators (category Zs) that DuckDB's ``trim``
removes. Most values need no trimming, so the rules take shortcuts (a value starting and ending with printable
ASCII is its own trimmed value; only the first character decides whether a value is blank; the NPI check digit
by integer arithmetic). These tests hold the shortcuts to the definition on every character there is, and to
hand-computed outcomes on padded files.
"""

import random

import duckdb

from assets.ingestion.load import ingest_source
from assets.ingestion.rules import blank, trimmed
from domain.contracts import source

#: Unicode category Zs, the characters DuckDB's trim removes (U+180E left Zs in Unicode 6.3).
SPACE_SEPARATORS = [0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000]


def test_trim_removes_exactly_the_space_separators():
    removed = (
        duckdb.connect()
        .execute(
            "SELECT list(i ORDER BY i) FROM range(1, 1114112) t(i) "
            "WHERE (i < 55296 OR i > 57343) AND trim(chr(i::INTEGER)) = ''"
        )
        .fetchone()[0]
    )
    assert removed == SPACE_SEPARATORS


def test_shortcuts_agree_with_trim_on_every_character_at_either_end():
    # every code point alone, after and before printable ASCII, doubled, and inside space separators
    values = [
        "c",
        "'a' || c",
        "c || 'a'",
        "'a1' || c",
        "c || c",
        "'~' || c || '!'",
        "' ' || c || chr(12288)",
        "chr(160) || c || 'b'",
        "'b' || c || chr(8195)",
    ]
    shapes = " UNION ALL ".join(f"SELECT {v} AS x FROM cps" for v in values)
    checked, differ_value, differ_blank = (
        duckdb.connect()
        .execute(
            f"""WITH cps AS (SELECT chr(i::INTEGER) AS c FROM range(1, 1114112) t(i)
                         WHERE i < 55296 OR i > 57343),
                 xs AS ({shapes} UNION ALL SELECT NULL UNION ALL SELECT '')
            SELECT count(*),
                   count(*) FILTER (WHERE ({trimmed("x")}) IS DISTINCT FROM NULLIF(trim(x), '')),
                   count(*) FILTER (WHERE ({blank("x")}) IS DISTINCT FROM (NULLIF(trim(x), '') IS NULL))
            FROM xs"""
        )
        .fetchone()
    )
    assert checked == 9 * (1114111 - 2048) + 2
    assert (differ_value, differ_blank) == (0, 0)


def _luhn_ok(npi: str) -> bool:
    """The NPI check digit by its definition: Luhn over 80840 + the ten digits, every second from the right
    (the check digit's left neighbour first) doubled."""
    total = 0
    for i, ch in enumerate(reversed("80840" + npi)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _ingested(tmp_path, source_name: str, file_name: str, lines: list[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse after ingesting one landing file of ``lines``."""
    folder = tmp_path / source_name
    folder.mkdir()
    (folder / file_name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    conn = duckdb.connect()
    ingest_source(conn, source(source_name), folder)
    return conn


def test_npi_check_digit_on_thousands_of_numbers(tmp_path):
    rng = random.Random(22)
    npis = {f"{rng.randrange(10**10):010d}" for _ in range(3000)}
    npis |= {"0000000000", "9999999999", "1234567893", "0000000008"}
    header = "npi,name,specialty,network_status,network_start,network_end"
    rows = [f"{n},Dr {n},Cardiology,in,2020-01-01," for n in sorted(npis)]
    conn = _ingested(tmp_path, "hp_providers", "p.csv", [header, *rows])
    loaded = {r[0] for r in conn.execute("SELECT npi FROM staging.hp_providers").fetchall()}
    assert loaded == {n for n in npis if _luhn_ok(n)}
    assert 0 < len(loaded) < len(npis)
    assert "1234567893" in loaded  # the CMS example


NBSP, EM_SPACE, IDEO_SPACE = "\u00a0", "\u2003", "\u3000"
CLAIMS_HEADER = ",".join(source("hp_claims").column_names)


def _claim(claim_id: str, **changes) -> str:
    row = (
        dict(
            claim_id=claim_id,
            line_number="1",
            claim_type="original",
            original_claim_id="",
            member_id="M1",
            provider_npi="1234567893",
            service_date="2026-01-05",
            received_date="2026-01-07",
            processed_at="2026-01-08T10:00:00-06:00",
            status="paid",
            service_category="lab",
            network="in",
            billed_amount="100.00",
            allowed_amount="80.00",
        )
        | changes
    )
    return ",".join(row[c] for c in source("hp_claims").column_names)


def test_claim_values_padded_with_unicode_spaces(tmp_path):
    rows = [
        _claim("C1"),
        _claim(  # every checked column padded with space separators at one end or both
            "C2",
            line_number=f"{NBSP}2",
            claim_type=f"{NBSP}reversal{IDEO_SPACE}",  # a reversal: its negative amounts are allowed
            original_claim_id="C1",
            provider_npi=f"1234567893{NBSP}",
            service_date=f"{EM_SPACE}2026-01-05",
            processed_at=f"2026-01-08T16:00:00Z{IDEO_SPACE}",
            status=f"paid{EM_SPACE}",
            network=f"{IDEO_SPACE}in",
            billed_amount=f"-100.00{NBSP}",
            allowed_amount=f" -80.00{NBSP}",
        ),
        _claim("C3", status="\tpaid"),  # a tab is no space separator: not trimmed
        _claim("C4", member_id=f"{IDEO_SPACE}{NBSP} "),  # nothing but spaces: missing
        _claim("C5", status="paid\u200b"),  # a zero-width space is no space separator either
        _claim("C6", billed_amount=f"{NBSP}-1.00"),  # negative money on an original
        _claim(f"{EM_SPACE}C7{NBSP}", provider_npi=f"{IDEO_SPACE}1234567890"),  # trimmed, wrong check digit
        _claim("\x7fC8"),  # a control character: kept, not blank
    ]
    conn = _ingested(tmp_path, "hp_claims", "c.csv", [CLAIMS_HEADER, *rows])
    loaded = conn.execute(
        "SELECT claim_id, line_number, claim_type, provider_npi, service_date, processed_at, status, "
        "network, billed_amount, allowed_amount, _row_number FROM staging.hp_claims ORDER BY _row_number"
    ).fetchall()
    assert [r[0] for r in loaded] == ["C1", "C2", "\x7fC8"]
    c2 = loaded[1]
    assert [str(v) for v in c2[1:10]] == [
        "2",
        "reversal",
        "1234567893",
        "2026-01-05",
        "2026-01-08 16:00:00",
        "paid",
        "in",
        "-100.00",
        "-80.00",
    ]
    quarantined = conn.execute(
        'SELECT row_number, "column", reason FROM ingest.quarantine ORDER BY row_number'
    ).fetchall()
    assert quarantined == [
        (3, "status", "bad_enum"),
        (4, "member_id", "missing_required"),
        (5, "status", "bad_enum"),
        (6, "billed_amount", "negative_money"),
        (7, "provider_npi", "bad_npi"),
    ]


def test_event_lines_padded_with_unicode_spaces(tmp_path):
    good = (
        '{"event_id":"E1","portal":"ce_portal","occurred_at":"2026-01-01T12:00:00Z","event_type":"logout",'
        '"username":"zoe","ip":"10.0.0.1","method":"sso"}'
    )
    padded = (
        f'{{"event_id":"E2","portal":"{EM_SPACE}ce_portal","occurred_at":"{IDEO_SPACE}2026-01-01T12:00:00Z",'
        f'"event_type":"logout{NBSP}","username":" zoe ","ip":"10.0.0.2","method":"sso{NBSP}"}}'
    )
    blank_user = good.replace('"E1"', '"E3"').replace('"zoe"', f'"{NBSP}{IDEO_SPACE}"')
    lines = [
        good,
        f"{NBSP}{IDEO_SPACE} ",  # a line of space separators only: skipped like an empty one
        padded,
        "\t",  # a tab is not blank: a line that is no JSON object
        blank_user,
        f"{EM_SPACE}{good.replace('E1', 'E4')}{NBSP}",  # JSON does not allow these around a value
    ]
    conn = _ingested(tmp_path, "auth_events", "e.jsonl", lines)
    loaded = conn.execute(
        "SELECT event_id, portal, event_type, username, method, _row_number FROM staging.auth_events "
        "ORDER BY _row_number"
    ).fetchall()
    # free text is kept verbatim, checked values are stored trimmed
    assert loaded == [
        ("E1", "ce_portal", "logout", "zoe", "sso", 1),
        ("E2", "ce_portal", "logout", " zoe ", "sso", 3),
    ]
    quarantined = conn.execute(
        'SELECT row_number, "column", reason FROM ingest.quarantine ORDER BY row_number'
    ).fetchall()
    assert quarantined == [
        (4, None, "malformed_json"),
        (5, "username", "missing_required"),
        (6, None, "malformed_json"),
    ]
