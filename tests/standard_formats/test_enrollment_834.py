"""The 834 maintenance rules on spans, without any file: hand-computed spans after each transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.health_plan.enrollment import EnrollmentSpan
from domain.health_plan.enrollment_834 import (
    Coverage,
    EnrollmentBook,
    Maintenance,
    MemberMaintenance,
    UnknownMember,
)

D = dt.date


def tx(kind: Maintenance, *coverages: Coverage, member: str = "M1") -> MemberMaintenance:
    return MemberMaintenance(member, kind, coverages)


def test_a_change_closes_the_open_span_the_day_before_and_only_changed_spans_are_reported():
    untouched = EnrollmentSpan("M2", "PPO500", "EMP", D(2023, 1, 1))
    book = EnrollmentBook([EnrollmentSpan("M1", "PPO500", "EMP", D(2024, 1, 1)), untouched])
    book.apply(tx(Maintenance.CHANGE, Coverage("PPO500", "FAM", D(2024, 3, 1), None)))
    assert book.changed() == [
        EnrollmentSpan("M1", "PPO500", "EMP", D(2024, 1, 1), D(2024, 2, 29)),  # 2024 is a leap year
        EnrollmentSpan("M1", "PPO500", "FAM", D(2024, 3, 1), None),
    ]


def test_a_change_on_the_spans_own_start_day_replaces_it_instead_of_ending_it_before_it_began():
    book = EnrollmentBook([EnrollmentSpan("M1", "PPO500", "EMP", D(2024, 1, 1))])
    book.apply(tx(Maintenance.CHANGE, Coverage("PPO500", "ESP", D(2024, 1, 1), None)))
    assert book.spans_of("M1") == [EnrollmentSpan("M1", "PPO500", "ESP", D(2024, 1, 1), None)]


def test_termination_then_reinstatement_reopens_the_same_span():
    book = EnrollmentBook([EnrollmentSpan("M1", "PPO500", "ESP", D(2024, 1, 1))])
    book.apply(tx(Maintenance.TERMINATION, Coverage("PPO500", None, None, D(2024, 6, 15))))
    assert book.spans_of("M1") == [EnrollmentSpan("M1", "PPO500", "ESP", D(2024, 1, 1), D(2024, 6, 15))]
    book.apply(tx(Maintenance.REINSTATEMENT, Coverage("PPO500", None, D(2024, 1, 1), None)))
    assert book.spans_of("M1") == [EnrollmentSpan("M1", "PPO500", "ESP", D(2024, 1, 1), None)]


def test_maintenance_without_coverage_is_refused_and_changes_nothing():
    book = EnrollmentBook([EnrollmentSpan("M1", "PPO500", "EMP", D(2024, 1, 1), D(2024, 3, 31))])
    for kind, cov in (
        (Maintenance.CHANGE, Coverage("PPO500", "EMP", D(2024, 5, 1), None)),  # M9 has nothing to change
        (Maintenance.TERMINATION, Coverage("PPO500", None, None, D(2024, 6, 30))),
        (Maintenance.REINSTATEMENT, Coverage("PPO500", None, None, None)),
    ):
        with pytest.raises(UnknownMember):
            book.apply(tx(kind, cov, member="M9"))
    with pytest.raises(UnknownMember):  # M1's only span ended in March: nothing covers June
        book.apply(tx(Maintenance.TERMINATION, Coverage("PPO500", None, None, D(2024, 6, 30))))
    assert book.changed() == []


def test_an_audit_states_spans_and_ends_none_by_omission():
    book = EnrollmentBook([EnrollmentSpan("M1", "PPO500", "EMP", D(2024, 1, 1))])
    book.apply(tx(Maintenance.AUDIT, Coverage("HDHP3000", "EMP", D(2025, 1, 1), None)))
    assert book.spans_of("M1") == [
        EnrollmentSpan("M1", "PPO500", "EMP", D(2024, 1, 1), None),
        EnrollmentSpan("M1", "HDHP3000", "EMP", D(2025, 1, 1), None),
    ]
