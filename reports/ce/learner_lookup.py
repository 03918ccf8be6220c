"""The CE team's Learner lookup: find a learner by name, e-mail, phone or account id, then see everything
about them: their accounts (with merges), CE transcript, attendance claims with outcomes and reasons,
certificates.

A learner is the group of accounts that belong together: accounts carrying the same person_id, and accounts
merged into one another (``marts.ce_account_survivors``). Only the CE team and admins may look learners up;
every read runs against the published snapshot. Phones are matched by the SHA-256 of the E.164 number
(``marts.ce_account_phones``): the snapshot holds no full number.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pandas as pd
import phonenumbers

from domain.settings import DEFAULT_ORG_TIMEZONE, Settings
from domain.sql_files import load
from reports import audit
from reports.exports.excel import Sheet, workbook_bytes
from reports.formatting import for_export
from reports.learning.access import MARTS
from reports.principal import Principal, Role

MAX_MATCHES = 50
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PHONE_LIKE = re.compile(r"^[0-9+() .-]{7,}$")

ACCOUNT_COLUMNS = {
    "account_id": "Account",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "E-mail",
    "mobile_phone": "Phone",
    "degree": "Degree",
    "person_id": "Person ID",
    "merged_into": "Merged into",
}
TRANSCRIPT_COLUMNS = {
    "completed_on": "Date",
    "title": "Activity",
    "source": "Source",
    "credit_type": "Credit type",
    "credits": "Credits",
    "account_id": "Account",
}
CLAIM_COLUMNS = {
    "received_at": "Received",  # a file adds the organisation's zone: "Received (CST)"
    "activity_id": "Activity",
    "channel": "Channel",
    "outcome": "Outcome",
    "reason": "Reason",
    "claimed_account_id": "Claimed by account",
    "event_id": "Event",
}
#: Columns the files give in words, with the code in a column beside them.
LABELLED_IN_FILES = ("Source", "Credit type", "Channel", "Outcome", "Reason", "Status")
CERTIFICATE_COLUMNS = {
    "title": "Activity",
    "status": "Status",
    "available_until": "Available until",
    "account_id": "Account",
    "event_id": "Event",
}


def _require(principal: Principal) -> None:
    principal.require(Role.CE_TEAM, Role.ADMIN)


def _tables(conn) -> set[str]:
    rows = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [MARTS])
    return {r[0] for r in rows.fetchall()}


def _df(conn, name: str, params: dict) -> pd.DataFrame:
    """``reports/ce/<name>.sql`` with ``params``, as a frame."""
    return conn.execute(load(__package__, name), params).df()


def phone_digest(text: str) -> str | None:
    """SHA-256 of the number in E.164 (US numbers by default), or None when ``text`` is not a phone number."""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return hashlib.sha256(e164.encode()).hexdigest()


def search(principal: Principal, conn, query: str) -> pd.DataFrame:
    """Accounts matching ``query``: an account id (exact), an e-mail (exact), a phone number, or a name (every
    word in the first or last name, any case). At most :data:`MAX_MATCHES`, by name."""
    _require(principal)
    q = query.strip()
    if not q:
        return pd.DataFrame(columns=list(ACCOUNT_COLUMNS))
    if "@" in q:
        return _df(conn, "lookup_by_email", {"query": q, "limit": MAX_MATCHES})
    digest = phone_digest(q) if _PHONE_LIKE.match(q) else None
    if digest and "ce_account_phones" in _tables(conn):
        return _df(conn, "lookup_by_phone", {"digest": digest, "limit": MAX_MATCHES})
    by_id = _df(conn, "lookup_by_id", {"query": q, "limit": MAX_MATCHES})
    if not by_id.empty:
        return by_id
    patterns = [f"%{w}%" for w in q.lower().split()]
    return _df(conn, "lookup_by_name", {"patterns": patterns, "limit": MAX_MATCHES})


def group_accounts(conn, account_id: str) -> list[str]:
    """The account, the accounts merged with it (either way, chains resolved) and those sharing its
    person_id."""
    survivors = "ce_account_survivors" in _tables(conn)
    group = {account_id}
    while True:
        ids = {"ids": sorted(group)}
        found = {r[0] for r in conn.execute(load(__package__, "same_person_accounts"), ids).fetchall()}
        if survivors:
            for a, s in conn.execute(load(__package__, "merged_accounts"), ids).fetchall():
                found |= {a, s}
        if found <= group:
            return sorted(group)
        group |= found


@dataclass(frozen=True)
class Learner:
    #: The account looked up; ``account_ids`` is it and every account of the same learner.
    account_id: str
    account_ids: tuple[str, ...]
    accounts: pd.DataFrame
    transcript: pd.DataFrame
    claims: pd.DataFrame
    certificates: pd.DataFrame

    @property
    def row_count(self) -> int:
        return len(self.accounts) + len(self.transcript) + len(self.claims) + len(self.certificates)


def learner(principal: Principal, conn, account_id: str) -> Learner:
    """Everything about the learner of ``account_id`` (see the module doc for who belongs together)."""
    _require(principal)
    ids = group_accounts(conn, account_id)
    tables = _tables(conn)
    group = {"ids": ids}
    merges = "learner_accounts" if "ce_account_survivors" in tables else "learner_accounts_unmerged"
    accounts = _df(conn, merges, group)
    transcript = _df(conn, "learner_transcript", group)
    claims = (
        _df(conn, "learner_claims", group)
        if "ce_attendance_outcomes" in tables
        else pd.DataFrame(columns=list(CLAIM_COLUMNS))
    )
    certificates = _df(conn, "learner_certificates", group)
    return Learner(account_id, tuple(ids), accounts, transcript, claims, certificates)


def _sheet(title: str, frame: pd.DataFrame, columns: dict[str, str], timezone: str) -> Sheet:
    # codes in words as on the page, each code beside it; moments in the organisation's zone, named in the
    # header
    shown = for_export(
        frame[list(columns)].rename(columns=columns),
        timezone=timezone,
        labelled=LABELLED_IN_FILES,
        time_columns=["Received"],
    )
    rows = [
        [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row]
        for row in shown.itertuples(index=False, name=None)
    ]
    return Sheet(title, list(shown.columns), rows)


def learner_excel(found: Learner, timezone: str = DEFAULT_ORG_TIMEZONE) -> bytes:
    return workbook_bytes(
        [
            _sheet("Accounts", found.accounts, ACCOUNT_COLUMNS, timezone),
            _sheet("Transcript", found.transcript, TRANSCRIPT_COLUMNS, timezone),
            _sheet("Claims", found.claims, CLAIM_COLUMNS, timezone),
            _sheet("Certificates", found.certificates, CERTIFICATE_COLUMNS, timezone),
        ]
    )


def learner_download(principal: Principal, found: Learner, *, settings: Settings | None = None) -> bytes:
    """The learner's record as one workbook (a sheet per section), with its export audited."""
    data = learner_excel(found, (settings or Settings()).org_timezone)
    audit.record(
        principal,
        "export",
        f"learner lookup {found.account_id} xlsx",
        detail=f"accounts {','.join(found.account_ids)}",
        row_count=found.row_count,
        settings=settings,
    )
    return data
