"""Learning Center transcript items: completed and waived completions only, dated in the org zone, hours
fallback."""

import datetime as dt
from decimal import Decimal

import pytest

from domain.learning.transcripts import ITEM_COLUMNS, learning_center_items, totals, union_items
from tests.learning.builders import completion, course, person, staging, tables


def _items(conn, as_of=None):
    t = tables(conn)
    expr = learning_center_items(
        t["lc_people"], t["lc_courses"], t["lc_completions"], org_timezone="America/Chicago", as_of=as_of
    )
    return {r["item_id"]: r for r in expr.to_pyarrow().to_pylist()}, expr


def _conn():
    return staging(
        people=[person("P1", "03151980 1234"), person("P2", "010119800002")],
        courses=[course("C1", title="Hand hygiene", contact_hours="1.50"), course("C2", title="Fire safety")],
        completions=[
            completion("X1", "03/15/1980 1234", "C1", "2026-03-01 03:00:00", hours="2.25"),
            completion("X2", "031519801234", "C2", "2026-04-01 15:00:00", status="waived"),
            completion("X3", "031519801234", "C1", "2026-05-01 15:00:00", status="failed"),
            completion("X4", "031519801234", "C1", "2026-05-02 15:00:00", status="in_progress"),
            completion("X5", "99999999 9999", "C1", "2026-05-03 15:00:00"),  # nobody's id: no person
            completion("X6", "010119800002", "C9", "2026-05-04 15:00:00"),  # unknown course
        ],
    )


def test_items_are_completed_and_waived_completions_of_known_people():
    got, expr = _items(_conn())
    assert tuple(expr.columns) == ITEM_COLUMNS
    assert set(got) == {"X1", "X2", "X6"}
    x1 = got["X1"]
    assert (x1["person_id"], x1["source"], x1["title"], x1["credit_type"], x1["credits"]) == (
        "P1",
        "learning_center",
        "Hand hygiene",
        None,
        None,
    )
    assert x1["completed_on"] == dt.date(2026, 2, 28)  # 03:00Z on 1 March = 21:00 on 28 Feb in Chicago


def test_hours_are_the_completions_else_the_courses_contact_hours():
    got, _ = _items(_conn())
    assert got["X1"]["hours"] == Decimal("2.25")  # the completion's own hours
    assert got["X2"]["hours"] == Decimal("1.50")  # none recorded: C2's contact hours (default 1.50)
    assert got["X6"]["hours"] is None and got["X6"]["title"] == "C9"  # unknown course: its id as title


def test_an_as_of_date_leaves_out_later_completions():
    got, _ = _items(_conn(), as_of=dt.date(2026, 3, 31))
    assert set(got) == {"X1"}


def test_union_keeps_the_item_columns_in_order():
    _, expr = _items(_conn())
    both = union_items([expr, expr])
    assert tuple(both.columns) == ITEM_COLUMNS
    assert both.count().execute() == 6  # 3 + 3, duplicates kept


def test_union_of_nothing_is_refused():
    with pytest.raises(ValueError, match="no transcript item sources"):
        union_items([])


def test_totals_count_hours_once_per_item_and_credits_per_type():
    rows = [
        ("learning_center", "X1", None, None, Decimal("2.25")),
        ("ce", "E1", "AMA_PRA_1", Decimal("1.50"), Decimal("1.50")),  # one activity, two credit types:
        ("ce", "E1", "ANCC", Decimal("1.25"), Decimal("1.50")),  # its 1.50 hours count once
        ("external", "Z1", "AMA_PRA_1", Decimal("0.75"), None),
    ]
    hours, credits = totals(rows)
    assert hours == Decimal("3.75")  # 2.25 + 1.50
    assert credits == {"AMA_PRA_1": Decimal("2.25"), "ANCC": Decimal("1.25")}  # 1.50 + 0.75; 1.25
    assert list(credits) == ["AMA_PRA_1", "ANCC"]
