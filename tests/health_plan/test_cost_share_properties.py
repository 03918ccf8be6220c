"""Properties of the cost-share engine over random plans, families and claim histories."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.contracts import SERVICE_CATEGORIES
from tests.health_plan.builders import line, plan, price, span

ZERO = Decimal("0.00")
CATEGORIES = SERVICE_CATEGORIES
money_cents = st.integers(min_value=0, max_value=3_000_000).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def plans(draw):
    ded_ind = draw(st.integers(0, 3000))
    oop_ind = draw(st.integers(ded_ind, 8000))
    oop_out = draw(st.one_of(st.none(), st.integers(0, 12000)))
    return plan(
        fam_type=draw(st.sampled_from(["embedded", "aggregate"])),
        ded_ind_in=str(ded_ind),
        ded_fam_in=str(ded_ind * draw(st.integers(1, 3))),
        oop_ind_in=str(oop_ind),
        oop_fam_in=str(oop_ind * draw(st.integers(1, 3))),
        ded_ind_out=str(ded_ind * 2),
        ded_fam_out=str(ded_ind * 4),
        oop_ind_out=None if oop_out is None else str(oop_out),
        oop_fam_out=None if oop_out is None else str(oop_out * 2),
        coins_in=draw(st.sampled_from(["0", "0.10", "0.20", "0.25", "0.3333", "1"])),
        coins_out=draw(st.sampled_from(["0.30", "0.40", "0.5"])),
    )


@st.composite
def families(draw):
    """(plan, spans, lines): one family, one claim line per claim, processed one day apart."""
    tier = draw(st.sampled_from(["EMP", "ESP", "ECH", "FAM"]))
    members = ["M1"] if tier == "EMP" else ["M1", "M2", "M3"][: draw(st.integers(2, 3))]
    n = draw(st.integers(1, 25))
    lines = [
        line(
            f"C{i:02d}",
            str(draw(money_cents)),
            at=i,
            member=draw(st.sampled_from(members)),
            cat=draw(st.sampled_from(CATEGORIES)),
            net=draw(st.sampled_from(["in", "in", "out"])),
            status=draw(st.sampled_from(["paid", "paid", "paid", "denied", "pending"])),
        )
        for i in range(n)
    ]
    return draw(plans()), [span(m, tier) for m in members], lines


def _shares(result):
    return {
        (r.line.claim_id): (
            r.deductible_applied,
            r.coinsurance,
            r.copay,
            r.member_responsibility,
            r.plan_paid,
        )
        for r in result.lines
    }


@settings(max_examples=150, deadline=None)
@given(families())
def test_member_and_plan_split_the_allowed_amount(case):
    p, spans, lines = case
    result = price(lines, spans, [p])
    assert len(result.lines) == len(lines)
    for r in result.lines:
        allowed = r.line.allowed_amount
        parts = r.deductible_applied + r.coinsurance + r.copay
        assert min(r.deductible_applied, r.coinsurance, r.copay) >= ZERO
        assert parts == r.member_responsibility
        if r.line.status == "paid":
            assert ZERO <= r.member_responsibility <= allowed
            assert r.member_responsibility + r.plan_paid == allowed
        else:
            assert r.member_responsibility == r.plan_paid == ZERO


@settings(max_examples=150, deadline=None)
@given(families())
def test_no_accumulator_goes_above_its_limit(case):
    p, spans, lines = case
    result = price(lines, spans, [p])
    for acc in result.members + result.families:
        assert acc.deductible_met <= acc.deductible_limit, acc
        if acc.oop_limit is not None:
            assert acc.oop_met <= acc.oop_limit, acc
    # The family totals are the sums of the members' totals.
    for fam in result.families:
        members = [m for m in result.members if m.network == fam.network]
        assert fam.deductible_met == sum((m.deductible_met for m in members), ZERO)
        assert fam.oop_met == sum((m.oop_met for m in members), ZERO)


@settings(max_examples=100, deadline=None)
@given(families(), st.data())
def test_a_reversal_prices_the_year_as_if_the_claim_never_was(case, data):
    p, spans, lines = case
    k = data.draw(st.integers(0, len(lines) - 1))
    gone = lines[k]
    reversal = line(
        "R", "0", at=len(lines) + 1, claim_type="reversal", original=gone.claim_id, member=gone.member_id
    )
    with_reversal = price([*lines, reversal], spans, [p])
    without = price([x for i, x in enumerate(lines) if i != k], spans, [p])
    assert _shares(with_reversal) == _shares(without)
    assert with_reversal.members == without.members


@settings(max_examples=100, deadline=None)
@given(families())
def test_reversal_then_the_same_claim_again_gives_the_original_result(case):
    p, spans, lines = case
    last = lines[-1]
    reversal = line("R", "0", at=len(lines) + 1, claim_type="reversal", original=last.claim_id)
    again = dataclasses.replace(last, claim_id="AGAIN", processed_at=reversal.processed_at.replace(hour=13))
    original = price(lines, spans, [p])
    replayed = price([*lines, reversal, again], spans, [p])
    expected = _shares(original)
    expected["AGAIN"] = expected.pop(last.claim_id)
    assert _shares(replayed) == expected
    assert replayed.members == original.members and replayed.families == original.families
