"""xAPI 1.0.3 statements: ralph's models validate, verbs map to completion status, bad statements wait."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from assets.ingestion.standard.xapi import read_xapi_lines
from tests.standard_formats.support import FIXTURES, ingest, land, ledger, ndjson, quarantine, rows, statement


def test_the_specs_examples_are_valid_statements_that_say_no_lc_completion():
    sent, attempted = read_xapi_lines(FIXTURES / "xapi_spec_examples.jsonl")
    assert (sent.reason, sent.column) == (
        "unknown_verb",
        "verb",
    )  # "sent a statement" is not about completion
    assert (attempted.reason, attempted.column) == (
        "unknown_actor",
        "actor.account",
    )  # an email, no LC account


def test_the_specs_attempted_example_with_an_lc_account_is_an_in_progress_completion(settings):
    example = (FIXTURES / "xapi_spec_examples.jsonl").read_text().splitlines()[1]
    account = (
        '"actor":{"objectType":"Agent",'
        '"account":{"homePage":"https://lc.portalytics.example","name":"04121980 1234"}}'
    )
    start = example.index('"actor"')
    end = example.index("},", start) + 1
    land(settings, "xapi", "lrs.jsonl", example[:start] + account + example[end:] + "\n")
    ingest(settings, "xapi")
    assert quarantine(settings, "xapi") == []
    assert rows(settings, "SELECT * EXCLUDE (_file_name, _row_number) FROM staging.lc_completions") == [
        # no completion id extension: the statement id; scaled 0.95 is a score of 95
        (
            "7ccd3322-e1a5-411a-a67d-6a735c76f119",
            "041219801234",
            "simpleCBT",
            dt.datetime(2015, 12, 18, 12, 17),
            "in_progress",
            Decimal("95.00"),
            None,
        ),
    ]


def test_verbs_and_results_map_to_completion_rows(settings):
    land(
        settings,
        "xapi",
        "lrs.jsonl",
        ndjson(
            statement(
                "C1",
                "04121980 1234",
                "completed",
                result={
                    "score": {"raw": 88.5, "min": 0, "max": 100},
                    "extensions": {"https://portalytics.example/xapi/extensions/contact-hours": 1.5},
                },
            ),
            statement("C2", "04/12/1980 1234", "passed"),
            statement("C3", "041219801234", "failed", result={"score": {"raw": 40}}),
            statement("C4", "04121980 1234", "waived"),
        ),
    )
    ingest(settings, "xapi")
    assert quarantine(settings, "xapi") == []
    got = rows(
        settings,
        "SELECT completion_id, lc_user_id, course_id, completed_at, status, score, hours FROM "
        "staging.lc_completions ORDER BY 1",
    )
    at = dt.datetime(2026, 3, 4, 19, 5)
    assert got == [
        ("C1", "041219801234", "CRS0007", at, "completed", Decimal("88.50"), Decimal("1.50")),
        ("C2", "041219801234", "CRS0007", at, "completed", None, None),
        ("C3", "041219801234", "CRS0007", at, "failed", Decimal("40.00"), None),
        ("C4", "041219801234", "CRS0007", at, "waived", None, None),
    ]


def test_bad_statements_are_quarantined_with_their_reason_and_the_rest_loads(settings):
    land(
        settings,
        "xapi",
        "lrs.jsonl",
        ndjson(
            statement("C1", "04121980 1234"),
            statement("C2", None),  # no actor
            statement("C3", "04121980 1234", "experienced"),  # a verb that says nothing about completion
            statement("C4", "04121980 1234", timestamp="last tuesday"),
            statement("C5", "04121980 1234", timestamp="2026-03-04T13:05:00"),  # no offset: ambiguous
            statement("C6", "13451980 1234"),  # not a real birth date in the LC user id
            statement("C7", "04121980 1234", result={"score": {"raw": 130, "max": 100}}),  # raw above max
            "[1, 2, 3]",
            statement("C9", "04121980 1234"),
        ),
    )
    ingest(settings, "xapi")
    assert quarantine(settings, "xapi") == [
        ("lrs.jsonl", 2, "actor", "missing_actor"),
        ("lrs.jsonl", 3, "verb", "unknown_verb"),
        ("lrs.jsonl", 4, "timestamp", "bad_timestamp"),
        ("lrs.jsonl", 5, "completed_at", "bad_timestamp"),
        ("lrs.jsonl", 6, "lc_user_id", "bad_lc_user_id"),
        ("lrs.jsonl", 7, "result.score", "bad_statement"),
        ("lrs.jsonl", 8, None, "malformed_json"),
    ]
    assert rows(settings, "SELECT completion_id FROM staging.lc_completions ORDER BY 1") == [("C1",), ("C9",)]
    assert ledger(settings, "xapi") == [("lrs.jsonl", "loaded", None, 9, 2, 7)]


def test_the_same_completion_twice_in_one_file_keeps_the_first(settings):
    land(
        settings,
        "xapi",
        "lrs.jsonl",
        ndjson(statement("C1", "04121980 1234"), statement("C1", "04121980 1234", "failed")),
    )
    ingest(settings, "xapi")
    assert quarantine(settings, "xapi") == [("lrs.jsonl", 2, "completion_id", "duplicate_key")]
    assert rows(settings, "SELECT status FROM staging.lc_completions") == [("completed",)]
