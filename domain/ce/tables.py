"""What every CE rule shares: the input tables, merges (account → survivor), phones and local dates.

The CE rules are Ibis expressions so the same code runs on DuckDB and on Spark. Their inputs are the staging
tables with the columns of ``domain.contracts`` exactly; staging timestamps are naive UTC instants.

Merges: the CE team's merge decisions reach these rules as an optional mapping table ``(account_id,
survivor_account_id)``, one row per merged-away account naming its *final* survivor (no chains). Everything an
account owns (claims, credits, certificates, external credits) is credited to its survivor, and the survivor's
degree and person_id apply. The raw rows keep their own account_id, so removing a row from the mapping (an
undo) restores the previous result exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import ibis

from domain import org_time
from domain.settings import DEFAULT_ORG_TIMEZONE

#: Schema of the optional merge mapping.
SURVIVOR_COLUMNS = ("account_id", "survivor_account_id")


#: The CE portal's staging tables, as ``CeTables`` reads them.
CE_STAGING = (
    "ce_accounts",
    "ce_activities",
    "ce_activity_credits",
    "ce_attendance",
    "ce_evaluations",
    "ce_external_credits",
)


@dataclass(frozen=True)
class CeTables:
    accounts: ibis.Table
    activities: ibis.Table
    activity_credits: ibis.Table
    attendance: ibis.Table
    evaluations: ibis.Table
    external_credits: ibis.Table
    #: ``(account_id, survivor_account_id)``; ``None`` = no merges applied.
    survivors: ibis.Table | None = None

    @classmethod
    def from_tables(cls, tables: Mapping[str, ibis.Table], survivors: ibis.Table | None = None) -> CeTables:
        """From Ibis tables keyed by their staging names (``ce_accounts``, ``ce_activities``, ...)."""
        return cls(
            accounts=tables["ce_accounts"],
            activities=tables["ce_activities"],
            activity_credits=tables["ce_activity_credits"],
            attendance=tables["ce_attendance"],
            evaluations=tables["ce_evaluations"],
            external_credits=tables["ce_external_credits"],
            survivors=survivors,
        )

    @classmethod
    def from_backend(
        cls, backend, database: str = "staging", survivors: ibis.Table | None = None
    ) -> CeTables:
        """The ``staging.ce_*`` tables of an Ibis backend (e.g. ``ibis.duckdb.from_connection(conn)``)."""
        return cls.from_tables(
            {name: backend.table(name, database=database) for name in CE_STAGING}, survivors
        )


def degree_key(degree: ibis.StringValue) -> ibis.StringValue:
    """Degrees compare trimmed and case-insensitively (``PharmD`` on a profile, ``PHARMD`` in credits)."""
    return degree.strip().upper()


def credited_accounts(tables: CeTables) -> ibis.Table:
    """Every account with the account its credits go to, and that account's degree key and person.

    Columns: ``account_id, credited_account_id, degree_key, person_id``. Without merges an account is credited
    to itself. A survivor that is not a known account is ignored (the account keeps its own credits) rather
    than sending credits nowhere.
    """
    acc = tables.accounts
    own = acc.select(
        account_id=acc.account_id,
        own_degree=degree_key(acc.degree),
        own_person=acc.person_id,
    )
    if tables.survivors is None:
        return own.select(
            "account_id",
            credited_account_id=own.account_id,
            degree_key=own.own_degree,
            person_id=own.own_person,
        )
    merges = tables.survivors.select(
        m_account=tables.survivors.account_id, m_survivor=tables.survivors.survivor_account_id
    )
    survivor = acc.select(s_account=acc.account_id, s_degree=degree_key(acc.degree), s_person=acc.person_id)
    joined = own.left_join(merges, own.account_id == merges.m_account).left_join(
        survivor, merges.m_survivor == survivor.s_account
    )
    merged = joined.s_account.notnull()
    return joined.select(
        account_id=joined.account_id,
        credited_account_id=ibis.ifelse(merged, joined.s_account, joined.account_id),
        degree_key=ibis.ifelse(merged, joined.s_degree, joined.own_degree),
        person_id=ibis.ifelse(merged, joined.s_person, joined.own_person),
    )


def e164(phone: ibis.StringValue) -> ibis.StringValue:
    """US phone in E.164. Staging phones are already E.164 (ingest uses ``phonenumbers``); this is idempotent
    on
    them and only guards a hand-made or older table holding ``(555) 123-4567``-style values."""
    digits = phone.re_replace(r"[^0-9]", "")
    return ibis.cases(
        (digits.length() == 10, "+1" + digits),
        ((digits.length() == 11) & digits.startswith("1"), "+" + digits),
        else_=phone,
    )


def local_wall_clock(
    utc_ts: ibis.TimestampValue, timezone: str = DEFAULT_ORG_TIMEZONE
) -> ibis.TimestampValue:
    """The organisation's wall-clock time (naive) of a naive-UTC instant, DST-aware (``domain.org_time``)."""
    return org_time.local_wall_clock(utc_ts, timezone)


def local_date(utc_ts: ibis.TimestampValue, timezone: str = DEFAULT_ORG_TIMEZONE) -> ibis.DateValue:
    """The calendar date of a naive-UTC instant in the organisation's time zone."""
    return org_time.local_date(utc_ts, timezone)


def as_date(value: dt.date) -> ibis.DateValue:
    return ibis.literal(value, type="date")
