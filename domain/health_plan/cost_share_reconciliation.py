"""Reconciliation of the payer's adjudication with the cost-share engine, line by line.

The payer's member responsibility for a line is its reported member liability (CARIN ``memberliability``) when
it sends one, else the sum of the deductible, coinsurance and copay it applied. A line differs when that is
not the engine's ``member_responsibility`` for the same (claim_id, line_number); lines the engine did not
price (no enrollment, unknown member) are in ``marts.claim_exceptions``, not here. Both values are kept, with
the difference (payer − engine), so an analyst sees which side to question.
"""

from __future__ import annotations

import ibis.expr.types as ir


def differing_lines(engine: ir.Table, payer: ir.Table) -> ir.Table:
    """The differing lines, by (claim_id, line_number): ``engine`` is ``claim_cost_share``, ``payer`` the
    payer's shares (claim_id, line_number, deductible, coinsurance, copay, member_liability)."""
    shares = payer.select(
        "claim_id",
        "line_number",
        payer_deductible=payer.deductible,
        payer_coinsurance=payer.coinsurance,
        payer_copay=payer.copay,
        payer_member_responsibility=payer.member_liability.coalesce(
            payer.deductible.coalesce(0) + payer.coinsurance.coalesce(0) + payer.copay.coalesce(0)
        ),
    )
    lines = engine.join(shares, ["claim_id", "line_number"])
    differing = lines.filter(lines.payer_member_responsibility != lines.member_responsibility)
    return differing.select(
        "claim_id",
        "line_number",
        "member_id",
        "plan_id",
        "network",
        "service_category",
        "payer_deductible",
        "payer_coinsurance",
        "payer_copay",
        "payer_member_responsibility",
        engine_deductible=differing.deductible_applied,
        engine_coinsurance=differing.coinsurance,
        engine_copay=differing.copay,
        engine_member_responsibility=differing.member_responsibility,
        difference=differing.payer_member_responsibility - differing.member_responsibility,
    ).order_by("claim_id", "line_number")
