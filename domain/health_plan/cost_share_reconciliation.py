"""Reconciliation of the payer's adjudication with the cost-share engine, line by line.

The payer's member responsibility for a line is its reported member liability (CARIN ``memberliability``) when it
sends one, else the sum of the deductible, coinsurance and copay it applied. A line differs when that is not the
engine's ``member_responsibility`` for the same (claim_id, line_number); lines the engine did not price (no
enrollment, unknown member) are in ``marts.claim_exceptions``, not here. Both values are kept, with the
difference (payer − engine), so an analyst sees which side to question.
"""

from __future__ import annotations


def cost_share_differences_sql(engine: str, payer: str) -> str:
    """SELECT of the differing lines: ``engine`` is the claim_cost_share table, ``payer`` the payer's shares."""
    payer_total = "coalesce(p.member_liability, coalesce(p.deductible, 0) + coalesce(p.coinsurance, 0) + coalesce(p.copay, 0))"
    return f"""
        SELECT e.claim_id, e.line_number, e.member_id, e.plan_id, e.network, e.service_category,
               p.deductible AS payer_deductible, p.coinsurance AS payer_coinsurance, p.copay AS payer_copay,
               {payer_total} AS payer_member_responsibility,
               e.deductible_applied AS engine_deductible, e.coinsurance AS engine_coinsurance,
               e.copay AS engine_copay, e.member_responsibility AS engine_member_responsibility,
               {payer_total} - e.member_responsibility AS difference
        FROM {engine} e JOIN {payer} p USING (claim_id, line_number)
        WHERE {payer_total} <> e.member_responsibility
        ORDER BY e.claim_id, e.line_number
    """
