"""Which JSON lines are records: one parse per line decides it, with the verdict of ``json_type``.

A JSON-lines row is a record when the line is a JSON object; anything else is quarantined as
``malformed_json`` with its line number. The reader learns both that and the values from one extraction
per line (``readers.JSON_NOT_OBJECT``) instead of a ``json_type(line)`` of its own. These tests hold that
verdict to ``json_type``'s on lines of every shape, and to hand-computed outcomes on a file.
"""

import random

import duckdb
import pyarrow as pa

from assets.ingestion.load import ingest_source
from assets.ingestion.readers import JSON_NOT_OBJECT
from domain.contracts import source

GOOD = (
    '{"event_id":"E1","portal":"ce_portal","occurred_at":"2026-01-01T12:00:00Z","event_type":"logout",'
    '"username":"zoe","ip":"10.0.0.1","method":"sso"}'
)


def _event(event_id: str) -> str:
    return GOOD.replace('"E1"', f'"{event_id}"')


def _verdicts(lines: list[str]) -> tuple[int, int, int]:
    """(lines, lines where the one-parse verdict differs from json_type's, objects) over ``lines``."""
    conn = duckdb.connect()
    conn.register("lines", pa.table({"line": lines}))
    new = JSON_NOT_OBJECT.format(parsed="f", line="line")
    return conn.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE old IS DISTINCT FROM new), count(*) FILTER (WHERE NOT old)
            FROM (SELECT coalesce(try(json_type(line)) <> 'OBJECT', true) AS old, {new} AS new
                  FROM (SELECT line, try(json_extract_string(line, ['$.a', '$.b'])) AS f FROM lines))"""
    ).fetchone()


def test_one_parse_gives_json_types_verdict_on_lines_of_every_shape():
    # JSON texts of every root type, wrapped in every kind of whitespace and stray character, and noise
    rng = random.Random(22)
    alphabet = list('{}[]":, \t\r\n\x0b\x0c\xa0\ufeff\u3000\x00a1nulltre\\/*-.NI')
    roots = ['{"a":"x","b":null}', '{"a":1}', "[1,2]", '"s"', "12", "null", "true", "{}", '{"a":{"b":[1]}}']
    lines = []
    for _ in range(100_000):
        if rng.random() < 0.5:
            pad = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 2))) for _ in range(2)]
            lines.append(pad[0] + rng.choice(roots) + pad[1])
        else:
            lines.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))))
    total, differ, objects = _verdicts(lines)
    assert (total, differ) == (100_000, 0)
    assert 1_000 < objects < 99_000  # both verdicts were exercised


def test_hand_picked_lines_are_records_exactly_when_they_are_objects():
    lines = {
        '{"a":1}': True,
        ' \t{"a":1}': True,  # JSON's own whitespace before the object
        '\r{"a":"x"} ': True,
        '{"a":1,}': True,  # DuckDB's parser accepts a trailing comma (json_type says OBJECT too)
        "[1]": False,
        '"s"': False,
        "5": False,
        "null": False,
        '{"a":': False,  # cut short
        '{"a":1} x': False,
        '{"a":1}{"b":2}': False,
        '\ufeff{"a":1}': False,  # a byte-order mark inside the file
        '\xa0{"a":1}': False,  # a no-break space is no JSON whitespace
        '\x0b{"a":1}': False,
        "/*c*/{}": False,
        "": False,
    }
    conn = duckdb.connect()
    new = JSON_NOT_OBJECT.format(parsed="try(json_extract_string(?, ['$.a']))", line="?")
    for line, is_record in lines.items():
        assert conn.execute(f"SELECT NOT {new}", [line, line, line]).fetchone()[0] is is_record, line
    assert _verdicts(list(lines))[1] == 0


def test_event_file_of_objects_and_non_objects(tmp_path):
    lines = [
        _event("E1"),
        f" \t{_event('E2')}",  # leading JSON whitespace: a record
        "[" + _event("E3") + "]",  # an array holding a record is not one
        '"' + _event("E4").replace('"', '\\"') + '"',  # a string holding a record's text is not one
        _event("E5")[:-1],  # cut short
        "",  # blank: skipped, but keeps its number
        f"{_event('E6')} ",
        f"\ufeff{_event('E7')}",
        "42",
    ]
    folder = tmp_path / "auth_events"
    folder.mkdir()
    (folder / "e.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    conn = duckdb.connect()
    ingest_source(conn, source("auth_events"), folder)
    loaded = conn.execute(
        "SELECT event_id, username, _row_number FROM staging.auth_events ORDER BY _row_number"
    ).fetchall()
    assert loaded == [("E1", "zoe", 1), ("E2", "zoe", 2), ("E6", "zoe", 7)]
    quarantined = conn.execute(
        'SELECT row_number, "column", reason FROM ingest.quarantine ORDER BY row_number'
    ).fetchall()
    assert quarantined == [
        (3, None, "malformed_json"),
        (4, None, "malformed_json"),
        (5, None, "malformed_json"),
        (8, None, "malformed_json"),
        (9, None, "malformed_json"),
    ]
