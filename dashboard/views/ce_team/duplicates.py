"""Continuing education > Duplicate queue: likely duplicate CE accounts side by side, to merge, keep separate
or undo.

Every decision needs a reason and is recorded (and audited) in the dashboard's store; the pipeline applies it
at the next ``portalytics materialize``, so until the published snapshot shows it the cluster says "applied by
the next materialize". "Apply now" starts that run in the background (``reports.materialize_launch``) and
shows its status (``dashboard.run_status``).
"""

import streamlit as st

from dashboard import charts, run_status, session
from dashboard.components import audit_view, download_buttons, export_buttons, show_table, snapshot
from reports import formatting
from reports.ce import duplicate_tables as tables
from reports.ce import duplicates as dup
from reports.materialize_launch import AlreadyRunning, materialize_running, start_materialize
from reports.principal import Role
from reports.state import InvalidDecision

NOTICE = "dup_notice"
VIEWS = {
    "Undecided": dup.QueueView.UNDECIDED,
    "Decided": dup.QueueView.DECIDED,
    "Third accounts": dup.QueueView.THIRD_ACCOUNTS,
    "All": dup.QueueView.ALL,
}

who = session.require_role(Role.CE_TEAM, Role.ADMIN)
settings = session.settings()
st.title("Duplicate queue")
st.caption(
    "Accounts that are likely one person. The classic case is a personal e-mail account next to an "
    "organisation "
    "(SSO) account: merge the personal account into the organisation account. Credits are never lost: a "
    "merge "
    "moves them to the survivor, and an undo gives them back."
)
if notice := st.session_state.pop(NOTICE, None):
    st.success(notice)


def apply_now() -> None:
    st.subheader("Apply decisions")
    st.caption("Decisions are applied by the next `portalytics materialize` (the daily run or this button).")
    if st.button("Apply now", key="dup_apply_now", disabled=materialize_running(settings)):
        try:
            start_materialize(settings, who)
        except AlreadyRunning as exc:
            st.warning(str(exc))
    run_status.show(settings)  # queued, running, published at …, or failed with the reason; refreshes itself


view = st.radio("Show", list(VIEWS), horizontal=True, key="dup_view")
with snapshot() as conn:
    try:
        cases = dup.duplicate_queue(who, conn, settings, VIEWS[view])
        agreement = dup.model_agreement(who, conn)
    except ValueError as exc:
        st.warning(str(exc))
        st.stop()
if agreement is not None and agreement.decided_pairs:
    precision, recall = agreement.precision, agreement.recall
    left, middle, right = st.columns(3)
    left.metric("Decided pairs", f"{agreement.decided_pairs:,}")
    middle.metric("Model precision over decisions", "–" if precision is None else f"{precision:.1%}")
    right.metric("Model recall over decisions", "–" if recall is None else f"{recall:.1%}")
    st.caption(
        f"Of the pairs the model links, {agreement.merged_linked} were merged and {agreement.kept_linked} "
        "kept "
        f"separate by the team; {agreement.merged_not_linked} merged pairs were not linked by the model. "
        "Merges "
        "teach the model (they are labels for its next run)."
    )
audit_view(who, "ce duplicate queue", len(cases), signature=view)

show_table(tables.queue_frame(cases), percent_columns=["best match"])
export_buttons(
    who,
    key="dup",
    target="ce duplicate queue",
    file_stem=f"duplicate-queue-{VIEWS[view].value}",
    make_csv=lambda: tables.queue_csv(cases, settings.org_timezone),
    make_excel=lambda: tables.queue_excel(cases, settings.org_timezone),
)
if not cases:
    st.info("No clusters in this view.")
    apply_now()
    st.stop()

by_id = {c.cluster_id: c for c in cases}
cluster_id = st.selectbox(
    "Cluster",
    list(by_id),
    key="dup_cluster",
    format_func=lambda c: (
        f"{c} · {dup.CLASSIFICATION_LABELS.get(by_id[c].classification, by_id[c].classification)} · "
        f"{len(by_id[c].accounts)} accounts · {tables.STATUS_LABELS[by_id[c].status]}"
    ),
)
case = by_id[cluster_id]
audit_view(who, f"ce duplicate cluster {case.cluster_id}", len(case.accounts), signature=case.cluster_id)

if not case.in_snapshot:
    st.caption(
        "These accounts no longer form a cluster in the published data, because of the decisions below."
    )
if case.is_third_account:
    st.warning(
        f"Third account: {len(case.accounts)} accounts of one person. Merge all of them into one survivor."
    )
st.markdown("**Accounts side by side** (★ = recommended survivor)")
side = tables.side_by_side(case, settings.org_timezone).rename_axis("field").reset_index()
show_table(side)
download_buttons(
    who,
    side,
    target=f"ce duplicate cluster {case.cluster_id} accounts",
    file_stem=f"duplicate-{case.cluster_id}-accounts",
    key="dup_side",
)
st.markdown("**Evidence per pair**")
pairs = tables.pairs_frame(case)
show_table(pairs, percent_columns=["match probability"])
download_buttons(
    who,
    pairs,
    target=f"ce duplicate cluster {case.cluster_id} pairs",
    file_stem=f"duplicate-{case.cluster_id}-pairs",
    key="dup_pairs",
)
for pair in case.pairs:
    steps = tables.waterfall_steps(pair)
    if not steps:  # a snapshot from before the waterfall columns
        continue
    st.caption(
        f"Where the match weight of {pair.account_id_l} / {pair.account_id_r} comes from (bits: +1 doubles "
        "the "
        "odds that the two accounts are one person, -1 halves them)"
    )
    charts.waterfall_chart(steps)
if case.pending:
    st.info(case.pending)
if case.history:
    st.markdown("**Decisions**")
    history = tables.history_frame(case)
    show_table(history)
    download_buttons(
        who,
        history,
        target=f"ce duplicate cluster {case.cluster_id} decisions",
        file_stem=f"duplicate-{case.cluster_id}-decisions",
        key="dup_history",
    )

if case.current is None:
    with st.form(f"dup_decide_{case.cluster_id}"):
        ids = list(case.account_ids)
        recommended = case.recommended_survivor_account_id
        survivor = st.selectbox(
            "Survivor (the organisation account)",
            ids,
            index=ids.index(recommended) if recommended in ids else 0,
            key=f"dup_survivor_{case.cluster_id}",
        )
        reason = st.text_area("Reason (required)", key=f"dup_reason_{case.cluster_id}")
        merge_col, keep_col = st.columns(2)
        merge = merge_col.form_submit_button(
            "Merge the others into the survivor", key="dup_merge", type="primary"
        )
        keep = keep_col.form_submit_button("Keep separate", key="dup_keep")
    if merge or keep:
        try:
            if merge:
                decision = dup.merge_cluster(settings, who, case, survivor, reason)
                done = (
                    f"Merge into {survivor} recorded (decision {decision}); applied by the next materialize."
                )
            else:
                decision = dup.keep_separate(settings, who, case, reason)
                done = f"Cluster {case.cluster_id} kept separate (decision {decision})."
        except InvalidDecision as exc:
            st.error(str(exc))
        else:
            st.session_state[NOTICE] = done
            st.rerun()
else:
    current = case.current
    what = (
        "Merged into " + str(current.survivor_account_id) if current.survivor_account_id else "Kept separate"
    )
    st.info(
        f"{what} by {current.decided_by} on {formatting.org_time(current.decided_at, settings.org_timezone)} "
        f"(decision {current.id}): "
        f"{current.reason}"
    )
    if case.status is dup.Status.NEEDS_REVIEW:
        st.warning("An account joined this cluster after the decision. Undo it and decide again.")
    with st.form(f"dup_undo_{case.cluster_id}"):
        reason = st.text_area("Reason for the undo (required)", key=f"dup_undo_reason_{case.cluster_id}")
        undo = st.form_submit_button(f"Undo decision {current.id}", key="dup_undo")
    if undo:
        try:
            decision = dup.undo_decision(settings, who, case, reason)
        except InvalidDecision as exc:
            st.error(str(exc))
        else:
            pending = " It is applied by the next materialize." if current.survivor_account_id else ""
            st.session_state[NOTICE] = f"Decision {current.id} undone (decision {decision}).{pending}"
            st.rerun()

apply_now()
