"""Provider > Eligibility & claims: is a member covered on a date of service, and the status of one's claims.

Scope (the provider's NPI) is enforced in ``reports.health_plan``: only claims billed under that NPI, and only
members billed for under it. An eligibility answer is a view of a member's record, so it is audited.
"""

import streamlit as st

from dashboard import session
from dashboard.page_support import audit_view, published_snapshot
from domain.claims import DENIED, PAID, PARTIALLY_PAID, PENDING, REVERSED
from reports import audit, health_plan
from reports.clock import utc_now
from reports.principal import NotPermitted, Role

ANY_STATUS = "Any status"
CLAIM_COLUMNS = {
    "root_claim_id": "Claim",
    "claim_id": "Current version",
    "member_id": "Member",
    "service_date": "Service date",
    "processed_at": "Processed (UTC)",
    "status": "Status",
    "line_count": "Lines",
    "billed_amount": "Billed",
    "allowed_amount": "Allowed",
    "member_responsibility": "Member owes",
    "plan_paid": "Plan paid",
}
LINE_COLUMNS = {
    "line_number": "Line",
    "service_category": "Service",
    "network": "Network",
    "status": "Status",
    "allowed_amount": "Allowed",
    "member_responsibility": "Member owes",
    "plan_paid": "Plan paid",
    "explanation": "How it was priced",
}


def eligibility_answer(e: health_plan.Eligibility) -> None:
    if not e.covered:
        st.warning(f"Member {e.member_id} is not covered on {e.on:%Y-%m-%d}.")
        return
    plan = f"{e.plan_name} ({e.plan_id})" if e.plan_name else e.plan_id
    until = f"{e.coverage_end:%Y-%m-%d}" if e.coverage_end else "open-ended"
    year = f", plan year {e.plan_year}" if e.plan_year else ""
    st.success(
        f"Member {e.member_id} is covered on {e.on:%Y-%m-%d}: {plan}{year}, tier {e.coverage_tier}; "
        f"coverage {e.coverage_start:%Y-%m-%d} to {until}."
    )


who = session.require_role(Role.PROVIDER)
npi = who.scope_value
st.title("Eligibility & claims")
st.caption(f"NPI {npi}")

with published_snapshot() as conn:
    st.subheader("Eligibility on a date of service")
    with st.form("eligibility"):
        member_id = st.text_input("Member ID", key="elig_member").strip()
        on = st.date_input("Date of service", value=utc_now().date(), key="elig_on")
        check = st.form_submit_button("Check eligibility", key="elig_submit")
    if check:
        if not member_id:
            st.error("Enter a member ID.")
        else:
            try:
                answer = health_plan.eligibility(who, conn, member_id, on)
            except NotPermitted:
                # The same answer for a member who does not exist: the refusal reveals nothing.
                st.error(f"Member {member_id} is not among the patients you have billed claims for.")
            else:
                audit.record(
                    who,
                    "view",
                    f"eligibility member {member_id} on {on}",
                    row_count=1,
                    settings=session.settings(),
                )
                eligibility_answer(answer)

    st.subheader("Your claims")
    filters = st.columns(3)
    status = filters[0].selectbox(
        "Status", [ANY_STATUS, PAID, PARTIALLY_PAID, DENIED, PENDING, REVERSED], key="claims_status"
    )
    processed_from = filters[1].date_input("Processed from", value=None, key="claims_from")
    processed_to = filters[2].date_input("Processed to", value=None, key="claims_to")
    claims = health_plan.claim_status(
        who,
        conn,
        status=None if status == ANY_STATUS else status,
        processed_from=processed_from,
        processed_to=processed_to,
    )
    if claims.empty:
        st.info("No claims under your NPI match these filters.")
        st.stop()
    shown = claims[list(CLAIM_COLUMNS)].rename(columns=CLAIM_COLUMNS)
    st.caption(f"{len(shown)} claims, newest processed first.")
    st.dataframe(shown, hide_index=True)
    audit_view(who, f"claim status NPI {npi}", len(shown))

    picked = st.selectbox("Lines of claim", list(claims.root_claim_id), key="claim_lines_of")
    # The claim's member narrows the read to one family (the mart is stored family by family).
    member_of_claim = claims.loc[claims.root_claim_id == picked, "member_id"].iloc[0]
    lines = health_plan.claim_cost_share(who, conn, claim_id=picked, member_id=member_of_claim)

if lines.empty:
    st.info(f"Claim {picked} has no lines to show: it was reversed, or its lines could not be priced.")
else:
    st.dataframe(lines[list(LINE_COLUMNS)].rename(columns=LINE_COLUMNS), hide_index=True)
