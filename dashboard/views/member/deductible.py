"""Member > My deductible: deductible and out-of-pocket progress in words, the member's claims (searchable,
downloadable) and an Explanation of Benefits per claim.

A member sees themselves; a subscriber also sees the family totals and each dependent under 18 or who granted
access. A dependent aged 18 or more is private (``reports.health_plan.reads`` leaves their rows out of the
query); signed in themselves, a dependent grants or revokes their subscriber's access here.

The page keeps a member portal's own wording ("Partly paid", "You owe"); money, empty cells and days follow
the formatting layer: "$1,790.00", "—" for an amount not known yet (never "no limit" or "None"), the
organisation's day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.components import audit_view, date_in_range, download_buttons, show_table, snapshot
from dashboard.plan_words import NETWORK_WORDS, Progress, Whose, deductible, out_of_pocket
from domain.health_plan.cost_share import money
from domain.health_plan.member_privacy import ADULT_AGE, age_on
from reports import audit, formatting
from reports.clock import utc_now
from reports.exports.eob import eob_pdf
from reports.health_plan import access as plan_access
from reports.health_plan import eob as plan_eob
from reports.health_plan import reads as health_plan
from reports.principal import Role

ALL = "All"
STATUS_WORDS = {
    "paid": "Paid",
    "partially_paid": "Partly paid",
    "denied": "Denied",
    "pending": "Pending",
    "reversed": "Reversed",
}
CLAIM_COLUMNS = {
    "service_date": "Service date",
    "root_claim_id": "Claim",
    "patient": "Patient",
    "provider": "Provider",
    "status_words": "Status",
    "billed_amount": "Billed",
    "allowed_amount": "Allowed",
    "plan_paid": "Plan paid",
    "member_responsibility": "You owe",
}
MONEY = ("Billed", "Allowed", "Plan paid", "You owe")
LINE_COLUMNS = {
    "line_number": "Line",
    "service": "Service",
    "allowed": "Allowed",
    "deductible": "Deductible",
    "coinsurance": "Coinsurance",
    "copay": "Copay",
    "plan_paid": "Plan paid",
    "you_owe": "You owe",
    "why": "Why",
}
PDF_MIME = "application/pdf"


def show(progress: Progress) -> None:
    """A met deductible or a reached maximum is a success message, not just a full bar."""
    if progress.met:
        st.success(progress.sentence, icon="✅")
    elif progress.pct is None:
        st.caption(progress.sentence)
    else:
        st.progress(progress.pct, text=progress.sentence)


def progress_block(whose: Whose, rows: pd.DataFrame) -> None:
    """Deductible and out-of-pocket per network, in- beside out-of-network."""
    for column, network in zip(st.columns(2), NETWORK_WORDS, strict=True):
        row = rows[rows.network == network]
        if row.empty:
            continue
        r = row.iloc[0]
        with column:
            show(deductible(whose, network, r.deductible_met, r.deductible_limit))
            show(out_of_pocket(whose, network, r.oop_met, r.oop_limit))


def sharing_section(who, state: plan_access.AccessState, today: dt.date, settings, conn) -> None:
    """A dependent decides whether their subscriber sees their claims."""
    st.subheader("Who can see your claims")
    sub = state.subscriber_name
    adult = state.birth_date is None or age_on(state.birth_date, today) >= ADULT_AGE
    if state.granted_at is not None:
        st.write(
            f"{sub} (the subscriber) can see your claims: you gave access on "
            f"{formatting.org_day(state.granted_at, settings.org_timezone)}."
        )
        if st.button(f"Stop sharing my claims with {sub}", key="member_revoke"):
            plan_access.revoke_access(settings, who, conn)
            st.rerun()
    else:
        if adult:
            st.write(
                f"You are {ADULT_AGE} or older, so {sub} (the subscriber) sees your family's totals but not "
                "your "
                "claims or your own totals."
            )
        else:
            st.write(
                f"Until you turn {ADULT_AGE}, {sub} (the subscriber) can see your claims. Giving access now "
                "keeps it that way afterwards."
            )
        if st.button(f"Let {sub} see my claims", key="member_grant"):
            plan_access.grant_access(settings, who, conn)
            st.rerun()


def claims_table(claims: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Claims as the page shows them (numbers stay numbers: the downloads carry them as such)."""
    table = claims.assign(
        patient=claims.member_id.map(lambda m: names.get(m, m)),
        provider=[
            name if isinstance(name, str) else f"NPI {npi}"
            for name, npi in zip(claims.provider_name, claims.provider_npi, strict=True)
        ],
        status_words=claims.status.map(lambda s: STATUS_WORDS.get(s, s)),
    ).sort_values(["service_date", "root_claim_id"], ascending=[False, True])
    return table[list(CLAIM_COLUMNS)].rename(columns=CLAIM_COLUMNS).reset_index(drop=True)


def eob_file(who, eob: plan_eob.Eob, settings) -> bytes:
    """Built when the button is pressed, and audited as an export."""
    data = eob_pdf(eob, utc_now(), session.settings().org_timezone)
    audit.record(who, "export", f"EOB claim {eob.claim_id} pdf", row_count=len(eob.lines), settings=settings)
    return data


who = session.require_role(Role.MEMBER)
me = who.scope_value
settings = session.settings()
view = health_plan.viewing(settings=settings)
st.title("My deductible")

with snapshot() as conn:
    if plan_access.is_dependent(who, conn):
        sharing_section(who, plan_access.access_state(settings, who, conn), view.on, settings, conn)
    members = health_plan.member_accumulators(who, conn, view=view)
    family = health_plan.family_accumulators(who, conn)
    names = health_plan.member_names(who, conn)
    family_view = health_plan.family_view(who, conn, view)
    claims = health_plan.claim_status(who, conn, view=view)

    if members.empty:
        st.info("There are no deductible or out-of-pocket totals for your coverage yet.")
        st.stop()

    years = (
        members[["plan_year", "plan_id", "plan_year_start"]]
        .drop_duplicates()
        .sort_values(["plan_year", "plan_id"], ascending=False)
    )
    choices = list(years.itertuples(index=False, name=None))
    plan_year, plan_id, year_start = st.selectbox(
        "Plan year", choices, format_func=lambda c: f"{c[0]} (plan {c[1]})", key="member_plan_year"
    )
    in_year = members[(members.plan_year == plan_year) & (members.plan_id == plan_id)]
    family_in_year = (
        family[(family.plan_year == plan_year) & (family.plan_id == plan_id)] if len(family) else family
    )

    if len(family_in_year):
        st.subheader("Your family")
        progress_block(Whose.family(), family_in_year)
    if family_view.private:
        private = " and ".join(names.get(m, m) for m in family_view.private)
        st.info(
            f"{private}: {ADULT_AGE} or older, so their claims and own totals are private; your family "
            "totals "
            "include them. Each can give you access on their own My deductible page."
        )
    people = sorted(set(in_year.member_id), key=lambda m: (m != me, names.get(m, m)))
    for member in people:
        rows = in_year[in_year.member_id == member]
        if member == me:
            st.subheader(f"You: {names.get(me, me)}")
            progress_block(Whose.you(), rows)
        else:
            st.subheader(names.get(member, member))
            progress_block(Whose.named(names.get(member, member)), rows)

    st.subheader("Claims")
    year_start = pd.Timestamp(year_start).date()
    year_end = year_start.replace(year=year_start.year + 1) - dt.timedelta(days=1)
    filters = st.columns(4)
    # any service date may be asked for; a range cannot end before it starts (said next to "Service to")
    start = date_in_range("Service from", value=year_start, key="member_claims_from", container=filters[0])
    end = date_in_range(
        "Service to", value=year_end, key="member_claims_to", earliest=start, container=filters[1]
    )
    status = filters[2].selectbox(
        "Status",
        [ALL, *STATUS_WORDS],
        format_func=lambda s: STATUS_WORDS.get(s, s),
        key="member_claims_status",
    )
    visible = list(family_view.visible)
    patient = (
        filters[3].selectbox(
            "Family member", [ALL, *visible], format_func=lambda m: names.get(m, m), key="member_claims_of"
        )
        if len(visible) > 1
        else ALL
    )
    table = claims_table(claims, names) if len(claims) else pd.DataFrame(columns=list(CLAIM_COLUMNS.values()))
    providers = sorted(set(table["Provider"]))
    provider = st.selectbox("Provider", [ALL, *providers], key="member_claims_provider")
    keep = (table["Service date"] >= start) & (table["Service date"] <= end) if len(table) else []
    if len(table):
        if status != ALL:
            keep &= table["Status"] == STATUS_WORDS[status]
        if patient != ALL:
            keep &= table["Patient"] == names.get(patient, patient)
        if provider != ALL:
            keep &= table["Provider"] == provider
        table = table[keep].reset_index(drop=True)
    if table.empty:
        st.info(f"No claims with a service date from {start:%Y-%m-%d} to {end:%Y-%m-%d} match these filters.")
        audit_view(who, f"deductible and claims member {me} plan year {plan_year}", 0)
        st.stop()

    owed = sum(table["You owe"], Decimal("0.00"))
    st.caption(
        f"{len(table)} claim{'s' if len(table) != 1 else ''} with a service date from {start:%Y-%m-%d} to "
        f"{end:%Y-%m-%d}, newest first; you owe {money(owed)} for them."
    )
    show_table(table, money_columns=MONEY)
    audit_view(who, f"deductible and claims member {me} plan year {plan_year}", len(table))
    download_buttons(
        who,
        table,
        target=f"claims member {me} {start} to {end}",
        file_stem=f"claims_{me}_{start:%Y%m%d}_{end:%Y%m%d}",
        key="member_claims",
    )

    st.subheader("Explanation of benefits")
    labels = {
        claim: f"{day:%Y-%m-%d} · {patient_name} · {provider_name} (claim {claim})"
        for claim, day, patient_name, provider_name in zip(
            table["Claim"], table["Service date"], table["Patient"], table["Provider"], strict=True
        )
    }
    picked = st.selectbox("Claim", list(labels), format_func=labels.get, key="member_eob_claim")
    eob = plan_eob.claim_eob(who, conn, picked, view=view)

if eob.reason:
    st.warning(eob.reason)
if eob.lines:
    lines = pd.DataFrame([vars(line) for line in eob.lines])[list(LINE_COLUMNS)].rename(columns=LINE_COLUMNS)
    show_table(lines, money_columns=("Allowed", "Deductible", "Coinsurance", "Copay", "Plan paid", "You owe"))
    download_buttons(
        who,
        lines,
        target=f"EOB claim {eob.claim_id} lines",
        file_stem=f"eob_{eob.claim_id}_lines",
        key="eob_lines",
    )
st.markdown(
    f"**What you owe for this claim: {money(eob.total('you_owe'))}** (the plan paid "
    f"{money(eob.total('plan_paid'))})"
)
st.download_button(
    "Download EOB (PDF)",
    data=lambda: eob_file(who, eob, settings),
    file_name=f"eob_{eob.claim_id}.pdf",
    mime=PDF_MIME,
    key="member_eob_pdf",
    on_click="ignore",
)
