"""The payer's own adjudication of each EOB line (deductible, coinsurance, copay, member liability).

Not a landing contract (no CSV carries it): ExplanationOfBenefit items are its only source. It is kept in
``staging.hp_claim_adjudication`` so ``marts.cost_share_differences`` can set it beside the cost-share
engine's.
"""

from __future__ import annotations

from domain.contracts import Column, Kind, Source

#: Money as the payer reports it: a reversal's lines may be negative, so no ``money`` rule.
PAYER_ADJUDICATION = Source(
    "hp_claim_adjudication",
    "health_plan",
    ("ndjson",),
    (
        Column("claim_id", Kind.STR),
        Column("line_number", Kind.INT),
        Column("deductible", Kind.DECIMAL, required=False),
        Column("coinsurance", Kind.DECIMAL, required=False),
        Column("copay", Kind.DECIMAL, required=False),
        Column("member_liability", Kind.DECIMAL, required=False),
    ),
    key=("claim_id", "line_number"),
    description="The payer's adjudication per EOB line",
)
