"""Reading a transcript from the published snapshot: scope, range, order, totals."""

import datetime as dt
from decimal import Decimal

import pytest

from reports.learning.transcripts import COMPLETE_HISTORY, load_transcript
from reports.principal import NotPermitted, Principal, Role

STAFF_P1 = Principal("zoe", Role.STAFF, ("P1",))
STAFF_P2 = Principal("omar", Role.STAFF, ("P2",))
ICU_MANAGER = Principal("edu", Role.EDUCATION_MANAGER, ("ICU",))
ADMIN = Principal("root", Role.ADMIN)
NOW = dt.datetime(2026, 7, 1, 9, 30)


def test_complete_history_newest_first_with_totals(published):
    t = load_transcript(STAFF_P1, published, "P1", now=NOW)
    assert t.range_label == COMPLETE_HISTORY
    assert [(i.item_id, i.credit_type) for i in t.items] == [
        ("E1", "AMA_PRA_1"), ("E1", "ANCC"),  # 20 May 2026, one activity with two credit types
        ("X2", None),  # 1 Feb 2026
        ("Z1", "AMA_PRA_1"),  # 11 Nov 2025
        ("X1", None),  # 10 July 2025
        ("X3", None),  # 5 March 2024 (waived counts)
    ]  # fmt: skip
    # Hours: E1 1.50 (once) + X2 1.25 + X1 1.50 + X3 1.50 = 5.75; Z1 has none.
    assert t.total_hours == Decimal("5.75")
    # Credits: AMA_PRA_1 1.50 (E1) + 0.75 (Z1) = 2.25; ANCC 1.25 (E1).
    assert t.credits_by_type == {"AMA_PRA_1": Decimal("2.25"), "ANCC": Decimal("1.25")}


def test_a_date_range_is_inclusive_at_both_ends(published):
    t = load_transcript(STAFF_P1, published, "P1", dt.date(2025, 7, 10), dt.date(2025, 11, 11), now=NOW)
    assert [i.item_id for i in t.items] == ["Z1", "X1"]
    assert (t.total_hours, t.credits_by_type) == (Decimal("1.50"), {"AMA_PRA_1": Decimal("0.75")})
    assert t.range_label == "2025-07-10 to 2025-11-11"


def test_a_reversed_range_is_refused(published):
    with pytest.raises(ValueError, match="after"):
        load_transcript(STAFF_P1, published, "P1", dt.date(2026, 1, 2), dt.date(2026, 1, 1))


def test_staff_never_get_another_persons_transcript(published):
    with pytest.raises(NotPermitted):
        load_transcript(STAFF_P2, published, "P1")
    with pytest.raises(NotPermitted):  # a person who does not exist gets the same answer
        load_transcript(STAFF_P2, published, "NOBODY")


def test_an_education_manager_sees_only_their_departments(published):
    assert load_transcript(ICU_MANAGER, published, "P1").person_id == "P1"  # P1 is in ICU
    with pytest.raises(NotPermitted):
        load_transcript(ICU_MANAGER, published, "P2")  # P2 is in ER


@pytest.mark.parametrize("role", [Role.CE_TEAM, Role.EMPLOYER, Role.MEMBER, Role.PROVIDER])
def test_other_roles_get_nothing(published, role):
    with pytest.raises(NotPermitted):
        load_transcript(Principal("x", role, ("P1",)), published, "P1")


def test_only_an_admin_sees_the_masked_learning_center_id(published):
    assert dict(load_transcript(ADMIN, published, "P1").ids) == {
        "Person ID": "P1",
        "Learning Center ID": "••••••••1234",
    }
    assert dict(load_transcript(STAFF_P1, published, "P1").ids) == {"Person ID": "P1"}


def test_the_screen_frame_holds_the_transcripts_numbers(published):
    t = load_transcript(STAFF_P1, published, "P1", now=NOW)
    frame = t.items_frame()
    assert list(frame["Item"]) == [i.item_id for i in t.items]
    assert sum(c for c in frame["Credits"] if c is not None) == Decimal("3.50")  # 1.50 + 1.25 + 0.75
    assert dict(t.totals_frame().itertuples(index=False, name=None)) == {
        "Hours": Decimal("5.75"),
        "Credits: AMA PRA Category 1 Credit": Decimal("2.25"),
        "Credits: ANCC contact hours": Decimal("1.25"),
    }
