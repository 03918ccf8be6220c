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

from domain.settings import Settings
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
LABELLED_IN_FILES = ("Credit type",)
DEFAULT_TIMEZONE = "America/Chicago"
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


def _df(conn, sql: str, params: list) -> pd.DataFrame:
    return conn.execute(sql, params).df()


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
    cols = "a.account_id, a.first_name, a.last_name, a.email, a.mobile_phone, a.degree, a.person_id"
    order = f" ORDER BY a.last_name, a.first_name, a.account_id LIMIT {MAX_MATCHES}"
    if "@" in q:
        return _df(
            conn, f"SELECT {cols} FROM marts.ce_accounts a WHERE lower(a.email) = lower(?)" + order, [q]
        )
    digest = phone_digest(q) if _PHONE_LIKE.match(q) else None
    if digest and "ce_account_phones" in _tables(conn):
        return _df(
            conn,
            f"SELECT {cols} FROM marts.ce_accounts a JOIN marts.ce_account_phones p USING (account_id) "
            "WHERE p.phone_sha256 = ?" + order,
            [digest],
        )
    by_id = _df(
        conn, f"SELECT {cols} FROM marts.ce_accounts a WHERE lower(a.account_id) = lower(?)" + order, [q]
    )
    if not by_id.empty:
        return by_id
    words = q.lower().split()
    where = " AND ".join(
        "(strip_accents(lower(a.first_name)) LIKE strip_accents(?) OR strip_accents(lower(a.last_name)) LIKE "
        "strip_accents(?))"
        for _ in words
    )
    params = [p for w in words for p in (f"%{w}%", f"%{w}%")]
    return _df(conn, f"SELECT {cols} FROM marts.ce_accounts a WHERE {where}" + order, params)


def group_accounts(conn, account_id: str) -> list[str]:
    """The account, the accounts merged with it (either way, chains resolved) and those sharing its
    person_id."""
    survivors = "ce_account_survivors" in _tables(conn)
    group = {account_id}
    while True:
        ids = sorted(group)
        marks = ", ".join("?" * len(ids))
        found = {
            r[0]
            for r in conn.execute(
                "SELECT b.account_id FROM marts.ce_accounts a JOIN marts.ce_accounts b ON a.person_id = "
                "b.person_id "
                f"WHERE a.account_id IN ({marks})",
                ids,
            ).fetchall()
        }
        if survivors:
            for a, s in conn.execute(
                f"SELECT account_id, survivor_account_id FROM marts.ce_account_survivors "
                f"WHERE account_id IN ({marks}) OR survivor_account_id IN ({marks})",
                ids + ids,
            ).fetchall():
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
    marks = ", ".join("?" * len(ids))
    tables = _tables(conn)
    merged = (
        "(SELECT survivor_account_id FROM marts.ce_account_survivors s WHERE s.account_id = a.account_id)"
        if "ce_account_survivors" in tables
        else "NULL"
    )
    accounts = _df(
        conn,
        "SELECT a.account_id, a.first_name, a.last_name, a.email, a.mobile_phone, a.degree, a.person_id, "
        f"{merged} AS merged_into FROM marts.ce_accounts a WHERE a.account_id IN ({marks}) ORDER BY "
        "a.account_id",
        ids,
    )
    transcript = _df(
        conn,
        "SELECT completed_on, title, source, credit_type, credits, account_id FROM marts.ce_credit_items "
        f"WHERE account_id IN ({marks}) ORDER BY completed_on DESC, title, credit_type",
        ids,
    )
    claims = (
        _df(
            conn,
            "SELECT received_at, activity_id, channel, outcome, reason, claimed_account_id, event_id "
            f"FROM marts.ce_attendance_outcomes WHERE account_id IN ({marks}) OR claimed_account_id IN "
            f"({marks}) "
            "ORDER BY received_at DESC, event_id",
            ids + ids,
        )
        if "ce_attendance_outcomes" in tables
        else pd.DataFrame(columns=list(CLAIM_COLUMNS))
    )
    certificates = _df(
        conn,
        "SELECT title, status, available_until, account_id, event_id FROM marts.ce_certificates "
        f"WHERE account_id IN ({marks}) ORDER BY available_until DESC, event_id",
        ids,
    )
    return Learner(account_id, tuple(ids), accounts, transcript, claims, certificates)


def _sheet(title: str, frame: pd.DataFrame, columns: dict[str, str], timezone: str) -> Sheet:
    # credit types in words with the code beside them; moments in the organisation's zone, named in the header
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


def learner_excel(found: Learner, timezone: str = DEFAULT_TIMEZONE) -> bytes:
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
