"""How the duplicate queue is shown and exported: accounts side by side, pairs, decisions, the queue table.

Pure presentation over :class:`reports.ce.duplicates.ClusterCase`; the reads and their scope are in
``reports.ce.duplicates``. Exports pass the formula-injection guard (``reports.exports``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from domain.settings import DEFAULT_ORG_TIMEZONE
from reports.ce.duplicates import CLASSIFICATION_LABELS, AccountCard, ClusterCase, PairEvidence, Status
from reports.exports.csv import csv_bytes
from reports.exports.excel import Sheet, workbook_bytes
from reports.formatting import export_rows, for_export, org_time

#: Side-by-side rows: (attribute of AccountCard, label).
ACCOUNT_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("email_marked", "E-mail"),
    ("login_method", "Login"),
    ("mobile_phone", "Mobile phone"),
    ("birth_date", "Birth date"),
    ("license", "License"),
    ("npi", "NPI"),
    ("address", "Address"),
    ("degree", "Degree"),
    ("person_id", "Person"),
    ("created_at", "Created"),
)

STATUS_LABELS = {
    Status.UNDECIDED: "undecided",
    Status.MERGED: "merged",
    Status.KEPT_SEPARATE: "kept separate",
    Status.NEEDS_REVIEW: "decided, new account since",
}


def _fmt(value, timezone: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return org_time(value, timezone)  # "2026-03-04 09:15 CST", as every time on the pages
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def account_heading(case: ClusterCase, account: AccountCard) -> str:
    return (
        f"{account.account_id} ★ recommended"
        if account.account_id == case.recommended_survivor_account_id
        else account.account_id
    )


def side_by_side(case: ClusterCase, timezone: str = DEFAULT_ORG_TIMEZONE) -> pd.DataFrame:
    """One column per account (the recommended survivor first, starred), one row per field; times in
    ``timezone``, named."""
    return pd.DataFrame(
        {
            account_heading(case, a): [_fmt(getattr(a, attr), timezone) for attr, _ in ACCOUNT_FIELDS]
            for a in case.accounts
        },
        index=[label for _, label in ACCOUNT_FIELDS],
    )


def pairs_frame(case: ClusterCase) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "accounts": f"{p.account_id_l} / {p.account_id_r}",
                "match probability": round(p.match_probability, 4),
                "evidence": p.evidence,
                "decision": (p.decision or "").replace("_", " "),
            }
            for p in case.pairs
        ],
        columns=["accounts", "match probability", "evidence", "decision"],
    )


def history_frame(case: ClusterCase) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "decision": d.id,
                "action": d.action.value.replace("_", " ")
                + (f" of {d.undoes_decision_id}" if d.undoes_decision_id else ""),
                "survivor": d.survivor_account_id or "",
                "merged": ", ".join(d.merged_account_ids),
                "by": d.decided_by,
                "when": d.decided_at,  # a moment: the page shows it in the organisation's zone
                "why": d.reason,
            }
            for d in case.history
        ],
        columns=["decision", "action", "survivor", "merged", "by", "when", "why"],
    )


QUEUE_COLUMNS = (
    "cluster",
    "kind",
    "accounts",
    "best match",
    "recommended survivor",
    "status",
    "decided by",
    "pending",
)


def queue_frame(cases: Sequence[ClusterCase]) -> pd.DataFrame:
    """One row per cluster: what the queue lists."""
    return pd.DataFrame(
        [
            {
                "cluster": c.cluster_id,
                "kind": ("⚠ " if c.is_third_account else "")
                + CLASSIFICATION_LABELS.get(c.classification, c.classification),
                "accounts": len(c.accounts),
                "best match": round(c.best_probability, 4) if c.best_probability is not None else None,
                "recommended survivor": c.recommended_survivor_account_id or "",
                "status": STATUS_LABELS[c.status],
                "decided by": c.current.decided_by if c.current else "",
                "pending": c.pending or "",
            }
            for c in cases
        ],
        columns=list(QUEUE_COLUMNS),
    )


#: Export: one row per account of each cluster listed.
EXPORT_HEADER = (
    "Cluster",
    "Kind",
    "Status",
    "Account",
    "Recommended survivor",
    "Name",
    "E-mail",
    "E-mail domain",
    "Login",
    "Mobile phone",
    "Birth date",
    "License",
    "NPI",
    "Address",
    "Created",
    "Best match",
    "Decided by",
    "Decision reason",
)


def _export_rows(cases: Sequence[ClusterCase]) -> list[list]:
    rows = []
    for c in cases:
        for a in c.accounts:
            rows.append(
                [
                    c.cluster_id,
                    CLASSIFICATION_LABELS.get(c.classification, c.classification),
                    STATUS_LABELS[c.status],
                    a.account_id,
                    "yes" if a.account_id == c.recommended_survivor_account_id else "",
                    a.name,
                    a.email,
                    a.email_domain_kind,
                    a.login_method,
                    a.mobile_phone,
                    a.birth_date,
                    a.license,
                    a.npi,
                    a.address,
                    a.created_at,
                    c.best_probability,
                    c.current.decided_by if c.current else None,
                    c.current.reason if c.current else None,
                ]
            )
    return rows


def _export_table(cases: Sequence[ClusterCase], timezone: str) -> tuple[list[str], list[list]]:
    # "Created" in the organisation's zone, named in the header ("Created (CST)"), as the page shows it
    frame = for_export(
        pd.DataFrame(_export_rows(cases), columns=list(EXPORT_HEADER)),
        timezone=timezone,
        time_columns=["Created"],
    )
    return list(frame.columns), export_rows(frame)


def queue_csv(cases: Sequence[ClusterCase], timezone: str = DEFAULT_ORG_TIMEZONE) -> tuple[bytes, int]:
    """The listed clusters, one row per account, as CSV (formula guard applied); returns (bytes, rows)."""
    header, rows = _export_table(cases, timezone)
    return csv_bytes(header, rows), len(rows)


def queue_excel(cases: Sequence[ClusterCase], timezone: str = DEFAULT_ORG_TIMEZONE) -> tuple[bytes, int]:
    header, rows = _export_table(cases, timezone)
    return workbook_bytes([Sheet("Duplicate queue", header, rows)]), len(rows)


#: How the waterfall names each step (the pairs mart's ``<field>_weight`` columns without ``_weight``).
WEIGHT_LABELS = {
    "prior": "prior (any two accounts)",
    "name": "name",
    "birth_date": "birth date",
    "mobile_phone": "phone",
    "email_local": "e-mail",
    "license": "license",
    "npi": "NPI",
    "address": "address",
    "generation": "Jr / Sr",
}


def waterfall_steps(pair: PairEvidence) -> list[tuple[str, float]]:
    """(label, bits) of the pair's match weight, prior first; fields that weigh nothing (missing) are left
    out."""
    steps = []
    for key, value in pair.weights.items():
        if key != "prior" and value == 0:
            continue
        level = pair.levels.get(key)
        label = WEIGHT_LABELS.get(key, key)
        steps.append((f"{label}: {level.replace('_', ' ')}" if level else label, value))
    return steps
