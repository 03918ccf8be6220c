"""Provider > Eligibility & claims: a 270/271-style eligibility and benefits check of any member (member ID
AND birth date), and the status of one's own claims (276/277-style) by claim number and date range, with the
reason a claim pays nothing; every table with its CSV and Excel download.

Scope is enforced in ``reports``: the eligibility answer holds totals only
(``reports.health_plan.eligibility``, which also audits every check), and claims are only those billed under
the provider's NPI (``reports.health_plan.reads``).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.components import audit_view, date_in_range, download_buttons, snapshot, table_with_downloads
from domain.health_plan.claims import DENIED, PAID, PARTIALLY_PAID, PENDING, REVERSED
from domain.health_plan.cost_share import CATEGORY_WORDS, money
from domain.plan_periods import default_day
from reports.health_plan import eligibility as plan_eligibility
from reports.health_plan import reads as health_plan
from reports.principal import Role

ANY_STATUS = "Any status"
OLDEST_BIRTH = dt.date(1900, 1, 1)
CLAIM_COLUMNS = {
    "root_claim_id": "Claim",
    "claim_id": "Current version",
    "member_id": "Member",
    "service_date": "Service date",
    "processed_at": "Processed",  # in the organisation's zone, named (the files name it in the header)
    "status": "Status",
    "reason": "Reason",
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
NETWORK_TITLES = {"in": "In network", "out": "Out of network"}


def _limit(limit: plan_eligibility.Limit | None, missing: str = "—") -> str:
    if limit is None:
        return missing
    if limit.limit is None:
        return "no maximum"
    return f"{money(limit.remaining)} remaining of {money(limit.limit)}"


def benefits_table(b: plan_eligibility.Benefits) -> pd.DataFrame:
    """The 271's benefit lines: one row per benefit, one column per network."""
    by = {n.network: n for n in b.networks}
    rows: list[tuple[str, ...]] = [
        ("Coinsurance (member's share)", *(f"{by[n].coinsurance * 100:.0f}%" for n in NETWORK_TITLES)),
        (
            "Deductible, individual",
            *(_limit(by[n].deductible, "family deductible only") for n in NETWORK_TITLES),
        ),
        ("Deductible, family", *(_limit(by[n].family_deductible) for n in NETWORK_TITLES)),
        ("Out-of-pocket maximum, individual", *(_limit(by[n].oop) for n in NETWORK_TITLES)),
        ("Out-of-pocket maximum, family", *(_limit(by[n].family_oop) for n in NETWORK_TITLES)),
    ]
    rows += [
        (f"Copay, {CATEGORY_WORDS[c]}", money(amount), "deductible and coinsurance apply")
        for c, amount in b.copays
    ]
    return pd.DataFrame(rows, columns=["Benefit", *NETWORK_TITLES.values()])


def eligibility_answer(b: plan_eligibility.Benefits) -> None:
    who = f"{b.member_name} (member {b.member_id})"
    if not b.covered:
        st.warning(f"{who} is not covered on {b.on:%Y-%m-%d}.")
        return
    until = f"{b.coverage_end:%Y-%m-%d}" if b.coverage_end else "open-ended"
    plan = f"{b.plan_name} ({b.plan_id})" if b.plan_name else b.plan_id
    year = (
        f", plan year {b.plan_year} ({b.plan_year_start:%Y-%m-%d} to {b.plan_year_end:%Y-%m-%d})"
        if b.plan_year
        else ""
    )
    st.success(
        f"{who} is covered on {b.on:%Y-%m-%d}: {plan}{year}, tier {b.coverage_tier}; "
        f"coverage {b.coverage_start:%Y-%m-%d} to {until}."
    )
    if b.networks:
        st.caption(f"Remaining amounts count the claims processed by the end of {b.on:%Y-%m-%d}.")
        st.dataframe(benefits_table(b), hide_index=True, width="stretch")
        download_buttons(
            who,
            benefits_table(b),
            target=f"eligibility benefits member {b.member_id} on {b.on}",
            file_stem=f"benefits_{b.member_id}_{b.on:%Y%m%d}",
            key="elig_benefits",
        )


who = session.require_role(Role.PROVIDER)
npi = who.scope_value
settings = session.settings()
st.title("Eligibility & claims")
st.caption(f"NPI {npi}")

with snapshot() as conn:
    last_day = health_plan.data_last_day(conn, settings.org_timezone)
    today = health_plan.viewing(settings=settings).on  # the organisation's calendar day
    service_day = default_day(today, last_day)

    st.subheader("Eligibility and benefits")
    if last_day is not None and today > last_day:
        st.caption(f"The plan's data runs to {last_day:%Y-%m-%d}: the date of service starts there.")
    with st.form("eligibility"):
        member_id = st.text_input("Member ID", key="elig_member").strip()
        birth_date = date_in_range(
            "Birth date", value=None, key="elig_birth", earliest=OLDEST_BIRTH, latest=today, clamp=False
        )
        on = st.date_input("Date of service", value=service_day, key="elig_on")
        check = st.form_submit_button("Check eligibility", key="elig_submit")
    if check:
        if not member_id or birth_date is None:
            st.error("Enter the member ID and the member's birth date: both must match.")
        else:
            try:
                answer = plan_eligibility.check_eligibility(
                    who, conn, member_id, birth_date, on, settings=settings
                )
            except plan_eligibility.NoMatch as exc:
                st.error(str(exc))
            else:
                eligibility_answer(answer)

    st.subheader("Your claims")
    number = st.text_input("Claim number", key="claims_number").strip()
    filters = st.columns(5)
    status = filters[0].selectbox(
        "Status", [ANY_STATUS, PAID, PARTIALLY_PAID, DENIED, PENDING, REVERSED], key="claims_status"
    )
    processed_from = filters[1].date_input("Processed from", value=None, key="claims_from")
    processed_to = filters[2].date_input("Processed to", value=None, key="claims_to")
    service_from = filters[3].date_input("Service from", value=None, key="claims_service_from")
    service_to = filters[4].date_input("Service to", value=None, key="claims_service_to")
    claims = health_plan.claim_status(
        who,
        conn,
        claim_id=number or None,
        status=None if status == ANY_STATUS else status,
        processed_from=processed_from,
        processed_to=processed_to,
        service_from=service_from,
        service_to=service_to,
        org_timezone=settings.org_timezone,
    )
    if claims.empty:
        st.info(
            f"No claim {number} under your NPI."
            if number
            else "No claims under your NPI match these filters."
        )
        st.stop()
    shown = claims[list(CLAIM_COLUMNS)].rename(columns=CLAIM_COLUMNS)
    shown["Reason"] = shown["Reason"].where(shown["Reason"].notna(), "")
    st.caption(f"{len(shown)} claims, newest processed first.")
    audit_view(who, f"claim status NPI {npi}", len(shown))
    table_with_downloads(
        who,
        shown,
        target=f"claim status NPI {npi}",
        file_stem=f"claims_{npi}_{today:%Y%m%d}",
        key="provider_claims",
        codes=["Status"],
        time_columns=["Processed"],
        money_columns=["Billed", "Allowed", "Member owes", "Plan paid"],
    )

    picked = st.selectbox("Lines of claim", list(claims.root_claim_id), key="claim_lines_of")
    # The claim's member narrows the read to one family (the mart is stored family by family).
    member_of_claim = claims.loc[claims.root_claim_id == picked, "member_id"].iloc[0]
    lines = health_plan.claim_cost_share(who, conn, claim_id=picked, member_id=member_of_claim)

if lines.empty:
    st.info(f"Claim {picked} has no lines to show: it was reversed, or its lines could not be priced.")
else:
    line_table = lines[list(LINE_COLUMNS)].rename(columns=LINE_COLUMNS)
    table_with_downloads(
        who,
        line_table,
        target=f"claim lines {picked} NPI {npi}",
        file_stem=f"claim_{picked}_lines",
        key="provider_claim_lines",
        codes=["Status", "Network"],
        money_columns=["Allowed", "Member owes", "Plan paid"],
    )
