"""Member > My deductible: deductible and out-of-pocket progress, and what the member owes claim by claim.

A member sees themselves; a subscriber also sees each family member and the family totals. The scope is enforced
in ``reports.health_plan`` (a dependent's reads never return the subscriber's rows).
"""

from decimal import Decimal

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.page_support import audit_view, published_snapshot
from domain.cost_share import CATEGORY_WORDS, money
from reports import health_plan
from reports.principal import Role

NETWORK_WORDS = {"in": "in-network", "out": "out-of-network"}
BASIS_WORDS = {
    "preventive": "preventive care, no charge",
    "copay": "copay",
    "deductible": "deductible",
    "coinsurance": "coinsurance",
    "oop_cap": "out-of-pocket maximum reached",
    "denied": "denied: nothing paid",
    "pending": "pending: not yet priced",
    "covered": "covered in full",
}
LINE_COLUMNS = {
    "claim_id": "Claim",
    "line_number": "Line",
    "member_id": "Member",
    "service_date": "Service date",
    "service": "Service",
    "network": "Network",
    "status": "Status",
    "allowed_amount": "Allowed",
    "deductible_applied": "Deductible",
    "coinsurance": "Coinsurance",
    "copay": "Copay",
    "member_responsibility": "You owe",
    "plan_paid": "Plan paid",
    "applied": "Applied",
    "explanation": "Why",
}


def progress(label: str, met: Decimal, limit: Decimal | None, pct: Decimal | None) -> None:
    """One bar labelled "$met of $limit"; a limit that does not exist is said in words, not drawn."""
    if limit is None:
        st.caption(f"{label}: {money(met)} (no maximum)")
        return
    st.progress(min(100, int(pct or 0)), text=f"{label}: {money(met)} of {money(limit)}")


def progress_block(whose: str, rows: pd.DataFrame) -> None:
    """Deductible and out-of-pocket bars per network, in- beside out-of-network."""
    columns = st.columns(2)
    for column, network in zip(columns, NETWORK_WORDS, strict=True):
        row = rows[rows.network == network]
        with column:
            if row.empty:
                continue
            r = row.iloc[0]
            where = NETWORK_WORDS[network]
            progress(
                f"{whose} {where} deductible", r.deductible_met, r.deductible_limit, r.deductible_pct_met
            )
            progress(f"{whose} {where} out-of-pocket", r.oop_met, r.oop_limit, r.oop_pct_met)


def applied(basis: str) -> str:
    return ", ".join(BASIS_WORDS.get(code, code) for code in basis.split("+"))


who = session.require_role(Role.MEMBER)
me = who.scope_value
st.title("My deductible")

with published_snapshot() as conn:
    members = health_plan.member_accumulators(who, conn)
    family = health_plan.family_accumulators(who, conn)
    lines = health_plan.claim_cost_share(who, conn)
    names = health_plan.member_names(who, conn)

if members.empty:
    st.info("There are no deductible or out-of-pocket totals for your coverage yet.")
    st.stop()

years = (
    members[["plan_year", "plan_id"]].drop_duplicates().sort_values(["plan_year", "plan_id"], ascending=False)
)
choices = list(years.itertuples(index=False, name=None))
plan_year, plan_id = st.selectbox(
    "Plan year", choices, format_func=lambda c: f"{c[0]} (plan {c[1]})", key="member_plan_year"
)
in_year = members[(members.plan_year == plan_year) & (members.plan_id == plan_id)]
family_in_year = (
    family[(family.plan_year == plan_year) & (family.plan_id == plan_id)] if len(family) else family
)

if len(family_in_year):
    st.subheader("Family")
    progress_block("Family", family_in_year)
# The signed-in member first, then the rest of the family (only a subscriber's reads return them).
people = sorted(set(in_year.member_id), key=lambda m: (m != me, m))


def named(member: str) -> str:
    return f"{names[member]} ({member})" if member in names else member


for member in people:
    whose = f"{member} (you)" if member == me else member
    st.subheader(f"You: {named(member)}" if member == me else f"Family member {named(member)}")
    progress_block(whose, in_year[in_year.member_id == member])

st.subheader("What you owe, claim by claim")
year_lines = lines[(lines.plan_year == plan_year) & (lines.plan_id == plan_id)] if len(lines) else lines
if len(people) > 1:
    everyone = "Everyone in my family"
    pick = st.selectbox(
        "Whose claims",
        [everyone, *people],
        key="member_claims_of",
        format_func=lambda m: m if m == everyone else named(m),
    )
    if pick != everyone:
        year_lines = year_lines[year_lines.member_id == pick]
if year_lines.empty:
    st.info("No claims in this plan year.")
else:
    shown = year_lines.assign(
        service=year_lines.service_category.map(lambda c: CATEGORY_WORDS.get(c, c.replace("_", " "))),
        network=year_lines.network.map(NETWORK_WORDS),
        applied=year_lines.basis.map(applied),
    )[list(LINE_COLUMNS)].rename(columns=LINE_COLUMNS)
    total = sum(year_lines.member_responsibility, Decimal("0.00"))
    st.caption(f"{len(shown)} claim lines; you owe {money(total)} in total for them.")
    st.dataframe(shown, hide_index=True)
audit_view(who, f"deductible and claims member {me} plan year {plan_year}", len(year_lines))
