"""Effective versions of claims: which lines count, in which place, and the claim status a provider sees."""

from __future__ import annotations

from decimal import Decimal

from domain.health_plan.claims import effective_lines
from tests.health_plan.builders import line


def test_adjustment_replaces_all_the_originals_lines():
    # C1 has lines 1 and 2; A1 adjusts it with line 1 only: line 2 of C1 no longer counts.
    resolved = effective_lines(
        [
            line("C1", "100", at=1, line_number=1),
            line("C1", "50", at=1, line_number=2),
            line("A1", "80", at=2, claim_type="adjustment", original="C1", line_number=1),
        ]
    )
    assert [(e.line.claim_id, e.line.line_number, e.root_claim_id) for e in resolved.lines] == [
        ("A1", 1, "C1")
    ]
    (claim,) = resolved.claims
    assert (claim.claim_id, claim.line_count, claim.allowed_amount) == ("A1", 1, Decimal("80"))


def test_claim_status_mixes_line_statuses():
    # One paid and one denied line: partially paid; any pending line makes the claim pending.
    resolved = effective_lines(
        [
            line("C1", "100", at=1, line_number=1),
            line("C1", "50", at=1, line_number=2, status="denied"),
            line("C2", "10", at=2, line_number=1),
            line("C2", "10", at=2, line_number=2, status="pending"),
        ]
    )
    assert [(c.root_claim_id, c.status) for c in resolved.claims] == [
        ("C1", "partially_paid"),
        ("C2", "pending"),
    ]


def test_reversal_of_an_adjustment_takes_the_whole_claim_back():
    resolved = effective_lines(
        [
            line("C1", "100", at=1),
            line("A1", "90", at=2, claim_type="adjustment", original="C1"),
            line("R1", "-90", at=3, claim_type="reversal", original="A1"),
        ]
    )
    assert resolved.lines == []
    (claim,) = resolved.claims
    # The provider sees the claim as reversed by R1, with the claim's own (not the negated) amounts.
    assert (claim.root_claim_id, claim.claim_id, claim.status, claim.allowed_amount) == (
        "C1", "R1", "reversed", Decimal("100"),
    )  # fmt: skip


def test_a_link_cycle_in_bad_data_does_not_hang():
    # A1 names A2 and A2 names A1 (bad feed): each chain stops where the cycle closes, so each claim ends up
    # its own version and both stay visible rather than vanishing or looping forever.
    resolved = effective_lines(
        [
            line("A1", "10", at=1, claim_type="adjustment", original="A2"),
            line("A2", "20", at=2, claim_type="adjustment", original="A1"),
        ]
    )
    assert sorted(c.claim_id for c in resolved.claims) == ["A1", "A2"]
    assert sorted(e.line.claim_id for e in resolved.lines) == ["A1", "A2"]
