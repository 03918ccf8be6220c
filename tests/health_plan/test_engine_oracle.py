"""The vectorised cost-share engine gives exactly what the per-family engine it replaced gave (issue 22).

The old engine (one family at a time, Python per line) lives on only as this test's oracle, in
``tests/health_plan/oracle/``. Random chunks of families go through both as the chunk workers and Spark call
them (:func:`assets.health_plan.chunks.price_tables`, Arrow in, the five claim marts out), and every mart must
be the same table: same rows, same order, same types, same explanation sentences. The families are built to
reach the rule's edges: deductibles crossed mid-line, OOP maximums reached (individual and family, embedded
and aggregate, out of network without a limit), adjustments and reversals (also of claims not on file, and
chains that loop), lines outside coverage or any plan year, overlapping spans, zero and large amounts,
denied and pending lines, copays limited to the allowed amount, members without claims or spans.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.health_plan.chunks import INPUT_COLUMNS, INPUT_TYPES, SPAN_COLUMNS, day_number, price_tables
from domain.contracts import SERVICE_CATEGORIES
from tests.health_plan.builders import plan
from tests.health_plan.oracle.chunks import price_tables as oracle_price_tables

EPOCH = dt.datetime(1970, 1, 1)
DAY0 = dt.date(2024, 11, 1)  # claims and spans fall between here and about three years later
TIERS = ("EMP", "ESP", "ECH", "FAM")


@st.composite
def plan_years(draw):
    years = []
    for plan_id in ("P1", "P2"):
        mid_year = draw(st.booleans())  # plan years from 1 July, or calendar years
        for year in range(2025, 2025 + draw(st.integers(1, 2))):
            ded_ind = draw(st.integers(0, 1500))
            oop_ind = draw(st.integers(ded_ind, 4000))
            oop_out = draw(st.one_of(st.none(), st.integers(0, 6000)))
            years.append(
                plan(
                    plan_id,
                    year,
                    start=dt.date(year, 7 if mid_year else 1, 1),
                    fam_type=draw(st.sampled_from(["embedded", "aggregate"])),
                    ded_ind_in=str(ded_ind),
                    ded_fam_in=str(ded_ind * draw(st.integers(1, 3))),
                    oop_ind_in=str(oop_ind),
                    oop_fam_in=str(oop_ind * draw(st.sampled_from([1, 1, 2, 3]))),
                    ded_ind_out=str(ded_ind * 2),
                    ded_fam_out=str(ded_ind * 4),
                    oop_ind_out=None if oop_out is None else str(oop_out),
                    oop_fam_out=None if oop_out is None else str(oop_out * 2),
                    coins_in=draw(st.sampled_from(["0", "0.10", "0.20", "0.25", "0.3333", "1"])),
                    coins_out=draw(st.sampled_from(["0.30", "0.40", "0.5", "0.125"])),
                )
            )
    return years


def _cents(draw) -> int:
    return draw(
        st.one_of(
            st.just(0),
            st.integers(1, 5_000),  # under any copay
            st.integers(5_000, 300_000),
            st.integers(300_000, 200_000_000),  # past every deductible and OOP maximum in one line
            st.integers(300_000, 200_000_000),
        )
    )


@st.composite
def chunks(draw):
    """(lines, spans): a chunk's input tables, as ``assets.health_plan.chunk_lines.sql`` exports them."""
    rows: list[dict] = []
    spans: list[dict] = []
    claim_numbers = iter(draw(st.permutations(range(100, 400))))  # claim ids in no particular order
    for f in range(draw(st.integers(1, 4))):
        subscriber = f"S{f}"
        members = [subscriber, *[f"S{f}-{k}" for k in range(draw(st.sampled_from([0, 1, 2, 2])))]]
        employers = {m: draw(st.sampled_from(["E1", "E2", None])) for m in members}
        for m in members:
            for _ in range(draw(st.integers(0, 3))):
                start = draw(st.one_of(st.just(0), st.integers(0, 900)))  # most cover everything
                spans.append(
                    {
                        "member_id": m,
                        "plan_id": draw(st.sampled_from(["P1", "P1", "P2", "P9"])),  # P9: no plan years
                        "coverage_tier": draw(st.sampled_from(TIERS)),
                        "start_day": day_number(DAY0) + start,
                        "end_day": draw(
                            st.one_of(
                                st.none(), st.integers(start, start + 700).map(lambda d: day_number(DAY0) + d)
                            )
                        ),
                    }
                )
        claims: list[str] = []
        for _ in range(draw(st.integers(0, 14)) if f else draw(st.integers(4, 14))):
            claim_id = f"C{next(claim_numbers)}"
            kind = draw(st.sampled_from(["original"] * 5 + ["adjustment", "reversal"]))
            original = None
            if kind != "original" or draw(st.integers(0, 9)) == 0:
                original = draw(
                    st.sampled_from(
                        [*claims, *claims, "C999", "", claim_id] if claims else ["C999", "", None]
                    )
                )
            claims.append(claim_id)
            member = draw(st.sampled_from(members))
            processed = EPOCH + dt.timedelta(
                days=20000 + draw(st.integers(0, 1200)), hours=draw(st.integers(0, 1))
            )
            service = DAY0 + dt.timedelta(days=draw(st.integers(0, 1000)))
            for line_number in draw(st.sets(st.integers(1, 4), min_size=1, max_size=3)):
                allowed = _cents(draw)
                rows.append(
                    {
                        "subscriber_id": subscriber,
                        "family_member": member,
                        "employer_id": employers[member],
                        "claim_id": claim_id,
                        "line_number": line_number,
                        "claim_type": kind,
                        "original_claim_id": original,
                        "member_id": member,
                        "provider_npi": "1234567893",
                        "service_date": service,
                        "processed_at": processed,
                        "status": draw(st.sampled_from(["paid"] * 6 + ["denied", "pending"])),
                        "service_category": draw(st.sampled_from(SERVICE_CATEGORIES)),
                        "network": draw(st.sampled_from(["in", "in", "out"])),
                        "billed_amount": Decimal(allowed * 2).scaleb(-2),
                        "allowed_amount": Decimal(allowed).scaleb(-2),
                        "service_day": day_number(service),
                        "processed_us": (processed - EPOCH) // dt.timedelta(microseconds=1),
                        "billed_cents": allowed * 2,
                        "allowed_cents": allowed,
                    }
                )
        claimed = {r["family_member"] for r in rows if r["subscriber_id"] == subscriber}
        rows += [
            {"subscriber_id": subscriber, "family_member": m, "employer_id": employers[m]}
            for m in members
            if m not in claimed
        ]
    return _lines_table(rows), _spans_table(spans)


def _lines_table(rows: list[dict]) -> pa.Table:
    table = pa.table(
        {c: pa.array([r.get(c) for r in rows], INPUT_TYPES.get(c, pa.string())) for c in INPUT_COLUMNS}
    )
    order = [(c, "ascending") for c in ("subscriber_id", "family_member", "claim_id", "line_number")]
    return table.sort_by(order)


def _spans_table(spans: list[dict]) -> pa.Table:
    return pa.table(
        {
            c: pa.array([s[c] for s in spans], pa.int64() if c.endswith("_day") else pa.string())
            for c in SPAN_COLUMNS
        }
    )


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(plan_years(), chunks())
def test_vectorised_engine_gives_the_old_engines_marts(years, chunk):
    lines, spans = chunk
    found, expected = price_tables(lines, spans, years), oracle_price_tables(lines, spans, years)
    assert list(found) == list(expected)
    for mart, table in expected.items():
        assert found[mart].schema == table.schema, mart
        assert found[mart].to_pylist() == table.to_pylist(), mart


def test_the_edges_the_oracle_test_reaches_are_reached():
    """The random chunks do reach the rule's edges (else the equality above proves little).

    Derandomized and without Hypothesis's example database: the same 150 chunks every run. Drawn afresh,
    one run in a fresh clone missed an edge (``coinsurance+oop_cap``) and failed a suite whose code was
    right; with the database on, examples saved by earlier runs were tried first, and the suite failed
    again in one order of the test files (session 10, reproduced serially; never with ``database=None``)."""
    seen: set[str] = set()

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(plan_years(), chunks())
    def collect(years, chunk):
        marts = price_tables(*chunk, years)
        seen.update(marts["claim_cost_share"].column("basis").to_pylist())
        seen.update(marts["claim_exceptions"].column("reason").to_pylist())
        seen.update(marts["claim_status"].column("status").to_pylist())
        for sentence in marts["claim_cost_share"].column("explanation").to_pylist():
            if "family deductible" in sentence:
                seen.add("family deductible")
            if "limited to the allowed amount" in sentence:
                seen.add("copay limited")

    collect()
    assert {
        "deductible+coinsurance",
        "deductible+coinsurance+oop_cap",
        "coinsurance+oop_cap",
        "copay",
        "preventive",
        "denied",
        "pending",
        "no_enrollment",
        "no_plan_year",
        "original_not_found",
        "reversed",
        "partially_paid",
        "family deductible",
        "copay limited",
    } <= seen


def test_a_family_cap_reached_by_two_members_is_priced_as_before():
    """The family OOP maximum (rarely reached by the random chunks): two members of a FAM family each have a
    $10,000 lab line; the plan's family OOP equals the individual one ($2,000), so the second member's line
    is cut by the family's cap, not their own."""
    day = dt.date(2025, 3, 1)
    rows = [
        {
            "subscriber_id": "S1",
            "family_member": member,
            "employer_id": "E1",
            "claim_id": claim_id,
            "line_number": 1,
            "claim_type": "original",
            "member_id": member,
            "provider_npi": "1234567893",
            "service_date": day,
            "processed_at": dt.datetime(2025, 3, at),
            "status": "paid",
            "service_category": "lab",
            "network": "in",
            "billed_amount": Decimal("10000.00"),
            "allowed_amount": Decimal("10000.00"),
            "service_day": day_number(day),
            "processed_us": (dt.datetime(2025, 3, at) - EPOCH) // dt.timedelta(microseconds=1),
            "billed_cents": 1_000_000,
            "allowed_cents": 1_000_000,
        }
        for member, claim_id, at in (("S1", "C1", 2), ("S1-2", "C2", 3))
    ]
    spans = [
        {
            "member_id": m,
            "plan_id": "P1",
            "coverage_tier": "FAM",
            "start_day": day_number(dt.date(2025, 1, 1)),
            "end_day": None,
        }
        for m in ("S1", "S1-2")
    ]
    years = [plan("P1", 2025, oop_ind_in="2000", oop_fam_in="2000")]
    lines, span_table = _lines_table(rows), _spans_table(spans)
    found, expected = price_tables(lines, span_table, years), oracle_price_tables(lines, span_table, years)
    for mart, table in expected.items():
        assert found[mart].to_pylist() == table.to_pylist(), mart
    first, second = found["claim_cost_share"].to_pylist()
    # The first member pays the $2,000 individual OOP maximum (also the family's); the second pays nothing.
    assert first["member_responsibility"] == Decimal("2000.00")
    assert second["member_responsibility"] == Decimal("0.00")
    assert "in-network family out-of-pocket maximum is reached" in second["explanation"]
