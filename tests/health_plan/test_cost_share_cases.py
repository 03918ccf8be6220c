"""Hand-computed cost-share cases. Standard plan (builders.plan): in-network deductible 500 individual / 1000
family, OOP 2000 / 4000, coinsurance 20%; out-of-network deductible 1000 / 2000, OOP 5000 / 10000, 40%;
copays office 25, specialist 50, emergency 250, generic 10, brand 40. Tuples are
(deductible, coinsurance, copay, member pays, plan pays)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.health_plan.builders import (
    D,
    family_row,
    family_spans,
    line,
    member_row,
    plan,
    price,
    shares,
    span,
)


def test_individual_deductible_then_coinsurance():
    # EMP. C1 lab 300: deductible min(300, 500) = 300, coinsurance 0 -> pays 300, plan 0.
    # C2 imaging 1000: deductible min(1000, 500-300=200) = 200, coinsurance 0.20 x 800 = 160 -> pays 360,
    # plan 1000-360 = 640. Deductible met 500/500, OOP 300+360 = 660 of 2000.
    r = price([line("C1", "300", at=1), line("C2", "1000", at=2, cat="imaging")])
    assert shares(r) == {
        "C1": (D("300"), D("0"), D("0"), D("300"), D("0")),
        "C2": (D("200"), D("160"), D("0"), D("360"), D("640")),
    }
    acc = member_row(r, "M1")
    assert (acc.deductible_met, acc.deductible_limit, acc.deductible_remaining) == (D(500), D(500), D(0))
    assert (acc.oop_met, acc.oop_limit, acc.oop_remaining) == (D(660), D(2000), D(1340))


def test_copay_below_allowed_skips_the_deductible_and_counts_toward_oop():
    # Office visit allowed 120: copay 25 (no deductible) -> plan 95. Then lab 100: the deductible is untouched
    # by the copay, so deductible 100. OOP 25 + 100 = 125; deductible met only 100.
    r = price([line("C1", "120", at=1, cat="office_visit"), line("C2", "100", at=2)])
    assert shares(r)["C1"] == (D("0"), D("0"), D("25"), D("25"), D("95"))
    assert shares(r)["C2"] == (D("100"), D("0"), D("0"), D("100"), D("0"))
    acc = member_row(r, "M1")
    assert (acc.deductible_met, acc.oop_met) == (D(100), D(125))


def test_copay_above_allowed_is_limited_to_allowed():
    # Generic drug allowed 6.50 < copay 10: pays min(10, 6.50) = 6.50, plan 0.
    r = price([line("C1", "6.50", at=1, cat="rx_generic")])
    assert shares(r)["C1"] == (D("0"), D("0"), D("6.50"), D("6.50"), D("0"))
    assert "limited to the allowed amount" in r.lines[0].explanation


def test_in_network_preventive_is_free_and_accumulates_nothing():
    # Preventive 250 in network: member 0, plan 250; deductible and OOP stay 0.
    r = price([line("C1", "250", at=1, cat="preventive")])
    assert shares(r)["C1"] == (D("0"), D("0"), D("0"), D("0"), D("250"))
    acc = member_row(r, "M1")
    assert (acc.deductible_met, acc.oop_met) == (D(0), D(0))
    assert r.lines[0].basis == "preventive"


def test_out_of_network_preventive_and_copay_categories_go_through_the_oon_deductible():
    # Out of network there is no copay and no free preventive care: preventive 250 -> OON deductible
    # min(250, 1000) = 250. Office visit 150 -> deductible min(150, 750) = 150. OON deductible met 400;
    # the in-network accumulators stay at 0.
    r = price(
        [
            line("C1", "250", at=1, cat="preventive", net="out"),
            line("C2", "150", at=2, cat="office_visit", net="out"),
        ]
    )
    assert shares(r)["C1"] == (D("250"), D("0"), D("0"), D("250"), D("0"))
    assert shares(r)["C2"] == (D("150"), D("0"), D("0"), D("150"), D("0"))
    assert member_row(r, "M1", "out").deductible_met == D(400)
    assert member_row(r, "M1", "in").deductible_met == D(0)


def test_embedded_family_deductible():
    # FAM, embedded. M1 lab 600: deductible min(600, min(500, 1000)) = 500, coinsurance 0.2 x 100 = 20 -> 520.
    # M2 lab 600: min(600, min(500, 1000-500=500)) = 500, coins 20 -> 520. Family deductible now 1000 = met.
    # M3 lab 300: individual remaining 500 but family remaining 0 -> deductible 0, coins 0.2 x 300 = 60.
    r = price(
        [line("C1", "600", at=1), line("C2", "600", at=2, member="M2"), line("C3", "300", at=3, member="M3")],
        family_spans("FAM"),
    )
    assert shares(r) == {
        "C1": (D("500"), D("20"), D("0"), D("520"), D("80")),
        "C2": (D("500"), D("20"), D("0"), D("520"), D("80")),
        "C3": (D("0"), D("60"), D("0"), D("60"), D("240")),
    }
    fam = family_row(r)
    assert (fam.deductible_met, fam.deductible_limit, fam.oop_met) == (D(1000), D(1000), D(1100))
    assert member_row(r, "M3").deductible_met == D(0)
    assert (
        "family deductible" not in r.lines[0].explanation
        and "individual deductible" in r.lines[0].explanation
    )


def test_embedded_family_member_meets_own_deductible_first():
    # FAM, embedded. M1 lab 800: deductible min(800, min(500, 1000)) = 500 (her own cap), coins 0.2 x 300 =
    # 60. M1 lab 100 again: individual remaining 0 -> deductible 0, coins 20, though the family has 500 left.
    r = price([line("C1", "800", at=1), line("C2", "100", at=2)], family_spans("FAM"))
    assert shares(r)["C1"][:2] == (D("500"), D("60"))
    assert shares(r)["C2"][:2] == (D("0"), D("20"))
    assert family_row(r).deductible_remaining == D(500)


def test_aggregate_family_deductible():
    # FAM, aggregate: only the family deductible (1000) exists. M1 lab 600 -> deductible 600, coins 0.
    # M2 lab 600 -> deductible min(600, 400) = 400, coins 0.2 x 200 = 40 -> 440. M3 lab 300 -> 0 + 60.
    r = price(
        [line("C1", "600", at=1), line("C2", "600", at=2, member="M2"), line("C3", "300", at=3, member="M3")],
        family_spans("FAM"),
        [plan(fam_type="aggregate")],
    )
    assert shares(r) == {
        "C1": (D("600"), D("0"), D("0"), D("600"), D("0")),
        "C2": (D("400"), D("40"), D("0"), D("440"), D("160")),
        "C3": (D("0"), D("60"), D("0"), D("60"), D("240")),
    }
    # In an aggregate plan the member's deductible limit is the family's (1000): M1 has met 600 of it.
    m1 = member_row(r, "M1")
    assert (m1.deductible_met, m1.deductible_limit, m1.deductible_remaining) == (D(600), D(1000), D(400))


def test_oop_cap_cuts_coinsurance_and_then_copays():
    # EMP, OOP 2000. C1 lab 5000: deductible 500, coins 0.2 x 4500 = 900 -> 1400 (OOP 1400).
    # C2 imaging 5000: coins 0.2 x 5000 = 1000 but only 2000-1400 = 600 left -> pays 600, all of it
    # coinsurance (the 400 cut comes off coinsurance), plan 4400. C3 office visit 120 after the cap: copay 0,
    # plan 120.
    r = price(
        [
            line("C1", "5000", at=1),
            line("C2", "5000", at=2, cat="imaging"),
            line("C3", "120", at=3, cat="office_visit"),
        ]
    )
    assert shares(r)["C1"] == (D("500"), D("900"), D("0"), D("1400"), D("3600"))
    assert shares(r)["C2"] == (D("0"), D("600"), D("0"), D("600"), D("4400"))
    assert shares(r)["C3"] == (D("0"), D("0"), D("0"), D("0"), D("120"))
    assert r.lines[1].basis == "coinsurance+oop_cap"
    assert (
        "$400.00 less because the in-network individual out-of-pocket maximum is reached"
        in r.lines[1].explanation
    )
    acc = member_row(r, "M1")
    assert (acc.oop_met, acc.oop_remaining) == (D(2000), D(0))


def test_oop_cap_reached_by_copays_cuts_the_deductible_part():
    # EMP, OOP 600. Two ER visits: copay 250 + 250 = 500 of OOP. Lab 300: deductible 300, but only 100 OOP
    # left: pays 100, no coinsurance to cut, so the deductible part is cut to 100 and only 100 counts as
    # deductible met.
    r = price(
        [
            line("C1", "900", at=1, cat="emergency"),
            line("C2", "900", at=2, cat="emergency"),
            line("C3", "300", at=3),
        ],
        plans=[plan(oop_ind_in="600")],
    )
    assert shares(r)["C3"] == (D("100"), D("0"), D("0"), D("100"), D("200"))
    acc = member_row(r, "M1")
    assert (acc.deductible_met, acc.oop_met) == (D(100), D(600))


def test_individual_oop_cap_inside_a_family_then_family_cap():
    # FAM embedded, OOP 2000 individual / 4000 family. M1 inpatient 20000: deductible 500, coins 0.2 x 19500 =
    # 3900, owed 4400 capped at the individual 2000 -> coinsurance 3900 - 2400 = 1500. M2 the same: deductible
    # min(500, 1000-500) = 500, coins 1500 after the cut -> 2000; family OOP now 4000 = met.
    # M3 lab 1000: deductible 0 (family met), coins 200, but the family OOP has 0 left -> pays 0.
    r = price(
        [
            line("C1", "20000", at=1, cat="inpatient"),
            line("C2", "20000", at=2, cat="inpatient", member="M2"),
            line("C3", "1000", at=3, member="M3"),
        ],
        family_spans("FAM"),
    )
    assert shares(r)["C1"] == (D("500"), D("1500"), D("0"), D("2000"), D("18000"))
    assert shares(r)["C2"] == (D("500"), D("1500"), D("0"), D("2000"), D("18000"))
    assert shares(r)["C3"] == (D("0"), D("0"), D("0"), D("0"), D("1000"))
    assert "individual out-of-pocket maximum" in r.lines[0].explanation
    assert "family out-of-pocket maximum" in r.lines[2].explanation
    assert family_row(r).oop_met == D(4000)
    assert member_row(r, "M3").oop_met == D(0)


def test_in_and_out_of_network_accumulate_separately():
    # EMP. In-network lab 500 meets the in-network deductible (500). Out-of-network lab 500: OON deductible
    # min(500, 1000) = 500, nothing of it met by in-network spend. In-network lab 100 then: coins 20 only.
    r = price([line("C1", "500", at=1), line("C2", "500", at=2, net="out"), line("C3", "100", at=3)])
    assert shares(r)["C2"] == (D("500"), D("0"), D("0"), D("500"), D("0"))
    assert shares(r)["C3"] == (D("0"), D("20"), D("0"), D("20"), D("80"))
    assert (member_row(r, "M1", "in").oop_met, member_row(r, "M1", "out").oop_met) == (D(520), D(500))


def test_unlimited_out_of_network_oop():
    # OON OOP empty = no limit. Inpatient 100000 out of network: deductible 1000, coins 0.4 x 99000 = 39600,
    # pays 40600 with no cap; the accumulator shows no limit, no remaining, no percentage.
    r = price(
        [line("C1", "100000", at=1, cat="inpatient", net="out")],
        plans=[plan(oop_ind_out=None, oop_fam_out=None)],
    )
    assert shares(r)["C1"] == (D("1000"), D("39600"), D("0"), D("40600"), D("59400"))
    acc = member_row(r, "M1", "out")
    assert (acc.oop_met, acc.oop_limit, acc.oop_remaining) == (D(40600), None, None)


def test_plan_year_reset_and_late_processed_claim_stays_in_its_year():
    # 2025 and 2026 plan years. C1 lab 500 served 2025-12-20 meets the 2025 deductible. C2 lab 500 served
    # 2026-01-05: new plan year, deductible 500 again. C3 lab 100 served 2025-12-30 but processed after C2:
    # it belongs to 2025 (deductible met) -> coins 20 only.
    r = price(
        [
            line("C1", "500", at=1, service=dt.date(2025, 12, 20)),
            line("C2", "500", at=2, service=dt.date(2026, 1, 5)),
            line("C3", "100", at=3, service=dt.date(2025, 12, 30)),
        ],
        plans=[plan(year=2025), plan(year=2026)],
    )
    assert shares(r)["C2"] == (D("500"), D("0"), D("0"), D("500"), D("0"))
    assert shares(r)["C3"] == (D("0"), D("20"), D("0"), D("20"), D("80"))
    assert [(x.plan_year) for x in r.lines] == [2025, 2026, 2025]
    assert member_row(r, "M1", year=2026).deductible_met == D(500)
    assert member_row(r, "M1", year=2025).oop_met == D(520)


def test_denied_and_pending_lines_pay_and_accumulate_nothing():
    # Denied lab 400 and pending lab 400: zeros (plan pays 0 too). Paid lab 400 then: deductible 400 of 500.
    r = price(
        [
            line("C1", "400", at=1, status="denied"),
            line("C2", "400", at=2, status="pending"),
            line("C3", "400", at=3),
        ]
    )
    assert shares(r)["C1"] == (D("0"),) * 5
    assert shares(r)["C2"] == (D("0"),) * 5
    assert shares(r)["C3"] == (D("400"), D("0"), D("0"), D("400"), D("0"))
    assert [x.basis for x in r.lines] == ["denied", "pending", "deductible"]
    assert [x.line.status for x in r.lines] == ["denied", "pending", "paid"]


def test_reversal_unmeets_the_deductible_and_reprices_later_claims():
    # EMP. C1 lab 500 meets the deductible; C2 lab 200 would cost coins 0.2 x 200 = 40. R1 reverses C1:
    # the year is recomputed without C1, so C2 now goes to the deductible: 200, plan 0.
    before = price([line("C1", "500", at=1), line("C2", "200", at=2)])
    assert shares(before)["C2"] == (D("0"), D("40"), D("0"), D("40"), D("160"))
    after = price(
        [
            line("C1", "500", at=1),
            line("C2", "200", at=2),
            line("R1", "-500", at=3, claim_type="reversal", original="C1"),
        ]
    )
    assert shares(after) == {"C2": (D("200"), D("0"), D("0"), D("200"), D("0"))}
    assert member_row(after, "M1").deductible_met == D(200)
    assert {c.root_claim_id: c.status for c in after.claims} == {"C1": "reversed", "C2": "paid"}


def test_adjustment_replaces_the_original_in_its_place():
    # C1 lab 300 (day 1), C2 lab 400 (day 2), A1 adjusts C1 to 600 (day 3). A1 takes C1's place, before C2:
    # A1 deductible 500 + coins 0.2 x 100 = 20 -> 520; C2 deductible 0, coins 0.2 x 400 = 80.
    # (Priced at its own day 3 it would have been C2: 400 deductible, A1: 100 + 0.2 x 500 = 200.)
    r = price(
        [
            line("C1", "300", at=1),
            line("C2", "400", at=2),
            line("A1", "600", at=3, claim_type="adjustment", original="C1"),
        ]
    )
    assert [x.line.claim_id for x in r.lines] == ["A1", "C2"]
    assert shares(r) == {
        "A1": (D("500"), D("20"), D("0"), D("520"), D("80")),
        "C2": (D("0"), D("80"), D("0"), D("80"), D("320")),
    }
    assert r.lines[0].priced.order_at == r.lines[1].priced.order_at - dt.timedelta(days=1)


def test_adjustment_of_an_adjustment_and_the_latest_version_wins():
    # C1 lab 300; A1 adjusts C1 to 200; A2 adjusts A1 to 100 (latest). Only A2 counts, in C1's place:
    # deductible 100. The claim status shows A2 as the effective version.
    r = price(
        [
            line("C1", "300", at=1),
            line("A1", "200", at=2, claim_type="adjustment", original="C1"),
            line("A2", "100", at=3, claim_type="adjustment", original="A1"),
        ]
    )
    assert shares(r) == {"A2": (D("100"), D("0"), D("0"), D("100"), D("0"))}
    (claim,) = r.claims
    assert (claim.root_claim_id, claim.claim_id, claim.status) == ("C1", "A2", "paid")


def test_half_cent_coinsurance_rounds_half_up():
    # No deductible, 25% coinsurance: 0.25 x 10.10 = 2.525 -> 2.53 (half up; banker's rounding would give
    # 2.52).
    r = price([line("C1", "10.10", at=1)], plans=[plan(ded_ind_in="0", ded_fam_in="0", coins_in="0.25")])
    assert shares(r)["C1"] == (D("0"), D("2.53"), D("0"), D("2.53"), D("7.57"))


def test_lines_without_coverage_are_exceptions_not_priced():
    # Span from 2024-06-01 to 2025-03-31; plan years start 2025-01-01. Service 2024-07-01: enrolled but no
    # plan year -> no_plan_year. Service 2025-04-02: no span -> no_enrollment. Neither touches the deductible,
    # so C3 lab 100 (covered) still pays deductible 100.
    r = price(
        [
            line("C1", "300", at=1, service=dt.date(2024, 7, 1)),
            line("C2", "300", at=2, service=dt.date(2025, 4, 2)),
            line("C3", "100", at=3, service=dt.date(2025, 3, 31)),
        ],
        [span(start=dt.date(2024, 6, 1), end=dt.date(2025, 3, 31))],
    )
    assert [(e.claim_id, e.reason) for e in r.exceptions] == [("C1", "no_plan_year"), ("C2", "no_enrollment")]
    assert shares(r) == {"C3": (D("100"), D("0"), D("0"), D("100"), D("0"))}


def test_plan_year_missing_after_the_last_known_year():
    # Only 2025 is known: a service on 2026-02-01 is more than a year after its start -> no_plan_year.
    r = price([line("C1", "300", at=1, service=dt.date(2026, 2, 1))])
    assert [(e.claim_id, e.reason) for e in r.exceptions] == [("C1", "no_plan_year")]


def test_orphan_reversal_is_reported():
    r = price([line("R9", "-50", at=1, claim_type="reversal", original="NOPE")])
    assert [(e.claim_id, e.reason) for e in r.exceptions] == [("R9", "original_not_found")]
    assert r.lines == []


def test_plan_change_mid_year_prices_under_each_span():
    # Jan-Jun on P1, from July on P2 (deductible 1000). Lab 500 in March meets P1's deductible; lab 500 in
    # August goes to P2's own deductible (500 of 1000): accumulators are per plan.
    r = price(
        [
            line("C1", "500", at=1, service=dt.date(2025, 3, 1)),
            line("C2", "500", at=2, service=dt.date(2025, 8, 1)),
        ],
        [span(end=dt.date(2025, 6, 30)), span(plan_id="P2", start=dt.date(2025, 7, 1))],
        [plan(), plan("P2", ded_ind_in="1000", ded_fam_in="2000")],
    )
    assert [(x.plan_id, x.deductible_applied) for x in r.lines] == [("P1", D(500)), ("P2", D(500))]
    assert member_row(r, "M1", plan_id="P2").deductible_remaining == D(500)


def test_member_without_claims_has_zero_accumulators_for_each_network():
    # M2 is enrolled with no claims: both networks show 0 of the individual limits (in 500 / 2000, out 1000 /
    # 5000).
    r = price([line("C1", "100", at=1)], family_spans("ESP", ("M1", "M2")))
    rows = {
        (a.network, a.deductible_met, a.deductible_limit, a.oop_limit)
        for a in r.members
        if a.member_id == "M2"
    }
    assert rows == {("in", Decimal(0), D(500), D(2000)), ("out", Decimal(0), D(1000), D(5000))}
    assert family_row(r).deductible_limit == D(1000)


def test_sentences_say_every_clause_in_order_with_its_amounts():
    """The whole sentence of lines with several clauses (built one shape of clauses at a time): the case above
    (deductible then coinsurance; coinsurance cut by the OOP cap; a copay cut to nothing), then a generic drug
    whose copay is limited to the allowed amount (in-network, 10 copay > 6.50)."""
    r = price(
        [
            line("C1", "5000", at=1),
            line("C2", "5000", at=2, cat="imaging"),
            line("C3", "120", at=3, cat="office_visit"),
        ]
    )
    cap = "less because the in-network individual out-of-pocket maximum is reached"
    assert [x.explanation for x in r.lines] == [
        "$500.00 toward the in-network individual deductible; 20% coinsurance on $4,500.00 = $900.00. "
        "You owe $1,400.00.",
        f"20% coinsurance on $5,000.00 = $1,000.00; $400.00 {cap}. You owe $600.00.",
        f"$25.00 copay for an in-network office visit; $25.00 {cap}. You owe $0.00.",
    ]
    drug = price([line("C1", "6.50", at=1, cat="rx_generic")])
    assert [x.explanation for x in drug.lines] == [
        "$6.50 copay for an in-network generic prescription"
        " (the $10.00 copay, limited to the allowed amount). You owe $6.50."
    ]
