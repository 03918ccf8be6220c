"""Learning Center transcript items (domain/learning/transcripts.py) run unchanged on Spark."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from domain.learning.transcripts import learning_center_items
from tests.learning.builders import tables
from tests.learning.test_transcript_items import _conn

LC = ("lc_people", "lc_courses", "lc_requirements", "lc_completions")


def _items(t: dict):
    return learning_center_items(
        t["lc_people"], t["lc_courses"], t["lc_completions"], org_timezone="America/Chicago"
    )


def test_transcript_items_are_the_same_on_spark(on_spark):
    conn = _conn()
    duck, spark = _items(tables(conn)), _items(on_spark(conn, *LC))

    def listed(expr) -> list[dict]:
        return sorted(expr.to_pyarrow().to_pylist(), key=lambda r: r["item_id"])

    assert listed(spark) == listed(duck)
    got = {r["item_id"]: r for r in listed(spark)}
    assert set(got) == {"X1", "X2", "X6"}  # completed and waived, of known people
    assert got["X1"]["completed_on"] == dt.date(2026, 2, 28)  # 03:00Z on 1 March = 21:00 on 28 Feb in Chicago
    assert got["X1"]["hours"] == Decimal("2.25")  # the completion's own hours
